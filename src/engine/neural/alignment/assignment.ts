/** The linear assignment that maximises a similarity, solved by the `munkres` package. */
import { munkres } from 'munkres';

/**
 * For an n x n similarity (row-major, rows = units of the reference, columns = units of the
 * network being moved), the permutation p maximising sum_k similarity[k][p[k]].
 */
export function maximiseAssignment(similarity: Float64Array | Float32Array, n: number): Int32Array {
  // munkres minimises a cost: max - similarity (non-negative; measured faster than -similarity).
  let max = -Infinity;
  for (let i = 0; i < n * n; i++) if (similarity[i] > max) max = similarity[i];
  const cost: Float64Array[] = [];
  for (let k = 0; k < n; k++) {
    const row = new Float64Array(n);
    for (let l = 0; l < n; l++) row[l] = max - similarity[k * n + l];
    cost.push(row);
  }
  const perm = new Int32Array(n).fill(-1);
  for (const [row, column] of munkres(cost)) perm[row] = column;
  if (perm.includes(-1)) throw new Error(`the assignment left a unit unassigned (n = ${n})`);
  return perm;
}

/** sum_k similarity[k][perm[k]]. */
export function assignmentValue(similarity: Float64Array | Float32Array, n: number, perm: Int32Array): number {
  let sum = 0;
  for (let k = 0; k < n; k++) sum += similarity[k * n + perm[k]];
  return sum;
}

/**
 * Applying permutations to a flat parameter vector. Convention (as Git Re-Basin's
 * `get_permuted_param`): at every run, the permuted tensor's unit k is the original's unit perm[k],
 * so permuting by P and then by the inverse of P gives back the original bit for bit.
 */
import { findEntry, type ParameterLayout } from '../models';
import type { Random } from '../../random';
import type { AxisRun, PermutationSpec, Permutations } from './spec';

export function identityPermutations(spec: PermutationSpec): Permutations {
  return new Map([...spec.sizes].map(([name, n]) => [name, Int32Array.from({ length: n }, (_, k) => k)]));
}

/** An independent random permutation per entry of the spec (seeded). */
export function randomPermutations(spec: PermutationSpec, random: Random): Permutations {
  return new Map([...spec.sizes].map(([name, n]) => [name, random.derive(name).permutation(n)]));
}

export function invertPermutation(perm: Int32Array): Int32Array {
  const inverse = new Int32Array(perm.length);
  perm.forEach((p, k) => (inverse[p] = k));
  return inverse;
}

/** For each position of an axis of length n, the original position it is read from. */
export function axisSource(runs: readonly AxisRun[], n: number, perms: Permutations): Int32Array {
  const source = Int32Array.from({ length: n }, (_, j) => j);
  for (const run of runs) {
    const perm = perms.get(run.perm);
    if (!perm) throw new Error(`no permutation ${run.perm}`);
    run.positions.forEach((position, k) => (source[position] = run.positions[perm[k]]));
  }
  return source;
}

/** `data` (a tensor of `shape`, row-major) read along `axis` from `source` positions. */
export function gatherAxis(data: Float32Array, shape: readonly number[], axis: number, source: Int32Array): Float32Array {
  const n = shape[axis];
  const inner = shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const outer = data.length / (n * inner);
  const out = new Float32Array(data.length);
  for (let o = 0; o < outer; o++) {
    const base = o * n * inner;
    for (let j = 0; j < n; j++) {
      const from = base + source[j] * inner;
      const to = base + j * inner;
      if (inner === 1) out[to] = data[from];
      else out.set(data.subarray(from, from + inner), to);
    }
  }
  return out;
}

/** One tensor of the spec permuted on every axis except `exceptAxis`. */
export function permutedTensor(
  layout: ParameterLayout,
  params: Float32Array,
  entry: PermutationSpec['entries'][number],
  perms: Permutations,
  exceptAxis = -1,
): Float32Array {
  const e = findEntry(layout, entry.name);
  let data = params.subarray(e.offset, e.offset + e.size);
  entry.axes.forEach((runs, axis) => {
    if (axis === exceptAxis || runs.length === 0) return;
    data = gatherAxis(data, e.shape, axis, axisSource(runs, e.shape[axis], perms));
  });
  return data;
}

/** A copy of `params` with every permutation applied (BatchNorm running statistics included). */
export function applyPermutations(layout: ParameterLayout, spec: PermutationSpec, params: Float32Array, perms: Permutations): Float32Array {
  const out = Float32Array.from(params);
  for (const entry of spec.entries) out.set(permutedTensor(layout, params, entry, perms), findEntry(layout, entry.name).offset);
  return out;
}

/**
 * Weight matching (Ainsworth et al., "Git Re-Basin", ICLR 2023, algorithm 1): find permutations of
 * the moving network's units that maximise the inner product of its weights with the reference's,
 * sum over tensors of <W_ref, P W_moving P_prev^T>. Coordinate ascent: each permutation in turn is
 * the solution of a linear assignment with the others held fixed, visited in a seeded random order,
 * until a sweep improves none (at most `maxSweeps`).
 */
import * as tf from '@tensorflow/tfjs';
import { findEntry, type ParameterLayout } from '../models';
import { Random } from '../../random';
import { assignmentValue, maximiseAssignment } from './assignment';
import { identityPermutations, permutedTensor } from './permute';
import type { PermutationSpec, Permutations } from './spec';

export interface WeightMatchingOptions {
  seed?: number | string;
  /** Default 100. */
  maxSweeps?: number;
}

export interface MatchingResult {
  /** Applied to the moving network (applyPermutations), these make it closest to the reference. */
  perms: Permutations;
  sweeps: number;
}

/** Where one permutation acts: a tensor (trainable only: running statistics follow, not lead) and an axis. */
interface Use {
  entry: PermutationSpec['entries'][number];
  axis: number;
}

/**
 * The rows of `data` (viewed as [outer, n, inner] around `axis`) at the run's positions, laid side
 * by side for every run of `perm` on that axis: a [units, runs * outer * inner] matrix.
 */
function unitRows(data: Float32Array, shape: readonly number[], axis: number, runs: readonly { positions: Int32Array }[], units: number): Float32Array {
  const n = shape[axis];
  const inner = shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const outer = data.length / (n * inner);
  const width = runs.length * outer * inner;
  const out = new Float32Array(units * width);
  runs.forEach((run, r) => {
    for (let k = 0; k < units; k++) {
      let column = k * width + r * outer * inner;
      for (let o = 0; o < outer; o++) {
        const from = (o * n + run.positions[k]) * inner;
        for (let i = 0; i < inner; i++) out[column++] = data[from + i];
      }
    }
  });
  return out;
}

/** similarity[k][l] = sum over the permutation's uses of <reference unit k, moving unit l>. */
function similarity(layout: ParameterLayout, uses: Use[], perm: string, units: number, reference: Float32Array, moving: Float32Array, perms: Permutations): Float32Array {
  const refs: Float32Array[] = [];
  const movs: Float32Array[] = [];
  for (const { entry, axis } of uses) {
    const e = findEntry(layout, entry.name);
    const runs = entry.axes[axis].filter((r) => r.perm === perm);
    refs.push(unitRows(reference.subarray(e.offset, e.offset + e.size), e.shape, axis, runs, units));
    // The moving tensor with every other permutation applied, this one's axis left as it is.
    movs.push(unitRows(permutedTensor(layout, moving, entry, perms, axis), e.shape, axis, runs, units));
  }
  let out: Float32Array | undefined;
  // Handed out by closure: tidy walks a returned typed array element by element.
  tf.tidy(() => {
    const matrix = (parts: Float32Array[]) => tf.concat(parts.map((p) => tf.tensor2d(p, [units, p.length / units])), 1);
    out = tf.matMul(matrix(refs), matrix(movs), false, true).dataSync() as Float32Array;
  });
  return out!;
}

export function weightMatching(layout: ParameterLayout, spec: PermutationSpec, reference: Float32Array, moving: Float32Array, options: WeightMatchingOptions = {}): MatchingResult {
  const maxSweeps = options.maxSweeps ?? 100;
  const trainable = new Set(layout.entries.filter((e) => e.trainable).map((e) => e.name));
  const uses = new Map<string, Use[]>([...spec.sizes.keys()].map((name) => [name, []]));
  for (const entry of spec.entries) {
    if (!trainable.has(entry.name)) continue;
    entry.axes.forEach((runs, axis) => {
      for (const name of new Set(runs.map((r) => r.perm))) uses.get(name)!.push({ entry, axis });
    });
  }
  const names = [...spec.sizes.keys()];
  const perms = identityPermutations(spec);
  const random = new Random(options.seed ?? 0).derive('weight-matching');
  let sweeps = 0;
  while (sweeps < maxSweeps) {
    sweeps++;
    let improved = false;
    for (const index of random.permutation(names.length)) {
      const name = names[index];
      const n = spec.sizes.get(name)!;
      const s = similarity(layout, uses.get(name)!, name, n, reference, moving, perms);
      const next = maximiseAssignment(s, n);
      const before = assignmentValue(s, n, perms.get(name)!);
      const after = assignmentValue(s, n, next);
      // Only a strict gain (beyond float32 rounding of the sums) counts as progress.
      if (after > before + 1e-6 * Math.max(1, Math.abs(before))) {
        perms.set(name, next);
        improved = true;
      }
    }
    if (!improved) break;
  }
  return { perms, sweeps };
}

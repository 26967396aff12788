/**
 * A path is the piecewise-linear curve through its pivots. Positions along it are arc-length
 * fractions t in [0, 1], so profiles of paths with different pivot counts are comparable.
 */
import type { Energy, Vector } from './energy';
import { NonFiniteEnergyError } from './energy';
import { InvalidInputError } from './errors';
import { runLocally, type KernelTask, type Phases } from './neb/kernels';
import { distance, lerp } from './vector';

/** Energies sampled densely along a path: `pointsPerSegment` interior points between pivots. */
export interface DenseProfile {
  /** Arc-length position of each sample, increasing from 0 to 1. */
  readonly t: number[];
  readonly energy: number[];
  /** Interior samples per segment; sample i * (pointsPerSegment + 1) is pivot i. */
  readonly pointsPerSegment: number;
}

/** The highest point of a dense profile: the path's saddle in the paper's sense. */
export interface Saddle {
  readonly energy: number;
  /** Arc-length position in [0, 1]. */
  readonly t: number;
  /** Index into the dense profile. */
  readonly index: number;
  /** The evaluated parameters (a copy). */
  readonly point: Vector;
}

/** Cumulative arc length at each pivot (first entry 0, last entry the path length). */
export function cumulativeLengths(pivots: readonly Vector[]): number[] {
  const cumulative = [0];
  for (let i = 1; i < pivots.length; i++) cumulative.push(cumulative[i - 1] + distance(pivots[i - 1], pivots[i]));
  return cumulative;
}

/** Arc-length position t in [0, 1] of every pivot (equal fractions if the path has length 0). */
export function pivotPositions(pivots: readonly Vector[]): number[] {
  const cumulative = cumulativeLengths(pivots);
  const total = cumulative[cumulative.length - 1];
  const last = pivots.length - 1;
  return cumulative.map((c, i) => (total > 0 ? c / total : last > 0 ? i / last : 0));
}

/** The point at arc-length fraction t of the piecewise-linear path through the pivots. */
export function pointAt(pivots: readonly Vector[], t: number): Vector {
  if (pivots.length === 0) throw new InvalidInputError('pivots', 'empty path');
  if (!(t >= 0 && t <= 1)) throw new InvalidInputError('t', `must be in [0, 1], got ${t}`);
  const cumulative = cumulativeLengths(pivots);
  const target = t * cumulative[cumulative.length - 1];
  for (let i = 0; i < pivots.length - 1; i++) {
    const length = cumulative[i + 1] - cumulative[i];
    if (length > 0 && target <= cumulative[i + 1]) {
      return lerp(pivots[i], pivots[i + 1], Math.max(0, (target - cumulative[i]) / length));
    }
  }
  return Float32Array.from(pivots[target > 0 ? pivots.length - 1 : 0]);
}

/** The dense sample points (pivots and `pointsPerSegment` equally spaced points per segment). */
export function densePoints(pivots: readonly Vector[], pointsPerSegment: number): { points: Vector[]; t: number[] } {
  const positions = pivotPositions(pivots);
  const points: Vector[] = [];
  const t: number[] = [];
  for (let i = 0; i < pivots.length - 1; i++) {
    for (let j = 0; j <= pointsPerSegment; j++) {
      const alpha = j / (pointsPerSegment + 1);
      points.push(j === 0 ? Float32Array.from(pivots[i]) : lerp(pivots[i], pivots[i + 1], alpha));
      t.push(positions[i] + alpha * (positions[i + 1] - positions[i]));
    }
  }
  points.push(Float32Array.from(pivots[pivots.length - 1]));
  t.push(positions[positions.length - 1]);
  return { points, t };
}

/**
 * Evaluates the energy (`loss`, fixed evaluation set) densely along the path, in one call.
 * `ends`: the endpoints' losses when already known (fixed minima), so they are not evaluated.
 */
export async function evaluateDense(energy: Energy, pivots: readonly Vector[], pointsPerSegment: number, ends?: readonly [number, number]): Promise<DenseProfile> {
  const { points, t } = densePoints(pivots, pointsPerSegment);
  const evaluated = ends ? points.slice(1, -1) : points;
  const losses = await energy.loss(evaluated);
  if (losses.length !== evaluated.length) {
    throw new InvalidInputError(`${energy.name}.loss`, `returned ${losses.length} losses for ${evaluated.length} points`);
  }
  const values = ends ? [ends[0], ...losses, ends[1]] : losses;
  values.forEach((value, i) => {
    if (!Number.isFinite(value)) throw new NonFiniteEnergyError('loss', i, `dense evaluation at t=${t[i]}`);
  });
  return { t, energy: [...values], pointsPerSegment };
}

/** Energies of the pivots themselves, read from a dense profile. */
export function pivotEnergies(profile: DenseProfile): number[] {
  return profile.energy.filter((_, i) => i % (profile.pointsPerSegment + 1) === 0);
}

/** The highest sample of the profile (first one on ties) and its parameters. */
export function saddleOf(pivots: readonly Vector[], profile: DenseProfile): Saddle {
  let index = 0;
  for (let i = 1; i < profile.energy.length; i++) if (profile.energy[i] > profile.energy[index]) index = i;
  const stride = profile.pointsPerSegment + 1;
  const segment = Math.min(Math.floor(index / stride), pivots.length - 1);
  const alpha = (index - segment * stride) / stride;
  const point = alpha === 0 ? Float32Array.from(pivots[segment]) : lerp(pivots[segment], pivots[segment + 1], alpha);
  return { energy: profile.energy[index], t: profile.t[index], index, point };
}

/**
 * Moves the pivots between consecutive fixed pivots (always the two endpoints; also a climbing
 * pivot) to equal arc length along the current piecewise-linear path: the string method's
 * re-parametrisation. Returns new vectors (or `into`, a caller's buffers that must not be
 * `pivots`); the input is unchanged.
 */
export function redistributeEqually(pivots: readonly Vector[], fixed: readonly number[] = [], into?: Float32Array[]): Vector[] {
  return runLocally(redistributeEquallyPhases(pivots, fixed, into));
}

/** redistributeEqually as two phases of per-pivot kernels: the segments' lengths, then each pivot's interpolation. */
export function* redistributeEquallyPhases(pivots: readonly Vector[], fixed: readonly number[] = [], into?: Float32Array[]): Phases<Vector[]> {
  const anchors = [...new Set([0, pivots.length - 1, ...fixed])].sort((a, b) => a - b);
  const out: Float32Array[] = into ?? pivots.map((p) => new Float32Array(p.length));
  const lengths = (yield pivots.slice(1).map((p, i) => ({ kernel: 'distance', views: [pivots[i], p] }) satisfies KernelTask)).map(([length]) => length);
  const tasks: KernelTask[] = pivots.map((p, i) => ({ kernel: 'copy', views: [p, out[i]] }));
  for (let k = 0; k < anchors.length - 1; k++) {
    const from = anchors[k];
    const to = anchors[k + 1];
    // As cumulativeLengths of the slice from..to, from the same lengths.
    const cumulative = [0];
    for (let i = from + 1; i <= to; i++) cumulative.push(cumulative[i - 1 - from] + lengths[i - 1]);
    const total = cumulative[cumulative.length - 1];
    if (!(total > 0)) continue;
    let segment = 0;
    for (let i = from + 1; i < to; i++) {
      const target = ((i - from) / (to - from)) * total;
      while (segment < cumulative.length - 2 && cumulative[segment + 1] < target) segment++;
      const length = cumulative[segment + 1] - cumulative[segment];
      const alpha = length > 0 ? Math.min(1, Math.max(0, (target - cumulative[segment]) / length)) : 0;
      tasks[i] = { kernel: 'lerp', views: [out[i], pivots[from + segment], pivots[from + segment + 1]], scalars: [alpha] };
    }
  }
  yield tasks;
  return out;
}

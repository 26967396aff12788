/**
 * Pivot insertion strategies, as plain functions with one signature resolved by name (as the
 * authors' fill.py): each returns, for every segment (pair of neighbouring pivots), the
 * fractions in (0, 1) at which new pivots go. `insertPivots` then builds the new path.
 */
import type { Vector } from '../energy';
import { InvalidInputError } from '../errors';
import type { PivotOrigin } from '../neb/optimizers';
import type { DenseProfile } from '../path';
import { lerp } from '../vector';
import type { InsertionConfig } from './config';

/** Fractions at which to insert, one list per segment. */
export type InsertionPlan = number[][];

export type InsertionStrategy = (pivots: readonly Vector[], profile: DenseProfile | null, config: InsertionConfig) => InsertionPlan;

/** `count` new pivots equally spaced in every segment (needs no profile). */
export function equalInsertion(pivots: readonly Vector[], _profile: DenseProfile | null, config: InsertionConfig): InsertionPlan {
  const alphas = Array.from({ length: config.count }, (_, j) => (j + 1) / (config.count + 1));
  return pivots.slice(1).map(() => [...alphas]);
}

/** Per segment: the largest dense residual over the linear interpolation of its pivot energies. */
export interface SegmentResidual {
  readonly residual: number;
  /** Fraction within the segment where it occurs. */
  readonly alpha: number;
}

export function segmentResiduals(pivotCount: number, profile: DenseProfile): SegmentResidual[] {
  const stride = profile.pointsPerSegment + 1;
  if (profile.energy.length !== (pivotCount - 1) * stride + 1) {
    throw new InvalidInputError('profile', `has ${profile.energy.length} samples, expected ${(pivotCount - 1) * stride + 1} for ${pivotCount} pivots`);
  }
  const out: SegmentResidual[] = [];
  for (let i = 0; i < pivotCount - 1; i++) {
    const a = profile.energy[i * stride];
    const b = profile.energy[(i + 1) * stride];
    let best = { residual: -Infinity, alpha: 0.5 };
    for (let j = 1; j < stride; j++) {
      const alpha = j / stride;
      const residual = profile.energy[i * stride + j] - ((1 - alpha) * a + alpha * b);
      if (residual > best.residual) best = { residual, alpha };
    }
    out.push(best);
  }
  return out;
}

/**
 * At most `count` pivots, one per segment, in the segments whose largest residual exceeds
 * `threshold` * (max - min of the pivot energies), largest residuals first (earlier segment on
 * ties); each at the fraction of its largest residual.
 */
export function highestInsertion(pivots: readonly Vector[], profile: DenseProfile | null, config: InsertionConfig): InsertionPlan {
  if (config.strategy !== 'highest') throw new InvalidInputError('insertion.strategy', `expected "highest", got "${config.strategy}"`);
  if (!profile) throw new InvalidInputError('profile', 'the highest strategy needs the dense profile of the current path');
  const residuals = segmentResiduals(pivots.length, profile);
  const stride = profile.pointsPerSegment + 1;
  const pivotEnergies = pivots.map((_, i) => profile.energy[i * stride]);
  const range = Math.max(...pivotEnergies) - Math.min(...pivotEnergies);
  const chosen = residuals
    .map((r, segment) => ({ ...r, segment }))
    .filter((r) => r.residual > config.threshold * range)
    .sort((a, b) => b.residual - a.residual || a.segment - b.segment)
    .slice(0, config.count);
  const plan: InsertionPlan = pivots.slice(1).map(() => []);
  for (const r of chosen) plan[r.segment].push(r.alpha);
  return plan;
}

export const INSERTION_STRATEGIES: Readonly<Record<InsertionConfig['strategy'], InsertionStrategy>> = {
  equal: equalInsertion,
  highest: highestInsertion,
};

export interface InsertionResult {
  readonly pivots: Vector[];
  /** Origin of every pivot of the new path, for carrying per-pivot optimiser state. */
  readonly origins: PivotOrigin[];
  /** Indices of the new pivots in the new path. */
  readonly inserted: number[];
}

/** Builds the new path: new pivots at the given fractions of each segment, by linear interpolation. */
export function insertPivots(pivots: readonly Vector[], plan: InsertionPlan): InsertionResult {
  if (plan.length !== pivots.length - 1) throw new InvalidInputError('plan', `has ${plan.length} segments, the path has ${pivots.length - 1}`);
  const out: Vector[] = [Float32Array.from(pivots[0])];
  const origins: PivotOrigin[] = [{ left: 0, right: 0, alpha: 0 }];
  const inserted: number[] = [];
  plan.forEach((alphas, i) => {
    let last = 0;
    for (const alpha of alphas) {
      if (!(alpha > last && alpha < 1)) throw new InvalidInputError(`plan[${i}]`, `fractions must increase strictly within (0, 1), got ${alphas.join(', ')}`);
      last = alpha;
      inserted.push(out.length);
      out.push(lerp(pivots[i], pivots[i + 1], alpha));
      origins.push({ left: i, right: i + 1, alpha });
    }
    out.push(Float32Array.from(pivots[i + 1]));
    origins.push({ left: i + 1, right: i + 1, alpha: 0 });
  });
  return { pivots: out, origins, inserted };
}

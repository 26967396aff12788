/**
 * Input and output records of the landscape analysis. They are plain JSON-shaped objects (ids are
 * opaque strings) so the server can build them from its entities and return the results as they are.
 */
import { InvalidInputError } from '../errors';

/** The measured quantities of a minimum or of a point on a path (a saddle, a linear-path maximum). */
export const QUANTITIES = ['trainLoss', 'testLoss', 'trainError', 'testError'] as const;
export type Quantity = (typeof QUANTITIES)[number];

/** Quantities a spanning tree can be weighted by: the saddle's train loss (the paper's), test loss, test error. */
export const WEIGHT_KEYS = ['trainLoss', 'testLoss', 'testError'] as const;
export type WeightKey = (typeof WEIGHT_KEYS)[number];

/** Measured values; a missing quantity is `undefined` or `null`. */
export type Measurements = { readonly [K in Quantity]?: number | null };

export interface MinimumRecord extends Measurements {
  readonly id: string;
}

/** A computed (local minimum energy) path between minima `a` and `b`; undirected. */
export interface PathRecord {
  readonly id: string;
  /** Minimum id at one end. */
  readonly a: string;
  /** Minimum id at the other end. */
  readonly b: string;
  /** Values at the highest point of the path (its saddle). Missing while the path is not evaluated. */
  readonly saddle?: Measurements | null;
  /** Values at the highest point of the straight line a-b, for comparison with the saddle. */
  readonly linearBarrier?: Measurements | null;
  /**
   * `false` while AutoNEB still runs (or was interrupted). Unfinished paths count as known pairs
   * (nobody should start them twice) but never enter a spanning tree. Default `true`.
   */
  readonly finished?: boolean;
}

/** Thrown for inconsistent input; an engine `InvalidInputError`, so callers map both alike. */
export class LandscapeInputError extends InvalidInputError {}

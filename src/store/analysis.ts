// Landscape analysis on request: the engine's spanning tree, bounds, suggestions, merge tree and
// Table 1 summary over the minima and paths stored for a landscape (section 3.2 of the paper).
import type { EntityManager } from '@mikro-orm/core';
import {
  barrierBound,
  disconnectivity,
  spanningTree,
  suggestPairs,
  summary,
  type MinimumRecord,
  type PathRecord,
  type WeightKey,
} from '../engine';
import { Minimum, Path } from './entities';
import { MinimumStatus, PathMethod, PathStatus } from './enums';
import { InputError } from './errors';

export interface LandscapeGraphRecords {
  minima: MinimumRecord[];
  paths: PathRecord[];
  /** Pairs whose path failed: known, but connecting nothing. */
  failed: [string, string][];
  /** Pairs whose path is being computed. */
  pending: [string, string][];
  /** The stored paths by id, so results can hand out the records their edges name. */
  pathsById: Map<string, Path>;
}

export async function landscapeRecords(em: EntityManager, landscapeId: string): Promise<LandscapeGraphRecords> {
  // Aligned copies compute the same functions as their originals: not minima of their own.
  const minima = await em.find(Minimum, { landscape: landscapeId, status: MinimumStatus.READY, alignedFrom: null }, { orderBy: { createdAt: 'asc', id: 'asc' } });
  // One method for the tree, Table 1 and suggestions: AutoNEB's paths (curves are stored for
  // comparison; why in docs/curvature.md).
  const paths = await em.find(Path, { landscape: landscapeId, method: PathMethod.AUTONEB }, { orderBy: { createdAt: 'asc', id: 'asc' } });
  const ready = new Set(minima.map((m) => m.id));
  const usable = paths.filter((p) => ready.has(p.minimumA.id) && ready.has(p.minimumB.id));
  return {
    minima: minima.map((m) => ({ id: m.id, trainLoss: m.trainLoss, testLoss: m.testLoss, trainError: m.trainError, testError: m.testError })),
    paths: usable
      .filter((p) => p.status === PathStatus.COMPLETED)
      .map((p) => ({
        id: p.id,
        a: p.minimumA.id,
        b: p.minimumB.id,
        saddle: { trainLoss: p.saddleTrainLoss, testLoss: p.saddleTestLoss, trainError: p.saddleTrainError, testError: p.saddleTestError },
        linearBarrier: { trainLoss: p.linearBarrier },
      })),
    failed: usable.filter((p) => p.status === PathStatus.FAILED).map((p) => [p.minimumA.id, p.minimumB.id]),
    pending: usable.filter((p) => p.status === PathStatus.PENDING || p.status === PathStatus.RUNNING).map((p) => [p.minimumA.id, p.minimumB.id]),
    pathsById: new Map(usable.map((p) => [p.id, p])),
  };
}

/** The tree, with the stored paths its edges name (by id). */
export async function landscapeSpanningTree(em: EntityManager, landscapeId: string, weight: WeightKey) {
  const records = await landscapeRecords(em, landscapeId);
  return { tree: spanningTree(records.minima, records.paths, weight), paths: records.pathsById };
}

export async function landscapeBarrierBound(em: EntityManager, landscapeId: string, a: string, b: string, weight: WeightKey) {
  const records = await landscapeRecords(em, landscapeId);
  for (const [id, field] of [[a, 'a'], [b, 'b']] as const) {
    if (!records.minima.some((m) => m.id === id)) throw new InputError(field, `no READY minimum ${JSON.stringify(id)} in this landscape`);
  }
  return { bound: barrierBound(spanningTree(records.minima, records.paths, weight), a, b), paths: records.pathsById };
}

export async function landscapeSuggestions(em: EntityManager, landscapeId: string, strategy: string, limit: number, weight: WeightKey) {
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new InputError('limit', `must be an integer from 1 to 1000, got ${limit}`);
  const records = await landscapeRecords(em, landscapeId);
  // A bad strategy name is the engine's FieldError on `strategy`: the query's own argument name.
  return suggestPairs(strategy, records.minima, records.paths, { limit, weightKey: weight, failed: records.failed, pending: records.pending });
}

export async function landscapeDisconnectivity(em: EntityManager, landscapeId: string, weight: WeightKey) {
  const records = await landscapeRecords(em, landscapeId);
  return disconnectivity(records.minima, spanningTree(records.minima, records.paths, weight));
}

export async function landscapeSummary(em: EntityManager, landscapeId: string) {
  const records = await landscapeRecords(em, landscapeId);
  const tree = spanningTree(records.minima, records.paths, 'trainLoss');
  return summary(records.minima, tree.edges, records.paths);
}

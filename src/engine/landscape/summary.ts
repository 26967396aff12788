/**
 * The paper's Table 1 row for one landscape: mean loss and error of the minima and of the saddles
 * of the minimum spanning tree, the factor between saddle and minimum train loss, the rise in test
 * error, and (for comparison, as in the paper's remark) the barrier on the straight lines.
 */
import { finiteOrNull } from './graph';
import { LandscapeInputError, QUANTITIES, type Measurements, type MinimumRecord, type PathRecord, type Quantity } from './types';

/** Means per quantity over the records that have it; null where none has it. */
export type Means = { readonly [K in Quantity]: number | null } & {
  /** How many records entered each mean. */
  readonly counts: { readonly [K in Quantity]: number };
};

export interface LandscapeSummary {
  /** Over all minima given. */
  readonly minima: Means;
  /** Over the saddles of the spanning-tree paths. */
  readonly saddles: Means;
  /** saddles.trainLoss / minima.trainLoss; null when either is missing or the minima mean is 0. */
  readonly trainLossFactor: number | null;
  /** saddles.testError - minima.testError (in the unit of the inputs: fraction or percent). */
  readonly testErrorRise: number | null;
  /** Mean highest value on the straight line between the ends, over the tree paths and over all paths. */
  readonly linearBarrier: { readonly tree: Means; readonly all: Means };
}

export function means(records: readonly (Measurements | null | undefined)[]): Means {
  const entries = QUANTITIES.map((q) => {
    const values = records.map((r) => finiteOrNull(r?.[q])).filter((v): v is number => v !== null);
    const mean = values.length === 0 ? null : values.reduce((s, v) => s + v, 0) / values.length;
    return [q, mean, values.length] as const;
  });
  return {
    ...(Object.fromEntries(entries.map(([q, mean]) => [q, mean])) as { [K in Quantity]: number | null }),
    counts: Object.fromEntries(entries.map(([q, , count]) => [q, count])) as { [K in Quantity]: number },
  };
}

/** `treeEdges` name the tree's paths (e.g. `spanningTree(...).edges`); each must be in `paths`. */
export function summary(
  minima: readonly MinimumRecord[],
  treeEdges: readonly { readonly pathId: string }[],
  paths: readonly PathRecord[],
): LandscapeSummary {
  const byId = new Map(paths.map((p) => [p.id, p]));
  const treePaths = treeEdges.map((e, i) => {
    const path = byId.get(e.pathId);
    if (path === undefined) throw new LandscapeInputError(`treeEdges[${i}].pathId`, `path "${e.pathId}" not in paths`);
    return path;
  });
  const minimaMeans = means(minima);
  const saddles = means(treePaths.map((p) => p.saddle));
  const factor =
    saddles.trainLoss === null || minimaMeans.trainLoss === null || minimaMeans.trainLoss === 0
      ? null
      : saddles.trainLoss / minimaMeans.trainLoss;
  const rise = saddles.testError === null || minimaMeans.testError === null ? null : saddles.testError - minimaMeans.testError;
  return {
    minima: minimaMeans,
    saddles,
    trainLossFactor: factor,
    testErrorRise: rise,
    linearBarrier: { tree: means(treePaths.map((p) => p.linearBarrier)), all: means(paths.map((p) => p.linearBarrier)) },
  };
}

// CURVATURE runs: the Hessian spectrum, index and trace at a minimum or at a path's saddle. The
// engine's state is stored in the run's progress after each stage (and trace batch), so a step
// retried on another worker continues from there.
import { computeCurvature, type CurvatureState, type Vector } from '../../engine';
import { pointAt, pivotPositions } from '../../engine/path';
import { Curvature, Minimum, Path, Pivot } from '../../store/entities';
import { bytesToVector } from '../../store/tensors';
import { runConfig, type CurvatureRunConfig } from '../configs';
import { RunKind } from '../../store/enums';
import type { StepContext, StepOutcome } from './context';

interface Measured {
  point: Vector;
  tangent?: Vector;
  minimum?: Minimum;
  path?: Path;
  t?: number;
}

export async function curvatureStep(ctx: StepContext): Promise<StepOutcome> {
  const { em, run } = ctx;
  const config = runConfig(run, RunKind.CURVATURE);
  const problem = ctx.problem(run.landscape);
  const measured = await target(ctx, config, problem.dimension);
  const state = (run.progress?.state as CurvatureState | undefined) ?? undefined;
  const result = await computeCurvature(
    problem.curvatureSource(measured.point),
    measured.point,
    { k: config.k, seed: config.seed, traceProbes: config.traceProbes, tangent: measured.tangent },
    {
      state,
      onState: async (next) => {
        ctx.signal.throwIfAborted();
        const stage = next.trace ? 'trace' : next.tangentCurvature !== undefined ? 'tangent' : next.spectrum ? 'spectrum' : 'step';
        run.progress = { stage, traceProbes: next.trace?.probes ?? 0, evaluations: next.evaluations, state: next as unknown as Record<string, unknown> };
        await em.flush();
        await ctx.events.runProgress(run);
      },
    },
  );
  ctx.signal.throwIfAborted();
  await em.transactional(async (tx) => {
    tx.create(Curvature, {
      landscape: run.landscape,
      run,
      minimum: measured.minimum ?? null,
      path: measured.path ?? null,
      saddleT: measured.t ?? null,
      k: config.k,
      largest: result.largest,
      smallest: result.smallest,
      trace: result.trace,
      traceStandardError: result.traceStandardError,
      tangentCurvature: result.tangentCurvature,
      negativeCount: result.negativeCount,
      threshold: result.threshold,
      evaluations: result.evaluations,
      noise: result.noise,
      relativeStep: result.relativeStep,
    });
    run.progress = { stage: 'done', evaluations: result.evaluations, negativeCount: result.negativeCount, threshold: result.threshold, largest: result.largest, smallest: result.smallest };
  });
  return { next: null };
}

/** The point measured: a minimum's parameters, or the path's point at the saddle's t with the path's direction there. */
async function target(ctx: StepContext, config: CurvatureRunConfig, dimension: number): Promise<Measured> {
  if ('minimumId' in config.target) {
    const minimum = await ctx.em.findOneOrFail(Minimum, config.target.minimumId, { populate: ['parameters'] });
    return { point: bytesToVector(minimum.parameters!, dimension), minimum };
  }
  const path = await ctx.em.findOneOrFail(Path, config.target.pathId);
  const pivots = await ctx.em.find(Pivot, { path: path.id }, { orderBy: { index: 'asc' }, populate: ['parameters'] });
  const vectors = pivots.map((p) => bytesToVector(p.parameters!, dimension, `pivot ${p.index}`));
  const t = config.target.t;
  return { point: pointAt(vectors, t), tangent: tangentAt(vectors, t), path, t };
}

/**
 * The path's direction at t: the segment containing t, or, at a pivot (a climbing pivot is the
 * saddle), the chord between its neighbours, as the improved tangent does at a maximum.
 */
export function tangentAt(pivots: readonly Vector[], t: number): Vector {
  const positions = pivotPositions(pivots);
  const last = pivots.length - 1;
  let i = 0;
  while (i < last - 1 && positions[i + 1] < t) i++;
  const atPivot = positions.findIndex((p) => Math.abs(p - t) < 1e-12);
  const [from, to] = atPivot > 0 && atPivot < last ? [atPivot - 1, atPivot + 1] : [i, i + 1];
  return pivots[to].map((x, j) => x - pivots[from][j]);
}

// EVALUATE runs: the dense profile of a finished path on the full train and test sets, and the
// saddle's train/test loss and error there (AutoNEB itself only sees mini-batches).
import { densePoints } from '../../engine';
import { Minimum, Path, Pivot } from '../../store/entities';
import { bytesToVector } from '../../store/tensors';
import { runConfig } from '../configs';
import { RunKind } from '../../store/enums';
import type { StepContext, StepOutcome } from './context';


export async function evaluateStep(ctx: StepContext): Promise<StepOutcome> {
  const config = runConfig(ctx.run, RunKind.EVALUATE);
  return 'minimumId' in config ? evaluateMinimum(ctx, config.minimumId) : evaluatePath(ctx, config.pathId, config.pointsPerSegment);
}

async function evaluateMinimum(ctx: StepContext, minimumId: string): Promise<StepOutcome> {
  const { em, run } = ctx;
  const minimum = await em.findOneOrFail(Minimum, minimumId, { populate: ['parameters'] });
  const problem = ctx.problem(run.landscape);
  const metrics = await problem.evaluate(bytesToVector(minimum.parameters!, problem.dimension));
  ctx.signal.throwIfAborted();
  await em.transactional(async () => {
    Object.assign(minimum, metrics);
    run.progress = { minimumId, ...metrics };
  });
  return { next: null };
}

async function evaluatePath(ctx: StepContext, pathId: string, pointsPerSegment: number): Promise<StepOutcome> {
  const { em, run } = ctx;
  const config = { pointsPerSegment };
  const path = await em.findOneOrFail(Path, pathId);
  const problem = ctx.problem(run.landscape);
  const pivots = await em.find(Pivot, { path: path.id }, { orderBy: { index: 'asc' }, populate: ['parameters'] });
  const vectors = pivots.map((p) => bytesToVector(p.parameters!, problem.dimension, `pivot ${p.index}`));
  const dense = densePoints(vectors, config.pointsPerSegment);
  const metrics = await problem.evaluateMany(dense.points);
  let top = 0;
  metrics.forEach((m, i) => {
    if (m.trainLoss > metrics[top].trainLoss) top = i;
  });
  ctx.signal.throwIfAborted();
  await em.transactional(async () => {
    path.evaluatedProfile = dense.t.map((t, i) => ({ t, ...metrics[i] }));
    path.saddleT = dense.t[top];
    path.saddleTrainLoss = metrics[top].trainLoss;
    path.saddleTestLoss = metrics[top].testLoss;
    path.saddleTrainError = metrics[top].trainError;
    path.saddleTestError = metrics[top].testError;
    run.progress = { pathId: path.id, points: dense.points.length, saddle: { t: dense.t[top], ...metrics[top] } };
  });
  return { next: null };
}

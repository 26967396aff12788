// TRAIN runs: step s trains the s-th minimum of the run (its seed fixes the result), evaluates it
// on the full train and test sets and stores parameters and metrics in one transaction.
import { LandscapeEventType } from '../../events';
import { Minimum } from '../../store/entities';
import { MinimumStatus } from '../../store/enums';
import { vectorToBytes } from '../../store/tensors';
import { runConfig } from '../configs';
import { RunKind } from '../../store/enums';
import type { StepContext, StepOutcome } from './context';


/** Progress events at most this often per run (training steps are fast on small nets). */
const PROGRESS_EVERY_MS = 500;

export async function trainStep(ctx: StepContext): Promise<StepOutcome> {
  const { em, run, step } = ctx;
  const config = runConfig(run, RunKind.TRAIN);
  if (step >= config.minimumIds.length) return { next: null };
  const minimum = await em.findOneOrFail(Minimum, config.minimumIds[step]);
  const next = step + 1 < config.minimumIds.length ? step + 1 : null;
  if (minimum.status === MinimumStatus.READY) return { next }; // stored by an earlier try

  const problem = ctx.problem(run.landscape);
  let lastEvent = 0;
  const point = await problem.trainMinimum(config.seeds[step], config.training, {
    signal: ctx.signal,
    onProgress: (progress) => {
      const now = Date.now();
      if (now - lastEvent < PROGRESS_EVERY_MS) return;
      lastEvent = now;
      run.progress = { minimum: step + 1, minima: config.minimumIds.length, seed: config.seeds[step], ...progress };
      void ctx.events.runProgress(run);
    },
  });
  const metrics = await problem.evaluate(point);
  ctx.signal.throwIfAborted();
  await em.transactional(async () => {
    minimum.parameters = vectorToBytes(point);
    minimum.parameterCount = point.length;
    Object.assign(minimum, metrics);
    minimum.status = MinimumStatus.READY;
    run.progress = { minimum: step + 1, minima: config.minimumIds.length, seed: config.seeds[step], ...metrics };
  });
  await ctx.events.runProgress(run);
  await ctx.events.landscape(LandscapeEventType.MINIMUM_READY, run.landscape.id, { minimumId: minimum.id, runId: run.id });
  return { next };
}

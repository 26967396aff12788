// ALIGN runs: a minimum's hidden units permuted to match a reference minimum (Git Re-Basin), stored
// as a new minimum with its own metrics, which equal the original's up to float rounding: the
// function is unchanged. A CONNECT run with `align` computes its aligned endpoint the same way.
import { LandscapeEventType } from '../../events';
import { Minimum } from '../../store/entities';
import { MinimumStatus, RunKind } from '../../store/enums';
import { runConfig } from '../configs';
import type { AlignmentMethodName } from '../bridge/problems';
import { bytesToVector, vectorToBytes } from '../../store/tensors';
import type { StepContext, StepOutcome } from './context';

/** What an aligned copy records of its alignment (Minimum.alignment). */
export interface AlignmentRecord {
  method: AlignmentMethodName;
  seed: number;
  sweeps?: number;
  seconds?: number;
}

export async function alignStep(ctx: StepContext): Promise<StepOutcome> {
  const config = runConfig(ctx.run, RunKind.ALIGN);
  const copy = await computeAlignedCopy(ctx, config.minimumId);
  ctx.run.progress = { minimumId: copy.id, ...copy.alignment };
  ctx.run.result = { minimumId: copy.id, ...copy.alignment };
  await ctx.em.flush();
  await ctx.events.runProgress(ctx.run);
  return { next: null };
}

/** Permutes the copy's original to match its reference, evaluates and stores it READY (once). */
export async function computeAlignedCopy(ctx: StepContext, copyId: string): Promise<Minimum> {
  const { em, run } = ctx;
  const copy = await em.findOneOrFail(Minimum, copyId, { populate: ['alignedFrom.parameters', 'alignedTo.parameters'] });
  if (copy.status === MinimumStatus.READY) return copy; // stored by an earlier try
  if (!copy.alignedFrom || !copy.alignedTo) throw new Error(`minimum ${copy.id}: its original or its reference was deleted`);
  const problem = ctx.problem(run.landscape);
  const moving = bytesToVector(copy.alignedFrom.parameters!, problem.dimension, 'alignedFrom.parameters');
  const reference = bytesToVector(copy.alignedTo.parameters!, problem.dimension, 'alignedTo.parameters');
  const record = copy.alignment as unknown as AlignmentRecord;
  const aligned = await problem.align(moving, reference, { method: record.method, seed: record.seed });
  const metrics = await problem.evaluate(aligned.point);
  ctx.signal.throwIfAborted();
  await em.transactional(async () => {
    copy.parameters = vectorToBytes(aligned.point);
    copy.parameterCount = aligned.point.length;
    Object.assign(copy, metrics);
    copy.alignment = { ...record, sweeps: aligned.sweeps, seconds: aligned.seconds } satisfies AlignmentRecord as unknown as Record<string, unknown>;
    copy.status = MinimumStatus.READY;
  });
  await ctx.events.landscape(LandscapeEventType.MINIMUM_READY, run.landscape.id, { minimumId: copy.id, runId: run.id });
  return copy;
}

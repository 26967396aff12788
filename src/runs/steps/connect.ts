// CONNECT runs: AutoNEB between two minima, one cycle per job step. Step s runs cycle s + 1 from
// the pivots stored after cycle s and stores the new cycle and pivots in one transaction.
import { autoNebCycles, cumulativeLengths, densePoints, type CycleRecord, type Vector } from '../../engine';
import { Cycle, Path, Pivot } from '../../store/entities';
import { PathStatus } from '../../store/enums';
import { bytesToVector, vectorToBytes } from '../../store/tensors';
import { runConfig } from '../configs';
import { RunKind } from '../../store/enums';
import type { Problem } from '../bridge/problems';
import { computeAlignedCopy } from './align';
import type { StepContext, StepOutcome } from './context';

/** Points on the straight line between the minima for its barrier (the baseline AutoNEB beats). */
export const LINEAR_POINTS = 21;

/** Pivot coordinates are stored with each cycle only for small landscapes (the 2-D surfaces). */
export const MAX_STORED_COORDINATES = 16;

export async function connectStep(ctx: StepContext): Promise<StepOutcome> {
  const { em, run, step } = ctx;
  const config = runConfig(run, RunKind.CONNECT);
  const path = await em.findOneOrFail(Path, config.pathId, { populate: ['minimumA.parameters', 'minimumB.parameters', 'alignedMinimumB.parameters'] });
  if (path.cyclesDone > step) return { next: path.cyclesDone }; // stored by an earlier try of this step
  if (path.cyclesDone < step) throw new Error(`path ${path.id} has ${path.cyclesDone} cycles stored, step ${step} expected ${step}`);
  const state = step === 0 ? { forceScale: null, annealing: false } : await storedRunState(ctx, path, step);
  // The stopping rule ended the run with the last stored cycle (a retry after that store); an
  // annealing run may take one cycle past its schedule.
  if (path.stopReason !== null || step > config.cycles.length || (step === config.cycles.length && !state.annealing)) {
    await finish(ctx, path);
    return { next: null };
  }

  const problem = ctx.problem(run.landscape);
  const start = bytesToVector(path.minimumA.parameters!, problem.dimension, 'minimumA.parameters');
  const rawEnd = bytesToVector(path.minimumB.parameters!, problem.dimension, 'minimumB.parameters');
  // With `align`, the first step permutes B to match A; AutoNEB then runs from A to that copy.
  const aligned = path.alignedMinimumB ? await computeAlignedCopy(ctx, path.alignedMinimumB.id) : null;
  const end = aligned ? bytesToVector(aligned.parameters!, problem.dimension, 'alignedMinimumB.parameters') : rawEnd;
  if (step === 0) {
    path.status = PathStatus.RUNNING;
    const line = await linearProfile(problem, start, rawEnd);
    path.linearProfile = line.profile;
    path.linearBarrier = line.barrier;
    if (aligned) {
      const alignedLine = await linearProfile(problem, start, end);
      path.alignedLinearProfile = alignedLine.profile;
      path.alignedLinearBarrier = alignedLine.barrier;
    }
    await em.flush();
  }

  const initial = step === 0 ? undefined : { pivots: await storedPivots(ctx, path, problem.dimension), cyclesDone: step, ...state };
  // The stored cycles are resolved (every setting); over `paper`'s empty base a config stored
  // before a setting existed gets that setting's neutral default, not the default preset's.
  const iterator = autoNebCycles(problem.energy, start, end, { preset: 'paper', cycles: config.cycles }, { initial, signal: ctx.signal });
  const next = await iterator.next();
  await iterator.return(undefined as never);
  if (next.done) throw new Error(`AutoNEB produced no cycle ${step + 1}`);
  const record = next.value;
  // Cancelled while the cycle was computed: nothing more is stored after the cancel.
  ctx.signal.throwIfAborted();

  const stored = await em.transactional(async (tx) => {
    // Only the try that moves the path from `step` cycles on stores its cycle.
    const moved = await tx.nativeUpdate(Path, { id: path.id, cyclesDone: step }, { cyclesDone: step + 1 });
    if (moved === 0) return false;
    tx.create(Cycle, cycleRow(path, record));
    await tx.nativeDelete(Pivot, { path: path.id });
    record.pivots.forEach((pivot, index) =>
      tx.create(Pivot, { path, index, t: record.pivotPositions[index], energy: record.pivotEnergies[index], parameters: vectorToBytes(pivot) }),
    );
    path.saddleT = record.saddle.t;
    path.saddleTrainLoss = record.saddle.energy;
    path.length = cumulativeLengths(record.pivots).at(-1)!;
    path.evaluations += record.evaluations;
    path.stopReason = record.stopReason;
    run.progress = {
      cycle: record.cycle,
      cycles: Math.max(config.cycles.length, record.cycle),
      pivots: record.pivots.length,
      saddleEnergy: record.saddle.energy,
      learningRate: record.learningRate,
      maxPerpendicularGradient: record.maxPerpendicularGradient,
      maxForce: record.maxForce,
      forceScale: record.forceScale,
      evaluations: path.evaluations,
      stopReason: record.stopReason,
    };
    return true;
  });
  if (!stored) return { next: step + 1 };
  path.cyclesDone = step + 1;
  await ctx.events.pathCycle(path.id, run.id, record.cycle);
  await ctx.events.runProgress(run, { pathId: path.id, cycleIndex: record.cycle });
  if (record.stopReason !== null) {
    await finish(ctx, path);
    return { next: null };
  }
  return { next: step + 1 };
}

function cycleRow(path: Path, record: CycleRecord) {
  return {
    path,
    index: record.cycle,
    steps: record.steps,
    learningRate: record.learningRate,
    pivotEnergies: record.pivotEnergies,
    pivotPositions: record.pivotPositions,
    denseProfile: record.profile.t.map((t, i) => ({ t, energy: record.profile.energy[i] })),
    maxEnergy: record.maxEnergy,
    saddleT: record.saddle.t,
    maxPerpendicularGradient: record.maxPerpendicularGradient,
    pivotsInserted: record.pivotsInserted,
    evaluations: record.evaluations,
    stepsTaken: record.stepsTaken,
    maxForce: record.maxForce,
    forceScale: record.forceScale,
    converged: record.converged,
    annealing: record.annealing,
    stopReason: record.stopReason,
    pivotCoordinates: record.pivots[0].length <= MAX_STORED_COORDINATES ? record.pivots.map((p) => Array.from(p)) : null,
  };
}

/** Energies at LINEAR_POINTS points of the straight line a -> b and the highest of them. */
async function linearProfile(problem: Problem, a: Vector, b: Vector) {
  const line = densePoints([a, b], LINEAR_POINTS - 2);
  const losses = await problem.energy.loss(line.points);
  return { profile: line.t.map((t, i) => ({ t, energy: losses[i] })), barrier: Math.max(...losses) };
}

async function storedPivots(ctx: StepContext, path: Path, dimension: number): Promise<Vector[]> {
  const pivots = await ctx.em.find(Pivot, { path: path.id }, { orderBy: { index: 'asc' }, populate: ['parameters'] });
  return pivots.map((p) => bytesToVector(p.parameters!, dimension, `pivot ${p.index}`));
}

/**
 * What the run carries from the cycle it resumes after: its force scale (null for cycles stored
 * before issue 16) and whether it anneals (false for cycles stored before annealing existed).
 */
async function storedRunState(ctx: StepContext, path: Path, cyclesDone: number): Promise<{ forceScale: number | null; annealing: boolean }> {
  const cycle = await ctx.em.findOne(Cycle, { path: path.id, index: cyclesDone }, { fields: ['forceScale', 'annealing'] });
  return { forceScale: cycle?.forceScale ?? null, annealing: cycle?.annealing ?? false };
}

async function finish(ctx: StepContext, path: Path): Promise<void> {
  path.status = PathStatus.COMPLETED;
  await ctx.em.flush();
}

// CURVE runs: a Bezier curve or polygonal chain between two minima, its bend point trained by SGD
// (Garipov et al. 2018), then evaluated densely and stored as a path like AutoNEB's (profile as one
// cycle, saddle, the dense points as pivots). The bend point, its momentum and the epoch are
// stored on the path after each epoch; a retried step continues from there.
import { cumulativeLengths, curveProfile, evaluateNebForces, fitCurve, getNebMethod, pivotPositions, type Vector } from '../../engine';
import { Cycle, Path, Pivot } from '../../store/entities';
import { PathStatus, RunKind } from '../../store/enums';
import { bytesToVector, vectorToBytes } from '../../store/tensors';
import { runConfig } from '../configs';
import type { StepContext, StepOutcome } from './context';

export async function curveStep(ctx: StepContext): Promise<StepOutcome> {
  const { em, run } = ctx;
  const config = runConfig(run, RunKind.CURVE);
  const path = await em.findOneOrFail(Path, config.pathId, { populate: ['minimumA.parameters', 'minimumB.parameters', 'curveBend', 'curveVelocity'] });
  if (path.status === PathStatus.COMPLETED) return { next: null }; // stored by an earlier try
  const problem = ctx.problem(run.landscape);
  const source = problem.curveEnergy(config.batchSize, `curve:${run.id}`);
  if (!source) throw new Error(`landscape ${run.landscape.id} has no data set to train a curve on`);
  const dimension = problem.dimension;
  const a = bytesToVector(path.minimumA.parameters!, dimension, 'minimumA.parameters');
  const b = bytesToVector(path.minimumB.parameters!, dimension, 'minimumB.parameters');
  const stepsPerEpoch = config.stepsPerEpoch || Math.max(1, Math.ceil(source.trainCount / config.batchSize));
  const start =
    path.epochsDone > 0 && path.curveBend
      ? {
          epochsDone: path.epochsDone,
          bend: bytesToVector(path.curveBend, dimension, 'curveBend'),
          velocity: path.curveVelocity ? Float64Array.from(bytesToVector(path.curveVelocity, dimension, 'curveVelocity')) : null,
          evaluations: path.evaluations,
        }
      : undefined;
  if (path.status === PathStatus.PENDING) {
    path.status = PathStatus.RUNNING;
    await em.flush();
  }

  const fit = await fitCurve(
    source.energy,
    a,
    b,
    { ...config, stepsPerEpoch },
    async (e) => {
      ctx.signal.throwIfAborted();
      path.epochsDone = e.epoch;
      path.curveBend = vectorToBytes(e.bend);
      path.curveVelocity = vectorToBytes(Float32Array.from(e.velocity));
      path.evaluations = e.evaluations;
      run.progress = { epoch: e.epoch, epochs: e.epochs, loss: e.loss, learningRate: e.learningRate, evaluations: e.evaluations, stage: 'training' };
      await em.flush();
      await ctx.events.runProgress(run, { pathId: path.id });
    },
    { start, signal: ctx.signal, skipProfile: true },
  );
  ctx.signal.throwIfAborted();

  // The dense profile on the energy AutoNEB's profiles use (the fixed evaluation subset).
  // A BatchNorm network's statistics are recomputed at every interior point of the curve.
  const recompute = problem.recomputeStatistics;
  const profile = await curveProfile(problem.energy, fit.curve, config.points, recompute && ((point, t) => recompute(point, `curve:${t}`)));
  ctx.signal.throwIfAborted();
  // Positions by arc length, as every path's pivots and profile (so saddle downloads and
  // curvature at the saddle interpolate the pivots at the same t).
  const positions = pivotPositions(profile.points);
  const top = profile.saddle.index;
  // How far the curve is from a minimum energy path: the largest gradient across it at the
  // interior points (one mini-batch, as AutoNEB's cycles report it).
  const forces = await evaluateNebForces(problem.energy, profile.points, getNebMethod('string'), false, [profile.energy[0], profile.energy.at(-1)!]);
  ctx.signal.throwIfAborted();
  const evaluations = fit.evaluations + profile.points.length + forces.evaluations;
  await em.transactional(async (tx) => {
    await tx.nativeDelete(Pivot, { path: path.id });
    profile.points.forEach((point: Vector, index) => tx.create(Pivot, { path, index, t: positions[index], energy: profile.energy[index], parameters: vectorToBytes(point) }));
    tx.create(Cycle, {
      path,
      index: 1,
      steps: config.epochs * stepsPerEpoch,
      learningRate: config.learningRate,
      pivotEnergies: profile.energy,
      pivotPositions: positions,
      denseProfile: positions.map((t, i) => ({ t, energy: profile.energy[i] })),
      maxEnergy: profile.saddle.energy,
      saddleT: positions[top],
      maxPerpendicularGradient: forces.maxPerpendicularGradient,
      pivotsInserted: 0,
      evaluations,
      stepsTaken: config.epochs * stepsPerEpoch,
      maxForce: forces.maxForce,
      forceScale: null,
      converged: false,
      stopReason: 'schedule-exhausted',
      pivotCoordinates: null,
    });
    path.saddleT = positions[top];
    path.saddleTrainLoss = profile.saddle.energy;
    path.length = cumulativeLengths(profile.points).at(-1)!;
    path.evaluations = evaluations;
    path.cyclesDone = 1;
    path.stopReason = 'schedule-exhausted';
    path.status = PathStatus.COMPLETED;
    run.progress = { ...run.progress, stage: 'done', batchNorm: recompute ? 'RECOMPUTED' : 'NONE', evaluations, saddleEnergy: profile.saddle.energy, saddleT: positions[top], curveT: profile.saddle.t };
  });
  await ctx.events.pathCycle(path.id, run.id, 1);
  return { next: null };
}

// Starting a CURVE run (what the fitCurve mutation calls): validates the pair and the config,
// stores the run with the path it will fill (method BEZIER or POLYCHAIN), enqueues its one step.
import { LandscapeEventType } from '../events';
import { Path, Run, type Landscape } from '../store/entities';
import { MinimumStatus, PathMethod, PathStatus, RunKind } from '../store/enums';
import { InputError } from '../store/errors';
import { findLandscape } from '../store/landscapes';
import { findMinimum } from '../store/records';
import { storedConfig, type CurveRunConfig } from './configs';
import type { RunServices } from './service';

export type CurveKindName = 'BEZIER' | 'POLYCHAIN';

export interface CurveConfigInputData {
  epochs?: number | null;
  stepsPerEpoch?: number | null;
  learningRate?: number | null;
  momentum?: number | null;
  weightDecay?: number | null;
  points?: number | null;
  seed?: number | null;
}

export const CURVE_LIMITS = { epochs: 1000, stepsPerEpoch: 100_000, points: 1001 } as const;

/**
 * Garipov et al. train a curve for 3x the epochs of its endpoints (600 vs 200 on CIFAR) at about
 * a third of their learning rate (0.015 vs 0.05 for VGG-16). Scaled to a landscape: as many epochs
 * as its minima were trained for (capped), a third of their learning rate, their momentum and
 * weight decay; an epoch is one pass over the training set in the landscape's mini-batches.
 */
export function curveDefaults(landscape: Landscape, trainCount: number | null): Omit<CurveRunConfig, 'pathId' | 'kind'> {
  const t = landscape.training;
  const stepsPerEpoch = trainCount ? Math.max(1, Math.ceil(trainCount / t.batchSize)) : 0;
  const endpointEpochs = trainCount ? (t.steps * t.batchSize) / trainCount : 20;
  return {
    epochs: Math.min(200, Math.max(1, Math.round(endpointEpochs))),
    stepsPerEpoch,
    batchSize: t.batchSize,
    learningRate: t.learningRate / 3,
    momentum: t.momentum,
    weightDecay: t.weightDecay,
    points: 61,
    seed: 0,
  };
}

/** The config a CURVE run stores: defaults of the landscape with the given fields, each checked (field `config.<name>`). */
export function parseCurveConfig(landscape: Landscape, given: CurveConfigInputData | null | undefined): Omit<CurveRunConfig, 'pathId' | 'kind'> {
  const base = curveDefaults(landscape, landscape.dataset?.trainSize ?? null);
  const c = { ...base, ...Object.fromEntries(Object.entries(given ?? {}).filter(([, v]) => v !== null && v !== undefined)) };
  const integer = (key: 'epochs' | 'stepsPerEpoch' | 'points' | 'seed', low: number, high: number) => {
    const v = c[key];
    if (!Number.isInteger(v) || v < low || v > high) throw new InputError(`config.${key}`, `must be an integer from ${low} to ${high}, got ${v}`);
  };
  integer('epochs', 1, CURVE_LIMITS.epochs);
  // 0: decided by the step from the loaded training set (its size is not known before).
  if (given?.stepsPerEpoch !== undefined && given.stepsPerEpoch !== null) integer('stepsPerEpoch', 1, CURVE_LIMITS.stepsPerEpoch);
  integer('points', 3, CURVE_LIMITS.points);
  integer('seed', 0, 2 ** 31 - 1);
  const real = (key: 'learningRate' | 'momentum' | 'weightDecay', ok: (v: number) => boolean, range: string) => {
    if (!Number.isFinite(c[key]) || !ok(c[key])) throw new InputError(`config.${key}`, `must be ${range}, got ${c[key]}`);
  };
  real('learningRate', (v) => v > 0 && v <= 10, 'in (0, 10]');
  real('momentum', (v) => v >= 0 && v < 1, 'in [0, 1)');
  real('weightDecay', (v) => v >= 0 && v <= 1, 'in [0, 1]');
  return c;
}

export async function fitCurve(s: RunServices, aId: string, bId: string, kind: CurveKindName = 'BEZIER', config?: CurveConfigInputData | null): Promise<Run> {
  const a = await findMinimum(s.em, aId, 'a');
  const b = await findMinimum(s.em, bId, 'b');
  if (a.id === b.id) throw new InputError('b', 'must differ from a: a curve connects two different minima');
  if (a.landscape.id !== b.landscape.id) throw new InputError('b', `belongs to another landscape than a (${b.landscape.id} vs ${a.landscape.id})`);
  for (const [m, field] of [[a, 'a'], [b, 'b']] as const) {
    if (m.status !== MinimumStatus.READY) throw new InputError(field, `minimum ${m.id} is ${m.status}, not READY: train it first`);
  }
  const landscape = await findLandscape(s.em, a.landscape.id);
  if (landscape.architecture.kind === 'surface' || !landscape.dataset) {
    throw new InputError('a', `the landscape is the analytic surface ${landscape.architecture.kind === 'surface' ? landscape.architecture.name : ''}: a curve is trained on mini-batches of a data set; connect surface minima with connectMinima`);
  }
  const method = kind === 'POLYCHAIN' ? PathMethod.POLYCHAIN : kind === 'BEZIER' ? PathMethod.BEZIER : null;
  if (!method) throw new InputError('kind', `expected BEZIER or POLYCHAIN, got ${JSON.stringify(kind)}`);
  const parsed = parseCurveConfig(landscape, config);
  const { run, path } = await s.em.transactional(async (em) => {
    const run = em.create(Run, { landscape, kind: RunKind.CURVE, config: {} });
    const path = em.create(Path, { landscape, minimumA: a, minimumB: b, run, status: PathStatus.PENDING, method });
    run.config = storedConfig(RunKind.CURVE, { pathId: path.id, kind: method === PathMethod.BEZIER ? 'bezier' : 'polychain', ...parsed });
    return { run, path };
  });
  await s.events.landscape(LandscapeEventType.PATH_ADDED, landscape.id, { pathId: path.id, runId: run.id });
  await s.queue.enqueueStep(run.id, 0, 'compute');
  await s.events.runProgress(run);
  return run;
}

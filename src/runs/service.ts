// Starting and cancelling runs: what mutations call. Each function validates, stores the Run (and
// the records it will fill) in one transaction, then enqueues its first step and returns at once.
import type { EntityManager } from '@mikro-orm/postgresql';
import { flattenTensors, InvalidInputError, resolveAutoNebConfig, type AutoNebConfigInput, type NamedTensor, type PresetName } from '../engine';
import { landscapeLayout } from './bridge/layouts';
import { vectorToBytes } from '../store/tensors';
import { LandscapeEventType } from '../events';
import { Landscape, Minimum, Path, Run } from '../store/entities';
import { AlignmentMethod, MinimumStatus, PathStatus, RunKind, RunStatus } from '../store/enums';
import { checkAlignable, createAlignedCopy } from './alignment';
import { InputError } from '../store/errors';
import { createLandscape as storeLandscape, findLandscape } from '../store/landscapes';
import { parseLandscapeInput, parseTraining, type LandscapeInputData } from './bridge/landscape-input';
import type { TrainingConfig } from '../store/specs';
import { findMinimum, findPath, findRun } from '../store/records';
import { abandonRecords } from './abandon';
import { parseNote, parseTags } from './annotations';
import type { RunEvents } from './events';
import type { JobQueue } from './queue';
import { TERMINAL_STATUSES } from '../store/enums';
import { storedConfig, type ExploreRunConfig, type TrainRunConfig } from './configs';

export interface RunServices {
  em: EntityManager;
  queue: JobQueue;
  events: RunEvents;
}

export const MAX_MINIMA_PER_RUN = 100;

export async function trainMinima(
  s: RunServices,
  landscapeId: string,
  count: number,
  seeds?: number[] | null,
  overrides?: Partial<TrainingConfig> | null,
): Promise<Run> {
  const landscape = await findLandscape(s.em, landscapeId, 'landscapeId');
  if (!Number.isInteger(count) || count < 1 || count > MAX_MINIMA_PER_RUN) {
    throw new InputError('count', `must be an integer from 1 to ${MAX_MINIMA_PER_RUN}, got ${count}`);
  }
  const chosen = seeds ?? (await freshSeeds(s.em, landscape, count));
  if (chosen.length !== count) throw new InputError('seeds', `${chosen.length} seeds given for count ${count}`);
  chosen.forEach((seed, i) => {
    if (!Number.isInteger(seed) || seed < 0 || seed > 2 ** 31 - 1) throw new InputError(`seeds[${i}]`, `must be an integer from 0 to 2^31-1, got ${seed}`);
  });
  if (new Set(chosen).size !== chosen.length) throw new InputError('seeds', 'seeds must be distinct');
  const given = withoutNulls(overrides ?? {});
  // New steps without new milestones: the schedule is re-derived for the new length.
  const base = given.steps !== undefined && given.milestones === undefined ? { ...landscape.training, milestones: undefined } : landscape.training;
  const training = parseTraining({ ...base, ...given }, 'config');

  const run = await s.em.transactional(async (em) => {
    const minima = chosen.map((seed) => em.create(Minimum, { landscape, seed, status: MinimumStatus.TRAINING }));
    const config: TrainRunConfig = { minimumIds: minima.map((m) => m.id), seeds: chosen, training };
    const created = em.create(Run, { landscape, kind: RunKind.TRAIN, config: storedConfig(RunKind.TRAIN, config) });
    minima.forEach((m) => (m.run = created));
    return created;
  });
  await start(s, run);
  return run;
}

/** Seeds not used by any minimum of the landscape yet: 1, 2, 3, ... */
async function freshSeeds(em: EntityManager, landscape: Landscape, count: number): Promise<number[]> {
  const used = new Set((await em.find(Minimum, { landscape, seed: { $ne: null } }, { fields: ['seed'] })).map((m) => m.seed));
  const seeds: number[] = [];
  for (let seed = 1; seeds.length < count; seed++) if (!used.has(seed)) seeds.push(seed);
  return seeds;
}

export function autonebCycles(landscape: Landscape, config: AutoNebConfigInput | null | undefined, field = 'config') {
  try {
    // The landscape's preset is the base; a config given here is merged over it cycle by cycle.
    // A network's energy is a mini-batch loss: the preset's settings for stochastic energies apply.
    const preset = (config?.preset ?? landscape.autonebPreset) as PresetName;
    return { preset, cycles: resolveAutoNebConfig({ ...config, preset }, { stochastic: landscape.architecture.kind !== 'surface' }) };
  } catch (err) {
    if (err instanceof InvalidInputError) throw err.within(field, 'config');
    throw err;
  }
}

/**
 * A copy of minimum `minimumId` with its hidden units permuted to match `referenceId` (an ALIGN
 * run); the copy is a new minimum of the landscape, READY when the run succeeds.
 */
export async function alignMinimum(s: RunServices, minimumId: string, referenceId: string, method: AlignmentMethod = AlignmentMethod.WEIGHT_MATCHING): Promise<Run> {
  const moving = await findMinimum(s.em, minimumId, 'minimumId');
  const reference = await findMinimum(s.em, referenceId, 'referenceId');
  await checkAlignable(s.em, moving, reference, method, { moving: 'minimumId', reference: 'referenceId', method: 'method' });
  const landscape = await findLandscape(s.em, moving.landscape.id);
  const run = await s.em.transactional(async (em) => {
    const run = em.create(Run, { landscape, kind: RunKind.ALIGN, config: {} });
    const copy = createAlignedCopy(em, moving, reference, method, run);
    run.config = storedConfig(RunKind.ALIGN, { minimumId: copy.id });
    return run;
  });
  await start(s, run);
  return run;
}

/**
 * `align`: connect A to a copy of B permuted to match A (computed in the run's first step) rather
 * than to B itself. The path stays a path between A and B (the copy computes B's function).
 */
export async function connectMinima(s: RunServices, aId: string, bId: string, config?: AutoNebConfigInput | null, parent?: Run, align?: AlignmentMethod | null): Promise<Run> {
  const a = await findMinimum(s.em, aId, 'a');
  const b = await findMinimum(s.em, bId, 'b');
  if (a.id === b.id) throw new InputError('b', 'must differ from a: a path connects two different minima');
  if (a.landscape.id !== b.landscape.id) throw new InputError('b', `belongs to another landscape than a (${b.landscape.id} vs ${a.landscape.id})`);
  for (const [m, field] of [[a, 'a'], [b, 'b']] as const) {
    if (m.status !== MinimumStatus.READY) throw new InputError(field, `minimum ${m.id} is ${m.status}, not READY: train it first`);
  }
  if (align) await checkAlignable(s.em, b, a, align, { moving: 'align', reference: 'align', method: 'align' });
  const landscape = await findLandscape(s.em, a.landscape.id);
  const { preset, cycles } = autonebCycles(landscape, config);
  const { run, path } = await s.em.transactional(async (em) => {
    const run = em.create(Run, { landscape, kind: RunKind.CONNECT, config: {}, parent: parent ?? null });
    const alignedMinimumB = align ? createAlignedCopy(em, b, a, align, run) : null;
    const path = em.create(Path, { landscape, minimumA: a, minimumB: b, run, status: PathStatus.PENDING, alignedMinimumB });
    run.config = storedConfig(RunKind.CONNECT, { pathId: path.id, preset, cycles });
    return { run, path };
  });
  await s.events.landscape(LandscapeEventType.PATH_ADDED, landscape.id, { pathId: path.id, runId: run.id });
  await start(s, run);
  return run;
}

export async function evaluatePath(s: RunServices, pathId: string, pointsPerSegment?: number | null): Promise<Run> {
  const path = await findPath(s.em, pathId, 'pathId');
  const points = pointsPerSegment ?? 9;
  if (!Number.isInteger(points) || points < 0 || points > 100) throw new InputError('pointsPerSegment', `must be an integer from 0 to 100, got ${points}`);
  if (path.status !== PathStatus.COMPLETED) throw new InputError('pathId', `path ${path.id} is ${path.status}; only COMPLETED paths can be evaluated`);
  const run = s.em.create(Run, { landscape: path.landscape, kind: RunKind.EVALUATE, config: storedConfig(RunKind.EVALUATE, { pathId: path.id, pointsPerSegment: points }) });
  await s.em.flush();
  await start(s, run);
  return run;
}

export async function exploreLandscape(
  s: RunServices,
  landscapeId: string,
  options: { maxPairs?: number | null; parallel?: number | null; tolerance?: number | null; config?: AutoNebConfigInput | null; align?: AlignmentMethod | null },
): Promise<Run> {
  const landscape = await findLandscape(s.em, landscapeId, 'landscapeId');
  const maxPairs = options.maxPairs ?? null;
  const parallel = options.parallel ?? 1;
  if (maxPairs !== null && (!Number.isInteger(maxPairs) || maxPairs < 1)) throw new InputError('maxPairs', `must be a positive integer, got ${maxPairs}`);
  if (!Number.isInteger(parallel) || parallel < 1 || parallel > 64) throw new InputError('parallel', `must be an integer from 1 to 64, got ${parallel}`);
  const tolerance = options.tolerance ?? null;
  if (tolerance !== null && !(tolerance >= 0 && Number.isFinite(tolerance))) throw new InputError('tolerance', `must be a finite number >= 0, got ${tolerance}`);
  const ready = await s.em.count(Minimum, { landscape, status: MinimumStatus.READY, alignedFrom: null });
  if (ready < 2) throw new InputError('landscapeId', `the landscape has ${ready} READY minima; exploring needs at least 2 (train some first)`);
  const { preset, cycles } = autonebCycles(landscape, options.config);
  const align = options.align ?? null;
  if (align && landscape.architecture.kind === 'surface') {
    throw new InputError('align', `the analytic surface ${landscape.architecture.name} has no hidden units to permute: alignment applies to networks`);
  }
  const config: ExploreRunConfig = { maxPairs, parallel, tolerance, preset, cycles, decisions: [], align };
  const run = s.em.create(Run, { landscape, kind: RunKind.EXPLORE, config: storedConfig(RunKind.EXPLORE, config) });
  await s.em.flush();
  await start(s, run);
  return run;
}

/**
 * A minimum trained elsewhere, from an upload (safetensors with the landscape's PyTorch names and
 * shapes). Stored READY at once; an EVALUATE run fills in its train and test metrics.
 */
export async function importMinimum(s: RunServices, landscapeId: string, tensors: NamedTensor[], seed?: number | null): Promise<{ minimum: Minimum; run: Run }> {
  const landscape = await findLandscape(s.em, landscapeId, 'landscapeId');
  const layout = landscapeLayout(landscape);
  let parameters: Float32Array;
  try {
    parameters = flattenTensors(tensors, layout);
  } catch (err) {
    // The field is the upload; the message names the tensor at fault.
    if (err instanceof InvalidInputError) throw new InputError('uploadId', `tensor ${err.field}: ${err.detail}`);
    throw err;
  }
  const bad = parameters.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) throw new InputError('uploadId', `parameter ${bad} is ${parameters[bad]}; minima must be finite`);
  const chosenSeed = seed ?? null;
  if (chosenSeed !== null && (!Number.isInteger(chosenSeed) || chosenSeed < 0 || chosenSeed > 2 ** 31 - 1)) {
    throw new InputError('seed', `must be an integer from 0 to 2^31-1, or null when unknown; got ${seed}`);
  }
  const { minimum, run } = await s.em.transactional(async (em) => {
    // A seed names one minimum of a landscape (it fixes initialisation and batch order).
    const same = chosenSeed === null ? null : await em.findOne(Minimum, { landscape, seed: chosenSeed }, { fields: ['id'] });
    if (same) throw new InputError('seed', `seed ${chosenSeed} is already used by minimum ${same.id} of this landscape; give another seed, or none if it is unknown`);
    const minimum = em.create(Minimum, { landscape, seed: chosenSeed, status: MinimumStatus.READY, parameters: vectorToBytes(parameters), parameterCount: parameters.length });
    const run = em.create(Run, { landscape, kind: RunKind.EVALUATE, config: storedConfig(RunKind.EVALUATE, { minimumId: minimum.id }) });
    // The importing client follows its metrics through `minimum { run }`.
    minimum.run = run;
    return { minimum, run };
  });
  await s.events.landscape(LandscapeEventType.MINIMUM_READY, landscape.id, { minimumId: minimum.id, runId: run.id });
  await start(s, run);
  return { minimum, run };
}

export async function cancelRun(s: RunServices, id: string): Promise<Run> {
  const run = await findRun(s.em, id);
  if (TERMINAL_STATUSES.includes(run.status)) throw new InputError('id', `run ${run.id} is already ${run.status}`);
  const updated = await s.em.nativeUpdate(Run, { id: run.id, status: { $in: [RunStatus.QUEUED, RunStatus.RUNNING] } }, { status: RunStatus.CANCELLED, finishedAt: new Date() });
  await s.em.refresh(run);
  if (updated > 0) {
    // Children of an exploration are cancelled with it.
    if (run.kind === RunKind.EXPLORE) {
      const children = await s.em.find(Run, { parent: run.id, status: { $in: [RunStatus.QUEUED, RunStatus.RUNNING] } });
      for (const child of children) await cancelRun(s, child.id);
    }
    await abandonRecords(s.em, run.id, PathStatus.CANCELLED);
    await s.events.cancel(run.id);
    await s.events.runProgress(run);
  }
  return run;
}

async function start(s: RunServices, run: Run): Promise<void> {
  await s.queue.enqueueStep(run.id, 0, run.kind === RunKind.EXPLORE ? 'coordination' : 'compute');
  await s.events.runProgress(run);
}

function withoutNulls<T extends object>(object: T): Partial<T> {
  return Object.fromEntries(Object.entries(object).filter(([, v]) => v !== null && v !== undefined)) as Partial<T>;
}

/** A new landscape: the user's definition validated (nothing is written when any field is bad), then stored. */
export function createLandscape(em: EntityManager, input: LandscapeInputData): Promise<Landscape> {
  const definition = parseLandscapeInput(input);
  return storeLandscape(em, { ...definition, tags: parseTags(input.tags ?? [], 'input.tags'), note: parseNote(input.note ?? null, 'input.note') });
}

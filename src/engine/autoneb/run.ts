/**
 * AutoNEB (Kolsbjerg et al. 2016, as used by Draxler et al. 2018): cycles of NEB on a path
 * whose pivots are added where the dense energy profile needs them.
 *
 * One cycle c (1-based) does, in this order:
 *   1. insertion: cycle c's strategy, applied to the path left by cycle c-1 and judged on that
 *      path's dense profile (so, seen across cycles, the paper's order holds: optimise, evaluate
 *      densely, insert); cycle 1's `equal` insertion turns the 2 endpoints into 5 pivots;
 *   2. optimisation: `steps` NEB updates with a fresh optimiser (as the authors' code: one new
 *      optimiser per cycle, so momentum does not carry over a change of learning rate, and a
 *      resumed run is identical to an uninterrupted one);
 *   3. measurement: one more force evaluation (the max perpendicular gradient, the convergence
 *      measure) and the dense profile of the final path with `evaluationPoints` per segment.
 * Then the cycle's record is delivered (callback, and the async iterator's next value).
 *
 * Resuming: pass `initial: { pivots, cyclesDone }` (the pivots stored with the record of cycle
 * `cyclesDone`); the run continues with cycle cyclesDone + 1. Its dense profile is recomputed,
 * so with a deterministic energy the resumed run equals the uninterrupted one bit for bit.
 */
import type { Energy, Vector } from '../energy';
import { InvalidInputError } from '../errors';
import { checkPoint } from '../energy-checks';
import { getNebMethod } from '../neb/methods';
import { createOptimizer } from '../neb/optimizers';
import { evaluateNebForces, nebStep } from '../neb/step';
import type { DenseProfile, Saddle } from '../path';
import { evaluateDense, pivotEnergies, pivotPositions, saddleOf } from '../path';
import { copyAll } from '../vector';
import type { AutoNebConfigInput, CycleConfig, PresetName } from './config';
import { resolveAutoNebConfig } from './config';
import { INSERTION_STRATEGIES, insertPivots } from './insertion';

/** Where a run stands after a cycle; enough to resume it. */
export interface AutoNebState {
  readonly pivots: readonly Vector[];
  /** Number of cycles already run on these pivots (0: a fresh path, usually [start, end]). */
  readonly cyclesDone: number;
}

export interface CycleRecord {
  /** 1-based cycle index. */
  readonly cycle: number;
  readonly steps: number;
  readonly learningRate: number;
  /** The resolved settings of this cycle. */
  readonly config: CycleConfig;
  readonly pivotsInserted: number;
  /** Indices of the inserted pivots in the path at the start of the cycle. */
  readonly insertedAt: number[];
  /** The pivots after this cycle (copies): the state to store and to resume from. */
  readonly pivots: Vector[];
  readonly pivotEnergies: number[];
  /** Arc-length position t in [0, 1] of each pivot. */
  readonly pivotPositions: number[];
  readonly profile: DenseProfile;
  readonly maxEnergy: number;
  readonly saddle: Saddle;
  /** max over interior pivots of |grad perpendicular to the path|, at the final pivots. */
  readonly maxPerpendicularGradient: number;
}

export interface AutoNebResult {
  readonly pivots: Vector[];
  /** Records of the cycles run by this call (after `initial.cyclesDone` when resuming). */
  readonly cycles: CycleRecord[];
  /** Dense profile of the final path. */
  readonly profile: DenseProfile;
  readonly saddle: Saddle;
}

export interface AutoNebOptions {
  /** Called after every cycle, awaited before the next cycle starts. */
  readonly onCycle?: (record: CycleRecord) => void | Promise<void>;
  /** Checked before every step; an aborted run rejects with the signal's reason. */
  readonly signal?: AbortSignal;
  /** Resume from a stored state instead of the straight line [start, end]. */
  readonly initial?: AutoNebState;
}

type Config = AutoNebConfigInput | PresetName | undefined;

/** Steps between yields to the event loop, so timers (and aborts) can run during a cycle. */
const YIELD_EVERY = 16;

/**
 * AutoNEB as an async iterator: yields one record per cycle while the run goes on and returns
 * the result. Work happens only while the consumer pulls.
 */
export async function* autoNebCycles(energy: Energy, start: Vector, end: Vector, config?: Config, options: Omit<AutoNebOptions, 'onCycle'> = {}): AsyncGenerator<CycleRecord, AutoNebResult, void> {
  const cycles = resolveAutoNebConfig(config);
  let pivots = initialPivots(energy, start, end, options.initial, cycles.length);
  const firstCycle = options.initial?.cyclesDone ?? 0;
  const records: CycleRecord[] = [];
  let profile: DenseProfile | null = null;
  const signal = options.signal;

  for (let c = firstCycle; c < cycles.length; c++) {
    signal?.throwIfAborted();
    const cycle = cycles[c];
    const field = `config.cycles[${c}]`;

    let insertedAt: number[] = [];
    if (cycle.insertion) {
      if (cycle.insertion.strategy === 'highest' && !profile) profile = await evaluateDense(energy, pivots, cycle.evaluationPoints);
      const plan = INSERTION_STRATEGIES[cycle.insertion.strategy](pivots, profile, cycle.insertion);
      const result = insertPivots(pivots, plan);
      pivots = result.pivots;
      insertedAt = result.inserted;
    }
    if (pivots.length < 3 && cycle.steps > 0) {
      throw new InvalidInputError(field, 'no pivots between the endpoints to optimise; insert some first (e.g. insertion: { strategy: "equal", count: 3 })');
    }

    const method = getNebMethod(cycle.method, { springConstant: cycle.springConstant });
    const optimizer = createOptimizer(cycle.optimizer);
    for (let s = 0; s < cycle.steps; s++) {
      if (s % YIELD_EVERY === YIELD_EVERY - 1) await yieldToEventLoop();
      signal?.throwIfAborted();
      ({ pivots } = await nebStep(energy, pivots, { method, optimizer, learningRate: cycle.learningRate, climbing: cycle.climbing }));
    }

    const measured = await evaluateNebForces(energy, pivots, method, cycle.climbing);
    profile = await evaluateDense(energy, pivots, cycle.evaluationPoints);
    const saddle = saddleOf(pivots, profile);
    const record: CycleRecord = {
      cycle: c + 1,
      steps: cycle.steps,
      learningRate: cycle.learningRate,
      config: cycle,
      pivotsInserted: insertedAt.length,
      insertedAt,
      pivots: copyAll(pivots),
      pivotEnergies: pivotEnergies(profile),
      pivotPositions: pivotPositions(pivots),
      profile,
      maxEnergy: saddle.energy,
      saddle,
      maxPerpendicularGradient: measured.maxPerpendicularGradient,
    };
    records.push(record);
    yield record;
  }

  if (!profile) profile = await evaluateDense(energy, pivots, cycles[cycles.length - 1].evaluationPoints);
  return { pivots: copyAll(pivots), cycles: records, profile, saddle: saddleOf(pivots, profile) };
}

/** AutoNEB between two points: runs every cycle of the config and returns the final path. */
export async function runAutoNEB(energy: Energy, start: Vector, end: Vector, config?: Config, options: AutoNebOptions = {}): Promise<AutoNebResult> {
  const iterator = autoNebCycles(energy, start, end, config, options);
  for (;;) {
    const next = await iterator.next();
    if (next.done) return next.value;
    await options.onCycle?.(next.value);
  }
}

function initialPivots(energy: Energy, start: Vector, end: Vector, initial: AutoNebState | undefined, cycleCount: number): Vector[] {
  checkPoint(energy, start, 'start', 0);
  checkPoint(energy, end, 'end', 1);
  if (start.every((v, i) => v === end[i])) throw new InvalidInputError('end', 'coincides with start; there is no path to find');
  if (!initial) return [Float32Array.from(start), Float32Array.from(end)];
  const { pivots, cyclesDone } = initial;
  if (!Number.isInteger(cyclesDone) || cyclesDone < 0 || cyclesDone > cycleCount) {
    throw new InvalidInputError('initial.cyclesDone', `must be an integer in [0, ${cycleCount}], got ${cyclesDone}`);
  }
  if (!Array.isArray(pivots) || pivots.length < 2) throw new InvalidInputError('initial.pivots', 'needs at least the two endpoints');
  pivots.forEach((p, i) => checkPoint(energy, p, `initial.pivots[${i}]`, i));
  const same = (a: Vector, b: Vector) => a.every((v, i) => v === b[i]);
  if (!same(pivots[0], start)) throw new InvalidInputError('initial.pivots[0]', 'differs from start');
  if (!same(pivots[pivots.length - 1], end)) throw new InvalidInputError(`initial.pivots[${pivots.length - 1}]`, 'differs from end');
  return copyAll(pivots);
}

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

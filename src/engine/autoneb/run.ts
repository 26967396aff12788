/**
 * AutoNEB (Kolsbjerg et al. 2016, as used by Draxler et al. 2018): cycles of NEB on a path
 * whose pivots are added where the dense energy profile needs them.
 *
 * One cycle c (1-based) does, in this order:
 *   1. insertion: cycle c's strategy, applied to the path left by cycle c-1 and judged on that
 *      path's dense profile (so, seen across cycles, the paper's order holds: optimise, evaluate
 *      densely, insert); cycle 1's `equal` insertion turns the 2 endpoints into 5 pivots;
 *   2. optimisation: up to `steps` NEB updates with a fresh optimiser (as the authors' code: one
 *      new optimiser per cycle, so momentum does not carry over a change of learning rate, and a
 *      resumed run is identical to an uninterrupted one), or the previous cycle's optimiser when
 *      `keepOptimizer` is on and no pivot was inserted; with a stopping rule (`stop`) the cycle
 *      ends at the first evaluation whose forces meet it, without moving the pivots again;
 *   3. measurement: one more force evaluation (unless the rule just stopped on one) and the
 *      dense profile of the final path with `evaluationPoints` per segment.
 * Then the cycle's record is delivered (callback, and the async iterator's next value). The run
 * ends early, with stop reason `converged`, after a cycle that converged when the next cycle
 * would change nothing (same climbing, no looser force tolerance... no pivot to insert); else
 * after its last cycle, `schedule-exhausted`.
 *
 * Annealing (mini-batch energies, `anneal`): a run that converged with nothing left goes on for
 * one more cycle, the next one (after the last, the last again) at `learningRate x anneal`
 * without insertion and with its window divided by `anneal`, and ends when that cycle converges;
 * a run of N cycles may so take N + 1. From the converged cycle on, records say
 * `annealing`; a resumed run passes it back in `initial`.
 *
 * Saddle: with climbing on, the climbing pivot (exact at convergence) rather than the peak of
 * the dense profile, whose linear interpolation between few pivots overshoots.
 *
 * Resuming: pass `initial: { pivots, cyclesDone, forceScale }` (as stored with the record of
 * cycle `cyclesDone`); the run continues with cycle cyclesDone + 1. Its dense profile is
 * recomputed, so with a deterministic energy the resumed run equals the uninterrupted one bit for
 * bit (with `keepOptimizer`, only when the resumed cycle inserts pivots or the optimiser state
 * would be fresh anyway: the state itself is not part of the stored record).
 *
 * Evaluations: every point passed to the energy (gradients and losses, dense profiles included)
 * is counted, per cycle.
 */
import type { Energy, Vector } from '../energy';
import { InvalidInputError } from '../errors';
import { checkPoint } from '../energy-checks';
import { getNebMethod } from '../neb/methods';
import type { KernelRunner } from '../neb/kernels';
import type { PathOptimizer } from '../neb/optimizers';
import { createOptimizer } from '../neb/optimizers';
import type { EndpointEnergies, NebEvaluation } from '../neb/step';
import { applyNebStepOn, evaluateNebForces } from '../neb/step';
import { NebWorkspace } from '../neb/workspace';
import type { DenseProfile, Saddle } from '../path';
import { evaluateDense, pivotEnergies, pivotPositions, saddleOf } from '../path';
import { checkedLossAndGradient } from '../energy-checks';
import { copyAll, distance, lerp } from '../vector';
import type { AutoNebConfigInput, CycleConfig, PresetName } from './config';
import { resolveAutoNebConfig } from './config';
import { INSERTION_STRATEGIES, insertPivots } from './insertion';
import type { StopReason } from './stopping';
import { CycleStoppingRule } from './stopping';

/** Where a run stands after a cycle; enough to resume it. */
export interface AutoNebState {
  readonly pivots: readonly Vector[];
  /** Number of cycles already run on these pivots (0: a fresh path, usually [start, end]). */
  readonly cyclesDone: number;
  /** The run's force scale, learned on its first band (null: not learned yet). */
  readonly forceScale?: number | null;
  /** Whether the cycles from `cyclesDone + 1` on run annealed (the last record's `annealing`). */
  readonly annealing?: boolean;
}

export interface CycleRecord {
  /** 1-based cycle index. */
  readonly cycle: number;
  /** Steps configured for this cycle (the most it may take). */
  readonly steps: number;
  /** Optimiser steps taken (fewer than `steps` when the stopping rule ended the cycle). */
  readonly stepsTaken: number;
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
  /** max over interior pivots of |NEB force| (the climbing pivot's full gradient), at the final pivots. */
  readonly maxForce: number;
  /** The run's force scale (what `stop.force` is relative to); null until learned. */
  readonly forceScale: number | null;
  /** Whether this cycle's stopping rule was met (false without a rule). */
  readonly converged: boolean;
  /** The run converged at its own rate in this cycle or before: later cycles run annealed. */
  readonly annealing: boolean;
  /** Points passed to the energy during this cycle. */
  readonly evaluations: number;
  /** Why the run ended after this cycle; null when it goes on. */
  readonly stopReason: StopReason | null;
}

export interface AutoNebResult {
  readonly pivots: Vector[];
  /** Records of the cycles run by this call (after `initial.cyclesDone` when resuming). */
  readonly cycles: CycleRecord[];
  /** Dense profile of the final path. */
  readonly profile: DenseProfile;
  readonly saddle: Saddle;
  /** Why the run ended. */
  readonly stopReason: StopReason;
  /** Points passed to the energy by this call. */
  readonly evaluations: number;
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

/**
 * Stochastic energies: the run's force scale is at least this many times the mini-batch noise of
 * the gradient on the first band. A straight line that is already nearly flat (e.g. between a
 * minimum and a permuted copy of another aligned to it) has forces at the noise level; in relative
 * units (force x L / force scale) the noise alone then moved the pivots by full relative steps,
 * 3-4x the absolute step of a raw pair, and the band drifted uphill and diverged. On raw pairs of
 * Fashion-MNIST MLPs the first band's largest force is ~4x the noise, so the floor leaves them
 * as they were (measurements: docs/autoneb-convergence.md).
 */
export const NOISE_FLOOR = 3;

/** Steps between yields to the event loop, so timers (and aborts) can run during a cycle. */
const YIELD_EVERY = 16;

/**
 * AutoNEB as an async iterator: yields one record per cycle while the run goes on and returns
 * the result. Work happens only while the consumer pulls.
 */
export async function* autoNebCycles(energy: Energy, start: Vector, end: Vector, config?: Config, options: Omit<AutoNebOptions, 'onCycle'> = {}): AsyncGenerator<CycleRecord, AutoNebResult, void> {
  const cycles = resolveAutoNebConfig(config, { stochastic: energy.stochastic ?? false });
  let pivots = initialPivots(energy, start, end, options.initial, cycles.length);
  const counted = new CountingEnergy(energy);
  const firstCycle = options.initial?.cyclesDone ?? 0;
  const records: CycleRecord[] = [];
  let profile: DenseProfile | null = null;
  const signal = options.signal;
  let forceScale = options.initial?.forceScale ?? null;
  let endpoints: EndpointEnergies | undefined;
  let denseEnds: EndpointEnergies | undefined; // the endpoints' `loss` (evaluation set), once known
  let optimizer: PathOptimizer | null = null;
  let previousOptimizer = '';
  let stopReason: StopReason = 'schedule-exhausted';
  let annealing = options.initial?.annealing ?? false;
  const length = distance(start, end);
  let line: StraightLine | null = null; // stochastic energies' peak rule: measured once per call
  // The pivots of the step loop live in the workspace's buffers; records and resumes get copies.
  // An energy with a KernelRunner (the pool) runs the step's per-pivot part in its threads: the
  // band and the optimiser's state then live in shared memory.
  const memory = energy.kernels ? 'shared' : 'local';
  const workspace = new NebWorkspace(memory);

  // An annealing run may go one cycle past the schedule (its last cycle, annealed).
  for (let c = firstCycle; c < cycles.length || (annealing && c === cycles.length); c++) {
    signal?.throwIfAborted();
    const configured = cycles[Math.min(c, cycles.length - 1)];
    const cycle = annealing && energy.stochastic ? annealed(configured) : configured;
    const field = `config.cycles[${c}]`;
    const counter = counted.count;

    let insertedAt: number[] = [];
    if (cycle.insertion) {
      if (cycle.insertion.strategy === 'highest' && !profile) profile = await evaluateDense(counted, pivots, cycle.evaluationPoints);
      const plan = INSERTION_STRATEGIES[cycle.insertion.strategy](pivots, profile, cycle.insertion);
      const result = insertPivots(pivots, plan);
      pivots = result.pivots;
      insertedAt = result.inserted;
    }
    if (pivots.length < 3 && cycle.steps > 0) {
      throw new InvalidInputError(field, 'no pivots between the endpoints to optimise; insert some first (e.g. insertion: { strategy: "equal", count: 3 })');
    }
    if (cycle.endpointsOnce && !endpoints) {
      // The endpoints are fixed minima: one evaluation serves the whole run (this call).
      const { losses, release } = await checkedLossAndGradient(counted, [pivots[0], pivots[pivots.length - 1]]);
      release?.();
      endpoints = [losses[0], losses[1]];
    }
    const ends = cycle.endpointsOnce ? endpoints : undefined;

    const method = getNebMethod(cycle.method, { springConstant: cycle.springConstant });
    const optimizerKey = JSON.stringify([cycle.optimizer, cycle.relativeUnits]);
    const keep = cycle.keepOptimizer && optimizer && insertedAt.length === 0 && optimizerKey === previousOptimizer;
    if (!keep) optimizer = createOptimizer(relativeOptimizer(cycle, length), memory);
    previousOptimizer = optimizerKey;
    // In relative units the forces are lengths (force x L / force scale): SGD's learning rate is then a
    // pure number, Adam's (whose step ignores the force's size) a length in units of L.
    const learningRate = cycle.relativeUnits && cycle.optimizer.name === 'adam' ? cycle.learningRate * length : cycle.learningRate;

    let rule: CycleStoppingRule | null = null;
    let converged = false;
    let measured: NebEvaluation | null = null;
    let taken = 0;
    if (memory === 'shared' && pivots.length > 2) pivots = workspace.hold(pivots);
    // Evaluate, judge, move: the paper's schedule (no rule) makes the same calls in the same order
    // as `steps` NEB steps followed by one measuring evaluation.
    for (let s = 0; ; s++) {
      if (s % YIELD_EVERY === YIELD_EVERY - 1) await yieldToEventLoop();
      signal?.throwIfAborted();
      const evaluation = await evaluateNebForces(counted, pivots, method, cycle.climbing, ends, workspace);
      if (forceScale === null && pivots.length > 2) {
        forceScale = evaluation.maxForce;
        if (energy.stochastic) forceScale = Math.max(forceScale, NOISE_FLOOR * (await gradientNoise(counted, pivots.slice(1, -1))));
      }
      const peakEvery = energy.stochastic && cycle.stop ? cycle.stop.window : 0;
      if (peakEvery > 0 && !line) line = await straightLine(counted, start, end);
      if (cycle.stop && !rule) rule = new CycleStoppingRule(cycle.stop, forceScale ?? 0, line?.barrier ?? 0, peakEvery);
      if (rule?.observe(evaluation.maxForce)) converged = true;
      if (line && peakEvery > 0 && s % peakEvery === 0 && rule?.observePeak(await pathPeak(counted, pivots, line.higher))) converged = true;
      if (converged || s === cycle.steps) {
        measured = evaluation;
        break;
      }
      const factor = cycle.relativeUnits && forceScale ? length / forceScale : 1;
      pivots = await applyNebStepOn(counted, pivots, evaluation, { method, optimizer: optimizer!, learningRate, climbing: cycle.climbing, forceFactor: factor }, workspace);
      taken++;
    }

    profile = await evaluateDense(counted, pivots, cycle.evaluationPoints, cycle.endpointsOnce ? denseEnds : undefined);
    if (cycle.endpointsOnce) denseEnds = [profile.energy[0], profile.energy[profile.energy.length - 1]];
    const saddle = cycle.climbing && measured.climbing >= 0 ? pivotSaddle(pivots, profile, measured.climbing) : saddleOf(pivots, profile);
    const next = cycles[c + 1];
    if (converged && (annealing || !next || nothingLeft(cycle, next, pivots, profile))) {
      if (!annealing && cycle.anneal !== null && energy.stochastic) annealing = true;
      else stopReason = 'converged';
    }
    const last = stopReason === 'converged' || !(next || (annealing && c + 1 === cycles.length));
    const record: CycleRecord = {
      cycle: c + 1,
      steps: cycle.steps,
      stepsTaken: taken,
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
      maxForce: measured.maxForce,
      forceScale,
      converged,
      annealing,
      evaluations: counted.count - counter,
      stopReason: last ? stopReason : null,
    };
    records.push(record);
    yield record;
    if (stopReason === 'converged') break;
  }

  if (!profile) profile = await evaluateDense(counted, pivots, cycles[cycles.length - 1].evaluationPoints);
  const final = records.at(-1);
  const saddle = final ? final.saddle : saddleOf(pivots, profile);
  if (!final && options.initial?.cyclesDone === cycles.length) stopReason = 'schedule-exhausted';
  return { pivots: copyAll(pivots), cycles: records, profile, saddle, stopReason, evaluations: counted.count };
}

/**
 * A cycle as it runs once the run anneals: `anneal` times the rate, no insertion, and the
 * stopping rule's window divided by `anneal`, so the rule judges the same learning rate x steps
 * (20 steps at lr are 200 at lr / 10): a window of 20 small steps hardly moves the path, and its
 * peak rule then stopped bumps of 0.04 unrelaxed (docs/autoneb-convergence.md).
 */
function annealed(cycle: CycleConfig): CycleConfig {
  if (cycle.anneal === null) return cycle;
  const stop = cycle.stop && { ...cycle.stop, window: Math.round(cycle.stop.window / cycle.anneal) };
  return { ...cycle, learningRate: cycle.learningRate * cycle.anneal, insertion: null, stop };
}

/**
 * Whether the run may end after a converged cycle: the next cycle would neither start climbing,
 * nor tighten the tolerance, nor insert a pivot (its plan judged on this cycle's profile).
 */
function nothingLeft(cycle: CycleConfig, next: CycleConfig, pivots: readonly Vector[], profile: DenseProfile): boolean {
  if (next.climbing !== cycle.climbing || next.method !== cycle.method) return false;
  if (!next.stop || !cycle.stop || next.stop.force < cycle.stop.force) return false;
  if (!next.insertion) return true;
  return INSERTION_STRATEGIES[next.insertion.strategy](pivots, profile, next.insertion).every((alphas) => alphas.length === 0);
}

/**
 * The climbing pivot as the saddle (its energy on the dense profile's evaluation set), unless an
 * endpoint is higher: a path without a barrier (as networks' paths often are) peaks at a minimum.
 */
function pivotSaddle(pivots: readonly Vector[], profile: DenseProfile, climbing: number): Saddle {
  const energies = profile.energy;
  if (Math.max(energies[0], energies[energies.length - 1]) > energies[climbing * (profile.pointsPerSegment + 1)]) return saddleOf(pivots, profile);
  const index = climbing * (profile.pointsPerSegment + 1);
  return { energy: profile.energy[index], t: profile.t[index], index, point: Float32Array.from(pivots[climbing]) };
}

/** The straight line's measures the peak rule needs, on the energy's deterministic `loss`. */
interface StraightLine {
  /** The higher minimum. */
  readonly higher: number;
  /** The line's barrier at its middle above the higher minimum (the rule's scale; <= 0: no rule). */
  readonly barrier: number;
}

async function straightLine(energy: Energy, start: Vector, end: Vector): Promise<StraightLine> {
  const [a, middle, b] = await energy.loss([start, lerp(start, end, 0.5), end]);
  return { higher: Math.max(a, b), barrier: middle - Math.max(a, b) };
}

/** The path's peak on `loss`: the highest interior pivot, at least the higher minimum. */
async function pathPeak(energy: Energy, pivots: readonly Vector[], higher: number): Promise<number> {
  return Math.max(higher, ...(await energy.loss(pivots.slice(1, -1))));
}

/** The cycle's optimiser config, its lengths (FIRE's maxstep) in units of the distance between the minima when asked. */
function relativeOptimizer(cycle: CycleConfig, length: number) {
  return cycle.relativeUnits ? { ...cycle.optimizer, maxstep: cycle.optimizer.maxstep * length } : cycle.optimizer;
}

/** Counts the points passed to an energy (the cost measure of a run). */
class CountingEnergy implements Energy {
  count = 0;
  readonly dimension: number;
  readonly name: string;
  readonly checksFinite?: boolean;
  readonly stochastic?: boolean;
  readonly kernels?: KernelRunner;

  constructor(private readonly inner: Energy) {
    this.dimension = inner.dimension;
    this.name = inner.name;
    this.checksFinite = inner.checksFinite;
    this.stochastic = inner.stochastic;
    this.kernels = inner.kernels;
  }

  lossAndGradient(points: readonly Vector[]) {
    this.count += points.length;
    return this.inner.lossAndGradient(points);
  }

  loss(points: readonly Vector[]) {
    this.count += points.length;
    return this.inner.loss(points);
  }
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

function initialPivots(energy: Energy, start: Vector, end: Vector, initial: AutoNebState | undefined, scheduled: number): Vector[] {
  checkPoint(energy, start, 'start', 0);
  checkPoint(energy, end, 'end', 1);
  if (start.every((v, i) => v === end[i])) throw new InvalidInputError('end', 'coincides with start; there is no path to find');
  if (!initial) return [Float32Array.from(start), Float32Array.from(end)];
  const { pivots, cyclesDone, forceScale } = initial;
  const cycleCount = scheduled + (initial.annealing ? 1 : 0);
  if (forceScale !== undefined && forceScale !== null && !(forceScale >= 0 && Number.isFinite(forceScale))) {
    throw new InvalidInputError('initial.forceScale', `must be a finite number >= 0 or null, got ${forceScale}`);
  }
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

/** Largest mini-batch noise of the gradient over `points`: |g1 - g2| / sqrt(2) between two calls' batches. */
async function gradientNoise(energy: Energy, points: readonly Vector[]): Promise<number> {
  const first = await checkedLossAndGradient(energy, points);
  const kept = copyAll(first.gradients);
  first.release?.();
  const second = await checkedLossAndGradient(energy, points);
  const noise = Math.max(...second.gradients.map((g, i) => distance(g, kept[i]) / Math.SQRT2));
  second.release?.();
  return noise;
}

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Optimisers for the path, with state per pivot: SGD with momentum and weight decay (the
 * paper's, with PyTorch's conventions: buffer = momentum * buffer + (grad + wd * p);
 * p -= lr * buffer) and Adam (Kingma & Ba 2015, L2 weight decay added to the gradient as torch's
 * Adam does). The learning rate is passed per step so a cycle's schedule stays outside.
 * FIRE (Bitzek et al. 2006) follows ase/optimize/fire.py (ASE 3.22) over the whole band as one
 * system, as ASE's NEB does: its time step dt adapts, so it ignores the learning rate.
 *
 * State follows the pivot index. When the string method redistributes, pivots slide along the
 * path by a small amount and keep their state. When pivots are inserted, `remap` gives each new
 * pivot the state interpolated between its two neighbours (at the insertion fraction), so a new
 * pivot inherits the motion of the part of the path it was cut from.
 */
import type { Vector } from '../energy';
import { InvalidInputError } from '../errors';
import { namedTable } from '../strategies';
import { FIRE_MODES, float32, float64, runLocally, type KernelTask, type Memory, type Phases } from './kernels';

export const OPTIMIZER_NAMES = ['sgd', 'adam', 'fire'] as const;
export type OptimizerName = (typeof OPTIMIZER_NAMES)[number];

export interface OptimizerConfig {
  readonly name: OptimizerName;
  /** SGD momentum in [0, 1). */
  readonly momentum: number;
  /** L2 weight decay >= 0 (both optimisers). */
  readonly weightDecay: number;
  /** Adam's decay rates in [0, 1) and epsilon > 0. */
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  /** FIRE, with ASE's names and defaults: largest step of the whole band (Euclidean norm). */
  readonly maxstep: number;
  /** FIRE's initial and largest time step. */
  readonly dt: number;
  readonly dtmax: number;
  /** FIRE: downhill steps before dt may grow. */
  readonly Nmin: number;
  /** FIRE: dt growth (> 1) and cut (< 1) factors. */
  readonly finc: number;
  readonly fdec: number;
  /** FIRE: mixing of the velocity towards the force, its start and decay (both in (0, 1]). */
  readonly astart: number;
  readonly fa: number;
}

export const DEFAULT_OPTIMIZER: OptimizerConfig = {
  name: 'sgd',
  momentum: 0.9,
  weightDecay: 1e-4,
  beta1: 0.9,
  beta2: 0.999,
  epsilon: 1e-8,
  maxstep: 0.2,
  dt: 0.1,
  dtmax: 1,
  Nmin: 5,
  finc: 1.1,
  fdec: 0.5,
  astart: 0.1,
  fa: 0.99,
};

/** Where a pivot of a new path came from: (1 - alpha) * old[left] + alpha * old[right]. */
export interface PivotOrigin {
  readonly left: number;
  readonly right: number;
  readonly alpha: number;
}

export interface PathOptimizer {
  readonly name: OptimizerName;
  /** Updates the pivots in place; pivots whose gradient is null (the endpoints) do not move. */
  step(pivots: Vector[], gradients: ReadonlyArray<Vector | null>, learningRate: number): void;
  /**
   * The same update with the path's gradient given as NEB forces times `factor` (gradient =
   * -factor x force, rounded to float32 as a stored vector would be), the moved band written into
   * `into` (the endpoints, null forces, copied): one fused pass per pivot and phase, nothing
   * allocated. Bit for bit what step() gives on the negated forces. Returns whether every moved
   * coordinate is finite (their sum is: float64 sums of float32 values do not overflow).
   */
  stepAlong(pivots: readonly Vector[], forces: ReadonlyArray<Vector | null>, factor: number, learningRate: number, into: Float32Array[]): boolean;
  /** stepAlong() as phases of per-pivot kernels (see kernels.ts), for running them elsewhere. */
  phasesAlong(pivots: readonly Vector[], forces: ReadonlyArray<Vector | null>, factor: number, learningRate: number, into: Float32Array[]): Phases<boolean>;
  /** Re-indexes the per-pivot state after insertion (one origin per pivot of the new path). */
  remap(origins: readonly PivotOrigin[]): void;
}

/** Per-pivot state vectors and step counts, created lazily, interpolated on remap. */
class PivotStates {
  private states: Array<Float32Array[] | undefined> = [];
  private counts: number[] = [];

  constructor(
    private readonly slots: number,
    private readonly memory: Memory,
  ) {}

  advance(i: number, dimension: number): { vectors: Float32Array[]; count: number } {
    let vectors = this.states[i];
    if (!vectors) {
      vectors = Array.from({ length: this.slots }, () => float32(dimension, this.memory));
      this.states[i] = vectors;
      this.counts[i] = 0;
    }
    this.counts[i]++;
    return { vectors, count: this.counts[i] };
  }

  remap(origins: readonly PivotOrigin[]): void {
    const old = this.states;
    const oldCounts = this.counts;
    this.states = [];
    this.counts = [];
    origins.forEach(({ left, right, alpha }, i) => {
      const a = old[left];
      const b = old[right];
      if (!a || !b) return; // no state yet: the pivot starts fresh
      this.states[i] = a.map((va, s) => {
        const out = float32(va.length, this.memory);
        for (let d = 0; d < out.length; d++) out[d] = (1 - alpha) * va[d] + alpha * b[s][d];
        return out;
      });
      this.counts[i] = Math.min(oldCounts[left], oldCounts[right]);
    });
  }
}

/** What SGD and Adam share: per-pivot state and one kernel per pivot (no band-wide scalar). */
abstract class PerPivotOptimizer implements PathOptimizer {
  abstract readonly name: OptimizerName;
  protected abstract readonly state: PivotStates;

  step(pivots: Vector[], gradients: ReadonlyArray<Vector | null>, learningRate: number): void {
    runLocally(this.phases(pivots, gradients, 1, learningRate, pivots));
  }

  stepAlong(pivots: readonly Vector[], forces: ReadonlyArray<Vector | null>, factor: number, learningRate: number, into: Float32Array[]): boolean {
    return runLocally(this.phasesAlong(pivots, forces, factor, learningRate, into));
  }

  *phasesAlong(pivots: readonly Vector[], forces: ReadonlyArray<Vector | null>, factor: number, learningRate: number, into: Float32Array[]): Phases<boolean> {
    return Number.isFinite(yield* this.phases(pivots, forces, -factor, learningRate, into));
  }

  /** The update with gradient fround(scale x G), from `pivots` into `into` (may be the same vectors); the sum of the moved coordinates. */
  private *phases(pivots: readonly Vector[], G: ReadonlyArray<Vector | null>, scale: number, learningRate: number, into: Vector[]): Phases<number> {
    const tasks = pivots.map((p, i): KernelTask => {
      const g = G[i];
      if (!g) return { kernel: 'copy', views: [p, into[i]] };
      const { vectors, count } = this.state.advance(i, p.length);
      return this.task(p, g, vectors, count, scale, learningRate, into[i]);
    });
    return (yield tasks).reduce((sum, [s]) => sum + (s ?? 0), 0);
  }

  protected abstract task(p: Vector, g: Vector, state: Float32Array[], count: number, scale: number, learningRate: number, out: Vector): KernelTask;

  remap(origins: readonly PivotOrigin[]): void {
    this.state.remap(origins);
  }
}

class SgdMomentum extends PerPivotOptimizer {
  readonly name = 'sgd' as const;
  protected readonly state: PivotStates;

  constructor(
    private readonly config: OptimizerConfig,
    memory: Memory,
  ) {
    super();
    this.state = new PivotStates(1, memory);
  }

  protected task(p: Vector, g: Vector, [buffer]: Float32Array[], count: number, scale: number, learningRate: number, out: Vector): KernelTask {
    return { kernel: 'sgd', views: [p, g, buffer, out], scalars: [scale, learningRate, count === 1 ? 1 : 0, this.config.momentum, this.config.weightDecay] };
  }
}

class Adam extends PerPivotOptimizer {
  readonly name = 'adam' as const;
  protected readonly state: PivotStates;

  constructor(
    private readonly config: OptimizerConfig,
    memory: Memory,
  ) {
    super();
    this.state = new PivotStates(2, memory);
  }

  protected task(p: Vector, g: Vector, [m, v]: Float32Array[], count: number, scale: number, learningRate: number, out: Vector): KernelTask {
    const { beta1, beta2, epsilon, weightDecay } = this.config;
    return { kernel: 'adam', views: [p, g, m, v, out], scalars: [scale, learningRate, beta1, beta2, epsilon, weightDecay, count] };
  }
}

/**
 * FIRE exactly as ase/optimize/fire.py (downhill_check off): with F the force on the band
 * (the negated path gradient), if F.v > 0 then v = (1 - a) v + a |v| F / |F| and, after more
 * than Nmin such steps, dt = min(finc dt, dtmax), a *= fa; otherwise v = 0, a = astart,
 * dt *= fdec. Then v += dt F, dr = dt v, cut to norm maxstep. The first step only does the last
 * line. Inserting pivots changes the system: `remap` starts afresh.
 */
class Fire implements PathOptimizer {
  readonly name = 'fire' as const;
  // float64 as ASE's numpy arrays: the velocity accumulates many small steps.
  private velocity: Float64Array[] | null = null;
  private dt: number;
  private a: number;
  private downhillSteps = 0;

  constructor(
    private readonly config: OptimizerConfig,
    private readonly memory: Memory,
  ) {
    this.dt = config.dt;
    this.a = config.astart;
  }

  step(pivots: Vector[], gradients: ReadonlyArray<Vector | null>, _learningRate: number): void {
    // Into other vectors: a move cut to maxstep is redone from the pivots before the step.
    const moved = pivots.map((p) => new Float32Array(p.length));
    runLocally(this.phases(pivots, gradients, 1, moved));
    pivots.forEach((p, i) => p.set(moved[i]));
  }

  stepAlong(pivots: readonly Vector[], forces: ReadonlyArray<Vector | null>, factor: number, learningRate: number, into: Float32Array[]): boolean {
    return runLocally(this.phasesAlong(pivots, forces, factor, learningRate, into));
  }

  *phasesAlong(pivots: readonly Vector[], forces: ReadonlyArray<Vector | null>, factor: number, _learningRate: number, into: Float32Array[]): Phases<boolean> {
    return Number.isFinite(yield* this.phases(pivots, forces, -factor, into));
  }

  /**
   * The update with gradient g = fround(scale x G), from `pivots` into `into` (other vectors), in two phases: the dot products, the velocity with the move (a third phase redoes
   * the move when the step is cut to maxstep). The band-wide sums are
   * per-pivot sums added in pivot order, so they do not depend on where the pivots ran.
   * Returns the sum of the moved coordinates.
   */
  private *phases(pivots: readonly Vector[], G: ReadonlyArray<Vector | null>, scale: number, into: Vector[]): Phases<number> {
    const moving = pivots.map((_, i) => i).filter((i) => G[i]);
    // How the velocity changes before the acceleration: kept (first step), mixed, or reset to 0.
    let mode: number = FIRE_MODES.keep;
    let mix = 0;
    let keep = 1;
    if (!this.velocity) {
      this.velocity = pivots.map((p, i) => float64(G[i] ? p.length : 0, this.memory));
    } else {
      const velocity = this.velocity;
      const dots = yield moving.map((i): KernelTask => ({ kernel: 'fireDots', views: [G[i]!, velocity[i]], scalars: [scale] }));
      let [vf, ff, vv] = [0, 0, 0];
      for (const [v, f, w] of dots) [vf, ff, vv] = [vf + v, ff + f, vv + w];
      const { Nmin, finc, fdec, dtmax, astart, fa } = this.config;
      if (vf > 0) {
        mode = FIRE_MODES.mix;
        mix = (this.a * Math.sqrt(vv)) / Math.sqrt(ff);
        keep = 1 - this.a;
        if (this.downhillSteps > Nmin) {
          this.dt = Math.min(this.dt * finc, dtmax);
          this.a *= fa;
        }
        this.downhillSteps++;
      } else {
        mode = FIRE_MODES.reset;
        this.a = astart;
        this.dt *= fdec;
        this.downhillSteps = 0;
      }
    }
    const dt = this.dt;
    const velocity = this.velocity;
    // The velocity phase also moves the pivots by dt v (and copies the endpoints): the move itself
    // unless the band's step exceeds maxstep, when the move is redone cut to maxstep.
    const steps = yield pivots.map((p, i): KernelTask => (G[i] ? { kernel: 'fireVelocity', views: [G[i]!, velocity[i], p, into[i]], scalars: [scale, mode, keep, mix, dt] } : { kernel: 'copy', views: [p, into[i]] }));
    const length = Math.sqrt(steps.reduce((sum, [step2]) => sum + (step2 ?? 0), 0));
    if (!(length > this.config.maxstep)) return steps.reduce((sum, [, s]) => sum + (s ?? 0), 0);
    const scaled = (this.config.maxstep / length) * dt;
    const moves = yield moving.map((i): KernelTask => ({ kernel: 'fireMove', views: [pivots[i], velocity[i], into[i]], scalars: [scaled] }));
    return moves.reduce((sum, [s]) => sum + s, 0);
  }

  remap(_origins: readonly PivotOrigin[]): void {
    this.velocity = null;
    this.dt = this.config.dt;
    this.a = this.config.astart;
    this.downhillSteps = 0;
  }
}

const OPTIMIZERS = namedTable<(config: OptimizerConfig, memory: Memory) => PathOptimizer>('optimizer', {
  sgd: (config, memory) => new SgdMomentum(config, memory),
  adam: (config, memory) => new Adam(config, memory),
  fire: (config, memory) => new Fire(config, memory),
} satisfies Record<OptimizerName, (config: OptimizerConfig, memory: Memory) => PathOptimizer>);

/** Checks an optimiser config; `field` prefixes the error messages. */
export function validateOptimizerConfig(config: OptimizerConfig, field = 'optimizer'): void {
  OPTIMIZERS.get(config.name, `${field}.name`);
  const unit: Array<keyof OptimizerConfig> = ['momentum', 'beta1', 'beta2'];
  for (const key of unit) {
    const value = config[key] as number;
    if (!(value >= 0 && value < 1)) throw new InvalidInputError(`${field}.${key}`, `must be in [0, 1), got ${value}`);
  }
  if (!(config.weightDecay >= 0 && Number.isFinite(config.weightDecay))) {
    throw new InvalidInputError(`${field}.weightDecay`, `must be a finite number >= 0, got ${config.weightDecay}`);
  }
  if (!(config.epsilon > 0 && Number.isFinite(config.epsilon))) {
    throw new InvalidInputError(`${field}.epsilon`, `must be a finite number > 0, got ${config.epsilon}`);
  }
  const positive: Array<keyof OptimizerConfig> = ['maxstep', 'dt', 'dtmax'];
  for (const key of positive) {
    const value = config[key] as number;
    if (!(value > 0 && Number.isFinite(value))) throw new InvalidInputError(`${field}.${key}`, `must be a finite number > 0, got ${value}`);
  }
  if (!(config.dtmax >= config.dt)) throw new InvalidInputError(`${field}.dtmax`, `must be >= dt (${config.dt}), got ${config.dtmax}`);
  if (!(Number.isInteger(config.Nmin) && config.Nmin >= 0)) throw new InvalidInputError(`${field}.Nmin`, `must be an integer >= 0, got ${config.Nmin}`);
  if (!(config.finc >= 1 && Number.isFinite(config.finc))) throw new InvalidInputError(`${field}.finc`, `must be a finite number >= 1, got ${config.finc}`);
  const fraction: Array<keyof OptimizerConfig> = ['fdec', 'astart', 'fa'];
  for (const key of fraction) {
    const value = config[key] as number;
    if (!(value > 0 && value <= 1)) throw new InvalidInputError(`${field}.${key}`, `must be in (0, 1], got ${value}`);
  }
}

/** `memory: 'shared'` keeps the per-pivot state in SharedArrayBuffers, so a KernelRunner's threads can update it. */
export function createOptimizer(config: Partial<OptimizerConfig> = {}, memory: Memory = 'local'): PathOptimizer {
  const full = { ...DEFAULT_OPTIMIZER, ...config };
  validateOptimizerConfig(full);
  return OPTIMIZERS.get(full.name, 'optimizer.name')(full, memory);
}

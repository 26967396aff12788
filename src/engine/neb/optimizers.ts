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
  /** Re-indexes the per-pivot state after insertion (one origin per pivot of the new path). */
  remap(origins: readonly PivotOrigin[]): void;
}

/** Per-pivot state vectors and step counts, created lazily, interpolated on remap. */
class PivotStates {
  private states: Array<Float32Array[] | undefined> = [];
  private counts: number[] = [];

  constructor(private readonly slots: number) {}

  advance(i: number, dimension: number): { vectors: Float32Array[]; count: number } {
    let vectors = this.states[i];
    if (!vectors) {
      vectors = Array.from({ length: this.slots }, () => new Float32Array(dimension));
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
        const out = new Float32Array(va.length);
        for (let d = 0; d < out.length; d++) out[d] = (1 - alpha) * va[d] + alpha * b[s][d];
        return out;
      });
      this.counts[i] = Math.min(oldCounts[left], oldCounts[right]);
    });
  }
}

class SgdMomentum implements PathOptimizer {
  readonly name = 'sgd' as const;
  private readonly state = new PivotStates(1);

  constructor(private readonly config: OptimizerConfig) {}

  step(pivots: Vector[], gradients: ReadonlyArray<Vector | null>, learningRate: number): void {
    this.update(pivots, gradients, 1, learningRate, pivots);
  }

  stepAlong(pivots: readonly Vector[], forces: ReadonlyArray<Vector | null>, factor: number, learningRate: number, into: Float32Array[]): boolean {
    return Number.isFinite(this.update(pivots, forces, -factor, learningRate, into));
  }

  /** The update with gradient fround(scale x G), from `pivots` into `into` (may be the same vectors); the sum of the moved coordinates. */
  private update(pivots: readonly Vector[], G: ReadonlyArray<Vector | null>, scale: number, learningRate: number, into: Vector[]): number {
    const { momentum, weightDecay } = this.config;
    let sum = 0;
    pivots.forEach((p, i) => {
      const g = G[i];
      const out = into[i];
      if (!g) {
        if (out !== p) out.set(p);
        return;
      }
      const { vectors, count } = this.state.advance(i, p.length);
      const buffer = vectors[0];
      for (let d = 0; d < p.length; d++) {
        const grad = Math.fround(scale * g[d]) + weightDecay * p[d];
        // torch: the first step initialises the buffer with the gradient itself.
        buffer[d] = count === 1 ? grad : momentum * buffer[d] + grad;
        out[d] = p[d] - learningRate * buffer[d];
        sum += out[d];
      }
    });
    return sum;
  }

  remap(origins: readonly PivotOrigin[]): void {
    this.state.remap(origins);
  }
}

class Adam implements PathOptimizer {
  readonly name = 'adam' as const;
  private readonly state = new PivotStates(2);

  constructor(private readonly config: OptimizerConfig) {}

  step(pivots: Vector[], gradients: ReadonlyArray<Vector | null>, learningRate: number): void {
    this.update(pivots, gradients, 1, learningRate, pivots);
  }

  stepAlong(pivots: readonly Vector[], forces: ReadonlyArray<Vector | null>, factor: number, learningRate: number, into: Float32Array[]): boolean {
    return Number.isFinite(this.update(pivots, forces, -factor, learningRate, into));
  }

  /** The update with gradient fround(scale x G), from `pivots` into `into` (may be the same vectors); the sum of the moved coordinates. */
  private update(pivots: readonly Vector[], G: ReadonlyArray<Vector | null>, scale: number, learningRate: number, into: Vector[]): number {
    const { beta1, beta2, epsilon, weightDecay } = this.config;
    let sum = 0;
    pivots.forEach((p, i) => {
      const g = G[i];
      const out = into[i];
      if (!g) {
        if (out !== p) out.set(p);
        return;
      }
      const { vectors, count } = this.state.advance(i, p.length);
      const [m, v] = vectors;
      const correction1 = 1 - beta1 ** count;
      const correction2 = 1 - beta2 ** count;
      for (let d = 0; d < p.length; d++) {
        const grad = Math.fround(scale * g[d]) + weightDecay * p[d];
        m[d] = beta1 * m[d] + (1 - beta1) * grad;
        v[d] = beta2 * v[d] + (1 - beta2) * grad * grad;
        out[d] = p[d] - (learningRate * (m[d] / correction1)) / (Math.sqrt(v[d] / correction2) + epsilon);
        sum += out[d];
      }
    });
    return sum;
  }

  remap(origins: readonly PivotOrigin[]): void {
    this.state.remap(origins);
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

  constructor(private readonly config: OptimizerConfig) {
    this.dt = config.dt;
    this.a = config.astart;
  }

  step(pivots: Vector[], gradients: ReadonlyArray<Vector | null>, _learningRate: number): void {
    this.update(pivots, gradients, 1, pivots);
  }

  stepAlong(pivots: readonly Vector[], forces: ReadonlyArray<Vector | null>, factor: number, _learningRate: number, into: Float32Array[]): boolean {
    return Number.isFinite(this.update(pivots, forces, -factor, into));
  }

  /**
   * The update with gradient g = fround(scale x G), from `pivots` into `into` (may be the same
   * vectors), in three passes over the band: the dot products, the velocity (mixing, reset and
   * acceleration fused per element in ASE's order), the move. Returns the sum of the moved coordinates.
   */
  private update(pivots: readonly Vector[], G: ReadonlyArray<Vector | null>, scale: number, into: Vector[]): number {
    const moving = pivots.map((_, i) => G[i]).map((g, i) => (g ? i : -1)).filter((i) => i >= 0);
    // How the velocity changes before the acceleration: kept (first step), mixed, or reset to 0.
    let mode: 'keep' | 'mix' | 'reset' = 'keep';
    let mix = 0;
    let keep = 1;
    if (!this.velocity) {
      this.velocity = pivots.map((p) => new Float64Array(p.length));
    } else {
      // One pass for the three dot products over the band (F = -gradient).
      let vf = 0;
      let ff = 0;
      let vv = 0;
      for (const i of moving) {
        const g = G[i]!;
        const v = this.velocity[i];
        for (let d = 0; d < g.length; d++) {
          const gd = Math.fround(scale * g[d]);
          vf -= v[d] * gd;
          ff += gd * gd;
          vv += v[d] * v[d];
        }
      }
      const { Nmin, finc, fdec, dtmax, astart, fa } = this.config;
      if (vf > 0) {
        mode = 'mix';
        mix = (this.a * Math.sqrt(vv)) / Math.sqrt(ff);
        keep = 1 - this.a;
        if (this.downhillSteps > Nmin) {
          this.dt = Math.min(this.dt * finc, dtmax);
          this.a *= fa;
        }
        this.downhillSteps++;
      } else {
        mode = 'reset';
        this.a = astart;
        this.dt *= fdec;
        this.downhillSteps = 0;
      }
    }
    const dt = this.dt;
    let step2 = 0;
    for (const i of moving) {
      const g = G[i]!;
      const v = this.velocity[i];
      // One loop per mode (the branch stays out of the loop); per element: mix or reset, then accelerate.
      if (mode === 'mix') {
        for (let d = 0; d < g.length; d++) {
          const gd = Math.fround(scale * g[d]);
          const vd = keep * v[d] - mix * gd - dt * gd;
          v[d] = vd;
          step2 += (dt * vd) ** 2;
        }
      } else {
        const reset = mode === 'reset';
        for (let d = 0; d < g.length; d++) {
          const vd = (reset ? 0 : v[d]) - dt * Math.fround(scale * g[d]);
          v[d] = vd;
          step2 += (dt * vd) ** 2;
        }
      }
    }
    const length = Math.sqrt(step2);
    const factor = length > this.config.maxstep ? this.config.maxstep / length : 1;
    let sum = 0;
    pivots.forEach((p, i) => {
      const out = into[i];
      if (!G[i]) {
        if (out !== p) out.set(p);
        return;
      }
      const v = this.velocity![i];
      const scaled = factor * dt;
      for (let d = 0; d < p.length; d++) {
        out[d] = p[d] + scaled * v[d];
        sum += out[d];
      }
    });
    return sum;
  }

  remap(_origins: readonly PivotOrigin[]): void {
    this.velocity = null;
    this.dt = this.config.dt;
    this.a = this.config.astart;
    this.downhillSteps = 0;
  }
}

const OPTIMIZERS = namedTable<(config: OptimizerConfig) => PathOptimizer>('optimizer', {
  sgd: (config) => new SgdMomentum(config),
  adam: (config) => new Adam(config),
  fire: (config) => new Fire(config),
} satisfies Record<OptimizerName, (config: OptimizerConfig) => PathOptimizer>);

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

export function createOptimizer(config: Partial<OptimizerConfig> = {}): PathOptimizer {
  const full = { ...DEFAULT_OPTIMIZER, ...config };
  validateOptimizerConfig(full);
  return OPTIMIZERS.get(full.name, 'optimizer.name')(full);
}

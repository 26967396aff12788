/**
 * Optimisers for the path, with state per pivot: SGD with momentum and weight decay (the
 * paper's, with PyTorch's conventions: buffer = momentum * buffer + (grad + wd * p);
 * p -= lr * buffer) and Adam (Kingma & Ba 2015, L2 weight decay added to the gradient as torch's
 * Adam does). The learning rate is passed per step so a cycle's schedule stays outside.
 *
 * State follows the pivot index. When the string method redistributes, pivots slide along the
 * path by a small amount and keep their state. When pivots are inserted, `remap` gives each new
 * pivot the state interpolated between its two neighbours (at the insertion fraction), so a new
 * pivot inherits the motion of the part of the path it was cut from.
 */
import type { Vector } from '../energy';
import { InvalidInputError } from '../errors';
import { namedTable } from '../strategies';

export const OPTIMIZER_NAMES = ['sgd', 'adam'] as const;
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
}

export const DEFAULT_OPTIMIZER: OptimizerConfig = {
  name: 'sgd',
  momentum: 0.9,
  weightDecay: 1e-4,
  beta1: 0.9,
  beta2: 0.999,
  epsilon: 1e-8,
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
    const { momentum, weightDecay } = this.config;
    pivots.forEach((p, i) => {
      const g = gradients[i];
      if (!g) return;
      const { vectors, count } = this.state.advance(i, p.length);
      const buffer = vectors[0];
      for (let d = 0; d < p.length; d++) {
        const grad = g[d] + weightDecay * p[d];
        // torch: the first step initialises the buffer with the gradient itself.
        buffer[d] = count === 1 ? grad : momentum * buffer[d] + grad;
        p[d] -= learningRate * buffer[d];
      }
    });
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
    const { beta1, beta2, epsilon, weightDecay } = this.config;
    pivots.forEach((p, i) => {
      const g = gradients[i];
      if (!g) return;
      const { vectors, count } = this.state.advance(i, p.length);
      const [m, v] = vectors;
      const correction1 = 1 - beta1 ** count;
      const correction2 = 1 - beta2 ** count;
      for (let d = 0; d < p.length; d++) {
        const grad = g[d] + weightDecay * p[d];
        m[d] = beta1 * m[d] + (1 - beta1) * grad;
        v[d] = beta2 * v[d] + (1 - beta2) * grad * grad;
        p[d] -= (learningRate * (m[d] / correction1)) / (Math.sqrt(v[d] / correction2) + epsilon);
      }
    });
  }

  remap(origins: readonly PivotOrigin[]): void {
    this.state.remap(origins);
  }
}

const OPTIMIZERS = namedTable<(config: OptimizerConfig) => PathOptimizer>('optimizer', {
  sgd: (config) => new SgdMomentum(config),
  adam: (config) => new Adam(config),
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
}

export function createOptimizer(config: Partial<OptimizerConfig> = {}): PathOptimizer {
  const full = { ...DEFAULT_OPTIMIZER, ...config };
  validateOptimizerConfig(full);
  return OPTIMIZERS.get(full.name, 'optimizer.name')(full);
}

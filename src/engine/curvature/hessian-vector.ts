/**
 * Hessian-vector products by central differences of gradients, Hv ~ (g(θ+hv) - g(θ-hv)) / 2h,
 * over any deterministic gradient. Nested autodiff is not used: tfjs's second derivatives throw
 * or are wrong inside MLPs (ARCHITECTURE.md §5). The step h is relative to ||θ|| (docs/curvature.md
 * has the float32 measurements behind the default).
 */
import { NonFiniteEnergyError, type Energy, type Vector } from '../energy';
import { InvalidInputError } from '../errors';

/**
 * Gradients at points, deterministically: the same point always gives the same gradient (a neural
 * loss on ONE fixed batch, an analytic surface). `dimension` coordinates per point.
 */
export interface GradientSource {
  readonly dimension: number;
  gradients(points: readonly Vector[]): Promise<Vector[]>;
}

/**
 * A deterministic Energy (an analytic surface) as a gradient source. A stochastic energy draws a
 * fresh batch per call and would make the differences meaningless: give it a fixed-batch source.
 */
export function energyGradients(energy: Energy): GradientSource {
  return {
    dimension: energy.dimension,
    async gradients(points) {
      const result = await energy.lossAndGradient(points);
      return result.gradients.map((g) => Float32Array.from(g));
    },
  };
}

/** Default step relative to ||θ||: 1e-4 lost digits to float32 rounding, 1e-2 crossed ReLU kinks. */
export const DEFAULT_RELATIVE_STEP = 1e-3;

/** Most points sent to the gradient source in one call (each product needs two). */
const POINTS_PER_CALL = 32;

export class HessianVectorProducts {
  /** Gradient evaluations spent so far (two per product). */
  evaluations = 0;
  /** The absolute step h. */
  readonly step: number;
  readonly dimension: number;

  constructor(
    private readonly source: GradientSource,
    readonly theta: Vector,
    relativeStep = DEFAULT_RELATIVE_STEP,
  ) {
    if (theta.length !== source.dimension) throw new InvalidInputError('theta', `expected ${source.dimension} coordinates, got ${theta.length}`);
    if (!(relativeStep > 0 && relativeStep < 1)) throw new InvalidInputError('relativeStep', `must be in (0, 1), got ${relativeStep}`);
    this.dimension = source.dimension;
    let squares = 0;
    for (const x of theta) squares += x * x;
    // At θ = 0 the scale is 1, so a step still exists.
    this.step = relativeStep * Math.max(Math.sqrt(squares), 1);
  }

  /** H v for each v (any length: each is normalised for the difference and scaled back). */
  async apply(vectors: readonly Float64Array[]): Promise<Float64Array[]> {
    const out: Float64Array[] = [];
    const perCall = Math.max(1, Math.floor(POINTS_PER_CALL / 2));
    for (let from = 0; from < vectors.length; from += perCall) {
      const some = vectors.slice(from, from + perCall);
      const points: Vector[] = [];
      const norms = some.map((v) => {
        if (v.length !== this.dimension) throw new InvalidInputError('vector', `expected ${this.dimension} coordinates, got ${v.length}`);
        let squares = 0;
        for (const x of v) squares += x * x;
        const n = Math.sqrt(squares);
        const h = n > 0 ? this.step / n : 0;
        const plus = new Float32Array(this.dimension);
        const minus = new Float32Array(this.dimension);
        for (let i = 0; i < this.dimension; i++) {
          plus[i] = this.theta[i] + h * v[i];
          minus[i] = this.theta[i] - h * v[i];
        }
        points.push(plus, minus);
        return n;
      });
      const gradients = await this.source.gradients(points);
      this.evaluations += points.length;
      some.forEach((_, k) => {
        const hv = new Float64Array(this.dimension);
        if (norms[k] > 0) {
          const plus = gradients[2 * k];
          const minus = gradients[2 * k + 1];
          const scale = norms[k] / (2 * this.step);
          let sum = 0;
          for (let i = 0; i < this.dimension; i++) sum += hv[i] = (plus[i] - minus[i]) * scale;
          if (!Number.isFinite(sum)) throw new NonFiniteEnergyError('gradient', from + k, 'in a Hessian-vector product');
        }
        out.push(hv);
      });
    }
    return out;
  }

  async applyOne(v: Float64Array): Promise<Float64Array> {
    return (await this.apply([v]))[0];
  }
}

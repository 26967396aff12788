/** Shared helpers for the engine tests: independent references (Newton saddles), toy energies. */
import type { Energy, LossAndGradient, Vector } from '../../src/engine/energy';
import { Random } from '../../src/engine/random';
import type { AnalyticSurface } from '../../src/engine/surfaces';

/** Critical point of a surface by Newton's method on its gradient (Hessian by central differences). */
export function newtonCriticalPoint(surface: AnalyticSurface, x0: number, y0: number): { x: number; y: number; energy: number; gradientNorm: number; hessianEigenvalues: [number, number] } {
  let x = x0;
  let y = y0;
  for (let iteration = 0; iteration < 100; iteration++) {
    const [gx, gy] = surface.gradient(x, y);
    const [[a, b], [c, d]] = hessian(surface, x, y);
    const det = a * d - b * c;
    const dx = -(d * gx - b * gy) / det;
    const dy = -(-c * gx + a * gy) / det;
    x += dx;
    y += dy;
    if (Math.hypot(dx, dy) < 1e-13) break;
  }
  const [gx, gy] = surface.gradient(x, y);
  const [[a, b], [, d]] = hessian(surface, x, y);
  const mean = (a + d) / 2;
  const spread = Math.sqrt(((a - d) / 2) ** 2 + b * b);
  return { x, y, energy: surface.value(x, y), gradientNorm: Math.hypot(gx, gy), hessianEigenvalues: [mean - spread, mean + spread] };
}

/** Hessian by central differences of the analytic gradient (symmetrised). */
export function hessian(surface: AnalyticSurface, x: number, y: number, h = 1e-5): [[number, number], [number, number]] {
  const [gxXp, gyXp] = surface.gradient(x + h, y);
  const [gxXm, gyXm] = surface.gradient(x - h, y);
  const [gxYp, gyYp] = surface.gradient(x, y + h);
  const [gxYm, gyYm] = surface.gradient(x, y - h);
  const offDiagonal = ((gyXp - gyXm) / (2 * h) + (gxYp - gxYm) / (2 * h)) / 2;
  return [
    [(gxXp - gxXm) / (2 * h), offDiagonal],
    [offDiagonal, (gyYp - gyYm) / (2 * h)],
  ];
}

/** An energy from plain functions, optionally counting calls. */
export class FunctionEnergy implements Energy {
  calls = 0;

  constructor(
    readonly name: string,
    readonly dimension: number,
    private readonly f: (p: Vector) => number,
    private readonly g: (p: Vector) => number[],
  ) {}

  async lossAndGradient(points: readonly Vector[]): Promise<LossAndGradient> {
    this.calls++;
    return { losses: points.map(this.f), gradients: points.map((p) => Float32Array.from(this.g(p))) };
  }

  async loss(points: readonly Vector[]): Promise<number[]> {
    return points.map(this.f);
  }
}

/** Exact equality of two lists of float32 vectors, bit for bit. */
export function sameBits(a: readonly Vector[], b: readonly Vector[]): boolean {
  return a.length === b.length && a.every((p, i) => Buffer.from(p.buffer, p.byteOffset, p.byteLength).equals(Buffer.from(b[i].buffer, b[i].byteOffset, b[i].byteLength)));
}

export function close(actual: number, expected: number, tolerance: number, what = ''): void {
  if (!(Math.abs(actual - expected) <= tolerance)) {
    throw new Error(`${what} expected ${expected} +- ${tolerance}, got ${actual} (off by ${actual - expected})`);
  }
}

export function closeVector(actual: ArrayLike<number>, expected: ArrayLike<number>, tolerance: number, what = ''): void {
  if (actual.length !== expected.length) throw new Error(`${what} length ${actual.length} != ${expected.length}`);
  for (let i = 0; i < actual.length; i++) close(actual[i], expected[i], tolerance, `${what}[${i}]`);
}

/**
 * A surface with its energy multiplied by `energyFactor` and its coordinates by `lengthFactor`:
 * E'(x) = energyFactor * E(x / lengthFactor). Optional seeded noise on every lossAndGradient call
 * (a stand-in for mini-batch losses): loss + sigma_E N(0, 1), gradient + sigma_g N(0, 1) per
 * coordinate; `loss` (the evaluation set) stays exact.
 */
export class TransformedSurface implements Energy {
  readonly dimension = 2;
  readonly name: string;
  readonly stochastic: boolean;
  private readonly random: Random;

  constructor(
    private readonly surface: AnalyticSurface,
    private readonly energyFactor = 1,
    private readonly lengthFactor = 1,
    private readonly noise: { seed: number; energy: number; gradient: number } | null = null,
  ) {
    this.name = `${surface.name} (energy x ${energyFactor}, length x ${lengthFactor}${noise ? ', noisy' : ''})`;
    this.stochastic = noise !== null;
    this.random = new Random(noise?.seed ?? 0);
  }

  point(x: number, y: number): Vector {
    return Float32Array.of(x * this.lengthFactor, y * this.lengthFactor);
  }

  minimum(index: number): Vector {
    const m = this.surface.minima[index];
    return this.point(m.x, m.y);
  }

  private value(p: Vector): number {
    return this.energyFactor * this.surface.value(p[0] / this.lengthFactor, p[1] / this.lengthFactor);
  }

  async lossAndGradient(points: readonly Vector[]): Promise<LossAndGradient> {
    const noise = this.noise;
    const n = () => (noise ? this.random.normal() : 0);
    const losses = points.map((p) => this.value(p) + (noise ? noise.energy * n() : 0));
    const gradients = points.map((p) => {
      const [gx, gy] = this.surface.gradient(p[0] / this.lengthFactor, p[1] / this.lengthFactor);
      const f = this.energyFactor / this.lengthFactor;
      return Float32Array.of(f * gx + (noise ? noise.gradient * n() : 0), f * gy + (noise ? noise.gradient * n() : 0));
    });
    return { losses, gradients };
  }

  async loss(points: readonly Vector[]): Promise<number[]> {
    return points.map((p) => this.value(p));
  }
}

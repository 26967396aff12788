/**
 * Analytic 2-D energies with known answers, for tests and demos. Each is an Energy (so every
 * algorithm runs on it unchanged) plus a plot box and its minima. The minima were found by
 * `minimize` from a grid of starts and are re-checked by test/engine/surfaces.test.ts.
 */
import type { Energy, LossAndGradient, Vector } from './energy';
import { InvalidInputError } from './errors';
import { namedTable } from './strategies';
import type { Random } from './random';

export interface PlotBox {
  readonly xmin: number;
  readonly xmax: number;
  readonly ymin: number;
  readonly ymax: number;
}

export interface SurfaceMinimum {
  readonly x: number;
  readonly y: number;
  readonly energy: number;
}

export interface SurfaceDefinition {
  readonly name: string;
  /** One line: what the surface is and where it comes from. */
  readonly description: string;
  readonly box: PlotBox;
  readonly minima: readonly SurfaceMinimum[];
  value(x: number, y: number): number;
  gradient(x: number, y: number): [number, number];
}

/** A deterministic 2-D energy computed in float64 from the float32 coordinates. */
export class AnalyticSurface implements Energy {
  readonly dimension = 2;
  readonly name: string;
  readonly description: string;
  readonly box: PlotBox;
  readonly minima: readonly SurfaceMinimum[];

  constructor(private readonly definition: SurfaceDefinition) {
    this.name = definition.name;
    this.description = definition.description;
    this.box = definition.box;
    this.minima = definition.minima;
  }

  value(x: number, y: number): number {
    return this.definition.value(x, y);
  }

  gradient(x: number, y: number): [number, number] {
    return this.definition.gradient(x, y);
  }

  /** The i-th known minimum as a point. */
  minimum(i: number): Vector {
    const m = this.minima[i];
    if (!m) throw new InvalidInputError('minimum', `${this.name} has ${this.minima.length} minima, no index ${i}`);
    return Float32Array.of(m.x, m.y);
  }

  async lossAndGradient(points: readonly Vector[]): Promise<LossAndGradient> {
    const losses = points.map((p) => this.value(p[0], p[1]));
    const gradients = points.map((p) => Float32Array.from(this.gradient(p[0], p[1])));
    return { losses, gradients };
  }

  async loss(points: readonly Vector[]): Promise<number[]> {
    return points.map((p) => this.value(p[0], p[1]));
  }
}

// Müller & Brown, Theor. Chim. Acta 53 (1979) 75: sum of four Gaussians.
const MB = {
  A: [-200, -100, -170, 15],
  a: [-1, -1, -6.5, 0.7],
  b: [0, 0, 11, 0.6],
  c: [-10, -10, -6.5, 0.7],
  x0: [1, 0, -0.5, -1],
  y0: [0, 0.5, 1.5, 1],
};

/** Müller-Brown: 3 minima, 2 saddles; the path between the two deepest minima passes the third. */
export const mullerBrown = new AnalyticSurface({
  name: 'muller-brown',
  description: 'Müller-Brown potential (Theor. Chim. Acta 1979): 3 minima, 2 saddles, curved MEP',
  box: { xmin: -1.5, xmax: 1.2, ymin: -0.5, ymax: 2 },
  minima: [
    { x: -0.5582237, y: 1.4417257, energy: -146.6995172 },
    { x: 0.6234993, y: 0.0280377, energy: -108.1667241 },
    { x: -0.050011, y: 0.4666942, energy: -80.7678181 },
  ],
  value(x, y) {
    let v = 0;
    for (let k = 0; k < 4; k++) {
      const dx = x - MB.x0[k];
      const dy = y - MB.y0[k];
      v += MB.A[k] * Math.exp(MB.a[k] * dx * dx + MB.b[k] * dx * dy + MB.c[k] * dy * dy);
    }
    return v;
  },
  gradient(x, y) {
    let gx = 0;
    let gy = 0;
    for (let k = 0; k < 4; k++) {
      const dx = x - MB.x0[k];
      const dy = y - MB.y0[k];
      const e = MB.A[k] * Math.exp(MB.a[k] * dx * dx + MB.b[k] * dx * dy + MB.c[k] * dy * dy);
      gx += e * (2 * MB.a[k] * dx + MB.b[k] * dy);
      gy += e * (MB.b[k] * dx + 2 * MB.c[k] * dy);
    }
    return [gx, gy];
  },
});

/** Himmelblau (1972): four minima of energy 0, four saddles, one maximum. */
export const himmelblau = new AnalyticSurface({
  name: 'himmelblau',
  description: "Himmelblau's function (x^2+y-11)^2+(x+y^2-7)^2: 4 minima at energy 0, 4 saddles",
  box: { xmin: -5, xmax: 5, ymin: -5, ymax: 5 },
  minima: [
    { x: 3, y: 2, energy: 0 },
    { x: -2.8051181, y: 3.1313121, energy: 0 },
    { x: -3.7793102, y: -3.2831862, energy: 0 },
    { x: 3.5844276, y: -1.8481266, energy: 0 },
  ],
  value(x, y) {
    return (x * x + y - 11) ** 2 + (x + y * y - 7) ** 2;
  },
  gradient(x, y) {
    const p = x * x + y - 11;
    const q = x + y * y - 7;
    return [4 * x * p + 2 * q, 2 * p + 4 * y * q];
  },
});

/** Wolfe-Quapp (Quapp, J. Theor. Comput. Chem. 2003): tilted double well in x and y, 3 minima. */
export const wolfeQuapp = new AnalyticSurface({
  name: 'wolfe-quapp',
  description: 'Wolfe-Quapp surface x^4+y^4-2x^2-4y^2+xy+0.3x+0.1y: 3 minima, several saddles',
  box: { xmin: -2, xmax: 2, ymin: -2, ymax: 2 },
  minima: [
    { x: -1.174057, y: 1.4770887, energy: -6.7624526 },
    { x: 1.1240991, y: -1.4852707, energy: -6.3689565 },
    { x: -0.8219072, y: -1.3667234, energy: -4.1372031 },
  ],
  value(x, y) {
    return x ** 4 + y ** 4 - 2 * x * x - 4 * y * y + x * y + 0.3 * x + 0.1 * y;
  },
  gradient(x, y) {
    return [4 * x ** 3 - 4 * x + y + 0.3, 4 * y ** 3 - 8 * y + x + 0.1];
  },
});

/**
 * A curved valley made for this project: a ring of radius 1 (walls 5 (r^2-1)^2), tilted so that
 * the two minima near (+-1, 0) are joined by two routes around the ring with saddles of
 * different height near (0, -1) and (0, 1), while the straight line crosses a maximum at the origin.
 */
export const curvedValley = new AnalyticSurface({
  name: 'curved-valley',
  description: 'ring valley 5(x^2+y^2-1)^2+y^2+0.3y+0.2x: 2 minima, 2 saddles, straight line over a maximum',
  box: { xmin: -1.6, xmax: 1.6, ymin: -1.6, ymax: 1.6 },
  minima: [
    { x: -0.9957187, y: -0.136343, energy: -0.2209527 },
    { x: 0.9807616, y: -0.1670721, energy: 0.1744633 },
  ],
  value(x, y) {
    return 5 * (x * x + y * y - 1) ** 2 + y * y + 0.3 * y + 0.2 * x;
  },
  gradient(x, y) {
    const ring = 20 * (x * x + y * y - 1);
    return [ring * x + 0.2, ring * y + 2 * y + 0.3];
  },
});

export const SURFACES: Readonly<Record<string, AnalyticSurface>> = {
  [mullerBrown.name]: mullerBrown,
  [himmelblau.name]: himmelblau,
  [wolfeQuapp.name]: wolfeQuapp,
  [curvedValley.name]: curvedValley,
};

const SURFACE_TABLE = namedTable('surface', SURFACES);

export function getSurface(name: string, field = 'surface'): AnalyticSurface {
  return SURFACE_TABLE.get(name, field);
}

/** A uniformly random point in the box, from a seeded Random. */
export function randomPointInBox(box: PlotBox, random: Random): Vector {
  return Float32Array.of(box.xmin + random.uniform() * (box.xmax - box.xmin), box.ymin + random.uniform() * (box.ymax - box.ymin));
}

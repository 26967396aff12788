/**
 * NEB methods behind one interface, chosen by name (as ASE's NEBMethod / get_neb_method):
 *
 * - `string` (default, the paper's choice): nudged loss force only (-grad perpendicular to the
 *   tangent), no spring force; after every optimiser step the pivots are re-placed at equal arc
 *   length along the piecewise-linear path ("spring constant = infinity").
 * - `improved-tangent`: Henkelman & Jónsson 2000 NEB: -grad perpendicular plus a spring force
 *   k (|R[i+1]-R[i]| - |R[i]-R[i-1]|) along the tangent.
 * - `elastic-band`: the plain mechanical model of the paper's eq. (1), un-nudged: the full
 *   -grad plus the spring force k (R[i+1] - 2 R[i] + R[i-1]) (cuts corners; for comparison).
 *
 * Any of them can climb: the highest interior pivot then feels -grad + 2 (grad . tau) tau (no
 * spring), i.e. it descends perpendicular to the path and ascends along it, towards the saddle.
 */
import type { Vector } from '../energy';
import { InvalidInputError } from '../errors';
import { namedTable } from '../strategies';
import { redistributeEqually } from '../path';
import { distance, dot, subtract } from '../vector';
import { improvedTangentInto } from './tangent';

export const NEB_METHOD_NAMES = ['string', 'improved-tangent', 'elastic-band'] as const;
export type NebMethodName = (typeof NEB_METHOD_NAMES)[number];

export interface NebMethodOptions {
  /** Spring stiffness k for `improved-tangent` and `elastic-band` (ignored by `string`). */
  readonly springConstant?: number;
}

export interface NebForceInput {
  readonly pivots: readonly Vector[];
  readonly energies: readonly number[];
  readonly gradients: readonly Vector[];
  /** Index of the climbing pivot, or -1 for none. */
  readonly climbing: number;
}

export interface NebForces {
  /** Force on every pivot; the two endpoints are fixed and get zero vectors. */
  readonly forces: Vector[];
  /** Unit tangent at every interior pivot (zero vectors at the endpoints). */
  readonly tangents: Vector[];
  /** |grad - (grad . tau) tau| per pivot (0 at the endpoints). */
  readonly perpendicularGradientNorms: number[];
  /** |force| per pivot (0 at the endpoints); the climbing pivot's is its full |grad|. */
  readonly forceNorms: number[];
}

/** A caller's buffers for the forces and tangents of a band (one Float32Array per pivot each). */
export interface NebForceBuffers {
  readonly forces: Float32Array[];
  readonly tangents: Float32Array[];
}

export interface NebMethod {
  readonly name: NebMethodName;
  /** Forces and tangents, written into `into` when given (else new vectors). */
  forces(input: NebForceInput, into?: NebForceBuffers): NebForces;
  /**
   * Re-parametrisation after an optimiser step; `fixed` pivots (climbing) stay put. The result is
   * `pivots` itself when the method moves nothing, else new vectors, or `into` when given.
   */
  redistribute(pivots: readonly Vector[], fixed: readonly number[], into?: Float32Array[]): Vector[];
}

/** The highest interior pivot (first on ties), or -1 if the path has no interior pivot. */
export function highestInteriorPivot(energies: readonly number[]): number {
  let best = -1;
  for (let i = 1; i < energies.length - 1; i++) if (best < 0 || energies[i] > energies[best]) best = i;
  return best;
}

abstract class NudgedMethod implements NebMethod {
  abstract readonly name: NebMethodName;

  forces({ pivots, energies, gradients, climbing }: NebForceInput, into?: NebForceBuffers): NebForces {
    const n = pivots.length;
    const dimension = pivots[0].length;
    // The chord is the tangent's last fallback: built only if needed (it costs a vector per step).
    let chord: Vector | undefined;
    const chordOf = () => (chord ??= subtract(pivots[n - 1], pivots[0]));
    // The end pivots have no tangent: one shared zero vector.
    const ends = into ? into.tangents[0].fill(0) : new Float32Array(dimension);
    const forces: Vector[] = into ? into.forces : pivots.map(() => new Float32Array(dimension));
    const tangents: Vector[] = pivots.map(() => ends);
    const perpendicular = new Array<number>(n).fill(0);
    const forceNorms = new Array<number>(n).fill(0);
    forces[0].fill(0);
    forces[n - 1].fill(0);
    // Three passes over D per pivot: the tangent's blend, its scaling with grad . tau, the force.
    for (let i = 1; i < n - 1; i++) {
      const tau = into ? into.tangents[i] : new Float32Array(dimension);
      const g = gradients[i];
      const along = improvedTangentInto(tau, pivots[i - 1], pivots[i], pivots[i + 1], energies[i - 1], energies[i], energies[i + 1], chordOf, g);
      tangents[i] = tau;
      let perp2 = 0;
      let force2 = 0;
      const force = forces[i];
      const spring = i !== climbing && this.hasSpring;
      for (let d = 0; d < dimension; d++) {
        const gPerp = g[d] - along * tau[d];
        perp2 += gPerp * gPerp;
        force[d] = i === climbing ? -g[d] + 2 * along * tau[d] : this.loss(g[d], gPerp);
        force2 += force[d] * force[d];
      }
      perpendicular[i] = Math.sqrt(perp2);
      if (spring) {
        this.addSpring(force, pivots, i, tau);
        force2 = dot(force, force);
      }
      forceNorms[i] = Math.sqrt(force2);
    }
    return { forces, tangents, perpendicularGradientNorms: perpendicular, forceNorms };
  }

  redistribute(pivots: readonly Vector[], _fixed: readonly number[]): Vector[] {
    return pivots.map((p) => p);
  }

  /** Loss force component from the full and the perpendicular gradient component. */
  protected loss(_g: number, gPerp: number): number {
    return -gPerp;
  }

  /** Whether addSpring adds anything (the string method's does not). */
  protected readonly hasSpring: boolean = true;

  protected abstract addSpring(force: Vector, pivots: readonly Vector[], i: number, tau: Vector): void;
}

class StringMethod extends NudgedMethod {
  readonly name = 'string' as const;
  protected override readonly hasSpring = false;

  protected addSpring(): void {
    // The string method has no spring force: spacing is enforced by redistribute().
  }

  override redistribute(pivots: readonly Vector[], fixed: readonly number[], into?: Float32Array[]): Vector[] {
    return redistributeEqually(pivots, fixed, into);
  }
}

class ImprovedTangentMethod extends NudgedMethod {
  readonly name = 'improved-tangent' as const;

  constructor(private readonly k: number) {
    super();
  }

  protected addSpring(force: Vector, pivots: readonly Vector[], i: number, tau: Vector): void {
    const magnitude = this.k * (distance(pivots[i + 1], pivots[i]) - distance(pivots[i], pivots[i - 1]));
    for (let d = 0; d < force.length; d++) force[d] += magnitude * tau[d];
  }
}

class ElasticBandMethod extends NudgedMethod {
  readonly name = 'elastic-band' as const;

  constructor(private readonly k: number) {
    super();
  }

  protected override loss(g: number): number {
    return -g;
  }

  protected addSpring(force: Vector, pivots: readonly Vector[], i: number): void {
    for (let d = 0; d < force.length; d++) force[d] += this.k * (pivots[i + 1][d] - 2 * pivots[i][d] + pivots[i - 1][d]);
  }
}

const NEB_METHODS = namedTable<(springConstant: number) => NebMethod>('NEB method', {
  string: () => new StringMethod(),
  'improved-tangent': (k) => new ImprovedTangentMethod(k),
  'elastic-band': (k) => new ElasticBandMethod(k),
} satisfies Record<NebMethodName, (springConstant: number) => NebMethod>);

/** The NEB method of the given name (the factory the AutoNEB config resolves through). */
export function getNebMethod(name: string, options: NebMethodOptions = {}): NebMethod {
  const k = options.springConstant ?? 1;
  if (name !== 'string' && !(k > 0 && Number.isFinite(k))) {
    throw new InvalidInputError('springConstant', `must be a finite number > 0, got ${k}`);
  }
  return NEB_METHODS.get(name, 'method')(k);
}

/** Largest NEB force over the interior pivots, the climbing pivot's full gradient included. */
export function maxForce(forces: NebForces): number {
  return Math.max(0, ...forces.forceNorms);
}

/** Largest perpendicular gradient norm over the interior pivots. */
export function maxPerpendicularGradient(forces: NebForces): number {
  return Math.max(0, ...forces.perpendicularGradientNorms);
}

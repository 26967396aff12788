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
import { redistributeEquallyPhases } from '../path';
import { FORCE_KINDS, runLocally, type KernelTask, type Phases } from './kernels';

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
  /** forces() as phases of per-pivot kernels (see kernels.ts), for running them elsewhere. */
  forcePhases(input: NebForceInput, into?: NebForceBuffers): Phases<NebForces>;
  /**
   * Re-parametrisation after an optimiser step; `fixed` pivots (climbing) stay put. The result is
   * `pivots` itself when the method moves nothing, else new vectors, or `into` when given.
   */
  redistribute(pivots: readonly Vector[], fixed: readonly number[], into?: Float32Array[]): Vector[];
  /** redistribute() as phases of per-pivot kernels. */
  redistributePhases(pivots: readonly Vector[], fixed: readonly number[], into?: Float32Array[]): Phases<Vector[]>;
}

/** The highest interior pivot (first on ties), or -1 if the path has no interior pivot. */
export function highestInteriorPivot(energies: readonly number[]): number {
  let best = -1;
  for (let i = 1; i < energies.length - 1; i++) if (best < 0 || energies[i] > energies[best]) best = i;
  return best;
}

/** The three methods differ per pivot only (the force kernel's kind) and in the re-parametrisation. */
class NudgedMethod implements NebMethod {
  constructor(
    readonly name: NebMethodName,
    private readonly k: number,
  ) {}

  forces(input: NebForceInput, into?: NebForceBuffers): NebForces {
    return runLocally(this.forcePhases(input, into));
  }

  *forcePhases({ pivots, energies, gradients, climbing }: NebForceInput, into?: NebForceBuffers): Phases<NebForces> {
    const n = pivots.length;
    const dimension = pivots[0].length;
    // The end pivots have no tangent: one shared zero vector.
    const ends = into ? into.tangents[0].fill(0) : new Float32Array(dimension);
    const forces: Vector[] = into ? into.forces : pivots.map(() => new Float32Array(dimension));
    const tangents: Vector[] = pivots.map((_, i) => (i === 0 || i === n - 1 ? ends : into ? into.tangents[i] : new Float32Array(dimension)));
    forces[0].fill(0);
    forces[n - 1].fill(0);
    const kind = FORCE_KINDS[this.name];
    const tasks: KernelTask[] = [];
    for (let i = 1; i < n - 1; i++) {
      tasks.push({
        kernel: 'force',
        views: [pivots[i - 1], pivots[i], pivots[i + 1], gradients[i], tangents[i], forces[i], pivots[0], pivots[n - 1]],
        scalars: [kind, this.k, energies[i - 1], energies[i], energies[i + 1], i === climbing ? 1 : 0],
      });
    }
    const norms = yield tasks;
    const perpendicular = new Array<number>(n).fill(0);
    const forceNorms = new Array<number>(n).fill(0);
    norms.forEach(([perp, force], t) => {
      perpendicular[t + 1] = perp;
      forceNorms[t + 1] = force;
    });
    return { forces, tangents, perpendicularGradientNorms: perpendicular, forceNorms };
  }

  redistribute(pivots: readonly Vector[], fixed: readonly number[], into?: Float32Array[]): Vector[] {
    return runLocally(this.redistributePhases(pivots, fixed, into));
  }

  *redistributePhases(pivots: readonly Vector[], fixed: readonly number[], into?: Float32Array[]): Phases<Vector[]> {
    // The string method's spacing is its re-parametrisation ("spring constant = infinity"); the others move nothing.
    if (this.name === 'string') return yield* redistributeEquallyPhases(pivots, fixed, into);
    return pivots.map((p) => p);
  }
}

const NEB_METHODS = namedTable<(springConstant: number) => NebMethod>('NEB method', {
  string: () => new NudgedMethod('string', 0),
  'improved-tangent': (k) => new NudgedMethod('improved-tangent', k),
  'elastic-band': (k) => new NudgedMethod('elastic-band', k),
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

/**
 * The NEB step's per-pivot work as small pure kernels over typed-array views, and the drivers that
 * run a step written as phases of them. A step (forces, optimiser, re-parametrisation) is a
 * generator: it yields a phase (one task per pivot: a kernel, its vectors, its scalars), receives
 * each task's few scalars back, and sums or judges them on the calling thread in pivot order.
 * `runLocally` runs the tasks in a loop; `runPhasesOn` hands them to a KernelRunner (the pool's
 * workers, which map the same shared memory), so both give the same pivots bit for bit and only
 * scalars cross threads.
 */
import type { Vector } from '../energy';
import { distance, dot, lerpInto, subtract } from '../vector';
import { improvedTangentInto } from './tangent';

export type View = Float32Array | Float64Array;

/** Where a step keeps its vectors: ordinary memory, or SharedArrayBuffers a KernelRunner's threads also map. */
export type Memory = 'local' | 'shared';

export function float32(length: number, memory: Memory): Float32Array {
  return memory === 'shared' ? new Float32Array(new SharedArrayBuffer(length * 4)) : new Float32Array(length);
}

export function float64(length: number, memory: Memory): Float64Array {
  return memory === 'shared' ? new Float64Array(new SharedArrayBuffer(length * 8)) : new Float64Array(length);
}

/** NEB methods' force kinds, in the kernels' numbering (see methods.ts). */
export const FORCE_KINDS = { string: 0, 'improved-tangent': 1, 'elastic-band': 2 } as const;

/** Velocity modes of FIRE's velocity kernel. */
export const FIRE_MODES = { keep: 0, mix: 1, reset: 2 } as const;

type Kernel = (views: readonly View[], scalars: readonly number[]) => number[];

const KERNELS = {
  /**
   * NEB force on pivot i from pivots i-1, i, i+1 and the energies: the improved tangent (into
   * `tau`), the nudged force (into `force`) and, for the spring methods, the spring.
   * views [prev, current, next, gradient, tau, force, first, last] (first/last: the chord fallback),
   * scalars [kind, k, energyPrev, energy, energyNext, climbing 0/1] -> [|grad perp|, |force|].
   */
  force: (views, [kind, k, energyPrev, energy, energyNext, climbing]) => {
    const [prev, current, next, g, tau, force, first, last] = views as readonly Vector[];
    const along = improvedTangentInto(tau, prev, current, next, energyPrev, energy, energyNext, () => subtract(last, first), g);
    const climbs = climbing === 1;
    const elastic = kind === FORCE_KINDS['elastic-band'];
    let perp2 = 0;
    let force2 = 0;
    for (let d = 0; d < force.length; d++) {
      const gPerp = g[d] - along * tau[d];
      perp2 += gPerp * gPerp;
      force[d] = climbs ? -g[d] + 2 * along * tau[d] : elastic ? -g[d] : -gPerp;
      force2 += force[d] * force[d];
    }
    if (!climbs && kind !== FORCE_KINDS.string) {
      if (elastic) {
        for (let d = 0; d < force.length; d++) force[d] += k * (next[d] - 2 * current[d] + prev[d]);
      } else {
        const magnitude = k * (distance(next, current) - distance(current, prev));
        for (let d = 0; d < force.length; d++) force[d] += magnitude * tau[d];
      }
      force2 = dot(force, force);
    }
    return [Math.sqrt(perp2), Math.sqrt(force2)];
  },
  /** SGD with momentum (torch), gradient fround(scale x G): views [p, G, buffer, out], scalars [scale, lr, first 0/1, momentum, weightDecay] -> [sum of out]. */
  sgd: ([p, G, buffer, out], [scale, learningRate, first, momentum, weightDecay]) => {
    let sum = 0;
    for (let d = 0; d < p.length; d++) {
      const grad = Math.fround(scale * G[d]) + weightDecay * p[d];
      // torch: the first step initialises the buffer with the gradient itself.
      buffer[d] = first === 1 ? grad : momentum * buffer[d] + grad;
      out[d] = p[d] - learningRate * buffer[d];
      sum += out[d];
    }
    return [sum];
  },
  /** Adam (L2 decay as torch): views [p, G, m, v, out], scalars [scale, lr, beta1, beta2, epsilon, weightDecay, count] -> [sum of out]. */
  adam: ([p, G, m, v, out], [scale, learningRate, beta1, beta2, epsilon, weightDecay, count]) => {
    const correction1 = 1 - beta1 ** count;
    const correction2 = 1 - beta2 ** count;
    let sum = 0;
    for (let d = 0; d < p.length; d++) {
      const grad = Math.fround(scale * G[d]) + weightDecay * p[d];
      m[d] = beta1 * m[d] + (1 - beta1) * grad;
      v[d] = beta2 * v[d] + (1 - beta2) * grad * grad;
      out[d] = p[d] - (learningRate * (m[d] / correction1)) / (Math.sqrt(v[d] / correction2) + epsilon);
      sum += out[d];
    }
    return [sum];
  },
  /** FIRE's dot products of one pivot (F = -fround(scale x G)): views [G, velocity], scalars [scale] -> [v.F, F.F, v.v]. */
  fireDots: ([G, v], [scale]) => {
    let vf = 0;
    let ff = 0;
    let vv = 0;
    for (let d = 0; d < G.length; d++) {
      const gd = Math.fround(scale * G[d]);
      vf -= v[d] * gd;
      ff += gd * gd;
      vv += v[d] * v[d];
    }
    return [vf, ff, vv];
  },
  /**
   * FIRE's velocity of one pivot, mixing or reset then acceleration fused per element in ASE's
   * order, and the move uncut (out = p + dt v: the move whenever the band's step is within
   * maxstep, else redone by fireMove): views [G, velocity, p, out], scalars [scale, mode, keep,
   * mix, dt] -> [|dt v|^2, sum of out].
   */
  fireVelocity: ([G, v, p, out], [scale, mode, keep, mix, dt]) => {
    let step2 = 0;
    let sum = 0;
    // One loop per mode (the branch stays out of the loop).
    if (mode === FIRE_MODES.mix) {
      for (let d = 0; d < G.length; d++) {
        const gd = Math.fround(scale * G[d]);
        const vd = keep * v[d] - mix * gd - dt * gd;
        v[d] = vd;
        step2 += (dt * vd) ** 2;
        out[d] = p[d] + dt * vd;
        sum += out[d];
      }
    } else {
      const reset = mode === FIRE_MODES.reset;
      for (let d = 0; d < G.length; d++) {
        const vd = (reset ? 0 : v[d]) - dt * Math.fround(scale * G[d]);
        v[d] = vd;
        step2 += (dt * vd) ** 2;
        out[d] = p[d] + dt * vd;
        sum += out[d];
      }
    }
    return [step2, sum];
  },
  /** FIRE's move: views [p, velocity, out], scalars [dt x cut factor] -> [sum of out]. */
  fireMove: ([p, v, out], [scaled]) => {
    let sum = 0;
    for (let d = 0; d < p.length; d++) {
      out[d] = p[d] + scaled * v[d];
      sum += out[d];
    }
    return [sum];
  },
  /** views [from, out]: out = from (nothing when they are the same vector). */
  copy: ([from, out]) => {
    if (out !== from) out.set(from);
    return [];
  },
  /** views [a, b] -> [|a - b|]. */
  distance: ([a, b]) => [distance(a as Vector, b as Vector)],
  /** views [out, a, b], scalars [alpha]: out = (1 - alpha) a + alpha b. */
  lerp: ([out, a, b], [alpha]) => {
    lerpInto(out as Float32Array, a as Vector, b as Vector, alpha);
    return [];
  },
} satisfies Record<string, Kernel>;

export type KernelName = keyof typeof KERNELS;

/** One pivot's share of a phase. */
export interface KernelTask {
  readonly kernel: KernelName;
  readonly views: readonly View[];
  readonly scalars?: readonly number[];
}

/** A step written as phases: yields each phase's tasks, receives their results (one array per task), returns T. */
export type Phases<T> = Generator<readonly KernelTask[], T, number[][]>;

/** Where phases can run besides the calling thread (the pool's workers): results in task order. */
export interface KernelRunner {
  runKernels(tasks: readonly KernelTask[]): Promise<number[][]>;
}

export function runKernel(task: KernelTask): number[] {
  return (KERNELS[task.kernel] as Kernel)(task.views, task.scalars ?? []);
}

/** Runs every phase on the calling thread, task after task. */
export function runLocally<T>(phases: Phases<T>): T {
  let next = phases.next(undefined as unknown as number[][]);
  while (!next.done) next = phases.next(next.value.map(runKernel));
  return next.value;
}

/** Runs every phase on `runner` (an empty phase locally). */
export async function runPhasesOn<T>(runner: KernelRunner, phases: Phases<T>): Promise<T> {
  let next = phases.next(undefined as unknown as number[][]);
  while (!next.done) next = phases.next(next.value.length > 0 ? await runner.runKernels(next.value) : []);
  return next.value;
}

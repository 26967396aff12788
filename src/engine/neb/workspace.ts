/**
 * Preallocated memory for NEB steps on a band of n pivots of dimension D, so a step allocates no
 * vector (on a network, D ~ 1e5 and fresh vectors each step cost the allocation, the page faults
 * and the garbage collection): the forces and tangents of the last evaluation, and three band
 * buffers that a step moves the pivots into and re-parametrises them into. A step takes the
 * buffers its input does not use, so the pivots a step returns stay valid (and unchanged) until
 * the second step after it; a caller who keeps pivots longer copies them. In `shared` memory
 * (SharedArrayBuffers, one per band) a KernelRunner's threads work on the same buffers.
 */
import type { Vector } from '../energy';
import { float32, type Memory } from './kernels';
import type { NebForceBuffers } from './methods';

export class NebWorkspace {
  private pivotCount = -1;
  private dimension = -1;
  private buffers: NebForceBuffers = { forces: [], tangents: [] };
  private bands: Float32Array[][] = [];

  constructor(readonly memory: Memory = 'local') {}

  /** The force and tangent buffers for a band of `n` pivots of dimension `dimension`. */
  forceBuffers(n: number, dimension: number): NebForceBuffers {
    this.fit(n, dimension);
    return this.buffers;
  }

  /** A band buffer that shares no vector with any of `inUse` (the step's input, its other buffer). */
  band(n: number, dimension: number, inUse: ReadonlyArray<readonly Vector[]>): Float32Array[] {
    this.fit(n, dimension);
    const free = this.bands.find((band) => !inUse.some((vectors) => vectors.some((v) => band.includes(v as Float32Array))));
    if (!free) throw new Error('NebWorkspace: every band buffer is in use');
    return free;
  }

  /** `pivots` themselves when they lie in one of this workspace's bands, else a copy in a free band. */
  hold(pivots: readonly Vector[]): Vector[] {
    const dimension = pivots[0].length;
    this.fit(pivots.length, dimension);
    if (this.bands.some((band) => pivots.every((p, i) => band[i] === p))) return [...pivots];
    const free = this.band(pivots.length, dimension, [pivots]);
    pivots.forEach((p, i) => free[i].set(p));
    return free;
  }

  private fit(n: number, dimension: number): void {
    if (n === this.pivotCount && dimension === this.dimension) return;
    const band = () => {
      const memory = float32(n * dimension, this.memory);
      return Array.from({ length: n }, (_, i) => memory.subarray(i * dimension, (i + 1) * dimension));
    };
    this.buffers = { forces: band(), tangents: band() };
    this.bands = [band(), band(), band()];
    this.pivotCount = n;
    this.dimension = dimension;
  }
}

/**
 * Memory for the gradients of a call, reused once the caller has released it (see
 * LossAndGradient.release): a few spare buffers, taken when their size fits, else fresh ones.
 */
const SPARES = 2;

export class RecycledVectors {
  private readonly spares: Float32Array[] = [];

  /** `shared`: buffers in shared memory, so worker threads write results into them directly. */
  constructor(private readonly shared = false) {}

  /** `count` vectors of `dimension` floats, views of one buffer, and the release of that buffer. */
  take(count: number, dimension: number): { vectors: Float32Array[]; release: () => void } {
    const size = count * dimension;
    const at = this.spares.findIndex((b) => b.length === size);
    const buffer = at >= 0 ? this.spares.splice(at, 1)[0] : this.shared ? new Float32Array(new SharedArrayBuffer(size * 4)) : new Float32Array(size);
    let released = false;
    return {
      vectors: Array.from({ length: count }, (_, i) => buffer.subarray(i * dimension, (i + 1) * dimension)),
      release: () => {
        if (released) return;
        released = true;
        this.spares.unshift(buffer);
        this.spares.length = Math.min(this.spares.length, SPARES);
      },
    };
  }
}

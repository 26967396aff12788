/**
 * Moving stacked parameters into tfjs and gradients out of it without intermediate arrays. On the
 * wasm backend a tensor's data is a range of the wasm heap: parameters are written straight into
 * a freshly made output there, and gradients are copied straight from there into the callers'
 * vectors. The generic path (tf.tensor from a stacked array, dataSync) costs two more copies of
 * P x D floats and, worse, allocates them: buffers of tens of MB come from fresh mmap'd pages
 * each time, and the page faults cost more than the copies (MLP 784-256-256-10, 16 points:
 * readSync + scatter were 28% of a stacked gradient).
 */
import * as tf from '@tensorflow/tfjs';
import { offsetOf, type WasmBackend } from '../../tfjs/fixes/wasm-internals';

function wasmBackend(): WasmBackend | null {
  return tf.getBackend() === 'wasm' ? (tf.backend() as unknown as WasmBackend) : null;
}

/** A float32 tensor [P, ...shape] whose slice p is points[p][offset, offset + size). */
export function stackSlices(points: readonly Float32Array[], offset: number, size: number, shape: readonly number[]): tf.Tensor {
  const full = [points.length, ...shape];
  const backend = wasmBackend();
  if (backend === null) {
    const values = new Float32Array(points.length * size);
    points.forEach((p, i) => values.set(p.subarray(offset, offset + size), i * size));
    return tf.tensor(values, full, 'float32');
  }
  const info = backend.makeOutput(full, 'float32');
  const heap = backend.wasm.HEAPF32;
  const at = offsetOf(backend, info) >> 2;
  points.forEach((p, i) => heap.set(p.subarray(offset, offset + size), at + i * size));
  return tf.engine().makeTensorFromTensorInfo(info);
}

/** Copies slice p of a float32 tensor [P, size...] into targets[p] at `offset`. */
export function unstackInto(t: tf.Tensor, targets: readonly Float32Array[], offset: number, size: number): void {
  const backend = wasmBackend();
  const values = backend === null ? (t.dataSync() as Float32Array) : backend.wasm.HEAPF32;
  const at = backend === null ? 0 : offsetOf(backend, t) >> 2;
  targets.forEach((g, p) => g.set(values.subarray(at + p * size, at + (p + 1) * size), offset));
}

/**
 * Reading tensors back to JavaScript, synchronously or not. WebGPU in Node has no synchronous
 * read (tfjs-backend-webgpu's readSync draws through an OffscreenCanvas, which Node lacks), while
 * the engine's cpu and wasm paths are synchronous (the worker pool relies on it). So a
 * computation that reads is written once as a generator that yields the tensors it needs and
 * receives their values: `readNow` drives it with dataSync, `readLater` with `await data()`.
 * Each yield is one readback; a step yields once, all its tensors together.
 */
import * as tf from '@tensorflow/tfjs';
import { checkWebGpuKernels } from '../../tfjs/webgpu/kernel-errors';

export type Values = Float32Array | Int32Array | Uint8Array;
export type Reads<T> = Generator<readonly tf.Tensor[], T, Values[]>;

export function readNow<T>(steps: Reads<T>): T {
  let next = steps.next();
  try {
    while (!next.done) next = steps.next(next.value.map((t) => t.dataSync() as Values));
  } finally {
    if (!next.done) steps.return(undefined as T); // a failed read: let the steps dispose their tensors
  }
  return next.value;
}

export async function readLater<T>(steps: Reads<T>): Promise<T> {
  let next = steps.next();
  try {
    while (!next.done) {
      const values = await Promise.all(next.value.map((t) => t.data() as Promise<Values>));
      // Values computed by a kernel that failed on the GPU are garbage: stop with its name.
      if (tf.getBackend() === 'webgpu') await checkWebGpuKernels();
      next = steps.next(values);
    }
  } finally {
    if (!next.done) steps.return(undefined as T);
  }
  return next.value;
}

/** Whether the active backend can only read asynchronously (webgpu in Node). */
export function readsAsynchronously(): boolean {
  return tf.getBackend() === 'webgpu';
}

/** Drives `steps` synchronously where the backend can, asynchronously where it must. */
export async function read<T>(steps: Reads<T>): Promise<T> {
  return readsAsynchronously() ? readLater(steps) : readNow(steps);
}

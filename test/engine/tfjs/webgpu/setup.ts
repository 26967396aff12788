/**
 * The webgpu backend for tests: forced (so Mesa's llvmpipe counts), or the reason it is absent,
 * which the tests print when they skip.
 */
import * as tf from '@tensorflow/tfjs';
import { initBackend, type BackendReport } from '../../../../src/engine/tfjs/backend';

let ready: Promise<BackendReport | string> | undefined;

export function webGpu(): Promise<BackendReport | string> {
  ready ??= initBackend({ choice: 'webgpu' }).then(
    (report) => report,
    (err: Error) => `no WebGPU here: ${err.message}`,
  );
  return ready;
}

/** Runs `f` on `backend` and returns to webgpu. */
export async function on<T>(backend: 'cpu' | 'webgpu', f: () => Promise<T> | T): Promise<T> {
  await tf.setBackend(backend);
  try {
    return await f();
  } finally {
    await tf.setBackend('webgpu');
  }
}

/** max |a - b| / max |b|: the error relative to the reference's scale. */
export function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let err = 0;
  let scale = 0;
  for (let i = 0; i < b.length; i++) {
    err = Math.max(err, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return err / scale;
}

/** Shared by the native tests: the same computation on cpu, plain wasm and wasm + native BLAS. */
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../../../src/engine/tfjs/backend';
import { loadNativeBlas, registerNativeKernels, unregisterNativeKernels, type NativeBlas } from '../../../../src/engine/tfjs/blas';
import { Random } from '../../../../src/engine/random';

export interface HostTensor {
  readonly shape: number[];
  readonly data: Float32Array;
}

/** Plain wasm (fixes) as the active backend; the binding, or why it is unavailable (tests skip). */
export async function setUp(): Promise<NativeBlas | string> {
  await initBackend({ choice: 'wasm' });
  return loadNativeBlas((id) => require(id)); // eslint-disable-line @typescript-eslint/no-require-imports
}

export function randomHost(random: Random, shape: number[]): HostTensor {
  const data = new Float32Array(shape.reduce((a, b) => a * b, 1));
  for (let i = 0; i < data.length; i++) data[i] = random.uniform() * 2 - 1;
  return { shape, data };
}

export type Path = 'cpu' | 'wasm' | 'native';

/** Runs f on one path and returns its result on the host. */
export function runOn(path: Path, blas: NativeBlas, f: (...xs: tf.Tensor[]) => tf.Tensor, inputs: HostTensor[]): { shape: number[]; values: Float32Array } {
  const previous = tf.getBackend();
  tf.setBackend(path === 'cpu' ? 'cpu' : 'wasm');
  if (path === 'native') registerNativeKernels(blas);
  try {
    return tf.tidy(() => {
      const y = f(...inputs.map((x) => tf.tensor(x.data, x.shape)));
      return { shape: y.shape, values: Float32Array.from(y.dataSync()) };
    });
  } finally {
    unregisterNativeKernels();
    tf.setBackend(previous);
  }
}

/** Asserts native equals cpu and plain wasm (relative to the largest |value|). */
export function assertNativeSame(blas: NativeBlas, label: string, f: (...xs: tf.Tensor[]) => tf.Tensor, inputs: HostTensor[], tolerance = 1e-5): void {
  const native = runOn('native', blas, f, inputs);
  for (const other of ['cpu', 'wasm'] as const) {
    const expected = runOn(other, blas, f, inputs);
    assert.deepEqual(native.shape, expected.shape, `${label}: shape vs ${other}`);
    let scale = 1;
    for (const v of expected.values) scale = Math.max(scale, Math.abs(v));
    for (let i = 0; i < expected.values.length; i++) {
      const diff = Math.abs(native.values[i] - expected.values[i]);
      if (!(diff <= tolerance * scale)) assert.fail(`${label}: element ${i} is ${native.values[i]} native, ${expected.values[i]} on ${other}`);
    }
  }
}

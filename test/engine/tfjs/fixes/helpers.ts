/** Shared by the kernel tests: run the same computation on cpu and on wasm (with fixes). */
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../../../src/engine/tfjs/backend';
import { Random } from '../../../../src/engine/random';

export interface HostTensor {
  readonly shape: number[];
  readonly data: Float32Array;
}

export async function wasmWithFixes(): Promise<void> {
  const report = await initBackend({ choice: 'wasm' });
  assert.equal(report.tfBackend, 'wasm');
}

export function randomHost(random: Random, shape: number[]): HostTensor {
  const data = new Float32Array(shape.reduce((a, b) => a * b, 1));
  for (let i = 0; i < data.length; i++) data[i] = random.uniform() * 2 - 1;
  return { shape, data };
}

function runOn(backend: string, f: (...xs: tf.Tensor[]) => tf.Tensor, inputs: HostTensor[]): { shape: number[]; values: Float32Array } {
  const previous = tf.getBackend();
  tf.setBackend(backend);
  try {
    return tf.tidy(() => {
      const y = f(...inputs.map((x) => tf.tensor(x.data, x.shape)));
      return { shape: y.shape, values: Float32Array.from(y.dataSync()) };
    });
  } finally {
    tf.setBackend(previous);
  }
}

/** Asserts f gives the same shape and values (relative to the largest |value|) on wasm and cpu. */
export function assertSameAsCpu(label: string, f: (...xs: tf.Tensor[]) => tf.Tensor, inputs: HostTensor[], tolerance = 1e-5): void {
  const expected = runOn('cpu', f, inputs);
  const actual = runOn('wasm', f, inputs);
  assert.deepEqual(actual.shape, expected.shape, `${label}: shape`);
  let scale = 1;
  for (const v of expected.values) scale = Math.max(scale, Math.abs(v));
  for (let i = 0; i < expected.values.length; i++) {
    const diff = Math.abs(actual.values[i] - expected.values[i]);
    if (!(diff <= tolerance * scale)) {
      assert.fail(`${label}: element ${i} is ${actual.values[i]} on wasm, ${expected.values[i]} on cpu`);
    }
  }
}

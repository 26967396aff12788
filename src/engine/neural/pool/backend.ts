import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../tfjs/backend';
import { nativeKernelsRegistered } from '../../tfjs/blas';

/** What a worker needs to reproduce the creating thread's backend (same kernels = same bits). */
export interface WorkerBackend {
  /** A backend choice of initBackend: 'cpu', 'wasm', 'native-blas', 'tensorflow', ... */
  choice: string;
  /** Register the wasm kernel fixes (wasm only). */
  kernelFixes: boolean;
}

/**
 * The creating thread's backend: its tfjs backend name, and for wasm whether the kernel fixes are
 * registered (stock wasm has no Conv2DBackpropFilter kernel); wasm with the native BLAS kernels
 * registered is 'native-blas'.
 */
export function currentBackend(explicit?: string): WorkerBackend {
  const active = tf.getBackend() ?? 'cpu';
  const name = explicit ?? (active === 'wasm' && nativeKernelsRegistered() ? 'native-blas' : active);
  const fixed = tf.getKernel('Conv2DBackpropFilter', 'wasm') !== undefined;
  // native-blas registers the fixes itself; plain wasm follows the creating thread.
  return { choice: name, kernelFixes: name === 'wasm' ? fixed : true };
}

/** Selects the backend inside a worker thread (each thread has its own tfjs and backend). */
export async function useBackend(backend: WorkerBackend): Promise<void> {
  await initBackend({ choice: backend.choice, kernelFixes: backend.kernelFixes });
  await tf.ready();
}

/**
 * Delegation from inside a fix: to the stock wasm kernel it replaced (for the cases it does not
 * cover: other dtypes, NCHW), or to another wasm kernel no fix replaces.
 */
import { getKernel, type KernelFunc } from '@tensorflow/tfjs';
import { runBelow } from '../overlay';

/** Runs the stock wasm kernel for a case a fix does not handle; throws if there is none. */
export function runStock(kernelName: string, args: Parameters<KernelFunc>[0], why: string) {
  return runBelow('wasm-fixes', kernelName, args, why);
}

/** Calls another wasm kernel (one no fix replaces, e.g. Transpose or Conv2D) from inside a fix. */
export function runWasmKernel(kernelName: string, args: Parameters<KernelFunc>[0]) {
  const config = getKernel(kernelName, 'wasm');
  if (config === undefined) throw new Error(`wasm kernel ${kernelName} is not registered`);
  return config.kernelFunc(args);
}

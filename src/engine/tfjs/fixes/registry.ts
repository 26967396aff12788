/**
 * Keeps the stock wasm kernel that each fix replaces, so fixes can delegate the cases they do
 * not cover (other dtypes, NCHW) and so `unregisterWasmKernelFixes` can restore the stock
 * backend (the bench compares both in one process).
 */
import { getKernel, type KernelConfig, type KernelFunc } from '@tensorflow/tfjs';

const stock = new Map<string, KernelConfig | undefined>();

export function rememberStock(kernelName: string): KernelConfig | undefined {
  if (!stock.has(kernelName)) stock.set(kernelName, getKernel(kernelName, 'wasm'));
  return stock.get(kernelName);
}

export function forgetStock(kernelName: string): KernelConfig | undefined {
  const config = stock.get(kernelName);
  stock.delete(kernelName);
  return config;
}

/** Runs the stock wasm kernel for a case a fix does not handle; throws if there is none. */
export function runStock(kernelName: string, args: Parameters<KernelFunc>[0], why: string) {
  const config = stock.get(kernelName);
  if (config === undefined) throw new Error(`wasm kernel ${kernelName}: ${why}, and there is no stock kernel to fall back to`);
  return config.kernelFunc(args);
}

/** Calls another wasm kernel (one no fix replaces, e.g. Transpose or Conv2D) from inside a fix. */
export function runWasmKernel(kernelName: string, args: Parameters<KernelFunc>[0]) {
  const config = getKernel(kernelName, 'wasm');
  if (config === undefined) throw new Error(`wasm kernel ${kernelName} is not registered`);
  return config.kernelFunc(args);
}

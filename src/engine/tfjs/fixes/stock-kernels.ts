// The wasm kernels our fixes replaced: restored on unregister, and called by a fix for the
// cases it leaves to the stock implementation.
import type { KernelConfig, KernelFunc } from '@tensorflow/tfjs';

const replaced = new Map<string, KernelConfig | undefined>();

export function rememberStock(name: string, kernel: KernelConfig | undefined): void {
  replaced.set(name, kernel);
}

export function stockKernel(name: string): KernelConfig | undefined {
  return replaced.get(name);
}

export function stockKernelFunc(name: string): KernelFunc {
  const kernel = replaced.get(name);
  if (!kernel) throw new Error(`wasm ${name}: the stock kernel is not registered`);
  return kernel.kernelFunc;
}

/**
 * Kernels wasm lacks that no model here needs in its inner loop (Einsum, depthwise-conv
 * gradients): run tfjs's cpu kernel on copies of the inputs and copy the result back. Correct,
 * not fast; it turns "kernel not registered" into a working (if slower) gradient.
 */
import { engine, getKernel, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs';
import type { WasmBackend } from './wasm-internals';

interface CpuBackend {
  write(values: unknown, shape: number[], dtype: string): object;
  readSync(dataId: object): Float32Array | Int32Array | Uint8Array;
  disposeData(dataId: object): void;
}

function viaCpu(kernelName: string): KernelConfig {
  const kernelFunc = (args: Parameters<KernelFunc>[0]) => {
    const wasm = args.backend as unknown as WasmBackend & { readSync(dataId: object): Float32Array | Int32Array | Uint8Array };
    const cpu = engine().findBackend('cpu') as unknown as CpuBackend | null;
    const cpuKernel = getKernel(kernelName, 'cpu');
    if (cpu === null || cpuKernel === undefined) throw new Error(`wasm ${kernelName}: no cpu backend kernel to fall back to`);
    const copies: TensorInfo[] = [];
    const toCpu = (t: TensorInfo): TensorInfo => {
      const copy = { dataId: cpu.write(wasm.readSync(t.dataId), t.shape, t.dtype), shape: t.shape, dtype: t.dtype } as TensorInfo;
      copies.push(copy);
      return copy;
    };
    const inputs = Array.isArray(args.inputs)
      ? (args.inputs as TensorInfo[]).map(toCpu)
      : Object.fromEntries(Object.entries(args.inputs).map(([name, t]) => [name, toCpu(t as TensorInfo)]));
    try {
      const result = cpuKernel.kernelFunc({ inputs: inputs as never, attrs: args.attrs, backend: cpu as never });
      const outs = Array.isArray(result) ? result : [result];
      const back = outs.map((o) => {
        const values = cpu.readSync(o.dataId);
        cpu.disposeData(o.dataId);
        return (wasm.makeOutput as (s: number[], d: string, m?: number, v?: unknown) => TensorInfo)(o.shape, o.dtype, undefined, values);
      });
      return Array.isArray(result) ? back : back[0];
    } finally {
      for (const c of copies) cpu.disposeData(c.dataId);
    }
  };
  return { kernelName, backendName: 'wasm', kernelFunc: kernelFunc as unknown as KernelFunc };
}

/** Kernels missing on wasm 4.22 that gradients of common layers reach. */
export const cpuFallbackFixes: KernelConfig[] = [
  'Einsum', 'DepthwiseConv2dNativeBackpropInput', 'DepthwiseConv2dNativeBackpropFilter',
].map(viaCpu);

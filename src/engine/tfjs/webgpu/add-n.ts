/**
 * AddN for tfjs-backend-webgpu 4.22 with more inputs than a shader may bind. The stock kernel
 * binds every input as a storage buffer in one shader; WebGPU allows
 * `maxStorageBuffersPerShaderStage` per stage (8 by default and on Mesa llvmpipe), so summing the
 * per-tensor sums of a ResNet's ~40 parameter tensors failed validation (the package's Concat
 * splits its inputs the same way). Here inputs are summed in chunks that fit, then the partial
 * sums; up to the limit they go to the stock kernel as is.
 */
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import { runBelow } from '../overlay';

type Args = Parameters<KernelFunc>[0];

interface WebGpuBackend {
  device: { limits: { maxStorageBuffersPerShaderStage: number } };
  disposeData(dataId: object): void;
}

const stockAddN = (args: Args, inputs: TensorInfo[], why: string) => runBelow('webgpu-fixes', 'AddN', { ...args, inputs: inputs as unknown as Args['inputs'] }, why) as TensorInfo;

export const addNFix: KernelConfig = {
  kernelName: 'AddN',
  backendName: 'webgpu',
  kernelFunc: ((args: Args): TensorInfo => {
    const inputs = args.inputs as unknown as TensorInfo[];
    const backend = args.backend as unknown as WebGpuBackend;
    const most = backend.device.limits.maxStorageBuffersPerShaderStage - 1; // one binding is the output
    if (inputs.length <= most) return stockAddN(args, inputs, 'inputs fit one shader');
    const partial: TensorInfo[] = [];
    for (let from = 0; from < inputs.length; from += most) partial.push(stockAddN(args, inputs.slice(from, from + most), 'a chunk'));
    const sum = addNFix.kernelFunc({ ...args, inputs: partial as unknown as Args['inputs'] }) as TensorInfo;
    for (const t of partial) backend.disposeData(t.dataId);
    return sum;
  }) as unknown as KernelFunc,
};

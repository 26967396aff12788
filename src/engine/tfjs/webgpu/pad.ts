/**
 * PadV2 for tfjs-backend-webgpu 4.22 at rank 5 and 6. The stock shader indexes its coordinates
 * as `end[i]` where, above rank 4, `end` is a struct (WGSL vectors stop at 4), so the shader
 * fails to compile and, unchecked, the output is garbage (ResNet's shortcut A takes the gradient
 * of a 6-D slice, which is a 6-D pad). Here such a pad is done one padded axis at a time on a
 * rank-3 view [before, axis, after], which the stock kernel handles; ranks up to 4 go to it as is.
 */
import { getKernel, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs';
import { runBelow } from '../overlay';

interface WebGpuBackendData {
  disposeData(dataId: object): void;
}

type Args = Parameters<KernelFunc>[0];

function run(kernelName: string, args: Args): TensorInfo {
  const config = getKernel(kernelName, 'webgpu');
  if (config === undefined) throw new Error(`webgpu kernel ${kernelName} is not registered`);
  return config.kernelFunc(args) as TensorInfo;
}

/** The package's PadV2, beneath the fix. */
const stockPad = (args: Args, why: string) => runBelow('webgpu-fixes', 'PadV2', args, why) as TensorInfo;

const product = (values: readonly number[]) => values.reduce((a, b) => a * b, 1);

/** The fix, delegating to the package's PadV2 for the ranks it handles. */
export const padV2Fix: KernelConfig = {
  kernelName: 'PadV2',
  backendName: 'webgpu',
  kernelFunc: ((args: Args): TensorInfo => {
    const x = args.inputs.x as TensorInfo;
    const { paddings, constantValue } = args.attrs as unknown as { paddings: [number, number][]; constantValue: number };
    if (x.shape.length <= 4) return stockPad(args, 'rank <= 4');
    const backend = args.backend as unknown as WebGpuBackendData;
    const reshape = (t: TensorInfo, shape: number[]) => run('Reshape', { inputs: { x: t }, backend: args.backend, attrs: { shape } } as unknown as Args);
    let current = run('Identity', { inputs: { x }, backend: args.backend, attrs: {} } as unknown as Args);
    const shape = [...x.shape];
    paddings.forEach(([low, high], axis) => {
      if (low === 0 && high === 0) return;
      const view = reshape(current, [product(shape.slice(0, axis)), shape[axis], product(shape.slice(axis + 1))]);
      const padded = stockPad({ inputs: { x: view }, backend: args.backend, attrs: { paddings: [[0, 0], [low, high], [0, 0]], constantValue } } as unknown as Args, 'rank 3 view');
      backend.disposeData(view.dataId);
      backend.disposeData(current.dataId);
      shape[axis] += low + high;
      current = reshape(padded, shape);
      backend.disposeData(padded.dataId);
    });
    return current;
  }) as unknown as KernelFunc,
};

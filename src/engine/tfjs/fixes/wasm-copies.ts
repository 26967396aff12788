/**
 * Two wasm kernels that only moved memory, found in the profile of the engine's MLP gradient on
 * native BLAS (together ~0.3 ms of ~2.2 ms per gradient):
 *
 * Identity: tfjs clones every tensor it saves for the backward pass through this kernel, and the
 * stock one copies the data. Tensors are immutable and the stock Reshape already shares data by
 * reference count, so this one shares too. Cast to the dtype a tensor already has is the same
 * copy (ReLU's gradient casts its float32 step mask to float32: ~0.5 ms per CNN layer); it
 * shares as well, as the cpu backend's Cast does.
 *
 * Sum over leading axes (the bias gradient: dy [batch, out] summed over the batch): the stock
 * kernel transposes the reduced axes to the end first, with wasm's generic transpose. This one
 * adds the rows straight from the heap (float64 accumulators); other reductions go to the
 * stock kernel.
 */
import { Cast, Identity, Sum, util, type CastAttrs, type KernelConfig, type KernelFunc, type SumAttrs, type TensorInfo } from '@tensorflow/tfjs';
import { offsetOf, type WasmBackend } from './wasm-internals';
import { runBelow } from '../overlay';

function identity(args: Parameters<KernelFunc>[0]): TensorInfo {
  const { x } = args.inputs as { x: TensorInfo };
  const backend = args.backend as unknown as WasmBackend;
  if (x.dtype === 'string') return runBelow('wasm-extras', Identity, args, 'a case it leaves to the stock kernel') as TensorInfo;
  backend.incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape.slice(), dtype: x.dtype };
}

function cast(args: Parameters<KernelFunc>[0]): TensorInfo {
  const { x } = args.inputs as { x: TensorInfo };
  const { dtype } = args.attrs as unknown as CastAttrs;
  if (x.dtype !== dtype || dtype === 'string' || dtype === 'complex64') return runBelow('wasm-extras', Cast, args, 'a case it leaves to the stock kernel') as TensorInfo;
  (args.backend as unknown as WasmBackend).incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape.slice(), dtype };
}

function sum(args: Parameters<KernelFunc>[0]): TensorInfo {
  const { x } = args.inputs as { x: TensorInfo };
  const { axis, keepDims } = args.attrs as unknown as SumAttrs;
  const axes = util.parseAxisParam(axis, x.shape).sort((a, b) => a - b);
  const leading = axes.length > 0 && axes.length < x.shape.length && axes.every((a, i) => a === i);
  if (x.dtype !== 'float32' || !leading) return runBelow('wasm-extras', Sum, args, 'a case it leaves to the stock kernel') as TensorInfo;
  const backend = args.backend as unknown as WasmBackend;
  const rest = x.shape.slice(axes.length);
  const rows = util.sizeFromShape(x.shape.slice(0, axes.length));
  const cols = util.sizeFromShape(rest);
  const out = backend.makeOutput(keepDims ? [...axes.map(() => 1), ...rest] : rest, 'float32');
  const heap = backend.wasm.HEAPF32;
  const from = offsetOf(backend, x) >> 2;
  const to = offsetOf(backend, out) >> 2;
  const acc = new Float64Array(cols);
  for (let r = 0, at = from; r < rows; r++, at += cols) for (let c = 0; c < cols; c++) acc[c] += heap[at + c];
  for (let c = 0; c < cols; c++) heap[to + c] = acc[c];
  return out;
}

export const identityFix: KernelConfig = { kernelName: Identity, backendName: 'wasm', kernelFunc: identity as unknown as KernelFunc };
export const castFix: KernelConfig = { kernelName: Cast, backendName: 'wasm', kernelFunc: cast as unknown as KernelFunc };
export const sumFix: KernelConfig = { kernelName: Sum, backendName: 'wasm', kernelFunc: sum as unknown as KernelFunc };

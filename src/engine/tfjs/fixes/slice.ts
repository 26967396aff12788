/**
 * Slice for wasm. The stock kernel first copies the WHOLE input out of the heap (readSync) for
 * every slice; cutting a flat parameter vector of D values into L layers then costs L copies of
 * D values per evaluation, more than the products for an MLP. This kernel copies only the
 * slice, as contiguous runs with memmove inside the heap.
 */
import { Slice, slice_util, type KernelConfig, type KernelFunc, type SliceAttrs, type TensorInfo } from '@tensorflow/tfjs';
import { runStock } from './registry';
import { BYTES_PER_ELEMENT, offsetOf, sizeOf, type WasmBackend } from './wasm-internals';

function slice(args: Parameters<KernelFunc>[0]): TensorInfo {
  const { x } = args.inputs as { x: TensorInfo };
  const { begin, size } = args.attrs as unknown as SliceAttrs;
  const backend = args.backend as unknown as WasmBackend;
  const bytes = BYTES_PER_ELEMENT[x.dtype];
  if (bytes === undefined) return runStock(Slice, args, `dtype ${x.dtype}`) as TensorInfo;
  const [start, extent] = slice_util.parseSliceParams(x as never, begin, size);
  const out = backend.makeOutput(extent, x.dtype);
  if (sizeOf(extent) === 0) return out;
  const heap = backend.wasm.HEAPU8;
  const rank = x.shape.length;
  const stride = new Array<number>(rank);
  let s = bytes;
  for (let d = rank - 1; d >= 0; d--) {
    stride[d] = s;
    s *= x.shape[d];
  }
  // Innermost axes that are taken whole merge into one contiguous run.
  let runAxis = rank - 1;
  while (runAxis > 0 && start[runAxis] === 0 && extent[runAxis] === x.shape[runAxis]) runAxis--;
  const runBytes = extent[runAxis] * stride[runAxis];
  let o = offsetOf(backend, out);
  const copy = (d: number, at: number): void => {
    if (d === runAxis) {
      const from = at + start[d] * stride[d];
      heap.copyWithin(o, from, from + runBytes);
      o += runBytes;
      return;
    }
    for (let i = 0; i < extent[d]; i++) copy(d + 1, at + (start[d] + i) * stride[d]);
  };
  copy(0, offsetOf(backend, x));
  return out;
}

export const sliceFix: KernelConfig = {
  kernelName: Slice,
  backendName: 'wasm',
  kernelFunc: slice as unknown as KernelFunc,
};

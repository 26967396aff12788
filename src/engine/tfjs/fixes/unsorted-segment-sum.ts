/**
 * UnsortedSegmentSum for wasm, which has none: it is the gradient of gather (embedding lookups,
 * indexed slices of a flat parameter vector). out[s, ...] = sum of x[i, ...] with ids[i] = s;
 * ids outside [0, numSegments) are dropped, as in TensorFlow.
 */
import {
  UnsortedSegmentSum, type KernelConfig, type KernelFunc, type TensorInfo,
  type UnsortedSegmentSumAttrs,
} from '@tensorflow/tfjs';
import { offsetOf, sizeOf, type WasmBackend } from './wasm-internals';

function unsortedSegmentSum(args: Parameters<KernelFunc>[0]): TensorInfo {
  const { x, segmentIds } = args.inputs as { x: TensorInfo; segmentIds: TensorInfo };
  const { numSegments } = args.attrs as unknown as UnsortedSegmentSumAttrs;
  const backend = args.backend as unknown as WasmBackend;
  if (x.dtype !== 'float32' && x.dtype !== 'int32') {
    throw new Error(`wasm UnsortedSegmentSum supports float32 and int32 x, got ${x.dtype}`);
  }
  const idCount = sizeOf(segmentIds.shape);
  const inner = idCount === 0 ? 0 : sizeOf(x.shape) / idCount;
  const out = backend.makeOutput([numSegments, ...x.shape.slice(segmentIds.shape.length)], x.dtype);
  const heap = x.dtype === 'float32' ? backend.wasm.HEAPF32 : backend.wasm.HEAP32;
  const ids = backend.wasm.HEAP32;
  const xAt = offsetOf(backend, x) >> 2;
  const idsAt = offsetOf(backend, segmentIds) >> 2;
  const outAt = offsetOf(backend, out) >> 2;
  heap.fill(0, outAt, outAt + numSegments * inner);
  for (let i = 0; i < idCount; i++) {
    const s = ids[idsAt + i];
    if (s < 0 || s >= numSegments) continue;
    const o = outAt + s * inner;
    const src = xAt + i * inner;
    for (let j = 0; j < inner; j++) heap[o + j] += heap[src + j];
  }
  return out;
}

export const unsortedSegmentSumFix: KernelConfig = {
  kernelName: UnsortedSegmentSum,
  backendName: 'wasm',
  kernelFunc: unsortedSegmentSum as unknown as KernelFunc,
};

/**
 * Tile for wasm. The stock kernel computes a multi-index per output element. Tiling is block
 * copies: place x's innermost rows, then replicate each finished block reps[d] times along its
 * axis with memmove (`copyWithin`), from the innermost axis outwards.
 */
import { Tile, type KernelConfig, type KernelFunc, type TensorInfo, type TileAttrs } from '@tensorflow/tfjs';
import { runStock } from './registry';
import { BYTES_PER_ELEMENT, offsetOf, sizeOf, type WasmBackend } from './wasm-internals';

function tile(args: Parameters<KernelFunc>[0]): TensorInfo {
  const { x } = args.inputs as { x: TensorInfo };
  const { reps } = args.attrs as unknown as TileAttrs;
  const backend = args.backend as unknown as WasmBackend;
  const bytes = BYTES_PER_ELEMENT[x.dtype];
  if (bytes === undefined) return runStock(Tile, args, `dtype ${x.dtype}`) as TensorInfo;
  const rank = x.shape.length;
  const outShape = x.shape.map((d, i) => d * reps[i]);
  const out = backend.makeOutput(outShape, x.dtype);
  if (sizeOf(outShape) === 0) return out;
  if (rank === 0) {
    backend.wasm.HEAPU8.copyWithin(offsetOf(backend, out), offsetOf(backend, x), offsetOf(backend, x) + bytes);
    return out;
  }
  const heap = backend.wasm.HEAPU8;
  // Strides in bytes: of x, and of the output's blocks.
  const xStride = new Array<number>(rank);
  const outStride = new Array<number>(rank);
  xStride[rank - 1] = bytes;
  outStride[rank - 1] = bytes;
  for (let d = rank - 2; d >= 0; d--) {
    xStride[d] = xStride[d + 1] * x.shape[d + 1];
    outStride[d] = outStride[d + 1] * outShape[d + 1];
  }
  const fill = (d: number, xAt: number, outAt: number): void => {
    const extent = x.shape[d] * outStride[d]; // bytes of one copy of x along axis d
    if (d === rank - 1) {
      heap.copyWithin(outAt, xAt, xAt + extent);
    } else {
      for (let i = 0; i < x.shape[d]; i++) fill(d + 1, xAt + i * xStride[d], outAt + i * outStride[d]);
    }
    // Replicate by doubling: each copyWithin doubles the filled span.
    let filled = extent;
    const total = extent * reps[d];
    while (filled < total) {
      const n = Math.min(filled, total - filled);
      heap.copyWithin(outAt + filled, outAt, outAt + n);
      filled += n;
    }
  };
  fill(0, offsetOf(backend, x), offsetOf(backend, out));
  return out;
}

export const tileFix: KernelConfig = {
  kernelName: Tile,
  backendName: 'wasm',
  kernelFunc: tile as unknown as KernelFunc,
};

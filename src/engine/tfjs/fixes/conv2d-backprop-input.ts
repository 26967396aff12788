/**
 * Conv2DBackpropInput for wasm. The stock kernel is a direct scalar loop. The input gradient of
 * a stride-1 convolution is itself a stride-1 convolution of dy with the filter rotated by 180
 * degrees and its channel axes swapped, padded by (filter - 1 - pad): that runs on wasm's
 * XNNPACK Conv2D. Strided convolutions use dy @ W^T (one fast 2-D product) and col2im.
 */
import {
  backend_util, Conv2DBackpropInput, type Conv2DBackpropInputAttrs, type KernelConfig,
  type KernelFunc, type TensorInfo,
} from '@tensorflow/tfjs';
import { runStock, runWasmKernel } from './registry';
import { disposeInfo, heapF32, matMulAt, offsetOf, zeroFill, type WasmBackend } from './wasm-internals';

/** W[fh, fw, ci, co] -> W'[fh, fw, co, ci] with W'[y, x, o, c] = W[fh-1-y, fw-1-x, c, o]. */
function flippedFilter(backend: WasmBackend, filter: TensorInfo): TensorInfo {
  const [fh, fw, ci, co] = filter.shape;
  const out = backend.makeOutput([fh, fw, co, ci], 'float32');
  const heap = heapF32(backend);
  const src = offsetOf(backend, filter) >> 2;
  let o = offsetOf(backend, out) >> 2;
  for (let y = 0; y < fh; y++) {
    for (let x = 0; x < fw; x++) {
      const tap = src + ((fh - 1 - y) * fw + (fw - 1 - x)) * ci * co;
      for (let oc = 0; oc < co; oc++) {
        for (let c = 0; c < ci; c++) heap[o++] = heap[tap + c * co + oc];
      }
    }
  }
  return out;
}

function asForwardConv(backend: WasmBackend, dy: TensorInfo, filter: TensorInfo, info: backend_util.Conv2DInfo): TensorInfo | null {
  const padTop = info.filterHeight - 1 - info.padInfo.top;
  const padLeft = info.filterWidth - 1 - info.padInfo.left;
  const padBottom = info.inHeight - info.outHeight - padTop + info.filterHeight - 1;
  const padRight = info.inWidth - info.outWidth - padLeft + info.filterWidth - 1;
  if (Math.min(padTop, padLeft, padBottom, padRight) < 0) return null;
  const flipped = flippedFilter(backend, filter);
  try {
    return runWasmKernel('Conv2D', {
      inputs: { x: dy, filter: flipped },
      backend: backend as never,
      attrs: {
        strides: 1, dilations: 1, dataFormat: 'NHWC',
        pad: [[0, 0], [padTop, padBottom], [padLeft, padRight], [0, 0]],
      },
    }) as TensorInfo;
  } finally {
    disposeInfo(backend, flipped);
  }
}

/** dx[b, iy, ix, :] += cols[b, oy, ox, fy, fx, :] over every tap that read (iy, ix). */
function col2im(heap: Float32Array, colsAt: number, dxAt: number, info: backend_util.Conv2DInfo): void {
  const { batchSize, inHeight, inWidth, inChannels: ci, outHeight, outWidth, filterHeight, filterWidth } = info;
  const { strideHeight, strideWidth, dilationHeight, dilationWidth } = info;
  const { top, left } = info.padInfo;
  heap.fill(0, dxAt, dxAt + batchSize * inHeight * inWidth * ci);
  let p = colsAt;
  for (let bi = 0; bi < batchSize; bi++) {
    for (let oy = 0; oy < outHeight; oy++) {
      for (let ox = 0; ox < outWidth; ox++) {
        for (let fy = 0; fy < filterHeight; fy++) {
          const iy = oy * strideHeight + fy * dilationHeight - top;
          for (let fx = 0; fx < filterWidth; fx++, p += ci) {
            const ix = ox * strideWidth + fx * dilationWidth - left;
            if (iy < 0 || iy >= inHeight || ix < 0 || ix >= inWidth) continue;
            const d = dxAt + ((bi * inHeight + iy) * inWidth + ix) * ci;
            for (let c = 0; c < ci; c++) heap[d + c] += heap[p + c];
          }
        }
      }
    }
  }
}

function viaCol2im(backend: WasmBackend, dy: TensorInfo, filter: TensorInfo, info: backend_util.Conv2DInfo): TensorInfo {
  const rows = info.filterHeight * info.filterWidth * info.inChannels;
  const pixels = info.batchSize * info.outHeight * info.outWidth;
  const dx = backend.makeOutput(info.inShape, 'float32');
  const filterT = runWasmKernel('Transpose', {
    inputs: { x: { dataId: filter.dataId, shape: [rows, info.outChannels], dtype: 'float32' } },
    backend: backend as never,
    attrs: { perm: [1, 0] },
  }) as TensorInfo;
  const cols = backend.makeOutput([pixels, rows], 'float32');
  try {
    matMulAt(backend, offsetOf(backend, dy), pixels, info.outChannels, offsetOf(backend, filterT), rows, offsetOf(backend, cols));
    col2im(heapF32(backend), offsetOf(backend, cols) >> 2, offsetOf(backend, dx) >> 2, info);
  } finally {
    disposeInfo(backend, filterT);
    disposeInfo(backend, cols);
  }
  return dx;
}

function conv2DBackpropInput(args: Parameters<KernelFunc>[0]): TensorInfo {
  const { dy, filter } = args.inputs as { dy: TensorInfo; filter: TensorInfo };
  const { strides, pad, dataFormat, dimRoundingMode, inputShape } = args.attrs as unknown as Conv2DBackpropInputAttrs;
  const backend = args.backend as unknown as WasmBackend;
  const info = backend_util.computeConv2DInfo(
    inputShape, filter.shape as [number, number, number, number], strides, 1, pad, dimRoundingMode, false,
    backend_util.convertConv2DDataFormat(dataFormat));
  if (info.dataFormat !== 'channelsLast') return runStock(Conv2DBackpropInput, args, `dataFormat '${dataFormat}'`) as TensorInfo;
  if (info.batchSize * info.outHeight * info.outWidth * info.outChannels === 0) {
    const dx = backend.makeOutput(info.inShape, 'float32');
    zeroFill(backend, dx, info.batchSize * info.inHeight * info.inWidth * info.inChannels);
    return dx;
  }
  if (info.strideHeight === 1 && info.strideWidth === 1) {
    const dx = asForwardConv(backend, dy, filter, info);
    if (dx !== null) return dx;
  }
  return viaCol2im(backend, dy, filter, info);
}

export const conv2DBackpropInputFix: KernelConfig = {
  kernelName: Conv2DBackpropInput,
  backendName: 'wasm',
  kernelFunc: conv2DBackpropInput as unknown as KernelFunc,
};

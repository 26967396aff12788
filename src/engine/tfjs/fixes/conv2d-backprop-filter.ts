/**
 * Conv2DBackpropFilter for wasm, which has none (conv nets cannot train there without it).
 * im2col: the patches of x, laid out as [fh*fw*ci, B*oh*ow] (already "transposed", so the
 * product below is the plain 2-D case XNNPACK runs fast), times dy viewed as [B*oh*ow, co],
 * gives the filter gradient [fh*fw*ci, co], which is exactly the [fh, fw, ci, co] layout.
 */
import {
  backend_util, Conv2DBackpropFilter, type Conv2DBackpropFilterAttrs, type KernelConfig,
  type KernelFunc, type TensorInfo,
} from '@tensorflow/tfjs';
import { disposeInfo, heapF32, matMulAt, offsetOf, zeroFill, type WasmBackend } from './wasm-internals';

/** Writes the transposed patch matrix of x (NHWC) at float index `colsAt` of the heap. */
export function im2colTransposed(
  heap: Float32Array, xAt: number, colsAt: number, info: backend_util.Conv2DInfo,
): void {
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, filterHeight, filterWidth } = info;
  const { strideHeight, strideWidth, dilationHeight, dilationWidth } = info;
  const { top, left } = info.padInfo;
  const pixels = batchSize * outHeight * outWidth;
  for (let fy = 0; fy < filterHeight; fy++) {
    for (let fx = 0; fx < filterWidth; fx++) {
      for (let c = 0; c < inChannels; c++) {
        let o = colsAt + ((fy * filterWidth + fx) * inChannels + c) * pixels;
        for (let bi = 0; bi < batchSize; bi++) {
          for (let oy = 0; oy < outHeight; oy++) {
            const iy = oy * strideHeight + fy * dilationHeight - top;
            if (iy < 0 || iy >= inHeight) {
              heap.fill(0, o, o + outWidth);
              o += outWidth;
              continue;
            }
            const row = xAt + (bi * inHeight + iy) * inWidth * inChannels + c;
            for (let ox = 0; ox < outWidth; ox++) {
              const ix = ox * strideWidth + fx * dilationWidth - left;
              heap[o++] = ix >= 0 && ix < inWidth ? heap[row + ix * inChannels] : 0;
            }
          }
        }
      }
    }
  }
}

function conv2DBackpropFilter(args: Parameters<KernelFunc>[0]): TensorInfo {
  const { x, dy } = args.inputs as { x: TensorInfo; dy: TensorInfo };
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = args.attrs as unknown as Conv2DBackpropFilterAttrs;
  const backend = args.backend as unknown as WasmBackend;
  const info = backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number], filterShape, strides, 1, pad, dimRoundingMode, false,
    backend_util.convertConv2DDataFormat(dataFormat));
  if (info.dataFormat !== 'channelsLast') {
    throw new Error(`wasm Conv2DBackpropFilter supports dataFormat 'NHWC' only, got '${dataFormat}'`);
  }
  const rows = info.filterHeight * info.filterWidth * info.inChannels;
  const pixels = info.batchSize * info.outHeight * info.outWidth;
  const out = backend.makeOutput(filterShape, 'float32');
  if (pixels === 0) {
    zeroFill(backend, out, rows * info.outChannels);
    return out;
  }
  const cols = backend.makeOutput([rows, pixels], 'float32');
  try {
    im2colTransposed(heapF32(backend), offsetOf(backend, x) >> 2, offsetOf(backend, cols) >> 2, info);
    matMulAt(backend, offsetOf(backend, cols), rows, pixels, offsetOf(backend, dy), info.outChannels, offsetOf(backend, out));
  } finally {
    disposeInfo(backend, cols);
  }
  return out;
}

export const conv2DBackpropFilterFix: KernelConfig = {
  kernelName: Conv2DBackpropFilter,
  backendName: 'wasm',
  kernelFunc: conv2DBackpropFilter as unknown as KernelFunc,
};

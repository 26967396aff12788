/**
 * Patch matrices for convolutions as GEMMs (NHWC). Row p = (b, oy, ox) of the patch matrix
 * holds the fh*fw*ci inputs that output pixel reads, in [fy, fx, c] order: the filter's own
 * [fh, fw, ci, co] layout flattened to [fh*fw*ci, co], so
 *   conv:            out[P, co]         = cols[P, K] @ W[K, co]
 *   filter gradient: dW[K, co]          = cols^T @ dy[P, co]
 *   input gradient:  dcols[P, K]        = dy @ W^T, then col2im (scatter-add) into dx.
 * The copies are contiguous runs of fw*ci (or ci with dilation) floats per (pixel, fy), which
 * V8 compiles to tight loops; everything else is sgemm.
 */
import type { backend_util } from '@tensorflow/tfjs';

/** Writes cols[P, K] at float index `colsAt` from x at float index `xAt` (both in `heap`). */
export function im2col(heap: Float32Array, xAt: number, colsAt: number, info: backend_util.Conv2DInfo): void {
  const { batchSize, inHeight, inWidth, inChannels: ci, outHeight, outWidth, filterHeight, filterWidth } = info;
  const { strideHeight, strideWidth, dilationHeight, dilationWidth } = info;
  const { top, left } = info.padInfo;
  const rowWidth = inWidth * ci;
  let o = colsAt;
  for (let b = 0; b < batchSize; b++) {
    const image = xAt + b * inHeight * rowWidth;
    for (let oy = 0; oy < outHeight; oy++) {
      for (let ox = 0; ox < outWidth; ox++) {
        const ix0 = ox * strideWidth - left;
        // Whole fw*ci runs can be copied when every tap of the row is inside the image.
        const inside = dilationWidth === 1 && ix0 >= 0 && ix0 + filterWidth <= inWidth;
        for (let fy = 0; fy < filterHeight; fy++) {
          const iy = oy * strideHeight + fy * dilationHeight - top;
          if (iy < 0 || iy >= inHeight) {
            heap.fill(0, o, o + filterWidth * ci);
            o += filterWidth * ci;
            continue;
          }
          const row = image + iy * rowWidth;
          if (inside) {
            const end = o + filterWidth * ci;
            for (let s = row + ix0 * ci; o < end; ) heap[o++] = heap[s++];
            continue;
          }
          for (let fx = 0; fx < filterWidth; fx++) {
            const ix = ix0 + fx * dilationWidth;
            if (ix < 0 || ix >= inWidth) {
              heap.fill(0, o, o + ci);
              o += ci;
            } else {
              const end = o + ci;
              for (let s = row + ix * ci; o < end; ) heap[o++] = heap[s++];
            }
          }
        }
      }
    }
  }
}

/** dx = 0, then dx[pixel read by tap] += dcols[P, K]: the adjoint of im2col. */
export function col2im(heap: Float32Array, colsAt: number, dxAt: number, info: backend_util.Conv2DInfo): void {
  const { batchSize, inHeight, inWidth, inChannels: ci, outHeight, outWidth, filterHeight, filterWidth } = info;
  const { strideHeight, strideWidth, dilationHeight, dilationWidth } = info;
  const { top, left } = info.padInfo;
  const rowWidth = inWidth * ci;
  heap.fill(0, dxAt, dxAt + batchSize * inHeight * rowWidth);
  let p = colsAt;
  for (let b = 0; b < batchSize; b++) {
    const image = dxAt + b * inHeight * rowWidth;
    for (let oy = 0; oy < outHeight; oy++) {
      for (let ox = 0; ox < outWidth; ox++) {
        const ix0 = ox * strideWidth - left;
        for (let fy = 0; fy < filterHeight; fy++) {
          const iy = oy * strideHeight + fy * dilationHeight - top;
          if (iy < 0 || iy >= inHeight) {
            p += filterWidth * ci;
            continue;
          }
          const row = image + iy * rowWidth;
          for (let fx = 0; fx < filterWidth; fx++) {
            const ix = ix0 + fx * dilationWidth;
            if (ix < 0 || ix >= inWidth) {
              p += ci;
              continue;
            }
            const end = p + ci;
            for (let d = row + ix * ci; p < end; ) heap[d++] += heap[p++];
          }
        }
      }
    }
  }
}

/** True when x itself is the patch matrix (1x1 filter, stride 1, no padding). */
export function isPointwise(info: backend_util.Conv2DInfo): boolean {
  return info.filterHeight === 1 && info.filterWidth === 1 && info.strideHeight === 1 && info.strideWidth === 1 &&
    info.padInfo.top === 0 && info.padInfo.left === 0 && info.outHeight === info.inHeight && info.outWidth === info.inWidth;
}

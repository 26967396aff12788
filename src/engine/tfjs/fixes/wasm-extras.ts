/**
 * Two wasm kernels the native-BLAS profile showed next (registered with the kernel fixes, so the
 * plain wasm path gets them too).
 *
 * SplitV for wasm. The stock kernel calls wasm's own slice implementation directly (not the
 * registered Slice kernel), which copies the WHOLE input out of the heap for every piece: cutting
 * a [P, D] parameter block into layers with tf.split cost more than all products of an MLP
 * gradient with native BLAS (profiled: readSync ~50% of the time). This one runs every piece
 * through the registered Slice kernel (the fixed one from ../kernels copies only the piece).
 */
import {
  backend_util, getKernel, MaxPoolGrad, SplitV, util, type KernelConfig,
  type KernelFunc, type MaxPoolGradAttrs, type SplitVAttrs, type TensorInfo,
} from '@tensorflow/tfjs';
import { offsetOf, type WasmBackend } from './wasm-internals';
import { castFix, identityFix, sumFix } from './wasm-copies';
import { applyOverlay, removeOverlay, type KernelOverlay } from '../overlay';
import { isTiling2x2, maxPoolGrad2x2 } from './max-pool-grad';

function splitV(args: Parameters<KernelFunc>[0]): TensorInfo[] {
  const { x } = args.inputs as { x: TensorInfo };
  const { numOrSizeSplits, axis } = args.attrs as unknown as SplitVAttrs;
  const slice = getKernel('Slice', 'wasm');
  if (slice === undefined) throw new Error('wasm SplitV: no Slice kernel is registered for wasm');
  const at = util.parseAxisParam(axis, x.shape)[0];
  const sizes = backend_util.prepareSplitSize(x as never, numOrSizeSplits, at);
  const begin = new Array<number>(x.shape.length).fill(0);
  return sizes.map((s) => {
    const size = x.shape.slice();
    size[at] = s;
    const piece = slice.kernelFunc({ inputs: { x }, backend: args.backend, attrs: { begin: begin.slice(), size } }) as TensorInfo;
    begin[at] += s;
    return piece;
  });
}

export const splitVFix: KernelConfig = { kernelName: SplitV, backendName: 'wasm', kernelFunc: splitV as unknown as KernelFunc };

/**
 * MaxPoolGrad for wasm (NHWC). The stock kernel took ~35% of a small-CNN gradient once the
 * convolutions ran on BLAS. Per output pixel it scans the window once for all channels
 * (contiguous), keeping the first maximum of each channel as the cpu backend does, and adds dy
 * there.
 */
function maxPoolGrad(args: Parameters<KernelFunc>[0]): TensorInfo {
  const { dy, input } = args.inputs as { dy: TensorInfo; input: TensorInfo };
  const { filterSize, strides, pad, dimRoundingMode } = args.attrs as unknown as MaxPoolGradAttrs;
  const backend = args.backend as unknown as WasmBackend;
  const info = backend_util.computePool2DInfo(input.shape as [number, number, number, number], filterSize, strides, 1, pad, dimRoundingMode);
  const { batchSize, inHeight, inWidth, inChannels: C, outHeight, outWidth, filterHeight, filterWidth } = info;
  const { strideHeight, strideWidth, dilationHeight, dilationWidth } = info;
  const { top, left } = info.padInfo;
  const dx = backend.makeOutput(input.shape, 'float32');
  const heap = backend.wasm.HEAPF32;
  const xAt = offsetOf(backend, input) >> 2;
  const dxAt = offsetOf(backend, dx) >> 2;
  let g = offsetOf(backend, dy) >> 2;
  if (isTiling2x2(info)) {
    maxPoolGrad2x2(backend, xAt, g, dxAt, info);
    return dx;
  }
  heap.fill(0, dxAt, dxAt + batchSize * inHeight * inWidth * C);
  const best = new Float32Array(C);
  const where = new Int32Array(C);
  for (let b = 0; b < batchSize; b++) {
    const image = b * inHeight * inWidth * C;
    for (let oy = 0; oy < outHeight; oy++) {
      for (let ox = 0; ox < outWidth; ox++, g += C) {
        best.fill(-Infinity);
        where.fill(-1);
        for (let fy = 0; fy < filterHeight; fy++) {
          const iy = oy * strideHeight - top + fy * dilationHeight;
          if (iy < 0 || iy >= inHeight) continue;
          for (let fx = 0; fx < filterWidth; fx++) {
            const ix = ox * strideWidth - left + fx * dilationWidth;
            if (ix < 0 || ix >= inWidth) continue;
            const p = image + (iy * inWidth + ix) * C;
            for (let c = 0; c < C; c++) {
              const v = heap[xAt + p + c];
              if (v > best[c] || where[c] < 0) {
                best[c] = v;
                where[c] = p + c;
              }
            }
          }
        }
        for (let c = 0; c < C; c++) if (where[c] >= 0) heap[dxAt + where[c]] += heap[g + c];
      }
    }
  }
  return dx;
}

export const maxPoolGradFix: KernelConfig = { kernelName: MaxPoolGrad, backendName: 'wasm', kernelFunc: maxPoolGrad as unknown as KernelFunc };

export const wasmExtrasOverlay: KernelOverlay = { name: 'wasm-extras', backendName: 'wasm', kernels: [splitVFix, maxPoolGradFix, identityFix, sumFix, castFix] };

/** Registers SplitV, MaxPoolGrad, Identity, Sum and Cast (wasm-copies.ts) for wasm; returns their names. */
export function registerWasmExtras(): string[] {
  return applyOverlay(wasmExtrasOverlay);
}

export function unregisterWasmExtras(): void {
  removeOverlay(wasmExtrasOverlay);
}

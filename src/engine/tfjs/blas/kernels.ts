/**
 * Native BLAS kernel set for the wasm backend: the heavy kernels of a pivot gradient
 * (BatchMatMul with its transposes, Conv2D and both of its gradients) run as OpenBLAS sgemm on
 * the tensors' memory in the wasm heap; everything else (ReLU, BatchNorm, pooling, softmax,
 * slicing) stays on wasm's SIMD kernels. Registering replaces whatever 'wasm' kernel is there
 * (the fixes of ../kernels or stock) and keeps it, both to delegate cases not handled here
 * (other dtypes, NCHW, general broadcasting) and to restore it on unregistering.
 */
import {
  Add, backend_util, BatchMatMul, Conv2D, Conv2DBackpropFilter, Conv2DBackpropInput,
  Sum, util, type BatchMatMulAttrs, type Conv2DAttrs, type Conv2DBackpropFilterAttrs,
  type Conv2DBackpropInputAttrs, type KernelConfig, type KernelFunc, type SumAttrs, type TensorInfo,
} from '@tensorflow/tfjs';
import { disposeInfo, offsetOf, sizeOf, zeroFill, type WasmBackend } from '../fixes/wasm-internals';
import { matMulGeometry } from '../fixes/batch-mat-mul';
import { applyOverlay, overlayApplied, removeOverlay, runBelow, type KernelOverlay } from '../overlay';
import type { NativeBlas } from './binding';
import { operand, sgemmHeap } from './gemm';
import { col2im, im2col, isPointwise } from './im2col';
import { addBias, biasOperands, sumAlong } from './bias';
import { gridOf } from './grid';
import { gridConv2D, gridConv2DBackpropFilter, gridConv2DBackpropInput } from './grid-conv';

type Args = Parameters<KernelFunc>[0];

let blas: NativeBlas | null = null;
function previous(kernelName: string, args: Args, why: string): TensorInfo {
  return runBelow('native-blas', kernelName, args, why) as TensorInfo;
}

function active(): NativeBlas {
  if (blas === null) throw new Error('native kernels are registered without a BLAS binding');
  return blas;
}

function batchMatMul(args: Args): TensorInfo {
  const { a, b } = args.inputs as { a: TensorInfo; b: TensorInfo };
  const { transposeA, transposeB } = args.attrs as unknown as BatchMatMulAttrs;
  const backend = args.backend as unknown as WasmBackend;
  if (a.dtype !== 'float32' || b.dtype !== 'float32') return previous(BatchMatMul, args, 'non-float32 operands');
  const { k, m, n, batchA, batchB, batch, outerDims, generalBroadcast } = matMulGeometry(a, b, transposeA, transposeB);
  if (generalBroadcast) return previous(BatchMatMul, args, 'general batch broadcasting');
  const out = backend.makeOutput([...outerDims, m, n], 'float32');
  if (batch * m * n === 0) return out;
  if (k === 0) {
    zeroFill(backend, out, batch * m * n);
    return out;
  }
  // Row-major operands as stored: A is [m, k] or (transposed) [k, m]; B is [k, n] or [n, k].
  const lda = transposeA ? m : k;
  const ldb = transposeB ? k : n;
  const native = active();
  if (batchB === 1 && !transposeA) {
    // Every batch entry of A meets the same B: one [batch*m, k] x [k, n] product.
    sgemmHeap(native, backend, batchA * m, n, k, operand(backend, a, lda), operand(backend, b, ldb, transposeB), operand(backend, out, n));
    return out;
  }
  for (let i = 0; i < batch; i++) {
    sgemmHeap(native, backend, m, n, k,
      operand(backend, a, lda, transposeA, batchA === 1 ? 0 : i * m * k),
      operand(backend, b, ldb, transposeB, batchB === 1 ? 0 : i * k * n),
      operand(backend, out, n, false, i * m * n));
  }
  return out;
}

type Conv4 = [number, number, number, number];

/** The patch matrix of x for `info`: x itself for pointwise convolutions, else a new tensor. */
function patches(backend: WasmBackend, x: TensorInfo, info: backend_util.Conv2DInfo): { cols: TensorInfo; owned: boolean } {
  if (isPointwise(info)) return { cols: x, owned: false };
  const K = info.filterHeight * info.filterWidth * info.inChannels;
  const cols = backend.makeOutput([info.batchSize * info.outHeight * info.outWidth, K], 'float32');
  im2col(backend.wasm.HEAPF32, offsetOf(backend, x) >> 2, offsetOf(backend, cols) >> 2, info);
  return { cols, owned: true };
}

function conv2D(args: Args): TensorInfo {
  const { x, filter } = args.inputs as { x: TensorInfo; filter: TensorInfo };
  const { strides, pad, dataFormat, dilations, dimRoundingMode } = args.attrs as unknown as Conv2DAttrs;
  const backend = args.backend as unknown as WasmBackend;
  const info = backend_util.computeConv2DInfo(x.shape as Conv4, filter.shape as Conv4, strides, dilations, pad,
    dimRoundingMode, false, backend_util.convertConv2DDataFormat(dataFormat));
  if (info.dataFormat !== 'channelsLast' || x.dtype !== 'float32') return previous(Conv2D, args, `dataFormat '${dataFormat}'`);
  const P = info.batchSize * info.outHeight * info.outWidth;
  const K = info.filterHeight * info.filterWidth * info.inChannels;
  const co = info.outChannels;
  const out = backend.makeOutput(info.outShape, 'float32');
  if (P * co === 0) return out;
  if (K === 0) {
    zeroFill(backend, out, P * co);
    return out;
  }
  const grid = isPointwise(info) ? null : gridOf(info);
  if (grid !== null) {
    gridConv2D(active(), backend, x, filter, out, info, grid);
    return out;
  }
  withPatches(backend, x, info, (cols) => sgemmHeap(active(), backend, P, co, K, operand(backend, cols, K), operand(backend, filter, co), operand(backend, out, co)));
  return out;
}

/** Runs `use` on the im2col patches of x, freeing them afterwards when they were a copy. */
function withPatches(backend: WasmBackend, x: TensorInfo, info: backend_util.Conv2DInfo, use: (cols: TensorInfo) => void): void {
  const { cols, owned } = patches(backend, x, info);
  try {
    use(cols);
  } finally {
    if (owned) disposeInfo(backend, cols);
  }
}

function conv2DBackpropFilter(args: Args): TensorInfo {
  const { x, dy } = args.inputs as { x: TensorInfo; dy: TensorInfo };
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = args.attrs as unknown as Conv2DBackpropFilterAttrs;
  const backend = args.backend as unknown as WasmBackend;
  const info = backend_util.computeConv2DInfo(x.shape as Conv4, filterShape, strides, 1, pad, dimRoundingMode, false,
    backend_util.convertConv2DDataFormat(dataFormat));
  if (info.dataFormat !== 'channelsLast') return previous(Conv2DBackpropFilter, args, `dataFormat '${dataFormat}'`);
  const P = info.batchSize * info.outHeight * info.outWidth;
  const K = info.filterHeight * info.filterWidth * info.inChannels;
  const co = info.outChannels;
  const out = backend.makeOutput(filterShape, 'float32');
  if (K * co === 0) return out;
  if (P === 0) {
    zeroFill(backend, out, K * co);
    return out;
  }
  const grid = isPointwise(info) ? null : gridOf(info);
  if (grid !== null) {
    gridConv2DBackpropFilter(active(), backend, x, dy, out, info, grid);
    return out;
  }
  // dW[K, co] = cols[P, K]^T dy[P, co]
  withPatches(backend, x, info, (cols) => sgemmHeap(active(), backend, K, co, P, operand(backend, cols, K, true), operand(backend, dy, co), operand(backend, out, co)));
  return out;
}

function conv2DBackpropInput(args: Args): TensorInfo {
  const { dy, filter } = args.inputs as { dy: TensorInfo; filter: TensorInfo };
  const { strides, pad, dataFormat, dimRoundingMode, inputShape } = args.attrs as unknown as Conv2DBackpropInputAttrs;
  const backend = args.backend as unknown as WasmBackend;
  const info = backend_util.computeConv2DInfo(inputShape, filter.shape as Conv4, strides, 1, pad, dimRoundingMode, false,
    backend_util.convertConv2DDataFormat(dataFormat));
  if (info.dataFormat !== 'channelsLast') return previous(Conv2DBackpropInput, args, `dataFormat '${dataFormat}'`);
  const P = info.batchSize * info.outHeight * info.outWidth;
  const K = info.filterHeight * info.filterWidth * info.inChannels;
  const co = info.outChannels;
  const dx = backend.makeOutput(info.inShape, 'float32');
  const size = sizeOf(info.inShape);
  if (size === 0) return dx;
  if (P * co === 0 || K === 0) {
    zeroFill(backend, dx, size);
    return dx;
  }
  const pointwise = isPointwise(info);
  const grid = pointwise ? null : gridOf(info);
  if (grid !== null) {
    gridConv2DBackpropInput(active(), backend, dy, filter, dx, info, grid);
    return dx;
  }
  // dcols[P, K] = dy[P, co] W[K, co]^T; a pointwise convolution's dcols is dx itself.
  const dcols = pointwise ? dx : backend.makeOutput([P, K], 'float32');
  try {
    sgemmHeap(active(), backend, P, K, co, operand(backend, dy, co), operand(backend, filter, co, true), operand(backend, dcols, K));
    if (!pointwise) col2im(backend.wasm.HEAPF32, offsetOf(backend, dcols) >> 2, offsetOf(backend, dx) >> 2, info);
  } finally {
    if (!pointwise) disposeInfo(backend, dcols);
  }
  return dx;
}

/** x + bias along the last axis as a BLAS product; other additions stay on wasm. */
function add(args: Args): TensorInfo {
  const { a, b } = args.inputs as { a: TensorInfo; b: TensorInfo };
  const operands = biasOperands(a, b);
  if (operands === null) return previous(Add, args, 'not a bias addition');
  return addBias(active(), args.backend as unknown as WasmBackend, operands.x, operands.bias);
}

/** Sums over leading or over trailing axes as BLAS products; other reductions stay on wasm. */
function sum(args: Args): TensorInfo {
  const { x } = args.inputs as { x: TensorInfo };
  const { axis, keepDims } = args.attrs as unknown as SumAttrs;
  const axes = util.parseAxisParam(axis, x.shape).sort((p, q) => p - q);
  const rank = x.shape.length;
  const leading = axes.length > 0 && axes.length < rank && axes.every((v, i) => v === i);
  const trailing = axes.length > 0 && axes.length < rank && axes.every((v, i) => v === rank - axes.length + i);
  if (x.dtype !== 'float32' || (!leading && !trailing) || util.sizeFromShape(x.shape) === 0) {
    return previous(Sum, args, 'not a float32 sum over leading or trailing axes');
  }
  const backend = args.backend as unknown as WasmBackend;
  const split = leading ? axes.length : rank - axes.length;
  const [rows, n] = [util.sizeFromShape(x.shape.slice(0, split)), util.sizeFromShape(x.shape.slice(split))];
  const kept = leading ? x.shape.slice(split) : x.shape.slice(0, split);
  const ones = axes.map(() => 1);
  const out = backend.makeOutput(keepDims ? (leading ? [...ones, ...kept] : [...kept, ...ones]) : kept, 'float32');
  sumAlong(active(), backend, x, rows, n, out, leading ? 'rows' : 'columns');
  return out;
}

const config = (kernelName: string, kernelFunc: (args: Args) => TensorInfo): KernelConfig =>
  ({ kernelName, backendName: 'wasm', kernelFunc: kernelFunc as unknown as KernelFunc });

export const nativeKernels: readonly KernelConfig[] = [
  config(BatchMatMul, batchMatMul),
  config(Conv2D, conv2D),
  config(Conv2DBackpropFilter, conv2DBackpropFilter),
  config(Conv2DBackpropInput, conv2DBackpropInput),
  config(Add, add),
  config(Sum, sum),
];

export const nativeBlasOverlay: KernelOverlay = { name: 'native-blas', backendName: 'wasm', kernels: nativeKernels };

export function nativeKernelsRegistered(): boolean {
  return overlayApplied(nativeBlasOverlay);
}

/**
 * Routes the heavy kernels of backend 'wasm' to `native`; returns their names. The overlay goes on
 * top of the wasm kernel fixes (applying those later throws).
 */
export function registerNativeKernels(native: NativeBlas): string[] {
  blas = native;
  return applyOverlay(nativeBlasOverlay);
}

/** Puts back the kernels that registering replaced. */
export function unregisterNativeKernels(): void {
  removeOverlay(nativeBlasOverlay);
}

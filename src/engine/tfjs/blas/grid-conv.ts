/**
 * Stride-1 convolutions (NHWC) and both gradients as BLAS products on the padded grid of
 * ./grid.ts, instead of im2col patch matrices. Profiled on the small CNN (conv 3x3 16->32 on
 * 14x14, batch 128), writing the [P, 9*ci] patch matrix and scattering it back (col2im) in JS
 * cost more than all the products, while the products themselves take about as long per tap as
 * one big patch product does. Two ways, by input channels ci:
 *
 * - taps (ci >= TAPS_MIN_CHANNELS): one product per filter tap with the offset grid as operand,
 *   K = ci: out += grid[q + shift] W[tap]; dW[tap] = grid[q + shift]^T dy;
 *   dx[q + shift] += dy W[tap]^T. Only the padded copies of x and dy are written.
 * - channel-major patches (fewer channels, e.g. the first layer's ci = 1, where K = ci would
 *   starve BLAS): with the grid stored channel-major, the patch matrix transposed, [K, rows],
 *   is K contiguous runs of the grid, each one native copy; then one product of depth K.
 *   The input gradient of such layers (never needed for a network's input) uses taps.
 */
import type { backend_util, TensorInfo } from '@tensorflow/tfjs';
import { disposeInfo, offsetOf, type WasmBackend } from '../fixes/wasm-internals';
import { NO_TRANS, TRANS, type NativeBlas } from './binding';
import { fillsGrid, fromGrid, toChannelGrid, toGrid, type Grid } from './grid';

/** Below this many input channels, products per tap are too shallow; see the module comment. */
export const TAPS_MIN_CHANNELS = 8;

type Gemm = (transA: boolean, transB: boolean, m: number, n: number, k: number,
  a: number, lda: number, b: number, ldb: number, beta: number, c: number, ldc: number) => void;

/**
 * Runs `use` with scratch float buffers of the given sizes in the heap (their float indices),
 * the heap view to use (taken after allocating: allocation may grow and replace it) and sgemm
 * on float indices of that view. Frees the buffers afterwards.
 */
function withScratch(blas: NativeBlas, backend: WasmBackend, sizes: number[],
  use: (heap: Float32Array, at: number[], gemm: Gemm) => void): void {
  const buffers = sizes.map((s) => backend.makeOutput([Math.max(s, 1)], 'float32'));
  try {
    const at = buffers.map((b) => offsetOf(backend, b) >> 2);
    const heap = backend.wasm.HEAPF32;
    const gemm: Gemm = (ta, tb, m, n, k, a, lda, b, ldb, beta, c, ldc) =>
      blas.sgemm(ta ? TRANS : NO_TRANS, tb ? TRANS : NO_TRANS, m, n, k, 1, heap.subarray(a), lda, heap.subarray(b), ldb, beta, heap.subarray(c), ldc);
    use(heap, at, gemm);
  } finally {
    for (const b of buffers) disposeInfo(backend, b);
  }
}

const at = (backend: WasmBackend, t: TensorInfo): number => offsetOf(backend, t) >> 2;

/** Whether x needs a padded copy (not when it already is its own grid: 'valid' padding). */
const xPadded = (g: Grid, info: backend_util.Conv2DInfo): boolean => !fillsGrid(g, info.inHeight, info.inWidth, g.top, g.left);
const dyPadded = (g: Grid, info: backend_util.Conv2DInfo): boolean => !fillsGrid(g, info.outHeight, info.outWidth, 0, 0);

/**
 * The transposed patch matrix [K, rows] at `cols` from the channel-major grid at `grid`:
 * row (tap, k) is channel k's plane read from the tap's shift on.
 */
function channelPatches(heap: Float32Array, grid: number, cols: number, g: Grid, ci: number): void {
  const plane = g.pixels;
  g.shifts.forEach((shift, t) => {
    for (let k = 0; k < ci; k++) {
      const s = grid + k * plane + shift;
      heap.copyWithin(cols + (t * ci + k) * g.rows, s, s + g.rows);
    }
  });
}

/**
 * How x enters the products of the forward pass and the filter gradient: per tap (`taps`) or as
 * channel-major patches, whether it needs a padded copy, and the scratch floats for that copy
 * and for the patches (K x rows, K = taps x ci).
 */
function xPlan(g: Grid, info: backend_util.Conv2DInfo): { taps: boolean; padded: boolean; K: number; gridFloats: number; colsFloats: number } {
  const ci = info.inChannels;
  const taps = ci >= TAPS_MIN_CHANNELS;
  const padded = taps ? xPadded(g, info) : ci > 1 || xPadded(g, info);
  const K = g.shifts.length * ci;
  return { taps, padded, K, gridFloats: padded ? g.pixels * ci : 0, colsFloats: taps ? 0 : K * g.rows };
}

/**
 * Lays x out as the plan says (padded grid copy, and the patches when not per tap); returns the
 * grid's float index (x itself when it needs no copy).
 */
function layOutX(heap: Float32Array, xAt: number, xg: number, cols: number, g: Grid, info: backend_util.Conv2DInfo,
  plan: ReturnType<typeof xPlan>): number {
  const { inHeight, inWidth, inChannels: ci } = info;
  const grid = plan.padded ? xg : xAt;
  if (plan.taps) {
    if (plan.padded) toGrid(heap, xAt, grid, g, inHeight, inWidth, ci, g.top, g.left);
  } else {
    if (plan.padded) toChannelGrid(heap, xAt, grid, g, inHeight, inWidth, ci);
    channelPatches(heap, grid, cols, g, ci);
  }
  return grid;
}

/** out = conv(x, filter) for a stride-1 convolution with grid g. */
export function gridConv2D(blas: NativeBlas, backend: WasmBackend, x: TensorInfo, filter: TensorInfo, out: TensorInfo,
  info: backend_util.Conv2DInfo, g: Grid): void {
  const { inChannels: ci, outHeight, outWidth, outChannels: co } = info;
  const plan = xPlan(g, info);
  withScratch(blas, backend, [plan.gridFloats, g.rows * co, plan.colsFloats], (heap, [xg, og, cols], gemm) => {
    const grid = layOutX(heap, at(backend, x), xg, cols, g, info, plan);
    const w = at(backend, filter);
    if (plan.taps) g.shifts.forEach((shift, t) => gemm(false, false, g.rows, co, ci, grid + shift * ci, ci, w + t * ci * co, co, t === 0 ? 0 : 1, og, co));
    else gemm(true, false, g.rows, co, plan.K, cols, g.rows, w, co, 0, og, co);
    fromGrid(heap, og, at(backend, out), g, outHeight, outWidth, co, 0, 0);
  });
}

/** dW = the filter gradient of a stride-1 convolution with grid g. */
export function gridConv2DBackpropFilter(blas: NativeBlas, backend: WasmBackend, x: TensorInfo, dy: TensorInfo, dW: TensorInfo,
  info: backend_util.Conv2DInfo, g: Grid): void {
  const { inChannels: ci, outHeight, outWidth, outChannels: co } = info;
  const plan = xPlan(g, info);
  const padDy = dyPadded(g, info);
  withScratch(blas, backend, [plan.gridFloats, padDy ? g.pixels * co : 0, plan.colsFloats], (heap, [xg, dyg, cols], gemm) => {
    const grid = layOutX(heap, at(backend, x), xg, cols, g, info, plan);
    const w = at(backend, dW);
    const dyGrid = padDy ? dyg : at(backend, dy);
    if (padDy) toGrid(heap, at(backend, dy), dyGrid, g, outHeight, outWidth, co, 0, 0);
    if (plan.taps) g.shifts.forEach((shift, t) => gemm(true, false, ci, co, g.rows, grid + shift * ci, ci, dyGrid, co, 0, w + t * ci * co, co));
    else gemm(false, false, plan.K, co, g.rows, cols, g.rows, dyGrid, co, 0, w, co);
  });
}

/** dx = the input gradient of a stride-1 convolution with grid g (taps, any ci). */
export function gridConv2DBackpropInput(blas: NativeBlas, backend: WasmBackend, dy: TensorInfo, filter: TensorInfo, dx: TensorInfo,
  info: backend_util.Conv2DInfo, g: Grid): void {
  const { inHeight, inWidth, inChannels: ci, outHeight, outWidth, outChannels: co } = info;
  const plane = g.pixels;
  const padded = xPadded(g, info);
  const padDy = dyPadded(g, info);
  withScratch(blas, backend, [padded ? plane * ci : 0, padDy ? plane * co : 0], (heap, [dxg, dyg], gemm) => {
    const dxAt = at(backend, dx);
    const w = at(backend, filter);
    const grid = padded ? dxg : dxAt;
    const dyGrid = padDy ? dyg : at(backend, dy);
    if (padDy) toGrid(heap, at(backend, dy), dyGrid, g, outHeight, outWidth, co, 0, 0);
    heap.fill(0, grid, grid + plane * ci);
    // Taps overlap in dx: each product accumulates (beta 1) into its offset view of the grid.
    g.shifts.forEach((shift, t) => gemm(false, true, g.rows, ci, co, dyGrid, co, w + t * ci * co, co, 1, grid + shift * ci, ci));
    if (padded) fromGrid(heap, grid, dxAt, g, inHeight, inWidth, ci, g.top, g.left);
  });
}

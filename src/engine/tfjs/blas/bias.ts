/**
 * The two halves of a bias (a vector added along the last axis) as rank-1 BLAS products with a
 * vector of ones:
 *   Add: out[rows, n] = x + ones[rows, 1] b[1, n]   (a copy of x, then sgemm with beta 1)
 *   Sum over leading axes: out[1, n] = ones[1, rows] dy[rows, n]
 *   Sum over trailing axes: out[rows, 1] = x[rows, n] ones[n, 1]  (stacked points' bias gradients
 *   over the batch, and the per-point sums that check finiteness: stock wasm's Sum was 7.5% of a
 *   stacked MLP 784-100-10 gradient)
 * Profiled on the small CNN (x [128, 28, 28, 16]), the stock wasm broadcasting Add took ~3.5 ms
 * and the JS float64 Sum (./wasm-copies.ts) ~4 ms; as products they take ~0.5 ms each.
 * The Add is exact (1 * b + x rounds once, as the plain sum does); the Sum accumulates in
 * float32 in BLAS's blocked order, as the stock wasm Sum does in its own order.
 */
import { util, type TensorInfo } from '@tensorflow/tfjs';
import { disposeInfo, offsetOf, type WasmBackend } from '../fixes/wasm-internals';
import { NO_TRANS, TRANS, type NativeBlas } from './binding';

/**
 * For x + b: which operand is the vector added along the other's last axis, or null when the
 * operation is not that (equal shapes, other broadcasts, other dtypes).
 */
export function biasOperands(a: TensorInfo, b: TensorInfo): { x: TensorInfo; bias: TensorInfo } | null {
  if (a.dtype !== 'float32' || b.dtype !== 'float32') return null;
  const isBias = (v: TensorInfo, x: TensorInfo) => {
    const n = x.shape[x.shape.length - 1];
    return x.shape.length >= v.shape.length && v.shape.length >= 1 && v.shape[v.shape.length - 1] === n &&
      v.shape.slice(0, -1).every((d) => d === 1) && util.sizeFromShape(x.shape) > n;
  };
  if (isBias(b, a)) return { x: a, bias: b };
  if (isBias(a, b)) return { x: b, bias: a };
  return null;
}

/** A scratch vector of `n` ones in the heap; free it with disposeInfo. */
function ones(backend: WasmBackend, n: number): TensorInfo {
  const t = backend.makeOutput([n], 'float32');
  const at = offsetOf(backend, t) >> 2;
  backend.wasm.HEAPF32.fill(1, at, at + n);
  return t;
}

/** out = x + bias along the last axis (shapes as biasOperands accepted them). */
export function addBias(blas: NativeBlas, backend: WasmBackend, x: TensorInfo, bias: TensorInfo): TensorInfo {
  const n = x.shape[x.shape.length - 1];
  const size = util.sizeFromShape(x.shape);
  const rows = size / n;
  const out = backend.makeOutput(x.shape.slice(), 'float32');
  const unit = ones(backend, rows);
  try {
    const heap = backend.wasm.HEAPF32;
    const xAt = offsetOf(backend, x) >> 2;
    const outAt = offsetOf(backend, out) >> 2;
    heap.copyWithin(outAt, xAt, xAt + size);
    blas.sgemm(NO_TRANS, NO_TRANS, rows, n, 1, 1, heap.subarray(offsetOf(backend, unit) >> 2), 1,
      heap.subarray(offsetOf(backend, bias) >> 2), n, 1, heap.subarray(outAt), n);
  } finally {
    disposeInfo(backend, unit);
  }
  return out;
}

/**
 * Sums of x [rows, n] (any shape flattened so): over the rows into out [n] (`over` 'rows'), or
 * over each row into out [rows] ('columns'). sgemv streams x once; sgemm with one row or column
 * (the fallback) packs x first, twice the memory traffic.
 */
export function sumAlong(blas: NativeBlas, backend: WasmBackend, x: TensorInfo, rows: number, n: number, out: TensorInfo, over: 'rows' | 'columns'): void {
  const unit = ones(backend, over === 'rows' ? rows : n);
  try {
    const heap = backend.wasm.HEAPF32;
    const [a, u, y] = [heap.subarray(offsetOf(backend, x) >> 2), heap.subarray(offsetOf(backend, unit) >> 2), heap.subarray(offsetOf(backend, out) >> 2)];
    if (blas.sgemv) blas.sgemv(over === 'rows' ? TRANS : NO_TRANS, rows, n, 1, a, n, u, 1, 0, y, 1);
    else if (over === 'rows') blas.sgemm(NO_TRANS, NO_TRANS, 1, n, rows, 1, u, rows, a, n, 0, y, n);
    else blas.sgemm(NO_TRANS, NO_TRANS, rows, 1, n, 1, a, n, u, 1, 0, y, 1);
  } finally {
    disposeInfo(backend, unit);
  }
}

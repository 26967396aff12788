/**
 * sgemm on data that lives in the wasm heap: the operands are Float32Array views of the heap's
 * ArrayBuffer at the tensors' offsets, so the native call reads and writes tfjs tensors in
 * place (no copies in or out). The heap may grow (and its buffer be replaced) on any wasm
 * allocation, so views are made right before the call, never kept.
 */
import type { TensorInfo } from '@tensorflow/tfjs';
import { offsetOf, type WasmBackend } from '../fixes/wasm-internals';
import { NO_TRANS, TRANS, type NativeBlas } from './binding';

/** A matrix operand: byte offset in the heap, leading dimension, transposed or not. */
export interface Operand {
  readonly at: number;
  readonly ld: number;
  readonly trans?: boolean;
}

export function operand(backend: WasmBackend, t: TensorInfo, ld: number, trans = false, elementOffset = 0): Operand {
  return { at: offsetOf(backend, t) + 4 * elementOffset, ld, trans };
}

/** C[m, n] = op(A) op(B) (+ C when accumulate), all in the wasm heap. */
export function sgemmHeap(
  blas: NativeBlas, backend: WasmBackend, m: number, n: number, k: number, a: Operand, b: Operand, c: Operand,
  accumulate = false,
): void {
  const heap = backend.wasm.HEAPF32;
  blas.sgemm(a.trans ? TRANS : NO_TRANS, b.trans ? TRANS : NO_TRANS, m, n, k, 1,
    heap.subarray(a.at >> 2), a.ld, heap.subarray(b.at >> 2), b.ld, accumulate ? 1 : 0, heap.subarray(c.at >> 2), c.ld);
}

/**
 * BatchMatMul for wasm that always reaches XNNPACK. The stock kernel sends only a single,
 * non-transposed 2-D product to XNNPACK; transposed or batched products run a scalar C++ loop
 * (~2 GFLOP/s against ~16). Backprop through matMul is all transposed products, so this kernel
 * transposes explicitly (memory-bound, cheap next to the product) and runs each batch entry as
 * a plain 2-D product on views into the operands, without copies.
 */
import {
  BatchMatMul, broadcast_util, type BatchMatMulAttrs, type KernelConfig, type KernelFunc,
  type TensorInfo,
} from '@tensorflow/tfjs';
import { runStock, runWasmKernel } from './registry';
import { disposeInfo, matMulAt, offsetOf, sizeOf, zeroFill, type WasmBackend } from './wasm-internals';

/** [batch, rows, cols] -> [batch, cols, rows] as a new tensor (wasm Transpose kernel). */
function transposed(backend: WasmBackend, t: TensorInfo, batch: number, rows: number, cols: number): TensorInfo {
  const x: TensorInfo = { dataId: t.dataId, shape: [batch, rows, cols], dtype: t.dtype };
  return runWasmKernel('Transpose', { inputs: { x }, backend: backend as never, attrs: { perm: [0, 2, 1] } }) as TensorInfo;
}

/** Sizes of a (batched, possibly transposed) matrix product; throws when the inner sizes differ. */
export function matMulGeometry(a: TensorInfo, b: TensorInfo, transposeA: boolean, transposeB: boolean) {
  const aRank = a.shape.length;
  const bRank = b.shape.length;
  const k = transposeA ? a.shape[aRank - 2] : a.shape[aRank - 1];
  const kB = transposeB ? b.shape[bRank - 1] : b.shape[bRank - 2];
  const m = transposeA ? a.shape[aRank - 1] : a.shape[aRank - 2];
  const n = transposeB ? b.shape[bRank - 2] : b.shape[bRank - 1];
  if (k !== kB) {
    throw new Error(`matMul: inner dimensions ${k} and ${kB} of shapes ${JSON.stringify(a.shape)} and ` +
      `${JSON.stringify(b.shape)} (transposeA=${transposeA}, transposeB=${transposeB}) must match`);
  }
  const batchA = sizeOf(a.shape.slice(0, -2));
  const batchB = sizeOf(b.shape.slice(0, -2));
  const outerDims = broadcast_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
  return { k, m, n, batchA, batchB, batch: Math.max(batchA, batchB), outerDims, generalBroadcast: batchA !== batchB && batchA !== 1 && batchB !== 1 };
}

function batchMatMul(args: Parameters<KernelFunc>[0]): TensorInfo {
  const { a, b } = args.inputs as { a: TensorInfo; b: TensorInfo };
  const { transposeA, transposeB } = args.attrs as unknown as BatchMatMulAttrs;
  const backend = args.backend as unknown as WasmBackend;
  if (a.dtype !== 'float32' || b.dtype !== 'float32') return runStock(BatchMatMul, args, 'non-float32 operands') as TensorInfo;

  const { k, m, n, batchA, batchB, batch, outerDims, generalBroadcast } = matMulGeometry(a, b, transposeA, transposeB);
  // Broadcasting other than "same batch" or "one side unbatched" keeps the stock semantics.
  if (generalBroadcast) return runStock(BatchMatMul, args, 'general batch broadcasting') as TensorInfo;

  const out = backend.makeOutput([...outerDims, m, n], 'float32');
  if (batch * m * n === 0) return out;
  if (k === 0) {
    zeroFill(backend, out, batch * m * n);
    return out;
  }
  const aT = transposeA ? transposed(backend, a, batchA, k, m) : null;
  const bT = transposeB ? transposed(backend, b, batchB, n, k) : null;
  try {
    const aOffset = offsetOf(backend, aT ?? a);
    const bOffset = offsetOf(backend, bT ?? b);
    const outOffset = offsetOf(backend, out);
    if (batchB === 1) {
      // Every batch entry of A meets the same B: one [batch*m, k] x [k, n] product.
      matMulAt(backend, aOffset, batchA * m, k, bOffset, n, outOffset);
    } else {
      for (let i = 0; i < batch; i++) {
        const aAt = aOffset + (batchA === 1 ? 0 : i * m * k * 4);
        matMulAt(backend, aAt, m, k, bOffset + i * k * n * 4, n, outOffset + i * m * n * 4);
      }
    }
  } finally {
    if (aT !== null) disposeInfo(backend, aT);
    if (bT !== null) disposeInfo(backend, bT);
  }
  return out;
}

export const batchMatMulFix: KernelConfig = {
  kernelName: BatchMatMul,
  backendName: 'wasm',
  kernelFunc: batchMatMul as unknown as KernelFunc,
};

/**
 * Typed access to the parts of tfjs-backend-wasm 4.22 that the kernel fixes use: the Emscripten
 * heap, tensor memory offsets and the C++ tensor registry. The package exports no types for
 * these, so this module states the little we rely on (checked against backend_wasm.js).
 *
 * The C++ side keeps a registry id -> (pointer, size). Registering extra ids that point INTO an
 * existing buffer gives zero-copy "views" (a 2-D slice of a batch) that the exported C++
 * kernels accept like any tensor; `disposeView` removes the id (and any XNNPACK operator cached
 * on it) without freeing memory, which the owning tensor still holds.
 */
import type { DataId, DataType, TensorInfo } from '@tensorflow/tfjs';

export interface EmscriptenModule {
  HEAPU8: Uint8Array;
  HEAPF32: Float32Array;
  HEAP32: Int32Array;
  /** The instance's exports; `memory` is the WebAssembly.Memory behind the heap views. */
  asm?: { memory?: object };
  cwrap(name: string, returnType: null | 'number', argTypes: string[]): (...args: unknown[]) => unknown;
  tfjs: {
    registerTensor(id: number, size: number, memoryOffset: number): void;
    disposeData(id: number): void;
  };
}

interface WasmTensorData {
  id: number;
  memoryOffset: number;
  shape: number[];
  dtype: DataType;
  refCount: number;
}

/** The subset of BackendWasm (tfjs-backend-wasm/dist/backend_wasm.js) used here. */
export interface WasmBackend {
  wasm: EmscriptenModule;
  dataIdNextNumber: number;
  dataIdMap: { get(dataId: DataId): WasmTensorData | undefined };
  makeOutput(shape: number[], dtype: DataType, memoryOffset?: number): TensorInfo;
  disposeData(dataId: DataId, force?: boolean): boolean;
  /** One more TensorInfo shares the data (what the stock Reshape kernel does). */
  incRef(dataId: DataId): void;
}

/** Byte offset of a tensor's data in the wasm heap. */
export function offsetOf(backend: WasmBackend, t: TensorInfo): number {
  const data = backend.dataIdMap.get(t.dataId);
  if (data === undefined) throw new Error(`tensor ${JSON.stringify(t.shape)} is not on the wasm backend`);
  return data.memoryOffset;
}

/** The C++ registry id of a tensor. */
export function idOf(backend: WasmBackend, t: TensorInfo): number {
  const data = backend.dataIdMap.get(t.dataId);
  if (data === undefined) throw new Error(`tensor ${JSON.stringify(t.shape)} is not on the wasm backend`);
  return data.id;
}

/** Registers a view of `size` float32 values at byte offset `memoryOffset`; returns its id. */
export function registerView(backend: WasmBackend, memoryOffset: number, size: number): number {
  const id = backend.dataIdNextNumber++;
  backend.wasm.tfjs.registerTensor(id, size, memoryOffset);
  return id;
}

export function disposeView(backend: WasmBackend, id: number): void {
  backend.wasm.tfjs.disposeData(id);
}

/** Float32 heap view; re-read after every allocation because the heap may have grown. */
export function heapF32(backend: WasmBackend): Float32Array {
  return backend.wasm.HEAPF32;
}

export function disposeInfo(backend: WasmBackend, t: TensorInfo): void {
  backend.disposeData(t.dataId);
}

/** Size of a shape (product of its dimensions). */
export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

type PlainMatMul = (aId: number, m: number, k: number, bId: number, n: number, outId: number) => void;
const plainMatMuls = new WeakMap<EmscriptenModule, PlainMatMul>();

/**
 * The module's exported `BatchMatMul` restricted to the shape it runs fast: one non-transposed
 * [m, k] x [k, n] product, which the C++ side hands to XNNPACK's fully-connected operator
 * (any other case falls to a scalar loop, ~10x slower). Out must hold m * n values.
 */
export function plainMatMul(backend: WasmBackend): PlainMatMul {
  let f = plainMatMuls.get(backend.wasm);
  if (f === undefined) {
    const raw = backend.wasm.cwrap('BatchMatMul', null, [
      'number', 'array', 'number', 'number', 'array', 'number', 'number', 'number', 'number',
    ]);
    const shapeBytes = (d0: number, d1: number) => new Uint8Array(new Int32Array([1, d0, d1]).buffer);
    f = (aId, m, k, bId, n, outId) => raw(aId, shapeBytes(m, k), 3, bId, shapeBytes(k, n), 3, 0, 0, outId);
    plainMatMuls.set(backend.wasm, f);
  }
  return f;
}

/**
 * out[m, n] = a[m, k] @ b[k, n] for float32 data at byte offsets in the heap (no transposes),
 * through the fast XNNPACK path.
 */
export function matMulAt(
  backend: WasmBackend, aOffset: number, m: number, k: number, bOffset: number, n: number,
  outOffset: number,
): void {
  const aId = registerView(backend, aOffset, m * k);
  const bId = registerView(backend, bOffset, k * n);
  const outId = registerView(backend, outOffset, m * n);
  try {
    plainMatMul(backend)(aId, m, k, bId, n, outId);
  } finally {
    disposeView(backend, aId);
    disposeView(backend, bId);
    disposeView(backend, outId);
  }
}

/** Bytes per element of the dtypes whose data lives in the heap (strings do not). */
export const BYTES_PER_ELEMENT: Readonly<Record<string, number | undefined>> = { float32: 4, int32: 4, bool: 1 };

/** Sets a float32 tensor's `count` values to 0 (fresh outputs hold whatever malloc returned). */
export function zeroFill(backend: WasmBackend, t: TensorInfo, count: number): void {
  const at = offsetOf(backend, t) >> 2;
  heapF32(backend).fill(0, at, at + count);
}

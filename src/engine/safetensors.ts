/**
 * safetensors (https://github.com/huggingface/safetensors, format section): the exchange format
 * for parameters, so minima and pivots load in Python with `safetensors.torch.load_file` and
 * minima trained in PyTorch can be imported. Layout: u64 little-endian header size N, N bytes of
 * JSON header {name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {str: str}},
 * then the tensor bytes (little-endian), offsets relative to the end of the header.
 *
 * No maintained npm package implements the format, and it is small; parsing is strict, since
 * uploads come from outside: every malformation is an error naming what is wrong.
 */
import { InvalidInputError } from './errors';

export interface TensorSpec {
  readonly name: string;
  readonly shape: readonly number[];
}

export interface NamedTensor extends TensorSpec {
  readonly data: Float32Array;
}

/** Headers larger than this are refused (the format's reference implementation uses 100 MB). */
const MAX_HEADER_BYTES = 100_000_000;

/** Serialises float32 tensors in the given order, with string metadata. */
export function encodeSafetensors(tensors: readonly NamedTensor[], metadata: Record<string, string> = {}): Buffer {
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  let offset = 0;
  for (const t of tensors) {
    const bytes = t.data.length * 4;
    if (t.shape.reduce((a, b) => a * b, 1) !== t.data.length) {
      throw new InvalidInputError(t.name, `shape [${t.shape.join(', ')}] does not hold ${t.data.length} values`);
    }
    header[t.name] = { dtype: 'F32', shape: t.shape, data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  let json = JSON.stringify(header);
  // Pad the header with spaces so the data starts 8-byte aligned (as the reference writer does).
  json += ' '.repeat((8 - ((8 + Buffer.byteLength(json)) % 8)) % 8);
  const headerBytes = Buffer.from(json, 'utf8');
  const out = Buffer.alloc(8 + headerBytes.length + offset);
  out.writeBigUInt64LE(BigInt(headerBytes.length), 0);
  headerBytes.copy(out, 8);
  let position = 8 + headerBytes.length;
  for (const t of tensors) {
    for (let i = 0; i < t.data.length; i++, position += 4) out.writeFloatLE(t.data[i], position);
  }
  return out;
}

export interface DecodedSafetensors {
  readonly tensors: NamedTensor[];
  readonly metadata: Record<string, string>;
}

/** Parses a safetensors file of float32 tensors; throws InvalidInputError on any malformation. */
export function decodeSafetensors(bytes: Uint8Array): DecodedSafetensors {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buffer.length < 8) throw new InvalidInputError('file', `${buffer.length} bytes: too short for a safetensors header`);
  const headerSize = buffer.readBigUInt64LE(0);
  if (headerSize > BigInt(Math.min(MAX_HEADER_BYTES, buffer.length - 8))) {
    throw new InvalidInputError('file', `header size ${headerSize} exceeds the file (${buffer.length} bytes): truncated or not safetensors`);
  }
  const dataStart = 8 + Number(headerSize);
  let header: unknown;
  try {
    header = JSON.parse(buffer.subarray(8, dataStart).toString('utf8'));
  } catch {
    throw new InvalidInputError('file', 'header is not valid JSON: not a safetensors file');
  }
  if (header === null || typeof header !== 'object' || Array.isArray(header)) throw new InvalidInputError('file', 'header must be a JSON object');
  const dataLength = buffer.length - dataStart;
  const entries: { name: string; shape: number[]; begin: number; end: number; skip: boolean }[] = [];
  let metadata: Record<string, string> = {};
  for (const [name, value] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      metadata = checkMetadata(value);
      continue;
    }
    const info = value as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (info === null || typeof info !== 'object') throw new InvalidInputError(name, 'header entry must be an object');
    // PyTorch's BatchNorm state_dict carries an int64 step counter that is no coordinate: skipped.
    const counter = info.dtype === 'I64' && name.endsWith('num_batches_tracked');
    if (info.dtype !== 'F32' && !counter) throw new InvalidInputError(name, `dtype ${JSON.stringify(info.dtype)}; only F32 (float32) parameters are accepted`);
    const itemBytes = counter ? 8 : 4;
    const shape = info.shape;
    if (!Array.isArray(shape) || shape.some((d) => !Number.isInteger(d) || d < 0)) throw new InvalidInputError(name, `shape ${JSON.stringify(shape)} is not a list of sizes`);
    const offsets = info.data_offsets;
    if (!Array.isArray(offsets) || offsets.length !== 2 || offsets.some((o) => !Number.isInteger(o) || o < 0)) {
      throw new InvalidInputError(name, `data_offsets ${JSON.stringify(offsets)} must be [begin, end]`);
    }
    const [begin, end] = offsets as [number, number];
    const count = (shape as number[]).reduce((a, b) => a * b, 1);
    if (end < begin || end - begin !== count * itemBytes) throw new InvalidInputError(name, `data_offsets [${begin}, ${end}] do not hold ${count} ${info.dtype} values of shape [${shape.join(', ')}]`);
    if (end > dataLength) throw new InvalidInputError(name, `data ends at byte ${end} but the file has ${dataLength} data bytes: truncated`);
    entries.push({ name, shape: shape as number[], begin, end, skip: counter });
  }
  // The format requires the tensors to cover the data exactly, without gaps or overlaps.
  const sorted = [...entries].sort((x, y) => x.begin - y.begin);
  let expected = 0;
  for (const e of sorted) {
    if (e.begin !== expected) throw new InvalidInputError(e.name, `data starts at byte ${e.begin}, expected ${expected}: overlapping or gapped tensors`);
    expected = e.end;
  }
  if (expected !== dataLength) throw new InvalidInputError('file', `${dataLength - expected} bytes after the last tensor`);
  const tensors = entries.filter((e) => !e.skip).map((e) => {
    const data = new Float32Array((e.end - e.begin) / 4);
    for (let i = 0; i < data.length; i++) data[i] = buffer.readFloatLE(dataStart + e.begin + 4 * i);
    return { name: e.name, shape: e.shape, data };
  });
  return { tensors, metadata };
}

function checkMetadata(value: unknown): Record<string, string> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new InvalidInputError('__metadata__', 'must be an object of strings');
  for (const [key, v] of Object.entries(value)) {
    if (typeof v !== 'string') throw new InvalidInputError(`__metadata__.${key}`, 'metadata values must be strings');
  }
  return value as Record<string, string>;
}

/** The flat parameter vector from named tensors that must match `layout` exactly (names and shapes). */
export function flattenTensors(tensors: readonly NamedTensor[], layout: readonly TensorSpec[]): Float32Array {
  const byName = new Map(tensors.map((t) => [t.name, t]));
  const expectedNames = new Set(layout.map((l) => l.name));
  for (const t of tensors) {
    if (!expectedNames.has(t.name)) throw new InvalidInputError(t.name, `unexpected tensor; the architecture has ${layout.map((l) => l.name).join(', ')}`);
  }
  const total = layout.reduce((sum, l) => sum + l.shape.reduce((a, b) => a * b, 1), 0);
  const flat = new Float32Array(total);
  let offset = 0;
  for (const l of layout) {
    const t = byName.get(l.name);
    if (!t) throw new InvalidInputError(l.name, `missing tensor of shape [${l.shape.join(', ')}]`);
    if (t.shape.length !== l.shape.length || t.shape.some((d, i) => d !== l.shape[i])) {
      throw new InvalidInputError(l.name, `shape [${t.shape.join(', ')}], expected [${l.shape.join(', ')}]`);
    }
    flat.set(t.data, offset);
    offset += t.data.length;
  }
  return flat;
}

/** Named tensors (views) over a flat vector, cut by `layout`. */
export function splitTensors(flat: Float32Array, layout: readonly TensorSpec[]): NamedTensor[] {
  let offset = 0;
  const out = layout.map((l) => {
    const size = l.shape.reduce((a, b) => a * b, 1);
    const t = { name: l.name, shape: l.shape, data: flat.subarray(offset, offset + size) };
    offset += size;
    return t;
  });
  if (offset !== flat.length) throw new InvalidInputError('parameters', `${flat.length} values, the layout has ${offset}`);
  return out;
}

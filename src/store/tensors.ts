// Parameter vectors are stored as float32 little-endian bytes (bytea).
import type { Vector } from '../engine';

export function vectorToBytes(vector: Vector): Buffer {
  const copy = new Float32Array(vector); // own buffer, so no foreign bytes around it are stored
  if (!littleEndian) swapBytes(new Uint8Array(copy.buffer));
  return Buffer.from(copy.buffer, copy.byteOffset, copy.byteLength);
}

export function bytesToVector(bytes: Uint8Array, expectedLength?: number, what = 'parameters'): Vector {
  if (bytes.byteLength % 4 !== 0) throw new Error(`${what}: ${bytes.byteLength} bytes is not a whole number of float32 values`);
  const aligned = new Uint8Array(bytes); // copy: Buffers from pg may be unaligned views
  if (!littleEndian) swapBytes(aligned);
  const vector = new Float32Array(aligned.buffer, 0, aligned.byteLength / 4);
  if (expectedLength !== undefined && vector.length !== expectedLength) {
    throw new Error(`${what}: ${vector.length} values stored, the landscape's architecture has ${expectedLength}`);
  }
  return vector;
}

const littleEndian = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

function swapBytes(bytes: Uint8Array): void {
  for (let i = 0; i < bytes.length; i += 4) {
    [bytes[i], bytes[i + 1], bytes[i + 2], bytes[i + 3]] = [bytes[i + 3], bytes[i + 2], bytes[i + 1], bytes[i]];
  }
}

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeSafetensors, encodeSafetensors, flattenTensors, splitTensors, InvalidInputError } from '../../src/engine';

/** A file written byte by byte after the format description: one F32 tensor "w" of shape [2]. */
function handMadeFile(header: string, data: number[]): Buffer {
  const h = Buffer.from(header, 'utf8');
  const out = Buffer.alloc(8 + h.length + 4 * data.length);
  out.writeBigUInt64LE(BigInt(h.length), 0);
  h.copy(out, 8);
  data.forEach((v, i) => out.writeFloatLE(v, 8 + h.length + 4 * i));
  return out;
}

test('decodes a file written by hand after the format description', () => {
  const file = handMadeFile('{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"__metadata__":{"format":"pt"}}', [1.5, -2]);
  const { tensors, metadata } = decodeSafetensors(file);
  assert.deepEqual(metadata, { format: 'pt' });
  assert.equal(tensors.length, 1);
  assert.equal(tensors[0].name, 'w');
  assert.deepEqual(tensors[0].shape, [2]);
  assert.deepEqual(Array.from(tensors[0].data), [1.5, -2]);
});

test('encoding writes the documented layout: u64 header size, JSON header, aligned data', () => {
  const file = encodeSafetensors([{ name: 'layers.0.weight', shape: [1, 2], data: Float32Array.of(3, 4) }], { pathId: 'p' });
  const headerSize = Number(file.readBigUInt64LE(0));
  assert.equal((8 + headerSize) % 8, 0);
  const header = JSON.parse(file.subarray(8, 8 + headerSize).toString());
  assert.deepEqual(header['layers.0.weight'], { dtype: 'F32', shape: [1, 2], data_offsets: [0, 8] });
  assert.deepEqual(header.__metadata__, { pathId: 'p' });
  assert.equal(file.readFloatLE(8 + headerSize), 3);
  assert.equal(file.readFloatLE(12 + headerSize), 4);
});

test('round trip is bit-exact, including NaN payloads and -0', () => {
  const data = Float32Array.of(0.1, -0, 1e-38, 3.4e38, 7);
  const back = decodeSafetensors(encodeSafetensors([{ name: 'x', shape: [5], data }])).tensors[0].data;
  assert.deepEqual(new Uint8Array(back.buffer), new Uint8Array(data.buffer));
});

test('skips the int64 BatchNorm counter of PyTorch state dicts', () => {
  const h = '{"bn.num_batches_tracked":{"dtype":"I64","shape":[],"data_offsets":[0,8]},"bn.weight":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}}';
  const hb = Buffer.from(h);
  const file = Buffer.alloc(8 + hb.length + 12);
  file.writeBigUInt64LE(BigInt(hb.length), 0);
  hb.copy(file, 8);
  file.writeFloatLE(2.5, 8 + hb.length + 8);
  const { tensors } = decodeSafetensors(file);
  assert.deepEqual(tensors.map((t) => t.name), ['bn.weight']);
  assert.equal(tensors[0].data[0], 2.5);
});

const bad: [string, Buffer, RegExp][] = [
  ['too short', Buffer.alloc(5), /too short/],
  ['header larger than file', (() => { const b = Buffer.alloc(16); b.writeBigUInt64LE(1000n, 0); return b; })(), /exceeds the file/],
  ['header not JSON', handMadeFile('{nope', []), /not valid JSON/],
  ['float16', handMadeFile('{"w":{"dtype":"F16","shape":[2],"data_offsets":[0,4]}}', [0]), /^w: dtype "F16"/],
  ['truncated data', handMadeFile('{"w":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}', [1, 2]), /truncated/],
  ['offsets not matching shape', handMadeFile('{"w":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}', [1, 2]), /do not hold 3/],
  ['overlap', handMadeFile('{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}', [1, 2, 3]), /overlapping/],
  ['trailing bytes', handMadeFile('{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}', [1, 2]), /bytes after the last tensor/],
  ['negative shape', handMadeFile('{"w":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}', [1]), /not a list of sizes/],
];
for (const [name, file, message] of bad) {
  test(`rejects a malformed file: ${name}`, () => {
    assert.throws(() => decodeSafetensors(file), (err: Error) => err instanceof InvalidInputError && message.test(err.message));
  });
}

test('flattening checks names and shapes against the architecture', () => {
  const layout = [{ name: 'a', shape: [2] }, { name: 'b', shape: [1, 1] }];
  const flat = flattenTensors([{ name: 'b', shape: [1, 1], data: Float32Array.of(9) }, { name: 'a', shape: [2], data: Float32Array.of(1, 2) }], layout);
  assert.deepEqual(Array.from(flat), [1, 2, 9]);
  assert.deepEqual(splitTensors(flat, layout).map((t) => Array.from(t.data)), [[1, 2], [9]]);
  assert.throws(() => flattenTensors([{ name: 'a', shape: [2], data: Float32Array.of(1, 2) }], layout), /^Error: b: missing|b: missing/);
  assert.throws(() => flattenTensors([{ name: 'a', shape: [1, 2], data: Float32Array.of(1, 2) }, { name: 'b', shape: [1, 1], data: Float32Array.of(9) }], layout), /a: shape \[1, 2\], expected \[2\]/);
  assert.throws(() => flattenTensors([{ name: 'zzz', shape: [1], data: Float32Array.of(1) }], layout), /zzz: unexpected tensor/);
});

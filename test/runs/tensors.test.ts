// Parameters as safetensors: minima, pivots and the saddle of a path; uploads imported as minima
// (bit-exact round trip), and bad uploads refused with nothing stored. The files are read and
// written here by hand from the format's definition (8-byte header size, JSON header, data).
import 'reflect-metadata';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import request from 'supertest';
import { firstError, startTestServer, type TestServer } from '../helpers/server';
import { CONNECT, CYCLE_FIELDS, MB_SADDLE_BC, TRAIN, createLandscape, downloadBytes, minimaBySeed, mutate, surfaceSchedule, waitForRun, type CycleFields } from './helpers';

let server: TestServer;
let mlp: string;

interface Entry {
  dtype: string;
  shape: number[];
  data_offsets: [number, number];
}

function parse(file: Buffer): { entries: Record<string, Entry>; metadata: Record<string, string>; data: Buffer } {
  const size = Number(file.readBigUInt64LE(0));
  const header = JSON.parse(file.subarray(8, 8 + size).toString('utf8')) as Record<string, unknown>;
  const { __metadata__: metadata = {}, ...entries } = header;
  return { entries: entries as Record<string, Entry>, metadata: metadata as Record<string, string>, data: file.subarray(8 + size) };
}

function values(file: ReturnType<typeof parse>, name: string): Float32Array {
  const [begin, end] = file.entries[name].data_offsets;
  const bytes = Buffer.from(file.data.subarray(begin, end)); // own, aligned copy
  return new Float32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4);
}

/** A safetensors file from named float32 tensors (dtype overridable to make bad files). */
function build(tensors: { name: string; shape: number[]; data: Float32Array; dtype?: string }[]): Buffer {
  const header: Record<string, unknown> = {};
  let offset = 0;
  for (const t of tensors) {
    header[t.name] = { dtype: t.dtype ?? 'F32', shape: t.shape, data_offsets: [offset, offset + t.data.byteLength] };
    offset += t.data.byteLength;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (json.length % 8)) % 8);
  const size = Buffer.alloc(8);
  size.writeBigUInt64LE(BigInt(json.length));
  return Buffer.concat([size, Buffer.from(json), ...tensors.map((t) => Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength))]);
}

async function download(path: string): Promise<{ status: number; body: Buffer; json?: { error: { code: string; field?: string; message: string } } }> {
  const res = await downloadBytes(server, path);
  const body = res.body;
  return { status: res.status, body, json: res.status >= 400 ? JSON.parse(body.toString('utf8')) : undefined };
}

async function upload(file: Buffer) {
  return request(server.app.httpServer).post('/tensors/uploads').set('content-type', 'application/octet-stream').send(file);
}

const IMPORT = 'mutation($l: ID!, $u: ID!, $seed: Int) { importMinimum(landscapeId: $l, uploadId: $u, seed: $seed) { id seed status parameterCount run { id kind } } }';

before(async () => {
  server = await startTestServer();
  // An MLP on 8 features, 3 classes: layers.0 [16, 8], layers.1 [3, 16] as in PyTorch's nn.Linear.
  mlp = await createLandscape(server, {
    name: 'mlp',
    architecture: { kind: 'mlp', widths: [16] },
    dataset: { name: 'synthetic', features: 8, classes: 3, trainSize: 256, testSize: 128, seed: 1 },
    training: { steps: 30, batchSize: 32, learningRate: 0.05 },
  });
});

after(async () => {
  await server?.close();
});

test('a trained minimum downloads with PyTorch names and shapes; importing the file gives the same bits', async () => {
  const run = await mutate(server, TRAIN, { l: mlp, n: 1, seeds: [7] });
  assert.equal((await waitForRun(server, run.id)).status, 'SUCCEEDED');
  const minimum = (await minimaBySeed(server, mlp)).get(7)!;
  const res = await server.gql('query($id: ID!) { minimum(id: $id) { downloadUrl parameterCount } }', { id: minimum.id });
  const { downloadUrl, parameterCount } = res.data!.minimum;
  assert.equal(parameterCount, 16 * 8 + 16 + 3 * 16 + 3);

  const exported = await download(downloadUrl);
  assert.equal(exported.status, 200);
  const file = parse(exported.body);
  assert.deepEqual(
    Object.fromEntries(Object.entries(file.entries).map(([name, e]) => [name, [e.dtype, e.shape]])),
    { 'layers.0.weight': ['F32', [16, 8]], 'layers.0.bias': ['F32', [16]], 'layers.1.weight': ['F32', [3, 16]], 'layers.1.bias': ['F32', [3]] },
  );
  assert.equal(file.metadata.minimumId, minimum.id);
  assert.equal(file.metadata.seed, '7');
  assert.ok(Object.values(file.entries).every((e) => values(file, Object.keys(file.entries).find((n) => file.entries[n] === e)!).every(Number.isFinite)));

  // Import the exported file: a new READY minimum whose export is byte-for-byte the same tensors.
  const uploaded = await upload(exported.body);
  assert.equal(uploaded.status, 201);
  // Seed 7 is taken by the original: imported without a seed, stored as null.
  const imported = await mutate(server, IMPORT, { l: mlp, u: uploaded.body.uploadId });
  assert.equal(imported.seed, null);
  assert.equal(imported.status, 'READY');
  assert.equal(imported.parameterCount, parameterCount);
  assert.equal(imported.run.kind, 'EVALUATE');
  const again = parse((await download(`/tensors/minima/${imported.id}`)).body);
  for (const name of Object.keys(file.entries)) {
    assert.deepEqual(again.entries[name], file.entries[name]);
  }
  assert.ok(again.data.equals(file.data), 'the same bytes');
  // The EVALUATE run fills in the metrics: those of the original, since the parameters are equal.
  assert.equal((await waitForRun(server, imported.run.id)).status, 'SUCCEEDED');
  const both = await server.gql('query($a: ID!, $b: ID!) { a: minimum(id: $a) { trainLoss testLoss trainError testError } b: minimum(id: $b) { trainLoss testLoss trainError testError } }', { a: minimum.id, b: imported.id });
  assert.deepEqual(both.data!.b, both.data!.a);
  // An upload is used once.
  assert.equal(firstError(await server.gql(IMPORT, { l: mlp, u: uploaded.body.uploadId }))!.field, 'uploadId');
});

test('bad uploads are refused with the tensor named, and nothing is stored', async () => {
  const count = async () => (await server.gql('query($id: ID!) { landscape(id: $id) { minima { totalCount } } }', { id: mlp })).data!.landscape.minima.totalCount as number;
  const before = await count();
  const good = () => [
    { name: 'layers.0.weight', shape: [16, 8], data: new Float32Array(128).fill(0.01) },
    { name: 'layers.0.bias', shape: [16], data: new Float32Array(16) },
    { name: 'layers.1.weight', shape: [3, 16], data: new Float32Array(48).fill(-0.02) },
    { name: 'layers.1.bias', shape: [3], data: new Float32Array(3) },
  ];
  // Refused at import (the file is valid safetensors, but not this architecture).
  const renamed = good();
  renamed[1].name = 'fc1.bias';
  const transposed = good();
  transposed[0].shape = [8, 16];
  const missing = good().slice(0, 3);
  const nonFinite = good();
  nonFinite[2].data[5] = NaN;
  for (const [what, tensors, message] of [
    ['wrong name', renamed, /tensor fc1\.bias: unexpected tensor/],
    ['transposed shape', transposed, /tensor layers\.0\.weight: shape \[8, 16\], expected \[16, 8\]/],
    ['missing tensor', missing, /tensor layers\.1\.bias: missing tensor of shape \[3\]/],
    ['NaN', nonFinite, /parameter \d+ is NaN/],
  ] as const) {
    const uploaded = await upload(build(tensors));
    assert.equal(uploaded.status, 201, what);
    const err = firstError(await server.gql(IMPORT, { l: mlp, u: uploaded.body.uploadId }));
    assert.ok(err, what);
    assert.equal(err.code, 'BAD_USER_INPUT', what);
    assert.equal(err.field, 'uploadId', what);
    assert.match(err.message, message, what);
  }
  // Refused at upload: not float32, or not a safetensors file at all.
  const float64 = good();
  const asF64 = { name: 'layers.0.weight', shape: [16, 8], data: new Float32Array(256), dtype: 'F64' };
  float64[0] = asF64;
  const file = build(good());
  for (const [what, body, message] of [
    ['float64', build(float64), /layers\.0\.weight: dtype "F64"; only F32/],
    ['truncated', file.subarray(0, file.length - 10), /truncated/],
    ['garbage', Buffer.from('this is not a safetensors file at all'), /safetensors/],
    ['empty', Buffer.alloc(0), /safetensors/],
  ] as const) {
    const res = await upload(body);
    assert.equal(res.status, 400, what);
    assert.equal(res.body.error.code, 'BAD_USER_INPUT', what);
    assert.match(res.body.error.message, message, what);
  }
  assert.equal(await count(), before, 'no minimum stored');
  // And the good file imports.
  const ok = await upload(build(good()));
  await mutate(server, IMPORT, { l: mlp, u: ok.body.uploadId });
  assert.equal(await count(), before + 1);
});

test("a path's pivots, one pivot and its saddle download as safetensors", async () => {
  const surface = await createLandscape(server, { name: 'mb', architecture: { kind: 'surface', surface: 'muller-brown' }, autonebPreset: 'surface' });
  const train = await mutate(server, TRAIN, { l: surface, n: 2, seeds: [1, 3] });
  assert.equal((await waitForRun(server, train.id)).status, 'SUCCEEDED');
  const minima = await minimaBySeed(server, surface);
  const run = await mutate(server, CONNECT, { a: minima.get(3)!.id, b: minima.get(1)!.id, config: surfaceSchedule(3) });
  const pathId = (run.config as { pathId: string }).pathId;
  assert.equal((await waitForRun(server, run.id)).status, 'SUCCEEDED');
  const path = (await server.gql(`query($id: ID!) { path(id: $id) { downloads { pivots saddle } saddle { t } pivots { index t } cycles { ${CYCLE_FIELDS} } } }`, { id: pathId })).data!.path;
  const last = path.cycles.at(-1) as CycleFields;
  const coordinates = last.pivotCoordinates!;

  const all = parse((await download(path.downloads.pivots)).body);
  assert.deepEqual(Object.keys(all.entries), coordinates.map((_, i) => `pivot.${i}.xy`));
  coordinates.forEach((xy, i) => assert.deepEqual(Array.from(values(all, `pivot.${i}.xy`)), xy.map(Math.fround)));
  assert.equal(all.metadata.pathId, pathId);
  assert.deepEqual(JSON.parse(all.metadata.pivotT), path.pivots.map((p: { t: number }) => p.t));

  const second = parse((await download(`/tensors/paths/${pathId}/pivots/2`)).body);
  assert.deepEqual(Array.from(values(second, 'xy')), coordinates[2].map(Math.fround));
  assert.equal(second.metadata.pivotIndex, '2');

  // The saddle: the path at the saddle's t, near the literature saddle between B and C.
  const saddle = parse((await download(path.downloads.saddle)).body);
  const [x, y] = values(saddle, 'xy');
  assert.equal(Number(saddle.metadata.t), path.saddle.t);
  assert.ok(Math.hypot(x - MB_SADDLE_BC.x, y - MB_SADDLE_BC.y) < 0.03, `saddle at (${x}, ${y})`);

  const outOfRange = await download(`/tensors/paths/${pathId}/pivots/${coordinates.length}`);
  assert.equal(outOfRange.status, 400);
  assert.equal(outOfRange.json!.error.field, 'index');
  const unknown = await download('/tensors/paths/00000000-0000-4000-8000-000000000000/saddle');
  assert.equal(unknown.status, 404);
  assert.equal(unknown.json!.error.code, 'NOT_FOUND');
});

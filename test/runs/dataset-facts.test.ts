// A data set's facts in the API (sizes, features, classes, per-channel normalisation) and the
// normalisation in the safetensors metadata of exported minima and pivots, compared with values
// computed here from the training images; Fashion-MNIST's missing files refused at creation.
import 'reflect-metadata';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import request from 'supertest';
import { firstError, startTestServer, type TestServer } from '../helpers/server';
import { CONNECT, createLandscape, downloadBytes, mutate, waitForRun } from './helpers';

let server: TestServer;
let dir: string;
const N = 40;
const FACTS = 'query($id: ID!) { landscape(id: $id) { dataset { name trainSize testSize features classes normalization { mean std } } } }';
const IMPORT = 'mutation($l: ID!, $u: ID!) { importMinimum(landscapeId: $l, uploadId: $u) { id } }';

/** Training image i of 28x28 (the size the model is built for): pixel k is (37 i + 11 k) mod 256; test images are other bytes. */
const trainPixel = (i: number, k: number) => (37 * i + 11 * k) % 256;

function idx(dims: number[], data: Uint8Array): Buffer {
  const header = Buffer.alloc(4 + 4 * dims.length);
  header.writeUInt32BE(0x800 + dims.length, 0);
  dims.forEach((d, i) => header.writeUInt32BE(d, 4 + 4 * i));
  return Buffer.concat([header, Buffer.from(data)]);
}

function expectedNormalization(): { mean: number; std: number } {
  const v: number[] = [];
  for (let i = 0; i < N; i++) for (let k = 0; k < 784; k++) v.push(trainPixel(i, k) / 255);
  const mean = v.reduce((s, x) => s + x, 0) / v.length;
  return { mean, std: Math.sqrt(v.reduce((s, x) => s + (x - mean) ** 2, 0) / v.length) };
}

function metadataOf(file: Buffer): Record<string, string> {
  const size = Number(file.readBigUInt64LE(0));
  return (JSON.parse(file.subarray(8, 8 + size).toString('utf8')) as { __metadata__: Record<string, string> }).__metadata__;
}

async function download(path: string): Promise<Buffer> {
  const res = await downloadBytes(server, path);
  assert.equal(res.status, 200, path);
  return res.body;
}

/** A safetensors file of the MLP 784-4-10 with seeded small values. */
function mlpFile(seed: number): Buffer {
  const shapes: [string, number[]][] = [['layers.0.weight', [4, 784]], ['layers.0.bias', [4]], ['layers.1.weight', [10, 4]], ['layers.1.bias', [10]]];
  const header: Record<string, unknown> = {};
  const parts: Buffer[] = [];
  let offset = 0;
  for (const [name, shape] of shapes) {
    const data = Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, j) => Math.sin(seed * 13 + j) * 0.3);
    header[name] = { dtype: 'F32', shape, data_offsets: [offset, offset + data.byteLength] };
    offset += data.byteLength;
    parts.push(Buffer.from(data.buffer));
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (json.length % 8)) % 8);
  const size = Buffer.alloc(8);
  size.writeBigUInt64LE(BigInt(json.length));
  return Buffer.concat([size, Buffer.from(json), ...parts]);
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'neb-fashion-facts-'));
  const write = (name: string, b: Buffer) => writeFileSync(join(dir, `${name}.gz`), gzipSync(b));
  write('train-images-idx3-ubyte', idx([N, 28, 28], Uint8Array.from({ length: N * 784 }, (_, j) => trainPixel(Math.floor(j / 784), j % 784))));
  write('train-labels-idx1-ubyte', idx([N], Uint8Array.from({ length: N }, (_, i) => i % 10)));
  write('t10k-images-idx3-ubyte', idx([20, 28, 28], Uint8Array.from({ length: 20 * 784 }, (_, j) => (j * 7) % 256)));
  write('t10k-labels-idx1-ubyte', idx([20], Uint8Array.from({ length: 20 }, (_, i) => (i * 3) % 10)));
  server = await startTestServer();
});

after(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

test('Dataset facts of the bundled MNIST: 8004 / 1996, 784 features, 10 classes, its mean and std', async () => {
  const id = await createLandscape(server, { name: 'bundled', architecture: { kind: 'mlp', widths: [4] }, dataset: { name: 'mnist' } });
  const dataset = (await server.gql(FACTS, { id })).data!.landscape.dataset;
  assert.deepEqual({ ...dataset, normalization: undefined }, { name: 'mnist', trainSize: 8004, testSize: 1996, features: 784, classes: 10, normalization: undefined });
  // The training split of the `mnist` package: all but the last fifth of each digit's examples.
  let sum = 0;
  let sumSq = 0;
  let n = 0;
  for (let d = 0; d < 10; d++) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const values = (require(`mnist/src/digits/${d}.json`) as { data: number[] }).data;
    const count = values.length / 784;
    const train = (count - Math.floor(count / 5)) * 784;
    for (let k = 0; k < train; k++) {
      sum += values[k];
      sumSq += values[k] * values[k];
    }
    n += train;
  }
  const mean = sum / n;
  assert.equal(dataset.normalization.mean.length, 1);
  assert.ok(Math.abs(dataset.normalization.mean[0] - mean) < 1e-7, `${dataset.normalization.mean[0]} vs ${mean}`);
  assert.ok(Math.abs(dataset.normalization.std[0] - Math.sqrt(sumSq / n - mean * mean)) < 1e-7, "the images are float32");
});

test('fashion-mnist: facts in the API and the normalisation in exported minima and pivots equal those computed from the training images', async () => {
  const id = await createLandscape(server, {
    name: 'fashion',
    architecture: { kind: 'mlp', widths: [4] },
    dataset: { name: 'fashion-mnist', dir },
    training: { steps: 10, batchSize: 8, learningRate: 0.05 },
  });
  const dataset = (await server.gql(FACTS, { id })).data!.landscape.dataset;
  const { mean, std } = expectedNormalization();
  assert.deepEqual({ ...dataset, normalization: undefined }, { name: 'fashion-mnist', trainSize: N, testSize: 20, features: 784, classes: 10, normalization: undefined });
  assert.ok(Math.abs(dataset.normalization.mean[0] - mean) < 1e-12);
  assert.ok(Math.abs(dataset.normalization.std[0] - std) < 1e-9);

  const minima: string[] = [];
  for (const seed of [1, 2]) {
    const up = await request(server.app.httpServer).post('/tensors/uploads').set('content-type', 'application/octet-stream').send(mlpFile(seed));
    assert.equal(up.status, 201);
    minima.push((await mutate(server, IMPORT, { l: id, u: up.body.uploadId })).id);
  }
  const check = (meta: Record<string, string>, what: string) => {
    assert.equal(meta.dataset, 'fashion-mnist', what);
    const n = JSON.parse(meta.normalization) as { mean: number[]; std: number[] };
    assert.deepEqual(n, dataset.normalization, what);
  };
  check(metadataOf(await download(`/tensors/minima/${minima[0]}`)), 'minimum');

  const run = await mutate(server, CONNECT, { a: minima[0], b: minima[1], config: { preset: 'tiny', cycles: [{ steps: 2, insertion: { strategy: 'equal', count: 1 }, evaluationPoints: 2 }] } });
  assert.equal((await waitForRun(server, run.id)).status, 'SUCCEEDED');
  const pathId = (run.config as { pathId: string }).pathId;
  check(metadataOf(await download(`/tensors/paths/${pathId}/pivots`)), 'pivots');
  check(metadataOf(await download(`/tensors/paths/${pathId}/pivots/1`)), 'one pivot');
});

test('fashion-mnist without its files is refused at creation, naming the package and the field', async () => {
  const absent = join(dir, 'absent');
  const res = await server.gql('mutation($input: CreateLandscapeInput!) { createLandscape(input: $input) { id } }', {
    input: { name: 'no files', architecture: { kind: 'mlp', widths: [4] }, dataset: { name: 'fashion-mnist', dir: absent } },
  });
  const err = firstError(res)!;
  assert.equal(err.code, 'BAD_USER_INPUT');
  assert.equal(err.field, 'input.dataset.dir');
  assert.match(err.message, /dataset-fashion-mnist/);
});

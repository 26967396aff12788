// A BatchNorm network through the API (issue 18): a ResNet landscape on a tiny CIFAR-10-format data
// set written here (no CIFAR files on this machine). Activation matching gives a copy with the
// original's metrics; evaluatePath says
// the running statistics were recomputed at the interior points of both straight lines (raw and
// to the aligned copy), and its values equal the engine's own computation from the downloaded minima.
import 'reflect-metadata';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Random } from '../../src/engine/random';
import { lerp } from '../../src/engine/vector';
import { createModel, evaluateSplit, loadDataset, recomputeBatchNorm, type NeuralModel } from '../../src/engine/neural';
import { startTestServer, type TestServer } from '../helpers/server';
import { TRAIN, TestWorker, createLandscape, downloadTensors, minimaBySeed, mutate, waitForRun } from './helpers';

let server: TestServer;
let worker: TestWorker;
let dir: string;

/** CIFAR-10 binary batches (1 label byte + 3072 pixel bytes, planes R, G, B): 5 x 4 training records, 10 test records. */
function writeCifarFixture(root: string): void {
  const random = new Random('cifar-fixture');
  const record = (label: number) => {
    const bytes = new Uint8Array(3073);
    bytes[0] = label;
    // Each class a colour and a stripe frequency, plus noise: something a network can learn.
    for (let c = 0; c < 3; c++) for (let p = 0; p < 1024; p++) bytes[1 + c * 1024 + p] = Math.max(0, Math.min(255, Math.round(128 + 60 * Math.sin((label + 1) * (p % 32) * 0.2 + c * label) + 30 * random.normal())));
    return bytes;
  };
  const file = (name: string, count: number, offset: number) => writeFileSync(join(root, name), Buffer.concat(Array.from({ length: count }, (_, i) => record((offset + i) % 10))));
  mkdirSync(root, { recursive: true });
  for (let b = 1; b <= 5; b++) file(`data_batch_${b}.bin`, 4, 2 * b);
  file('test_batch.bin', 10, 0);
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'neb-atlas-cifar-'));
  writeCifarFixture(dir);
  server = await startTestServer({ config: { workers: 0 } });
  worker = new TestWorker(server);
  await worker.start();
});

after(async () => {
  await worker?.stop();
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function downloadVector(model: NeuralModel, url: string): Promise<Float32Array> {
  const tensors = await downloadTensors(server, url);
  const vector = new Float32Array(model.layout.dimension);
  for (const e of model.layout.entries) vector.set(tensors.get(e.name)!.data, e.offset);
  return vector;
}

/** A ResNet-8 landscape on the fixture with two minima (seeds 1, 2), trained a few steps: their ids. */
async function twoResNetMinima(name: string): Promise<[string, string]> {
  const landscape = await createLandscape(server, {
    name,
    architecture: { kind: 'resnet', depth: 8, channels: [4, 8, 16] },
    dataset: { name: 'cifar10', dir },
    training: { steps: 6, batchSize: 10, learningRate: 0.05 },
  });
  const train = await mutate(server, TRAIN, { l: landscape, n: 2, seeds: [1, 2] });
  assert.equal((await waitForRun(server, train.id, 240_000)).status, 'SUCCEEDED');
  const minima = await minimaBySeed(server, landscape);
  return [minima.get(1)!.id, minima.get(2)!.id];
}

test('a ResNet (BatchNorm) landscape: activation matching keeps the metrics; evaluatePath recomputes the statistics on both straight lines, values equal to the engine\'s', async () => {
  const [a, b] = await twoResNetMinima('resnet-bn');
  // Activation matching of a ResNet (residual streams, BatchNorm following its channels): a READY copy with the original's metrics.
  const align = await mutate(server, 'mutation($m: ID!, $r: ID!) { alignMinimum(minimumId: $m, referenceId: $r, method: ACTIVATION_MATCHING) { id } }', { m: b, r: a });
  const alignRun = await waitForRun(server, align.id, 240_000);
  assert.equal(alignRun.status, 'SUCCEEDED', alignRun.errorMessage ?? '');
  const metrics = 'status trainLoss testLoss trainError testError alignment { method }';
  const pair = await server.gql(`query($c: ID!, $b: ID!) { copy: minimum(id: $c) { ${metrics} } original: minimum(id: $b) { ${metrics} } }`, { c: (alignRun.progress as { minimumId: string }).minimumId, b });
  assert.equal(pair.errors, undefined, JSON.stringify(pair.errors));
  assert.deepEqual([pair.data!.copy.status, pair.data!.copy.alignment.method], ['READY', 'ACTIVATION_MATCHING']);
  for (const key of ['trainLoss', 'testLoss', 'trainError', 'testError']) assert.ok(Math.abs(pair.data!.copy[key] - pair.data!.original[key]) <= 1e-5, `${key}: ${pair.data!.copy[key]} vs ${pair.data!.original[key]}`);

  const config = { preset: 'tiny', cycles: [{ steps: 2, insertion: { strategy: 'equal', count: 1 }, evaluationPoints: 1 }] };
  const run = await mutate(server, 'mutation($a: ID!, $b: ID!, $config: AutonebConfigInput) { connectMinima(a: $a, b: $b, config: $config, align: true) { id } }', { a, b, config });
  const done = await waitForRun(server, run.id, 240_000);
  assert.equal(done.status, 'SUCCEEDED', done.errorMessage ?? '');
  const pathId = (await server.em().findOneOrFail('Path', { run: run.id } as never) as { id: string }).id;
  const evaluate = await mutate(server, 'mutation($p: ID!) { evaluatePath(pathId: $p, pointsPerSegment: 1) { id } }', { p: pathId });
  assert.equal((await waitForRun(server, evaluate.id, 240_000)).status, 'SUCCEEDED');
  const line = 'points { t trainLoss testLoss trainError testError } batchNorm lossBarrier { value alpha }';
  const res = await server.gql(`query($id: ID!) { path(id: $id) { minimumA { downloadUrl } minimumB { downloadUrl } alignedMinimumB { downloadUrl }
    linearConnectivity { ${line} } alignedLinearConnectivity { ${line} } } }`, { id: pathId });
  assert.equal(res.errors, undefined, JSON.stringify(res.errors));
  const p = res.data!.path;

  // The engine on the same data and minima: ResNet-8, stage widths 4, 8, 16, on the fixture.
  const model = createModel({ kind: 'resnet', depth: 8, classes: 10, input: [32, 32, 3], width: 4 });
  const dataset = loadDataset({ kind: 'cifar10', dir });
  const [start, end, aligned] = await Promise.all([p.minimumA, p.minimumB, p.alignedMinimumB].map((m: { downloadUrl: string }) => downloadVector(model, m.downloadUrl)));
  for (const [lmc, target] of [[p.linearConnectivity, end], [p.alignedLinearConnectivity, aligned]] as const) {
    assert.equal(lmc.batchNorm, 'RECOMPUTED');
    assert.equal(lmc.points.length, 11);
    const points = lmc.points as { t: number; trainLoss: number; testLoss: number; trainError: number; testError: number }[];
    assert.deepEqual(points.map((q) => q.t), Array.from({ length: 11 }, (_, i) => i / 10));
    // The engine at both ends and two interior points (each interior point: 50 forward passes).
    for (const q of points.filter((q) => [0, 0.3, 0.5, 1].includes(q.t))) {
      const interpolated = lerp(start, target, q.t);
      // update_bn at the interior points (50 batches of min(128, 20 examples), seeded by position); the endpoints keep their own.
      const point = q.t > 0 && q.t < 1 ? recomputeBatchNorm(model, interpolated, dataset, { seed: `line:${q.t}` }) : interpolated;
      const [trainM, testM] = [evaluateSplit(model, point, dataset, 'train'), evaluateSplit(model, point, dataset, 'test')];
      assert.ok(Math.abs(q.trainLoss - trainM.loss) <= 1e-5 * Math.max(1, trainM.loss), `t ${q.t}: train loss ${q.trainLoss} vs ${trainM.loss}`);
      assert.ok(Math.abs(q.testLoss - testM.loss) <= 1e-5 * Math.max(1, testM.loss), `t ${q.t}: test loss ${q.testLoss} vs ${testM.loss}`);
      assert.equal(q.trainError, trainM.error);
      assert.equal(q.testError, testM.error);
      // Interpolated running statistics give other values: the recomputation is what was measured.
      if (q.t > 0 && q.t < 1) {
        const plain = evaluateSplit(model, interpolated, dataset, 'train').loss;
        assert.ok(Math.abs(plain - trainM.loss) > 1e-4, `t ${q.t}: ${plain} with interpolated statistics, ${trainM.loss} recomputed`);
      }
    }
    const pts = lmc.points as { t: number; trainLoss: number }[];
    const chord = (q: { t: number; trainLoss: number }) => q.trainLoss - ((1 - q.t) * pts[0].trainLoss + q.t * pts[10].trainLoss);
    assert.ok(Math.abs(lmc.lossBarrier.value - Math.max(...pts.map(chord))) < 1e-12);
  }
});

test('a Bezier curve between ResNet (BatchNorm) minima: every interior point is stored with its statistics recomputed, the ends with their own', async () => {
  const [a, b] = await twoResNetMinima('resnet-bn-curve');
  const fit = await mutate(server, 'mutation($a: ID!, $b: ID!, $config: CurveConfigInput) { fitCurve(a: $a, b: $b, config: $config) { id } }', { a, b, config: { epochs: 1, points: 5 } });
  const done = await waitForRun(server, fit.id, 240_000);
  assert.equal(done.status, 'SUCCEEDED', done.errorMessage ?? '');
  assert.equal((done.progress as { batchNorm?: string }).batchNorm, 'RECOMPUTED');

  const path = await server.em().findOneOrFail('Path', { run: fit.id } as never) as { id: string };
  const res = await server.gql(`query($id: ID!) { path(id: $id) { method minimumA { downloadUrl } minimumB { downloadUrl } } }`, { id: path.id });
  assert.equal(res.errors, undefined, JSON.stringify(res.errors));
  const model = createModel({ kind: 'resnet', depth: 8, classes: 10, input: [32, 32, 3], width: 4 });
  const dataset = loadDataset({ kind: 'cifar10', dir });
  const [start, end] = await Promise.all([res.data!.path.minimumA, res.data!.path.minimumB].map((m: { downloadUrl: string }) => downloadVector(model, m.downloadUrl)));
  const pivots = (await server.em().find('Pivot', { path: path.id } as never, { orderBy: { index: 'asc' }, populate: ['parameters'] } as never)) as { index: number; parameters: Buffer }[];
  assert.equal(pivots.length, 5);
  const vectors = pivots.map((p) => new Float32Array(p.parameters.buffer.slice(p.parameters.byteOffset, p.parameters.byteOffset + p.parameters.byteLength)));
  const statistics = model.layout.entries.filter((e) => e.role === 'running_mean' || e.role === 'running_var');
  const stats = (v: Float32Array) => statistics.flatMap((e) => [...v.subarray(e.offset, e.offset + e.size)]);
  // The ends are the minima themselves, statistics included.
  assert.deepEqual(stats(vectors[0]), stats(start));
  assert.deepEqual(stats(vectors[4]), stats(end));
  for (const v of vectors.slice(1, 4)) {
    // Recomputation depends on the weights only (train-mode batch statistics): recomputing again
    // at a stored interior point gives back its statistics exactly, which no interpolation would.
    const again = recomputeBatchNorm(model, v, dataset, { seed: 'check' });
    const [stored, fresh] = [stats(v), stats(again)];
    assert.ok(stored.every((x, i) => Math.abs(x - fresh[i]) <= 1e-5 * Math.max(1, Math.abs(fresh[i]))), 'stored statistics are the recomputed ones');
  }
});

// Alignment through the API (issue 18): alignMinimum stores a permuted copy with its own metrics
// (those of the original: same function), downloadable; connectMinima with `align` connects A to
// the aligned copy of B; evaluatePath measures linear mode connectivity; bad input is refused with
// a coded error naming the argument, nothing stored.
import 'reflect-metadata';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { NamedTensor } from '../../src/engine/safetensors';
import { Minimum, Run } from '../../src/store/entities';
import { RunKind } from '../../src/store/enums';
import { firstError, startTestServer, type TestServer } from '../helpers/server';
import { TRAIN, TestWorker, createLandscape, downloadTensors, minimaBySeed, mutate, waitForRun } from './helpers';

let server: TestServer;
let worker: TestWorker;
let mlp: string;

const SYNTHETIC = { name: 'synthetic', features: 8, classes: 3, trainSize: 256, testSize: 128, seed: 1 };
const MLP = { architecture: { kind: 'mlp', widths: [16, 16] }, dataset: SYNTHETIC, training: { steps: 60, batchSize: 32, learningRate: 0.05 } };
const ALIGN = 'mutation($m: ID!, $r: ID!, $method: AlignmentMethod) { alignMinimum(minimumId: $m, referenceId: $r, method: $method) { id kind status } }';
const MINIMUM = `query($id: ID!) { minimum(id: $id) { id seed status trainLoss testLoss trainError testError downloadUrl
  alignedTo { id } alignedFrom { id } alignment { method seed sweeps seconds } run { id kind } } }`;

before(async () => {
  server = await startTestServer({ config: { workers: 0 } });
  worker = new TestWorker(server);
  await worker.start();
  mlp = await createLandscape(server, { name: 'mlp', ...MLP });
  const run = await mutate(server, TRAIN, { l: mlp, n: 2, seeds: [1, 2] });
  assert.equal((await waitForRun(server, run.id)).status, 'SUCCEEDED');
});

after(async () => {
  await worker?.stop();
  await server?.close();
});

const download = (url: string) => downloadTensors(server, url);

/** Logits of the MLP 8-16-16-3 for one input, computed here by hand from the downloaded tensors. */
function logits(tensors: Map<string, NamedTensor>, input: number[]): number[] {
  let h = input;
  for (let i = 0; i < 3; i++) {
    const w = tensors.get(`layers.${i}.weight`)!;
    const b = tensors.get(`layers.${i}.bias`)!.data;
    const [out, inp] = w.shape;
    h = Array.from({ length: out }, (_, o) => {
      let s = b[o];
      for (let k = 0; k < inp; k++) s += w.data[o * inp + k] * h[k];
      return i < 2 ? Math.max(0, s) : s;
    });
  }
  return h;
}

/** The trained minima of seeds 1 and 2 (aligned copies share their original's seed). */
async function originals(): Promise<[string, string]> {
  const res = await server.gql('query($id: ID!) { landscape(id: $id) { minima(first: 100) { edges { node { id seed alignedFrom { id } } } } } }', { id: mlp });
  const nodes = (res.data!.landscape.minima.edges as { node: { id: string; seed: number; alignedFrom: unknown } }[]).map((e) => e.node).filter((n) => n.alignedFrom === null);
  return [nodes.find((n) => n.seed === 1)!.id, nodes.find((n) => n.seed === 2)!.id];
}

async function getMinimum(id: string) {
  const res = await server.gql(MINIMUM, { id });
  assert.equal(res.errors, undefined, JSON.stringify(res.errors));
  return res.data!.minimum;
}

for (const method of ['WEIGHT_MATCHING', 'ACTIVATION_MATCHING']) {
  test(`alignMinimum (${method}): a READY permuted copy with alignedTo/alignedFrom, the original's metrics and function`, async () => {
    const [a, b] = await originals();
    const run = await mutate(server, ALIGN, { m: b, r: a, method });
    assert.equal(run.kind, 'ALIGN');
    const done = await waitForRun(server, run.id);
    assert.equal(done.status, 'SUCCEEDED', done.errorMessage ?? '');
    const copyId = (done.progress as { minimumId: string }).minimumId;
    const [copy, original] = [await getMinimum(copyId), await getMinimum(b)];
    assert.equal(copy.status, 'READY');
    assert.equal(copy.alignedTo.id, a);
    assert.equal(copy.alignedFrom.id, b);
    assert.deepEqual([copy.run.id, copy.run.kind], [run.id, 'ALIGN']);
    assert.equal(copy.alignment.method, method);
    assert.ok(copy.alignment.sweeps >= 1 && copy.alignment.sweeps <= 100);
    for (const key of ['trainLoss', 'testLoss', 'trainError', 'testError']) {
      assert.ok(Math.abs(copy[key] - original[key]) <= 1e-5, `${key}: ${copy[key]} vs ${original[key]}`);
    }
    // The downloads: other coordinates, the same function.
    const [p, q] = [await download(copy.downloadUrl), await download(original.downloadUrl)];
    assert.notDeepEqual(p.get('layers.0.weight')!.data, q.get('layers.0.weight')!.data);
    for (let k = 0; k < 5; k++) {
      const x = Array.from({ length: 8 }, (_, i) => Math.sin(3 * k + i));
      logits(p, x).forEach((v, c) => assert.ok(Math.abs(v - logits(q, x)[c]) <= 1e-4));
    }
  });
}

test('alignMinimum: bad input is a coded error naming the argument; nothing is stored', async () => {
  const [a, b] = await originals();
  const other = await createLandscape(server, { name: 'mlp-twin', ...MLP });
  const wider = await createLandscape(server, { name: 'mlp-wide', ...MLP, architecture: { kind: 'mlp', widths: [32] } });
  const surface = await createLandscape(server, { name: 'mb', architecture: { kind: 'surface', surface: 'muller-brown' }, autonebPreset: 'surface' });
  // Minima exist (TRAINING) as soon as a training run is queued; the worker is stopped meanwhile.
  await worker.stop();
  try {
    for (const landscape of [other, wider, surface]) await mutate(server, TRAIN, { l: landscape, n: 2, seeds: [1, 2] });
    const first = async (l: string) => [...(await minimaBySeed(server, l)).values()].map((m) => m.id);
    const em = server.em();
    const before = [await em.count(Minimum, {}), await em.count(Run, { kind: RunKind.ALIGN })];
    const cases: [Record<string, unknown>, string, RegExp][] = [
      [{ m: b, r: (await first(other))[0] }, 'referenceId', /another landscape/],
      [{ m: b, r: (await first(wider))[0] }, 'referenceId', /another architecture/],
      [{ m: (await first(surface))[0], r: (await first(surface))[1] }, 'minimumId', /analytic surface/],
      [{ m: b, r: b }, 'referenceId', /must differ/],
      [{ m: (await first(other))[0], r: (await first(other))[1] }, 'minimumId', /not READY/],
    ];
    for (const [variables, field, message] of cases) {
      const error = firstError(await server.gql(ALIGN, variables));
      assert.equal(error?.code, 'BAD_USER_INPUT', JSON.stringify(error));
      assert.equal(error?.field, field);
      assert.match(error!.message, message);
    }
    const missing = firstError(await server.gql(ALIGN, { m: a, r: '00000000-0000-4000-8000-000000000000' }));
    assert.deepEqual([missing?.code, missing?.field], ['NOT_FOUND', 'referenceId']);
    const badMethod = await server.gql(ALIGN, { m: b, r: a, method: 'NEAREST' });
    assert.ok(badMethod.errors?.length, 'an unknown method is refused by the schema');
    assert.deepEqual([await em.fork().count(Minimum, {}), await em.fork().count(Run, { kind: RunKind.ALIGN })], before);
  } finally {
    await worker.start();
  }
});

test('exploreLandscape with align: every pair is connected to an aligned copy; copies are not explored as minima', async () => {
  const [a, b] = await originals();
  const config = { preset: 'tiny', cycles: [{ steps: 10, insertion: { strategy: 'equal', count: 1 } }] };
  const run = await mutate(server, 'mutation($l: ID!, $config: AutonebConfigInput) { exploreLandscape(landscapeId: $l, config: $config, align: true) { id } }', { l: mlp, config });
  const done = await waitForRun(server, run.id, 120_000);
  assert.equal(done.status, 'SUCCEEDED', done.errorMessage ?? '');
  // Two minima (the aligned copies of the earlier tests are not minima of their own): one pair.
  const res = await server.gql('query($id: ID!) { landscape(id: $id) { paths(first: 10) { edges { node { minimumA { id } minimumB { id } alignedMinimumB { alignedTo { id } alignedFrom { id } status } } } } } }', { id: mlp });
  const paths = res.data!.landscape.paths.edges.map((e: { node: unknown }) => e.node);
  assert.equal(paths.length, 1);
  const [p] = paths;
  assert.deepEqual(new Set([p.minimumA.id, p.minimumB.id]), new Set([a, b]));
  assert.deepEqual([p.alignedMinimumB.alignedTo.id, p.alignedMinimumB.alignedFrom.id, p.alignedMinimumB.status], [p.minimumA.id, p.minimumB.id, 'READY']);
});

test('connectMinima with align: AutoNEB from A to the aligned copy of B; evaluatePath gives linear mode connectivity', async () => {
  const [a, b] = await originals();
  const config = { preset: 'tiny', cycles: [{ steps: 20, insertion: { strategy: 'equal', count: 1 } }] };
  const run = await mutate(server, 'mutation($a: ID!, $b: ID!, $config: AutonebConfigInput) { connectMinima(a: $a, b: $b, config: $config, align: true) { id } }', { a, b, config });
  const done = await waitForRun(server, run.id);
  assert.equal(done.status, 'SUCCEEDED', done.errorMessage ?? '');
  const em = server.em();
  const path = await em.findOneOrFail('Path', { run: run.id } as never) as { id: string };
  const evaluate = await mutate(server, 'mutation($p: ID!) { evaluatePath(pathId: $p, pointsPerSegment: 1) { id } }', { p: path.id });
  assert.equal((await waitForRun(server, evaluate.id)).status, 'SUCCEEDED');
  const line = 'points { t trainLoss testLoss trainError testError } batchNorm errorBarrier { value alpha } lossBarrier { value alpha } testLossBarrier { value alpha }';
  const res = await server.gql(`query($id: ID!) { path(id: $id) { minimumA { id trainLoss } minimumB { id trainLoss }
    alignedMinimumB { id status trainLoss alignedTo { id } alignedFrom { id } run { id } }
    linearBarrier alignedLinearBarrier alignedLinearProfile { t energy } linearProfile { t energy }
    linearConnectivity { ${line} } alignedLinearConnectivity { ${line} } } }`, { id: path.id });
  assert.equal(res.errors, undefined, JSON.stringify(res.errors));
  const p = res.data!.path;
  assert.deepEqual([p.minimumA.id, p.minimumB.id], [a, b]);
  assert.equal(p.alignedMinimumB.status, 'READY');
  assert.deepEqual([p.alignedMinimumB.alignedTo.id, p.alignedMinimumB.alignedFrom.id, p.alignedMinimumB.run.id], [a, b, run.id]);
  assert.ok(Math.abs(p.alignedMinimumB.trainLoss - p.minimumB.trainLoss) <= 1e-5);
  assert.equal(p.linearProfile.length, p.alignedLinearProfile.length);
  assert.equal(p.alignedLinearBarrier, Math.max(...p.alignedLinearProfile.map((q: { energy: number }) => q.energy)));
  for (const [lmc, endB] of [[p.linearConnectivity, p.minimumB], [p.alignedLinearConnectivity, p.alignedMinimumB]]) {
    assert.equal(lmc.batchNorm, 'NONE');
    assert.deepEqual(lmc.points.map((q: { t: number }) => q.t), Array.from({ length: 11 }, (_, i) => i / 10));
    // Endpoints on the full sets are the minima's own metrics.
    assert.ok(Math.abs(lmc.points[0].trainLoss - p.minimumA.trainLoss) <= 1e-5);
    assert.ok(Math.abs(lmc.points[10].trainLoss - endB.trainLoss) <= 1e-5);
    // Hand definitions: Frankle's error barrier over the endpoints' mean, Entezari's over the chord.
    const pts = lmc.points as { t: number; trainLoss: number; testError: number }[];
    const mean = (pts[0].testError + pts[10].testError) / 2;
    assert.ok(Math.abs(lmc.errorBarrier.value - Math.max(...pts.map((q) => q.testError - mean))) < 1e-12);
    const chord = (q: { t: number; trainLoss: number }) => q.trainLoss - ((1 - q.t) * pts[0].trainLoss + q.t * pts[10].trainLoss);
    assert.ok(Math.abs(lmc.lossBarrier.value - Math.max(...pts.map(chord))) < 1e-12);
    assert.equal(chord(pts.find((q) => q.t === lmc.lossBarrier.alpha)!), lmc.lossBarrier.value);
  }
  // Aligned copies are not minima of their own in the spanning tree: one component {a, b}, joined by this path.
  const tree = await server.gql('query($id: ID!) { landscape(id: $id) { spanningTree { components edges { pathId a b } } } }', { id: mlp });
  assert.equal(tree.errors, undefined, JSON.stringify(tree.errors));
  assert.deepEqual(tree.data!.landscape.spanningTree.components.map((c: string[]) => [...c].sort()), [[a, b].sort()]);
  assert.equal(tree.data!.landscape.spanningTree.edges.length, 1);
});

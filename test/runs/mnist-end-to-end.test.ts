// End to end on a neural landscape: an MLP on (a slice of) MNIST, three minima trained, two
// connected with the `tiny` AutoNEB preset, every cycle received through a real graphql-ws client
// and compared with what is stored. Tiny CPU config: widths [32], 150 SGD steps, batch 64.
import 'reflect-metadata';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import request from 'supertest';
import { startTestServer, type TestServer } from '../helpers/server';
import {
  CONNECT,
  CYCLE_FIELDS,
  LANDSCAPE_EVENTS,
  PATH_CYCLES,
  RUN_PROGRESS,
  TRAIN,
  TestWorker,
  createLandscape,
  minimaBySeed,
  mutate,
  subscribe,
  until,
  waitForRun,
  type CycleFields,
  type RunProgressEvent,
} from './helpers';

let server: TestServer;
let worker: TestWorker;

before(async () => {
  server = await startTestServer({ config: { workers: 0 } });
  worker = new TestWorker(server);
});

after(async () => {
  await worker?.stop();
  await server?.close();
});

test('MNIST MLP: train 3 minima, connect two, every cycle over graphql-ws equals the stored path', async (t) => {
  const started = Date.now();
  const landscapeId = await createLandscape(server, {
    name: 'mnist-mlp',
    architecture: { kind: 'mlp', widths: [32] },
    dataset: { name: 'mnist', trainSize: 2000, testSize: 500 },
    training: { steps: 150, batchSize: 64, learningRate: 0.1 },
    autonebPreset: 'tiny',
  });
  const client = server.wsClient();
  const events = await subscribe<{ type: string; minimumId: string | null; pathId: string | null; runId: string | null }>(server, client, LANDSCAPE_EVENTS, { id: landscapeId }, 'landscapeEvents');

  // Everything is queued before the worker starts, so the subscriptions see every event.
  const train = await mutate(server, TRAIN, { l: landscapeId, n: 3 });
  assert.equal(train.status, 'QUEUED');
  const trainProgress = await subscribe<RunProgressEvent>(server, client, RUN_PROGRESS, { id: train.id }, 'runProgress');
  await worker.start();
  const trained = await waitForRun(server, train.id, 120_000);
  assert.equal(trained.status, 'SUCCEEDED', trained.errorMessage ?? '');
  t.diagnostic(`training 3 minima: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  await until('SUCCEEDED of the training', () => trainProgress.events.some((e) => e.status === 'SUCCEEDED'));
  const statuses = trainProgress.events.map((e) => e.status);
  // The state when subscribing (QUEUED: no worker yet), then RUNNING with progress, then SUCCEEDED.
  assert.deepEqual(statuses.slice(0, 2), ['QUEUED', 'RUNNING']);
  assert.equal(statuses.at(-1), 'SUCCEEDED');
  assert.ok(statuses.slice(1, -1).every((s) => s === 'RUNNING'), statuses.join(' '));

  const minima = await minimaBySeed(server, landscapeId);
  assert.deepEqual([...minima.keys()].sort(), [1, 2, 3], 'the lowest unused seeds');
  const detail = await server.gql('query($id: ID!) { landscape(id: $id) { minima { edges { node { id seed status trainLoss testLoss trainError testError parameterCount } } } } }', { id: landscapeId });
  for (const { node } of detail.data!.landscape.minima.edges) {
    assert.equal(node.status, 'READY');
    assert.equal(node.parameterCount, 784 * 32 + 32 + 32 * 10 + 10);
    // 150 SGD steps give a real classifier (chance is 90% error), not yet a perfect one.
    assert.ok(node.trainError < 0.3 && node.testError < 0.35, `seed ${node.seed}: train error ${node.trainError}, test error ${node.testError}`);
    assert.ok(node.trainLoss > 0 && node.trainLoss < 1.2, `seed ${node.seed}: train loss ${node.trainLoss}`);
  }
  await until('three MINIMUM_READY', () => events.events.filter((e) => e.type === 'MINIMUM_READY').length === 3);

  // Connect seeds 1 and 2 while the worker waits, so the first cycle cannot be missed.
  await worker.stop();
  const connect = await mutate(server, CONNECT, { a: minima.get(1)!.id, b: minima.get(2)!.id });
  const pathId = (connect.config as { pathId: string }).pathId;
  const cycleCount = (connect.config as { cycles: unknown[] }).cycles.length;
  assert.equal(cycleCount, 4, 'the tiny preset');
  const progress = await subscribe<RunProgressEvent>(server, client, RUN_PROGRESS, { id: connect.id }, 'runProgress');
  const cycles = await subscribe<{ pathId: string; runId: string; cycle: CycleFields }>(server, client, PATH_CYCLES, { id: pathId }, 'pathCycles');
  const connectStarted = Date.now();
  await worker.start();
  const connected = await waitForRun(server, connect.id, 120_000);
  assert.equal(connected.status, 'SUCCEEDED', connected.errorMessage ?? '');
  t.diagnostic(`connecting (4 tiny cycles): ${((Date.now() - connectStarted) / 1000).toFixed(1)} s`);
  await until('every cycle', () => cycles.events.length === cycleCount && progress.events.some((e) => e.status === 'SUCCEEDED'));
  await until('RUN_FINISHED of the path', () => events.events.some((e) => e.type === 'RUN_FINISHED' && e.pathId === pathId));

  const path = (
    await server.gql(`query($id: ID!) { path(id: $id) { status cyclesDone linearBarrier saddle { t trainLoss } pivots { index t energy } cycles { ${CYCLE_FIELDS} } downloads { pivots } } }`, { id: pathId })
  ).data!.path;
  assert.equal(path.status, 'COMPLETED');
  assert.equal(path.cyclesDone, cycleCount);
  assert.deepEqual(cycles.events.map((e) => e.cycle.index), [1, 2, 3, 4]);
  assert.deepEqual(path.cycles, cycles.events.map((e) => e.cycle), 'stored cycles = received cycles');
  assert.deepEqual(path.cycles, progress.events.filter((e) => e.cycle).map((e) => e.cycle), 'runProgress carried the same cycles');
  assert.deepEqual(cycles.errors, []);
  assert.deepEqual(progress.errors, []);
  // The schedule as configured: 3 pivots per segment first (5 pivots), 20 steps each, lr drops.
  assert.equal(path.cycles[0].pivotEnergies.length, 5);
  assert.deepEqual(path.cycles.map((c: CycleFields) => [c.steps, c.learningRate]), [[20, 0.1], [20, 0.1], [20, 0.01], [20, 0.001]]);
  assert.equal(path.cycles[0].pivotCoordinates, null, 'no coordinates stored for 25 450 dimensions');
  // The endpoints are the minima (their energies on AutoNEB's batches); the saddle is the highest point.
  const last = path.cycles.at(-1) as CycleFields;
  assert.deepEqual(path.pivots.map((p: { energy: number }) => p.energy), last.pivotEnergies);
  assert.equal(path.saddle.trainLoss, last.maxEnergy);
  assert.ok(last.maxEnergy >= Math.max(...last.pivotEnergies));
  assert.ok(path.linearBarrier > 0);

  // The pivots download with PyTorch names per pivot.
  const file = await request(server.app.httpServer).get(path.downloads.pivots).buffer(true).parse((r, done) => {
    const chunks: Buffer[] = [];
    r.on('data', (c: Buffer) => chunks.push(c));
    r.on('end', () => done(null, Buffer.concat(chunks)));
  });
  const body = file.body as Buffer;
  const header = JSON.parse(body.subarray(8, 8 + Number(body.readBigUInt64LE(0))).toString('utf8')) as Record<string, { shape: number[] }>;
  assert.deepEqual(header[`pivot.${path.pivots.length - 1}.layers.0.weight`].shape, [32, 784]);
  assert.equal(Object.keys(header).filter((k) => k !== '__metadata__').length, path.pivots.length * 4);

  for (const s of [events, trainProgress, progress, cycles]) await s.unsubscribe();
  t.diagnostic(`end to end: ${((Date.now() - started) / 1000).toFixed(1)} s`);
});

// Runs that fail: the run ends FAILED with the reason, announced by runProgress and RUN_FINISHED;
// what was done before the failure stays stored, what the run was making is marked FAILED.
import 'reflect-metadata';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from '../helpers/server';
import { LANDSCAPE_EVENTS, RUN_PROGRESS, TRAIN, createLandscape, minimaBySeed, mutate, subscribe, until, waitForRun, type RunProgressEvent } from './helpers';

let server: TestServer;

before(async () => {
  server = await startTestServer();
});

after(async () => {
  await server?.close();
});

const SYNTHETIC = { name: 'synthetic', features: 8, classes: 3, trainSize: 256, testSize: 128, seed: 1 };

test('training that diverges (learning rate 100, the largest allowed) fails with NonFiniteEnergyError; minima trained before it stay READY', async () => {
  const landscapeId = await createLandscape(server, {
    name: 'diverging',
    architecture: { kind: 'mlp', widths: [16] },
    dataset: SYNTHETIC,
    training: { steps: 40, batchSize: 32, learningRate: 0.05 },
  });
  const client = server.wsClient();
  const events = await subscribe<{ type: string; runId: string | null; minimumId: string | null }>(server, client, LANDSCAPE_EVENTS, { id: landscapeId }, 'landscapeEvents');
  // A sane minimum first, then one whose SGD explodes.
  const good = await mutate(server, TRAIN, { l: landscapeId, n: 1, seeds: [1] });
  assert.equal((await waitForRun(server, good.id)).status, 'SUCCEEDED');
  const run = await mutate(server, TRAIN, { l: landscapeId, n: 2, seeds: [2, 3], config: { learningRate: 100 } });
  const progress = await subscribe<RunProgressEvent>(server, client, RUN_PROGRESS, { id: run.id }, 'runProgress');
  const done = await waitForRun(server, run.id);

  assert.equal(done.status, 'FAILED');
  assert.match(done.errorMessage!, /^NonFiniteEnergyError: .*loss/);
  assert.match(done.errorMessage!, /training step \d+ \(lr /);
  assert.doesNotMatch(done.errorMessage!, /\n\s+at /, 'no stack trace');
  assert.ok(done.finishedAt);
  await until('FAILED over the socket', () => progress.events.some((e) => e.status === 'FAILED'));
  const failed = progress.events.find((e) => e.status === 'FAILED')!;
  assert.equal(failed.errorMessage, done.errorMessage);
  assert.equal(progress.events.at(-1)!.status, 'FAILED');
  await until('RUN_FINISHED', () => events.events.some((e) => e.type === 'RUN_FINISHED' && e.runId === run.id));

  const minima = await minimaBySeed(server, landscapeId);
  assert.equal(minima.get(1)!.status, 'READY', 'the earlier minimum is kept');
  assert.ok(Number.isFinite(minima.get(1)!.trainLoss));
  for (const seed of [2, 3]) assert.equal(minima.get(seed)!.status, 'FAILED', `seed ${seed}: no minimum left TRAINING by a failed run`);
  assert.deepEqual(events.events.filter((e) => e.type === 'MINIMUM_READY').map((e) => e.runId), [good.id]);
  await events.unsubscribe();
  await progress.unsubscribe();
});

test('a data directory that does not exist fails the run with the directory named', async () => {
  const dir = '/nonexistent/neb-atlas/cifar-10-batches-bin';
  const landscapeId = await createLandscape(server, {
    name: 'no data',
    architecture: { kind: 'cnn', channels: [4] },
    dataset: { name: 'cifar10', dir, trainSize: 64, testSize: 64 },
    training: { steps: 5, batchSize: 8 },
  });
  const run = await mutate(server, TRAIN, { l: landscapeId, n: 1 });
  const done = await waitForRun(server, run.id);
  assert.equal(done.status, 'FAILED');
  assert.ok(done.errorMessage!.includes(dir), done.errorMessage!);
  assert.equal((await minimaBySeed(server, landscapeId)).get(1)!.status, 'FAILED');

  // The worker is not harmed: a good run afterwards succeeds.
  const ok = await createLandscape(server, { name: 'ok', architecture: { kind: 'surface', surface: 'himmelblau' } });
  const next = await mutate(server, TRAIN, { l: ok, n: 1 });
  assert.equal((await waitForRun(server, next.id)).status, 'SUCCEEDED');
});

// CURVE runs through the API on a tiny MNIST MLP (the first 2000 bundled images: the set is sorted
// by label, and these hold three digits; fewer would be one digit only): fitCurve -> a stored
// path whose method is BEZIER, with a dense profile whose ends are the minima's losses; one
// runProgress event per epoch; a run resumed from a stored epoch and bend point continues there;
// bad input answered with the argument named and nothing queued.
import 'reflect-metadata';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { firstError, startTestServer, type TestServer } from '../helpers/server';
import { Path, Pivot } from '../../src/store/entities';
import { RUN_PROGRESS, TRAIN, TestWorker, createLandscape, minimaBySeed, mutate, subscribe, until, waitForRun, type RunProgressEvent } from './helpers';

const FIT = 'mutation($a: ID!, $b: ID!, $kind: CurveKind, $config: CurveConfigInput) { fitCurve(a: $a, b: $b, kind: $kind, config: $config) { id kind status config } }';
const PATH = `query($id: ID!) { path(id: $id) { id method status evaluations cyclesDone saddle { t trainLoss }
  minimumA { id trainLoss } minimumB { id trainLoss } cycles { index denseProfile { t energy } maxEnergy saddleT maxPerpendicularGradient } pivots { index t energy } } }`;

let server: TestServer;
let worker: TestWorker;
let landscapeId: string;
const minima: string[] = [];
let firstPathId: string;

before(async () => {
  server = await startTestServer({ config: { workers: 0 } });
  worker = new TestWorker(server);
  await worker.start();
  landscapeId = await createLandscape(server, {
    name: 'mnist-curves',
    architecture: { kind: 'mlp', widths: [16] },
    dataset: { name: 'mnist', trainSize: 2000, testSize: 200 },
    training: { steps: 60, batchSize: 50, learningRate: 0.1 },
    autonebPreset: 'tiny',
  });
  const train = await mutate(server, TRAIN, { l: landscapeId, n: 3, seeds: [1, 2, 3] });
  const trained = await waitForRun(server, train.id, 120_000);
  assert.equal(trained.status, 'SUCCEEDED', trained.errorMessage ?? '');
  const bySeed = await minimaBySeed(server, landscapeId);
  for (const seed of [1, 2, 3]) minima.push(bySeed.get(seed)!.id);
});

after(async () => {
  await worker?.stop();
  await server?.close();
});

async function pathOf(id: string) {
  const res = await server.gql(PATH, { id });
  assert.equal(res.errors, undefined, JSON.stringify(res.errors));
  return res.data!.path;
}

test('fitCurve: the run completes, one runProgress event per epoch, a BEZIER path whose profile ends at the minima', async (t) => {
  await worker.stop();
  const run = await mutate(server, FIT, { a: minima[0], b: minima[1], config: { epochs: 3 } });
  assert.equal(run.kind, 'CURVE');
  const config = run.config as { pathId: string; kind: string; epochs: number; stepsPerEpoch: number; points: number; learningRate: number };
  // Defaults scaled to the landscape: a third of the minima's learning rate, 61 points.
  assert.deepEqual([config.kind, config.epochs, config.points], ['bezier', 3, 61]);
  assert.ok(Math.abs(config.learningRate - 0.1 / 3) < 1e-12);
  firstPathId = config.pathId;
  const client = server.wsClient();
  const progress = await subscribe<RunProgressEvent>(server, client, RUN_PROGRESS, { id: run.id }, 'runProgress');
  await worker.start();
  const done = await waitForRun(server, run.id, 120_000);
  assert.equal(done.status, 'SUCCEEDED', done.errorMessage ?? '');
  t.diagnostic(`CURVE run: ${(Date.parse(done.finishedAt!) - Date.parse(done.startedAt!)) / 1000} s from start to finish`);
  await until('SUCCEEDED over the socket', () => progress.events.some((e) => e.status === 'SUCCEEDED'));
  await progress.unsubscribe();
  const epochs = progress.events.filter((e) => e.progress?.stage === 'training');
  assert.deepEqual(epochs.map((e) => e.progress!.epoch), [1, 2, 3]);
  assert.ok(epochs.every((e) => e.pathId === firstPathId && Number.isFinite(e.progress!.loss as number)));
  // One pass over 2000 examples in batches of 50: 40 gradient evaluations per epoch.
  assert.deepEqual(epochs.map((e) => e.progress!.evaluations), [40, 80, 120]);

  const path = await pathOf(firstPathId);
  assert.equal(path.method, 'BEZIER');
  assert.equal(path.status, 'COMPLETED');
  assert.equal(path.cycles.length, 1);
  const profile = path.cycles[0].denseProfile as { t: number; energy: number }[];
  assert.equal(profile.length, 61);
  assert.equal(path.pivots.length, 61);
  assert.equal(profile[0].t, 0);
  assert.equal(profile.at(-1)!.t, 1);
  // A real classifier of three digits, not a trivial one-class set.
  assert.ok(path.minimumA.trainLoss > 0.01 && path.minimumB.trainLoss > 0.01, `${path.minimumA.trainLoss}, ${path.minimumB.trainLoss}`);
  // The ends of the curve are the minima: their losses on the full (2000-example) training set.
  assert.ok(Math.abs(profile[0].energy - path.minimumA.trainLoss) < 1e-4 * Math.max(1, path.minimumA.trainLoss), `${profile[0].energy} vs ${path.minimumA.trainLoss}`);
  assert.ok(Math.abs(profile.at(-1)!.energy - path.minimumB.trainLoss) < 1e-4 * Math.max(1, path.minimumB.trainLoss), `${profile.at(-1)!.energy} vs ${path.minimumB.trainLoss}`);
  const highest = Math.max(...profile.map((p) => p.energy));
  assert.equal(path.saddle.trainLoss, highest);
  assert.equal(path.saddle.t, profile.find((p) => p.energy === highest)!.t);
  assert.ok(profile.every((p, i) => i === 0 || p.t > profile[i - 1].t), 'positions by arc length, increasing');
  // 120 training gradients + 61 profile losses + 59 interior gradients for the perpendicular gradient.
  assert.equal(path.evaluations, 120 + 61 + 59);
  assert.ok(path.cycles[0].maxPerpendicularGradient > 0);

  // The tree is AutoNEB's: a landscape with only a curve between two minima has no tree edge.
  const tree = await server.gql('query($id: ID!) { landscape(id: $id) { spanningTree { edges { pathId } components } } }', { id: landscapeId });
  assert.equal(tree.errors, undefined, JSON.stringify(tree.errors));
  assert.deepEqual(tree.data!.landscape.spanningTree.edges, []);
});

test('a CURVE run resumed after a crash continues from the stored epoch and bend point', async () => {
  await worker.stop();
  const em = server.em();
  const first = await em.findOneOrFail(Path, firstPathId, { populate: ['curveBend', 'curveVelocity'] });
  assert.equal(first.epochsDone, 3);
  // As a worker that died after storing epoch 2 of 4 would have left it.
  const run = await mutate(server, FIT, { a: minima[0], b: minima[1], kind: 'POLYCHAIN', config: { epochs: 4 } });
  const pathId = (run.config as { pathId: string }).pathId;
  await em.nativeUpdate(Path, { id: pathId }, { epochsDone: 2, curveBend: first.curveBend, curveVelocity: first.curveVelocity, evaluations: 80 });
  const client = server.wsClient();
  const progress = await subscribe<RunProgressEvent>(server, client, RUN_PROGRESS, { id: run.id }, 'runProgress');
  await worker.start();
  assert.equal((await waitForRun(server, run.id, 120_000)).status, 'SUCCEEDED');
  await until('SUCCEEDED over the socket', () => progress.events.some((e) => e.status === 'SUCCEEDED'));
  await progress.unsubscribe();
  const epochs = progress.events.filter((e) => e.progress?.stage === 'training');
  assert.deepEqual(epochs.map((e) => [e.progress!.epoch, e.progress!.evaluations]), [[3, 120], [4, 160]]);
  assert.equal((await pathOf(pathId)).method, 'POLYCHAIN');

  // Stored after its last epoch: no training left, the curve is the stored bend point's. A
  // polygonal chain passes through its bend point at its middle point (t = 1/2, index 30 of 61).
  await worker.stop();
  const again = await mutate(server, FIT, { a: minima[0], b: minima[1], kind: 'POLYCHAIN', config: { epochs: 2 } });
  const againPath = (again.config as { pathId: string }).pathId;
  await em.nativeUpdate(Path, { id: againPath }, { epochsDone: 2, curveBend: first.curveBend, evaluations: 80 });
  const events = await subscribe<RunProgressEvent>(server, server.wsClient(), RUN_PROGRESS, { id: again.id }, 'runProgress');
  await worker.start();
  assert.equal((await waitForRun(server, again.id, 120_000)).status, 'SUCCEEDED');
  await until('SUCCEEDED over the socket', () => events.events.some((e) => e.status === 'SUCCEEDED'));
  await events.unsubscribe();
  assert.ok(!events.events.some((e) => e.progress?.stage === 'training'), 'no epoch trained again');
  const middle = await em.fork().findOneOrFail(Pivot, { path: againPath, index: 30 }, { populate: ['parameters'] });
  assert.deepEqual(new Uint8Array(middle.parameters!), new Uint8Array(first.curveBend!));
});

test('fitCurve rejects bad input with the argument named, and queues nothing', async () => {
  await worker.stop();
  const surface = await createLandscape(server, { name: 'mb', architecture: { kind: 'surface', surface: 'muller-brown' }, autonebPreset: 'surface' });
  const other = await createLandscape(server, { name: 'other', architecture: { kind: 'mlp', widths: [8] }, dataset: { name: 'mnist', trainSize: 100, testSize: 50 }, training: { steps: 5, batchSize: 50 } });
  await worker.start();
  const trainSurface = await mutate(server, TRAIN, { l: surface, n: 2, seeds: [1, 2] });
  const trainOther = await mutate(server, TRAIN, { l: other, n: 1, seeds: [1] });
  for (const r of [trainSurface, trainOther]) assert.equal((await waitForRun(server, r.id, 120_000)).status, 'SUCCEEDED');
  await worker.stop();
  const surfaceMinima = [...(await minimaBySeed(server, surface)).values()].map((m) => m.id);
  const otherMinimum = [...(await minimaBySeed(server, other)).values()][0].id;
  const count = async () => (await server.gql('{ runs(first: 1) { totalCount } }')).data!.runs.totalCount as number;
  const paths = () => server.em().count(Path, {});
  const [runsBefore, pathsBefore] = [await count(), await paths()];
  const unknown = '00000000-0000-4000-8000-000000000000';
  const cases: [Record<string, unknown>, string, string, RegExp][] = [
    [{ a: minima[0], b: minima[0] }, 'b', 'BAD_USER_INPUT', /must differ from a/],
    [{ a: minima[0], b: otherMinimum }, 'b', 'BAD_USER_INPUT', /another landscape/],
    [{ a: surfaceMinima[0], b: surfaceMinima[1] }, 'a', 'BAD_USER_INPUT', /analytic surface muller-brown/],
    [{ a: unknown, b: minima[1] }, 'a', 'NOT_FOUND', /no minimum/],
    [{ a: minima[0], b: unknown }, 'b', 'NOT_FOUND', /no minimum/],
    [{ a: minima[0], b: minima[1], config: { epochs: 0 } }, 'config.epochs', 'BAD_USER_INPUT', /from 1 to 1000/],
    [{ a: minima[0], b: minima[1], config: { epochs: 1001 } }, 'config.epochs', 'BAD_USER_INPUT', /from 1 to 1000/],
    [{ a: minima[0], b: minima[1], config: { stepsPerEpoch: 0 } }, 'config.stepsPerEpoch', 'BAD_USER_INPUT', /from 1/],
    [{ a: minima[0], b: minima[1], config: { points: 2 } }, 'config.points', 'BAD_USER_INPUT', /from 3 to 1001/],
    [{ a: minima[0], b: minima[1], config: { learningRate: -0.1 } }, 'config.learningRate', 'BAD_USER_INPUT', /\(0, 10\]/],
    [{ a: minima[0], b: minima[1], config: { momentum: 1 } }, 'config.momentum', 'BAD_USER_INPUT', /\[0, 1\)/],
    [{ a: minima[0], b: minima[1], config: { weightDecay: -1 } }, 'config.weightDecay', 'BAD_USER_INPUT', /\[0, 1\]/],
    [{ a: minima[0], b: minima[1], config: { seed: -1 } }, 'config.seed', 'BAD_USER_INPUT', /from 0/],
  ];
  for (const [variables, field, code, message] of cases) {
    const err = firstError(await server.gql(FIT, variables));
    assert.ok(err, `${field}: an error`);
    assert.equal(err.field, field, `${JSON.stringify(variables)}: ${err.message}`);
    assert.equal(err.code, code);
    assert.match(err.message, message);
  }
  // An unknown kind is refused by GraphQL's enum before any resolver runs.
  assert.ok(firstError(await server.gql(FIT, { a: minima[0], b: minima[1], kind: 'SPLINE' })));
  assert.equal(await count(), runsBefore);
  assert.equal(await paths(), pathsBefore);
});

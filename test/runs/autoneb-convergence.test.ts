// Convergence-driven AutoNEB through the API (issue 16): a CONNECT run with no config uses the
// landscape's default preset `adaptive`, stops by itself once converged and says why; cycles and
// paths carry their evaluation counts; the new settings are validated with the field named.
// Known answer: the Müller-Brown saddle S1 between minima A and B (-40.6648, Newton-refined).
import 'reflect-metadata';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { firstError, startTestServer, type TestServer } from '../helpers/server';
import { CONNECT, TRAIN, createLandscape, minimaBySeed, mutate, TestWorker, waitForRun } from './helpers';
import { autonebCycles } from '../../src/runs/service';
import type { Landscape } from '../../src/store/entities';

let server: TestServer;
let worker: TestWorker;
let landscapeId: string;
const minima = new Map<number, string>();

before(async () => {
  server = await startTestServer({ config: { workers: 0 } });
  worker = new TestWorker(server);
  await worker.start();
  landscapeId = await createLandscape(server, { name: 'mb', architecture: { kind: 'surface', surface: 'muller-brown' } });
  const run = await mutate(server, TRAIN, { l: landscapeId, n: 2, seeds: [1, 2] });
  assert.equal((await waitForRun(server, run.id)).status, 'SUCCEEDED');
  for (const [seed, m] of await minimaBySeed(server, landscapeId)) minima.set(seed, m.id);
});

after(async () => {
  await worker?.stop();
  await server?.close();
});

const PATH = `query($id: ID!) { path(id: $id) { status stopReason evaluations cyclesDone saddle { trainLoss }
  cycles { index steps stepsTaken evaluations maxForce forceScale converged stopReason } } }`;

test('connectMinima with no config: the adaptive preset stops by itself at the saddle, evaluations stored', async () => {
  const landscape = await server.gql('query($id: ID!) { landscape(id: $id) { autonebPreset } }', { id: landscapeId });
  assert.equal(landscape.data!.landscape.autonebPreset, 'adaptive');
  const run = await mutate(server, CONNECT, { a: minima.get(1), b: minima.get(2) });
  const done = await waitForRun(server, run.id);
  assert.equal(done.status, 'SUCCEEDED', done.errorMessage ?? '');
  const configured = (done.config.cycles as unknown[]).length;
  const pathId = done.config.pathId as string;
  const { path } = (await server.gql(PATH, { id: pathId })).data!;
  assert.equal(path.status, 'COMPLETED');
  assert.equal(path.stopReason, 'converged');
  assert.ok(path.cyclesDone < configured, `stopped after ${path.cyclesDone} of ${configured} cycles`);
  const cycles = path.cycles as Array<{ steps: number; stepsTaken: number; evaluations: number; maxForce: number; forceScale: number; converged: boolean; stopReason: string | null }>;
  assert.equal(cycles.length, path.cyclesDone);
  assert.equal(path.evaluations, cycles.reduce((sum, c) => sum + c.evaluations, 0));
  assert.ok(cycles.every((c) => c.evaluations > 0 && c.converged && c.stepsTaken < c.steps));
  assert.deepEqual(cycles.map((c) => c.stopReason), [...Array(cycles.length - 1).fill(null), 'converged']);
  assert.ok(cycles.at(-1)!.maxForce <= 3e-3 * cycles.at(-1)!.forceScale);
  // The minima of seeds 1 and 2 are A and B (surface-runs.test.ts): the highest saddle between them is S1.
  assert.ok(Math.abs(path.saddle.trainLoss - -40.6648) < 0.106, `saddle ${path.saddle.trainLoss} within 0.1 % of the barrier 106.03`);
  assert.equal(done.progress!.stopReason, 'converged');
  assert.equal(done.progress!.evaluations, path.evaluations);
});

test('the paper-style schedule runs every cycle: stop reason schedule-exhausted', async () => {
  const config = { preset: 'surface', cycles: [{ insertion: { strategy: 'equal', count: 3 }, steps: 30 }, { insertion: null }] };
  const run = await mutate(server, CONNECT, { a: minima.get(1), b: minima.get(2), config });
  const done = await waitForRun(server, run.id);
  const { path } = (await server.gql(PATH, { id: done.config.pathId })).data!;
  assert.equal(path.stopReason, 'schedule-exhausted');
  assert.deepEqual(path.cycles.map((c: { stepsTaken: number }) => c.stepsTaken), [30, 30]);
  // Every step evaluates all 5 pivots (endpoints too) once, then the measuring evaluation and the dense profile (9 per segment).
  assert.equal(path.cycles[0].evaluations, 31 * 5 + 4 * 10 + 1);
});

test('new settings are validated: coded error naming the field, nothing queued', async () => {
  const count = async () => (await server.gql('{ runs(first: 100) { totalCount } }')).data!.runs.totalCount as number;
  const before = await count();
  const cases: Array<[Record<string, unknown>, string, RegExp]> = [
    [{ cycles: [{ insertion: { strategy: 'equal' }, stop: { force: 2 } }] }, 'config.cycles[0].stop.force', /must be in \(0, 1\)/],
    [{ cycles: [{ insertion: { strategy: 'equal' }, stop: { window: -1 } }] }, 'config.cycles[0].stop.window', /integer >= 0/],
    [{ base: { optimizer: { name: 'fire', dt: 0 } } }, 'config.base.optimizer.dt', /finite number > 0/],
    [{ base: { optimizer: { Nmin: -2 } } }, 'config.base.optimizer.Nmin', /integer >= 0/],
    [{ base: { optimizer: { name: 'bfgs' } } }, 'config.base.optimizer.name', /known: sgd, adam, fire/],
    [{ preset: 'adaptiv' }, 'config.preset', /unknown preset/],
  ];
  for (const [config, field, message] of cases) {
    const err = firstError(await server.gql(CONNECT, { a: minima.get(1), b: minima.get(2), config }));
    assert.ok(err, `${field}: an error`);
    assert.equal(err.code, 'BAD_USER_INPUT');
    assert.equal(err.field, field, err.message);
    assert.match(err.message, message);
  }
  assert.equal(await count(), before, 'no run was queued');
});

// Each cycle is one job step resumed from the store: the run's `annealing` must travel with the
// stored cycle, or a network run would never anneal (or anneal forever).
test('a network landscape (mini-batch loss): once converged, one more cycle at a tenth of the rate, carried across job steps', async () => {
  const synthetic = { name: 'synthetic', features: 8, classes: 3, trainSize: 256, testSize: 128, seed: 1 };
  const mlp = await createLandscape(server, { name: 'mlp', architecture: { kind: 'mlp', widths: [16] }, dataset: synthetic, training: { steps: 200, batchSize: 32, learningRate: 0.05 } });
  const train = await mutate(server, TRAIN, { l: mlp, n: 2, seeds: [1, 2] });
  assert.equal((await waitForRun(server, train.id)).status, 'SUCCEEDED');
  const [a, b] = [...(await minimaBySeed(server, mlp)).values()].map((m) => m.id);
  const run = await mutate(server, CONNECT, { a, b });
  const done = await waitForRun(server, run.id);
  assert.equal(done.status, 'SUCCEEDED', done.errorMessage ?? '');
  const { path } = (await server.gql(`query($id: ID!) { path(id: $id) { stopReason cycles { index learningRate converged annealing stopReason } } }`, { id: done.config.pathId })).data!;
  const cycles = path.cycles as Array<{ learningRate: number; converged: boolean; annealing: boolean; stopReason: string | null }>;
  const k = cycles.findIndex((c) => c.annealing);
  assert.ok(k >= 0 && k === cycles.length - 2, `annealing from cycle ${k + 1} of ${cycles.length}`);
  assert.deepEqual(cycles.map((c) => c.learningRate), [...Array(k + 1).fill(0.006), 0.006 * 0.1]);
  assert.ok(cycles[k].converged && cycles[k].stopReason === null);
  assert.equal(path.stopReason, 'converged');
  assert.equal(cycles.at(-1)!.stopReason, 'converged');
});

// A run's cycles are resolved when it is requested and stored: a network landscape (mini-batch
// loss) gets the preset's settings for stochastic energies, a surface the deterministic ones.
test('the cycles a run stores: SGD for a network landscape, FIRE for a surface (preset adaptive)', () => {
  const landscape = (kind: string) => ({ architecture: { kind }, autonebPreset: 'adaptive' }) as unknown as Landscape;
  const network = autonebCycles(landscape('mlp'), null).cycles;
  const surface = autonebCycles(landscape('surface'), null).cycles;
  assert.ok(network.every((c) => c.optimizer.name === 'sgd' && c.optimizer.momentum === 0.9 && c.relativeUnits && c.stop?.window === 20));
  assert.ok(surface.every((c) => c.optimizer.name === 'fire'));
  assert.ok(autonebCycles(landscape('mlp'), { base: { optimizer: { name: 'fire' } } }).cycles.every((c) => c.optimizer.name === 'fire'), "a caller's base wins");
});

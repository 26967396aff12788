// CURVATURE runs through the API on the Müller-Brown surface: at a minimum (index 0) and at a
// path's saddle (index 1), against the Hessian of the test's own Müller-Brown formula; a run
// resumed from a stored state; bad input answered with the field named and nothing stored.
import 'reflect-metadata';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { firstError, startTestServer, type TestServer } from '../helpers/server';
import { Run } from '../../src/store/entities';
import { CONNECT, MB_MINIMA, MB_SADDLE_BC, RUN_PROGRESS, TRAIN, TestWorker, createLandscape, minimaBySeed, mutate, subscribe, surfaceSchedule, until, waitForRun, type RunProgressEvent } from './helpers';

const CURVATURE = 'mutation($target: CurvatureTarget!, $k: Int) { computeCurvature(target: $target, k: $k) { id kind status config } }';
const FIELDS = 'largest smallest trace tangentCurvature negativeCount threshold evaluations';

interface CurvatureFields {
  largest: number[];
  smallest: number[];
  trace: number | null;
  tangentCurvature: number | null;
  negativeCount: number;
  threshold: number;
  evaluations: number;
}

let server: TestServer;
let worker: TestWorker;
const minima = new Map<string, string>();
let pathId: string;

/** Müller-Brown's Hessian eigenvalues at (x, y): second differences of the potential in float64 (independent of src/engine). */
function mullerBrownEigenvalues(x: number, y: number): [number, number] {
  const A = [-200, -100, -170, 15];
  const a = [-1, -1, -6.5, 0.7];
  const b = [0, 0, 11, 0.6];
  const c = [-10, -10, -6.5, 0.7];
  const x0 = [1, 0, -0.5, -1];
  const y0 = [0, 0.5, 1.5, 1];
  const f = (u: number, v: number) => A.reduce((s, Ak, k) => s + Ak * Math.exp(a[k] * (u - x0[k]) ** 2 + b[k] * (u - x0[k]) * (v - y0[k]) + c[k] * (v - y0[k]) ** 2), 0);
  const h = 1e-4;
  const fxx = (f(x + h, y) - 2 * f(x, y) + f(x - h, y)) / (h * h);
  const fyy = (f(x, y + h) - 2 * f(x, y) + f(x, y - h)) / (h * h);
  const fxy = (f(x + h, y + h) - f(x + h, y - h) - f(x - h, y + h) + f(x - h, y - h)) / (4 * h * h);
  const mean = (fxx + fyy) / 2;
  const spread = Math.hypot((fxx - fyy) / 2, fxy);
  return [mean - spread, mean + spread];
}

before(async () => {
  server = await startTestServer({ config: { workers: 0 } });
  worker = new TestWorker(server);
  await worker.start();
  const landscapeId = await createLandscape(server, { name: 'mb', architecture: { kind: 'surface', surface: 'muller-brown' }, autonebPreset: 'surface' });
  const train = await mutate(server, TRAIN, { l: landscapeId, n: 3, seeds: [1, 2, 3] });
  assert.equal((await waitForRun(server, train.id)).status, 'SUCCEEDED');
  const bySeed = await minimaBySeed(server, landscapeId);
  for (const [seed, name] of [[1, 'B'], [2, 'A'], [3, 'C']] as const) minima.set(name, bySeed.get(seed)!.id);
  const connect = await mutate(server, CONNECT, { a: minima.get('C'), b: minima.get('B'), config: surfaceSchedule(4) });
  assert.equal((await waitForRun(server, connect.id)).status, 'SUCCEEDED');
  pathId = (connect.config as { pathId: string }).pathId;
});

after(async () => {
  await worker?.stop();
  await server?.close();
});

async function curvatureOf(query: string, id: string): Promise<CurvatureFields | null> {
  const res = await server.gql(query, { id });
  assert.equal(res.errors, undefined, JSON.stringify(res.errors));
  return res.data!.node;
}
const MINIMUM_CURVATURE = `query($id: ID!) { node: minimum(id: $id) { curvature { ${FIELDS} } } }`;
const SADDLE_CURVATURE = `query($id: ID!) { path(id: $id) { saddle { t curvature { ${FIELDS} } } } }`;

test('computeCurvature at the three minima: index 0, eigenvalues within 1% of the exact Hessian', async () => {
  for (const known of MB_MINIMA) {
    const id = minima.get(known.name)!;
    assert.equal((await curvatureOf(MINIMUM_CURVATURE, id).then((n) => (n as unknown as { curvature: unknown }).curvature)), null, 'none before a run');
    const run = await mutate(server, CURVATURE, { target: { minimumId: id }, k: 2 });
    assert.equal(run.kind, 'CURVATURE');
    const done = await waitForRun(server, run.id);
    assert.equal(done.status, 'SUCCEEDED', done.errorMessage ?? '');
    const c = ((await curvatureOf(MINIMUM_CURVATURE, id)) as unknown as { curvature: CurvatureFields }).curvature;
    const [low, high] = mullerBrownEigenvalues(known.x, known.y);
    assert.equal(c.negativeCount, 0, known.name);
    assert.ok(Math.abs(c.smallest[0] - low) < 0.01 * Math.abs(low), `${known.name}: smallest ${c.smallest[0]} vs ${low}`);
    assert.ok(Math.abs(c.largest[0] - high) < 0.01 * Math.abs(high), `${known.name}: largest ${c.largest[0]} vs ${high}`);
    // In two dimensions Hutchinson's probes (+-1, +-1) see fxx + fyy +- 2 fxy: the trace's mean is exact only on average.
    assert.ok(Math.abs(c.trace! - (low + high)) < 0.25 * (low + high), `trace ${c.trace} vs ${low + high}`);
    assert.equal(c.tangentCurvature, null);
    assert.ok(c.evaluations > 0 && c.threshold > 0);
  }
});

let saddleEvents: RunProgressEvent[] = [];
let saddleResult: CurvatureFields;

test("computeCurvature at a path's saddle: index 1, the tangent's curvature negative and within the spectrum", async () => {
  await worker.stop();
  const run = await mutate(server, CURVATURE, { target: { pathId }, k: 2 });
  const client = server.wsClient();
  const progress = await subscribe<RunProgressEvent>(server, client, RUN_PROGRESS, { id: run.id }, 'runProgress');
  await worker.start();
  const done = await waitForRun(server, run.id);
  assert.equal(done.status, 'SUCCEEDED', done.errorMessage ?? '');
  await until('SUCCEEDED over the socket', () => progress.events.some((e) => e.status === 'SUCCEEDED'));
  saddleEvents = progress.events;
  await progress.unsubscribe();
  const res = await server.gql(SADDLE_CURVATURE, { id: pathId });
  const saddle = res.data!.path.saddle as { t: number; curvature: CurvatureFields };
  saddleResult = saddle.curvature;
  const [low, high] = mullerBrownEigenvalues(MB_SADDLE_BC.x, MB_SADDLE_BC.y);
  assert.equal(saddleResult.negativeCount, 1);
  // The stored saddle lies on the path near the literature saddle (the schedule has no climbing).
  assert.ok(Math.abs(saddleResult.smallest[0] - low) < 0.1 * Math.abs(low), `smallest ${saddleResult.smallest[0]} vs ${low}`);
  assert.ok(Math.abs(saddleResult.largest[0] - high) < 0.1 * Math.abs(high), `largest ${saddleResult.largest[0]} vs ${high}`);
  const along = saddleResult.tangentCurvature!;
  assert.ok(along < 0 && along >= saddleResult.smallest[0] - saddleResult.threshold, `tangent ${along} in [${saddleResult.smallest[0]}, 0)`);
  const stages = saddleEvents.map((e) => e.progress?.stage).filter(Boolean);
  assert.deepEqual([...new Set(stages)], ['step', 'spectrum', 'tangent', 'trace', 'done']);
});

test('a CURVATURE run resumed from its stored state continues there and ends with the same result', async () => {
  const stored = saddleEvents.find((e) => e.progress?.stage === 'trace' && e.progress.traceProbes === 16)?.progress?.state;
  assert.ok(stored, 'the first run stored its state after two trace batches');
  await worker.stop();
  const run = await mutate(server, CURVATURE, { target: { pathId }, k: 2 });
  // As a worker that died after storing that state would have left it.
  const em = server.em();
  await em.nativeUpdate(Run, { id: run.id }, { progress: { stage: 'trace', traceProbes: 16, state: stored } });
  const client = server.wsClient();
  const progress = await subscribe<RunProgressEvent>(server, client, RUN_PROGRESS, { id: run.id }, 'runProgress');
  await worker.start();
  assert.equal((await waitForRun(server, run.id)).status, 'SUCCEEDED');
  await until('SUCCEEDED over the socket', () => progress.events.some((e) => e.status === 'SUCCEEDED'));
  const probes = progress.events.filter((e) => e.progress?.stage === 'trace').map((e) => e.progress!.traceProbes);
  assert.ok(!progress.events.some((e) => ['step', 'spectrum', 'tangent'].includes(e.progress?.stage as string)), 'no stage before the trace was redone');
  assert.deepEqual(probes.filter((p) => p !== 16), [24, 32, 40, 48, 56, 64, 72, 80, 88, 96, 100]);
  await progress.unsubscribe();
  const res = await server.gql(SADDLE_CURVATURE, { id: pathId });
  assert.deepEqual(res.data!.path.saddle.curvature, saddleResult);
});

test('computeCurvature rejects bad input with the argument named, and stores nothing', async () => {
  await worker.stop();
  const other = await mutate(server, CONNECT, { a: minima.get('A'), b: minima.get('B'), config: surfaceSchedule(2) });
  const pendingPath = (other.config as { pathId: string }).pathId;
  const before = (await server.gql('{ runs(first: 100) { totalCount } }')).data!.runs.totalCount;
  const cases: [Record<string, unknown>, string, string, RegExp][] = [
    [{ target: { minimumId: minima.get('A') }, k: 0 }, 'k', 'BAD_USER_INPUT', /from 1 to 20/],
    [{ target: { minimumId: minima.get('A') }, k: 21 }, 'k', 'BAD_USER_INPUT', /from 1 to 20/],
    [{ target: { minimumId: minima.get('A'), pathId } }, 'target', 'BAD_USER_INPUT', /exactly one/],
    [{ target: {} }, 'target', 'BAD_USER_INPUT', /neither/],
    [{ target: { pathId: pendingPath } }, 'target.pathId', 'BAD_USER_INPUT', /no saddle yet/],
    [{ target: { minimumId: '00000000-0000-4000-8000-000000000000' } }, 'target.minimumId', 'NOT_FOUND', /no minimum/],
  ];
  for (const [variables, field, code, message] of cases) {
    const err = firstError(await server.gql(CURVATURE, variables));
    assert.ok(err, `${field}: an error`);
    assert.equal(err.field, field, `${JSON.stringify(variables)}: ${err.message}`);
    assert.equal(err.code, code);
    assert.match(err.message, message);
  }
  assert.equal((await server.gql('{ runs(first: 100) { totalCount } }')).data!.runs.totalCount, before);
});

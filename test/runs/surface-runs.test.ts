// Runs through the API on the Müller-Brown surface: training minima, connecting them with AutoNEB,
// every cycle over a real graphql-ws client, a late subscriber catching up by query, evaluation,
// cancellation of running and queued runs. Known answers: the literature minima and saddle.
import 'reflect-metadata';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { firstError, startTestServer, type TestServer } from '../helpers/server';
import {
  CANCEL,
  CONNECT,
  CYCLE_FIELDS,
  LANDSCAPE_EVENTS,
  MB_MINIMA,
  MB_SADDLE_BC,
  PATH_CYCLES,
  RUN_PROGRESS,
  TRAIN,
  createLandscape,
  minimaBySeed,
  mutate,
  subscribe,
  surfaceSchedule,
  until,
  waitForRun,
  TestWorker,
  type CycleFields,
  type RunProgressEvent,
} from './helpers';

let server: TestServer;
let worker: TestWorker;
let landscapeId: string;
/** Minimum ids by name (A, B, C), filled by the training test. */
const minima = new Map<string, string>();
/** A COMPLETED path (C-B), from the connect test. */
let completedPathId: string;

/** The Müller-Brown potential, from the paper's constants (independent of src/engine). */
function mullerBrown(x: number, y: number): number {
  const A = [-200, -100, -170, 15];
  const a = [-1, -1, -6.5, 0.7];
  const b = [0, 0, 11, 0.6];
  const c = [-10, -10, -6.5, 0.7];
  const x0 = [1, 0, -0.5, -1];
  const y0 = [0, 0.5, 1.5, 1];
  let v = 0;
  for (let k = 0; k < 4; k++) v += A[k] * Math.exp(a[k] * (x - x0[k]) ** 2 + b[k] * (x - x0[k]) * (y - y0[k]) + c[k] * (y - y0[k]) ** 2);
  return v;
}

before(async () => {
  server = await startTestServer({ config: { workers: 0 } });
  worker = new TestWorker(server);
  await worker.start();
  landscapeId = await createLandscape(server, { name: 'mb', architecture: { kind: 'surface', surface: 'muller-brown' }, autonebPreset: 'surface' });
});

after(async () => {
  await worker?.stop();
  await server?.close();
});

const STATUS_ORDER = ['QUEUED', 'RUNNING', 'SUCCEEDED'];

function assertStatusesInOrder(events: { status: string }[], last: string): void {
  const statuses = events.map((e) => e.status);
  const ranks = statuses.map((s) => (s === last ? 2 : STATUS_ORDER.indexOf(s)));
  assert.ok(ranks.every((r, i) => r >= 0 && (i === 0 || r >= ranks[i - 1])), `statuses out of order: ${statuses.join(' ')}`);
  assert.equal(statuses.at(-1), last);
  assert.equal(statuses.filter((s) => s === last).length, 1, `one ${last} event: ${statuses.join(' ')}`);
}

test('trainMinima: three minima at the literature positions, progress and landscape events', async () => {
  const client = server.wsClient();
  const landscapeEvents = await subscribe<{ type: string; minimumId: string | null; runId: string | null }>(server, client, LANDSCAPE_EVENTS, { id: landscapeId }, 'landscapeEvents');
  const run = await mutate(server, TRAIN, { l: landscapeId, n: 3, seeds: [1, 2, 3] });
  assert.equal(run.kind, 'TRAIN');
  assert.equal(run.status, 'QUEUED');
  assert.equal(run.startedAt, null);
  const progress = await subscribe<RunProgressEvent>(server, client, RUN_PROGRESS, { id: run.id }, 'runProgress');

  const done = await waitForRun(server, run.id);
  assert.equal(done.status, 'SUCCEEDED', done.errorMessage ?? '');
  assert.ok(Date.parse(done.createdAt) <= Date.parse(done.startedAt!) && Date.parse(done.startedAt!) <= Date.parse(done.finishedAt!));
  await until('SUCCEEDED over the socket', () => progress.events.some((e) => e.status === 'SUCCEEDED'));
  await until('RUN_FINISHED', () => landscapeEvents.events.some((e) => e.type === 'RUN_FINISHED'));
  assertStatusesInOrder(progress.events, 'SUCCEEDED');
  assert.deepEqual(progress.errors, []);

  const bySeed = await minimaBySeed(server, landscapeId);
  const ready = landscapeEvents.events.filter((e) => e.type === 'MINIMUM_READY');
  assert.deepEqual(ready.map((e) => e.minimumId), [1, 2, 3].map((seed) => bySeed.get(seed)!.id), 'MINIMUM_READY per minimum, in seed order');
  assert.ok(ready.every((e) => e.runId === run.id));
  assert.equal(landscapeEvents.events.at(-1)!.type, 'RUN_FINISHED');
  assert.equal(landscapeEvents.events.at(-1)!.runId, run.id);

  // Seeds 1, 2, 3 descend into B, A, C; their energies are the literature values.
  for (const [seed, name] of [[1, 'B'], [2, 'A'], [3, 'C']] as const) {
    const m = bySeed.get(seed)!;
    const known = MB_MINIMA.find((k) => k.name === name)!;
    assert.equal(m.status, 'READY');
    assert.ok(Math.abs(m.trainLoss! - known.energy) < 1e-3, `seed ${seed}: energy ${m.trainLoss} vs ${known.energy}`);
    minima.set(name, m.id);
  }
  // The parameters (x, y) come back as safetensors too; checked against the coordinates here.
  const res = await server.gql('query($id: ID!) { minimum(id: $id) { parameterCount downloadUrl run { id } } }', { id: minima.get('A') });
  assert.equal(res.data!.minimum.parameterCount, 2);
  assert.equal(res.data!.minimum.run.id, run.id);
  await landscapeEvents.unsubscribe();
  await progress.unsubscribe();
});

test('connectMinima: every cycle over graphql-ws, the stored path equals the events, the saddle is the literature one', async () => {
  assert.equal(minima.size, 3, 'needs the trained minima');
  const client = server.wsClient();
  const landscapeEvents = await subscribe<{ type: string; pathId: string | null; runId: string | null }>(server, client, LANDSCAPE_EVENTS, { id: landscapeId }, 'landscapeEvents');

  // No worker takes the run until the subscriptions are in place: they see it from its first step.
  await worker.stop();
  const cycles = 4;
  const run = await mutate(server, CONNECT, { a: minima.get('C'), b: minima.get('B'), config: surfaceSchedule(cycles) });
  assert.equal(run.kind, 'CONNECT');
  assert.equal(run.status, 'QUEUED');
  const pathId = (run.config as unknown as { pathId: string }).pathId;
  const progress = await subscribe<RunProgressEvent>(server, client, RUN_PROGRESS, { id: run.id }, 'runProgress');
  const pathCycles = await subscribe<{ pathId: string; runId: string; cycle: CycleFields }>(server, client, PATH_CYCLES, { id: pathId }, 'pathCycles');
  const queued = await server.gql('query($id: ID!) { path(id: $id) { status cyclesDone cycles { index } } }', { id: pathId });
  assert.deepEqual(queued.data!.path, { status: 'PENDING', cyclesDone: 0, cycles: [] });
  await worker.start();
  const done = await waitForRun(server, run.id);
  assert.equal(done.status, 'SUCCEEDED', done.errorMessage ?? '');
  assert.equal(done.workerId, worker.id);
  assert.equal(done.resumeCount, 0);
  await until('every cycle over the socket', () => pathCycles.events.length >= cycles && progress.events.some((e) => e.status === 'SUCCEEDED'));
  await until('RUN_FINISHED of the path', () => landscapeEvents.events.some((e) => e.type === 'RUN_FINISHED' && e.runId === run.id));

  // Status: QUEUED (the state when subscribing), RUNNING (the worker took it) ... SUCCEEDED,
  // each cycle announced once, in order.
  assert.deepEqual(progress.events.slice(0, 2).map((e) => e.status), ['QUEUED', 'RUNNING']);
  assertStatusesInOrder(progress.events, 'SUCCEEDED');
  const announced = progress.events.filter((e) => e.cycle);
  assert.deepEqual(announced.map((e) => e.cycle!.index), [1, 2, 3, 4]);
  assert.ok(announced.every((e) => e.pathId === pathId && e.status === 'RUNNING'));
  assert.deepEqual(pathCycles.events.map((e) => e.cycle.index), [1, 2, 3, 4]);
  assert.ok(pathCycles.events.every((e) => e.pathId === pathId && e.runId === run.id));
  assert.deepEqual(progress.errors, []);
  assert.deepEqual(pathCycles.errors, []);

  // The stored path is what the events said.
  const res = await server.gql(
    `query($id: ID!) { path(id: $id) { status cyclesDone linearBarrier length saddle { t trainLoss } run { id status } minimumA { id } minimumB { id } cycles { ${CYCLE_FIELDS} } pivots { index t energy } } }`,
    { id: pathId },
  );
  assert.equal(res.errors, undefined, JSON.stringify(res.errors));
  const path = res.data!.path;
  assert.equal(path.status, 'COMPLETED');
  assert.equal(path.cyclesDone, cycles);
  assert.deepEqual(path.cycles, pathCycles.events.map((e) => e.cycle));
  assert.deepEqual(path.cycles, announced.map((e) => e.cycle));
  assert.deepEqual([path.minimumA.id, path.minimumB.id], [minima.get('C'), minima.get('B')]);
  assert.deepEqual(path.run, { id: run.id, status: 'SUCCEEDED' });
  const lastCycle = path.cycles.at(-1) as CycleFields;
  assert.deepEqual(path.pivots.map((p: { energy: number }) => p.energy), lastCycle.pivotEnergies);
  assert.deepEqual(path.pivots.map((p: { t: number }) => p.t), lastCycle.pivotPositions);
  // Cycle 1 inserts 3 pivots per segment (2 -> 5 pivots); the schedule's steps are stored.
  assert.equal(path.cycles[0].pivotEnergies.length, 5);
  assert.equal(path.cycles[0].steps, 100);
  assert.equal(path.cycles[2].learningRate, 0.001);

  // Known answer: the one saddle between B and C, and pivots that start and end at the minima.
  assert.ok(Math.abs(path.saddle.trainLoss - MB_SADDLE_BC.energy) < 0.05, `saddle ${path.saddle.trainLoss} vs ${MB_SADDLE_BC.energy}`);
  const coordinates = lastCycle.pivotCoordinates!;
  const top = lastCycle.pivotEnergies.indexOf(Math.max(...lastCycle.pivotEnergies));
  assert.ok(Math.hypot(coordinates[top][0] - MB_SADDLE_BC.x, coordinates[top][1] - MB_SADDLE_BC.y) < 0.05, `highest pivot at ${coordinates[top]}`);
  assert.ok(Math.hypot(coordinates[0][0] - MB_MINIMA[2].x, coordinates[0][1] - MB_MINIMA[2].y) < 1e-3);
  assert.ok(Math.hypot(coordinates.at(-1)![0] - MB_MINIMA[1].x, coordinates.at(-1)![1] - MB_MINIMA[1].y) < 1e-3);
  // The straight line C-B, sampled at 21 points (by the formula, here).
  const [c, b] = [MB_MINIMA[2], MB_MINIMA[1]];
  const line = Array.from({ length: 21 }, (_, i) => mullerBrown(c.x + ((b.x - c.x) * i) / 20, c.y + ((b.y - c.y) * i) / 20));
  assert.ok(Math.abs(path.linearBarrier - Math.max(...line)) < 0.05, `linear barrier ${path.linearBarrier} vs ${Math.max(...line)}`);
  completedPathId = pathId;

  const added = landscapeEvents.events.filter((e) => e.type === 'PATH_ADDED');
  assert.deepEqual(added.map((e) => [e.runId, e.pathId]), [[run.id, pathId]]);
  const finished = landscapeEvents.events.find((e) => e.type === 'RUN_FINISHED' && e.runId === run.id)!;
  assert.equal(finished.pathId, pathId);
  for (const s of [landscapeEvents, progress, pathCycles]) await s.unsubscribe();
});

test('a subscriber that connects mid-run reads the cycles it missed by query', async () => {
  const cycles = 8;
  const run = await mutate(server, CONNECT, { a: minima.get('C'), b: minima.get('B'), config: surfaceSchedule(cycles, 1500) });
  const pathId = (run.config as unknown as { pathId: string }).pathId;
  // Wait until some cycles are done, without listening.
  await until('two cycles', async () => {
    const res = await server.gql('query($id: ID!) { path(id: $id) { cyclesDone } }', { id: pathId });
    return res.data!.path.cyclesDone >= 2;
  });
  const late = await subscribe<{ cycle: CycleFields }>(server, server.wsClient(), PATH_CYCLES, { id: pathId }, 'pathCycles');
  const missed = await server.gql(`query($id: ID!) { path(id: $id) { cycles { ${CYCLE_FIELDS} } } }`, { id: pathId });
  const done = await waitForRun(server, run.id);
  assert.equal(done.status, 'SUCCEEDED', done.errorMessage ?? '');
  const stored = missed.data!.path.cycles as CycleFields[];
  await until('the remaining cycles', () => stored.length + late.events.length >= cycles && late.events.at(-1)?.cycle.index === cycles);

  // Read cycles and received cycles overlap at most in the one stored while subscribing.
  const received = late.events.map((e) => e.cycle);
  const merged = new Map<number, CycleFields>();
  for (const c of [...stored, ...received]) {
    if (merged.has(c.index)) assert.deepEqual(c, merged.get(c.index), `cycle ${c.index} read and received alike`);
    merged.set(c.index, c);
  }
  assert.ok(stored.length >= 2, `${stored.length} cycles missed`);
  assert.deepEqual([...merged.keys()].sort((a, b) => a - b), Array.from({ length: cycles }, (_, i) => i + 1));
  assert.deepEqual(received.map((c) => c.index), Array.from({ length: received.length }, (_, i) => cycles - received.length + 1 + i));
  await late.unsubscribe();
});

test('evaluatePath: the dense profile on the stored pivots; its saddle is the literature one', async () => {
  const pathId = completedPathId;
  const run = await mutate(server, 'mutation($p: ID!) { evaluatePath(pathId: $p) { id kind status } }', { p: pathId });
  assert.equal(run.kind, 'EVALUATE');
  const done = await waitForRun(server, run.id);
  assert.equal(done.status, 'SUCCEEDED', done.errorMessage ?? '');
  const path = (await server.gql('query($id: ID!) { path(id: $id) { pivots { t } evaluatedProfile { t trainLoss testLoss trainError } saddle { t trainLoss testLoss } } }', { id: pathId })).data!.path;
  // By default 9 points inside each segment, plus the pivots themselves.
  const segments = path.pivots.length - 1;
  assert.equal(path.evaluatedProfile.length, segments * 10 + 1);
  const onLine = path.evaluatedProfile.filter((_: unknown, i: number) => i % 10 === 0).map((p: { t: number }) => p.t);
  assert.deepEqual(onLine, path.pivots.map((p: { t: number }) => p.t));
  const ts = path.evaluatedProfile.map((p: { t: number }) => p.t);
  assert.deepEqual(ts, [...ts].sort((a: number, b: number) => a - b));
  assert.equal(ts[0], 0);
  assert.equal(ts.at(-1), 1);
  // A surface has one energy: train = test, no error rate.
  for (const p of path.evaluatedProfile) {
    assert.equal(p.trainLoss, p.testLoss);
    assert.equal(p.trainError, null);
  }
  assert.ok(Math.abs(path.saddle.trainLoss - MB_SADDLE_BC.energy) < 0.05, `saddle ${path.saddle.trainLoss}`);
  assert.equal(path.saddle.trainLoss, Math.max(...path.evaluatedProfile.map((p: { trainLoss: number }) => p.trainLoss)));
});

test('cancelRun: a queued run never starts, a running one stops within a step keeping its cycles, finished runs refuse', async () => {
  const a = minima.get('A');
  const b = minima.get('B');
  // Queued: no worker is taking work.
  await worker.stop();
  const queued = await mutate(server, CONNECT, { a, b, config: surfaceSchedule(3) });
  const queuedPath = (queued.config as unknown as { pathId: string }).pathId;
  const cancelledQueued = await mutate(server, CANCEL, { id: queued.id });
  assert.equal(cancelledQueued.status, 'CANCELLED');
  await worker.start();

  const running = await mutate(server, CONNECT, { a, b, config: surfaceSchedule(200, 3000) });
  const runningPath = (running.config as unknown as { pathId: string }).pathId;
  const progress = await subscribe<RunProgressEvent>(server, server.wsClient(), RUN_PROGRESS, { id: running.id }, 'runProgress');
  await until('two cycles of the running run', async () => (await server.gql('query($id: ID!) { path(id: $id) { cyclesDone } }', { id: runningPath })).data!.path.cyclesDone >= 2);
  const cancelled = await mutate(server, CANCEL, { id: running.id });
  assert.equal(cancelled.status, 'CANCELLED');
  assert.ok(cancelled.finishedAt);
  await until('CANCELLED over the socket', () => progress.events.some((e) => e.status === 'CANCELLED'));
  const atCancel = (await server.gql('query($id: ID!) { path(id: $id) { cyclesDone } }', { id: runningPath })).data!.path.cyclesDone as number;

  // The worker stops within the step: a later run gets the slot soon, no cycle is added.
  const later = await mutate(server, 'mutation($p: ID!) { evaluatePath(pathId: $p, pointsPerSegment: 1) { id } }', { p: completedPathId });
  assert.equal((await waitForRun(server, later.id, 20_000)).status, 'SUCCEEDED');
  const res = await server.gql(
    'query($r: ID!, $q: ID!, $rp: ID!, $qp: ID!) { r: run(id: $r) { status startedAt } q: run(id: $q) { status startedAt workerId } rp: path(id: $rp) { status cyclesDone cycles { index } pivots { index } } qp: path(id: $qp) { status cyclesDone } }',
    { r: running.id, q: queued.id, rp: runningPath, qp: queuedPath },
  );
  const { r, q, rp, qp } = res.data!;
  assert.equal(r.status, 'CANCELLED');
  assert.equal(q.status, 'CANCELLED');
  assert.equal(q.startedAt, null, 'the queued run never started');
  assert.equal(q.workerId, null);
  assert.deepEqual(qp, { status: 'CANCELLED', cyclesDone: 0 });
  // What it finished stays stored, and nothing after the cancel was added.
  assert.equal(rp.status, 'CANCELLED');
  assert.ok(rp.cyclesDone >= 2 && rp.cyclesDone <= atCancel + 1, `${rp.cyclesDone} cycles after cancelling at ${atCancel}`);
  assert.deepEqual(rp.cycles.map((c: { index: number }) => c.index), Array.from({ length: rp.cyclesDone }, (_, i) => i + 1));
  assert.ok(rp.pivots.length >= 5);
  assert.equal(progress.events.at(-1)!.status, 'CANCELLED');
  assert.equal(progress.events.filter((e) => e.status === 'CANCELLED').length, 1);

  const again = await server.gql(CANCEL, { id: running.id });
  assert.deepEqual(firstError(again), { code: 'BAD_USER_INPUT', field: 'id', message: firstError(again)!.message });
  assert.match(firstError(again)!.message, /already CANCELLED/);
  const missing = await server.gql(CANCEL, { id: '00000000-0000-4000-8000-000000000000' });
  assert.equal(firstError(missing)!.code, 'NOT_FOUND');
  await progress.unsubscribe();
});

test('run mutations reject bad input with the field named, and store nothing', async () => {
  const before = (await server.gql('{ runs(first: 100) { totalCount } }')).data!.runs.totalCount;
  const cases: [string, Record<string, unknown>, string, RegExp][] = [
    [TRAIN, { l: landscapeId, n: 0 }, 'count', /from 1 to/],
    [TRAIN, { l: landscapeId, n: 2, seeds: [5] }, 'seeds', /1 seeds given for count 2/],
    [TRAIN, { l: landscapeId, n: 2, seeds: [5, 5] }, 'seeds', /distinct/],
    [TRAIN, { l: landscapeId, n: 1, seeds: [-1] }, 'seeds[0]', /integer from 0/],
    [TRAIN, { l: landscapeId, n: 1, config: { steps: -5 } }, 'config.steps', /./],
    [CONNECT, { a: minima.get('A'), b: minima.get('A') }, 'b', /must differ/],
    [CONNECT, { a: minima.get('A'), b: minima.get('B'), config: { preset: 'nope' } }, 'config.preset', /unknown preset/],
    [CONNECT, { a: minima.get('A'), b: minima.get('B'), config: { cycles: [{ steps: -1 }] } }, 'config.cycles[0].steps', /./],
    ['mutation($p: ID!) { evaluatePath(pathId: $p, pointsPerSegment: 1000) { id } }', { p: '00000000-0000-4000-8000-000000000000' }, 'pathId', /./],
  ];
  for (const [query, variables, field, message] of cases) {
    const err = firstError(await server.gql(query, variables));
    assert.ok(err, `${field}: an error`);
    assert.equal(err.field, field, `${JSON.stringify(variables)}: ${err.message}`);
    assert.match(err.message, message);
    assert.ok(['BAD_USER_INPUT', 'NOT_FOUND'].includes(err.code as string), `${field}: ${err.code}`);
  }
  const other = await createLandscape(server, { name: 'other', architecture: { kind: 'surface', surface: 'himmelblau' } });
  const foreign = await mutate(server, TRAIN, { l: other, n: 1, seeds: [1] });
  const err = firstError(await server.gql(CONNECT, { a: minima.get('A'), b: (await waitForRun(server, foreign.id)) && (await minimaBySeed(server, other)).get(1)!.id }));
  assert.equal(err!.field, 'b');
  assert.match(err!.message, /another landscape/);
  const after = (await server.gql('{ runs(first: 100) { totalCount } }')).data!.runs.totalCount;
  assert.equal(after, before + 1, 'only the valid training run was stored');
});

// The server's own worker runs in a worker thread (src/runs/worker-thread.ts): its runs give the
// same stored results as a worker on the serving thread, bit for bit; their events still reach
// subscribers in order (published by the serving thread); a cancel reaches the thread's step.
import 'reflect-metadata';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { isMainThread } from 'node:worker_threads';
import { readdirSync, readFileSync } from 'node:fs';
import { startTestServer, type TestServer } from '../helpers/server';
import { CANCEL, CONNECT, CYCLE_FIELDS, MB_SADDLE_BC, PATH_CYCLES, TRAIN, TestWorker, createLandscape, minimaBySeed, mutate, subscribe, surfaceSchedule, until, waitForRun, type CycleFields } from './helpers';

let server: TestServer;
let b: string;
let c: string;

/** Müller-Brown minima B and C, trained by the server's worker (seeds 1 and 3 descend to them). */
async function trainBC(on: TestServer): Promise<[string, string]> {
  const landscapeId = await createLandscape(on, { name: 'mb', architecture: { kind: 'surface', surface: 'muller-brown' }, autonebPreset: 'surface' });
  const train = await mutate(on, TRAIN, { l: landscapeId, n: 2, seeds: [1, 3] });
  assert.equal((await waitForRun(on, train.id)).status, 'SUCCEEDED');
  const minima = await minimaBySeed(on, landscapeId);
  return [minima.get(1)!.id, minima.get(3)!.id];
}

before(async () => {
  server = await startTestServer(); // the default: one in-process worker, in its thread
  [b, c] = await trainBC(server);
});

after(async () => {
  await server?.close();
});

const PATH = `query($id: ID!) { path(id: $id) { status saddle { trainLoss } cycles { ${CYCLE_FIELDS} } } }`;

async function connectCB(): Promise<{ runId: string; pathId: string }> {
  const run = await mutate(server, CONNECT, { a: c, b, config: surfaceSchedule(3) });
  return { runId: run.id, pathId: (run.config as { pathId: string }).pathId };
}

test('a run on the worker thread: events in order, the known saddle, and the same cycles as on the serving thread', async () => {
  assert.ok(isMainThread);
  assert.ok(server.app.worker, 'the server has its own worker');
  const client = server.wsClient();
  const onThread = await connectCB();
  const cycles = await subscribe<{ cycle: CycleFields }>(server, client, PATH_CYCLES, { id: onThread.pathId }, 'pathCycles');
  const done = await waitForRun(server, onThread.runId);
  assert.equal(done.status, 'SUCCEEDED', done.errorMessage ?? '');
  assert.equal(done.workerId, server.app.worker.id);
  const threaded = (await server.gql(PATH, { id: onThread.pathId })).data!.path;
  assert.equal(threaded.status, 'COMPLETED');
  assert.ok(Math.abs(threaded.saddle.trainLoss - MB_SADDLE_BC.energy) < 0.05, `saddle ${threaded.saddle.trainLoss} vs ${MB_SADDLE_BC.energy}`);
  // Published from the serving thread on the thread's behalf: each cycle once, in order.
  await until('every cycle over the socket', () => cycles.events.length >= 3 || cycles.errors.length > 0);
  assert.deepEqual(cycles.errors, []);
  assert.deepEqual(cycles.events.map((e) => e.cycle), threaded.cycles);

  // The same run by a RunWorker on this thread (the server's thread stopped, so it takes no job).
  await server.app.worker.stop();
  const local = new TestWorker(server);
  await local.start();
  try {
    const onMain = await connectCB();
    const run = await waitForRun(server, onMain.runId);
    assert.equal(run.workerId, local.id);
    const main = (await server.gql(PATH, { id: onMain.pathId })).data!.path;
    assert.deepEqual(main.cycles, threaded.cycles);
  } finally {
    await local.stop();
  }
});

/** Nice value of each thread of this process (Linux), by thread id. */
function niceByThread(): Map<number, number> {
  const nice = new Map<number, number>();
  for (const tid of readdirSync('/proc/self/task')) {
    const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
    nice.set(Number(tid), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]));
  }
  return nice;
}

test('the worker thread runs below normal priority (nice 10), the serving thread at its own', async (t) => {
  if (process.platform !== 'linux') return t.skip('per-thread nice values are Linux only');
  const serving = niceByThread().get(process.pid)!; // 0, unless the tests run niced
  const fresh = await startTestServer();
  try {
    const nice = niceByThread();
    assert.equal(nice.get(process.pid), serving, 'the serving thread keeps its nice value');
    assert.ok([...nice.values()].includes(Math.max(serving, 10)), `a thread at nice 10: ${JSON.stringify([...nice])}`);
  } finally {
    await fresh.close();
  }
});

test('stopping the worker thread twice is harmless; a cancelled run on a fresh server thread stops within its step', async () => {
  await server.app.worker!.stop();
  const fresh = await startTestServer();
  try {
    const [freshB, freshC] = await trainBC(fresh);
    const running = await mutate(fresh, CONNECT, { a: freshC, b: freshB, config: surfaceSchedule(200, 3000) });
    const pathId = (running.config as { pathId: string }).pathId;
    const cyclesDone = async () => (await fresh.gql('query($id: ID!) { path(id: $id) { cyclesDone } }', { id: pathId })).data!.path.cyclesDone as number;
    await until('a cycle of the running run', async () => (await cyclesDone()) >= 1);
    assert.equal((await mutate(fresh, CANCEL, { id: running.id })).status, 'CANCELLED');
    const atCancel = await cyclesDone();
    // The thread's slot is free again soon: a second run completes on it.
    const later = await mutate(fresh, CONNECT, { a: freshC, b: freshB, config: surfaceSchedule(1) });
    assert.equal((await waitForRun(fresh, later.id, 20_000)).status, 'SUCCEEDED');
    assert.ok((await cyclesDone()) <= atCancel + 1, 'no cycle stored after the step that was running');
  } finally {
    await fresh.close();
  }
});

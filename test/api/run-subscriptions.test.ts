// runProgress and pathCycles over a real graphql-ws client: the stored state first, then one
// event per change, `complete` after the terminal state; unknown ids are NOT_FOUND errors on the
// socket; a refused token closes the socket with a reason. Runs on the Müller-Brown surface.
import 'reflect-metadata';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Client } from 'graphql-ws';
import { newToken } from '../../src/http/auth';
import { startTestServer, type TestServer } from '../helpers/server';
import { CANCEL, CONNECT, PATH_CYCLES, RUN_PROGRESS, TRAIN, TestWorker, createLandscape, minimaBySeed, mutate, surfaceSchedule, until, waitForRun, type CycleFields, type RunProgressEvent } from '../runs/helpers';

let server: TestServer;
let worker: TestWorker;
let minima: string[];

before(async () => {
  // Auth on (the helpers send the server's write token) for the refused-token test.
  server = await startTestServer({ auth: true, config: { workers: 0 } });
  worker = new TestWorker(server);
  await worker.start();
  const landscapeId = await createLandscape(server, { name: 'mb', architecture: { kind: 'surface', surface: 'muller-brown' }, autonebPreset: 'surface' });
  // Short training: these tests need two READY minima, not exact ones.
  const train = await mutate(server, TRAIN, { l: landscapeId, n: 2, seeds: [1, 2], config: { steps: 100 } });
  assert.equal((await waitForRun(server, train.id)).status, 'SUCCEEDED');
  const bySeed = await minimaBySeed(server, landscapeId);
  minima = [bySeed.get(1)!.id, bySeed.get(2)!.id];
});

after(async () => {
  await worker?.stop();
  await server?.close();
});

interface Watched<T> {
  events: T[];
  /** GraphQL errors of `next` payloads. */
  payloadErrors: unknown[];
  /** What the `error` message carried (the protocol's end with errors). */
  error: unknown;
  completed: boolean;
  ended(): boolean;
}

/** Every message of one subscription: next payloads, error, complete. */
function watch<T>(client: Client, query: string, variables: Record<string, unknown>, field: string): Watched<T> {
  const watched: Watched<T> = {
    events: [],
    payloadErrors: [],
    error: undefined,
    completed: false,
    ended: () => watched.completed || watched.error !== undefined,
  };
  client.subscribe<Record<string, T>>(
    { query, variables },
    {
      next: (value) => {
        if (value.errors) watched.payloadErrors.push(value.errors);
        if (value.data) watched.events.push(value.data[field]);
      },
      error: (err) => (watched.error = err),
      complete: () => (watched.completed = true),
    },
  );
  return watched;
}

const pathOf = (run: { config: unknown }) => (run.config as { pathId: string }).pathId;

test('a run followed from QUEUED: its state first, one event per cycle, SUCCEEDED, then complete', async () => {
  await worker.stop();
  const cycles = 3;
  const run = await mutate(server, CONNECT, { a: minima[0], b: minima[1], config: surfaceSchedule(cycles) });
  const client = server.wsClient();
  const progress = watch<RunProgressEvent>(client, RUN_PROGRESS, { id: run.id }, 'runProgress');
  const pathCycles = watch<{ pathId: string; runId: string; cycle: CycleFields }>(client, PATH_CYCLES, { id: pathOf(run) }, 'pathCycles');
  // The state as stored comes first; the path has no cycle yet, so pathCycles sends nothing.
  await until('the queued state', () => progress.events.length === 1);
  assert.equal(progress.events[0].status, 'QUEUED');
  assert.equal(progress.events[0].pathId, pathOf(run));
  assert.equal(progress.events[0].cycle, null);
  await until('both subscriptions running', () => server.app.activeSubscriptions() === 2);
  await worker.start();
  await until('both to complete', () => progress.completed && pathCycles.completed);

  // Exactly: QUEUED, RUNNING (taken by the worker), cycles 1..3, SUCCEEDED. Nothing twice.
  assert.deepEqual(
    progress.events.map((e) => [e.status, e.cycle?.index ?? null]),
    [['QUEUED', null], ['RUNNING', null], ['RUNNING', 1], ['RUNNING', 2], ['RUNNING', 3], ['SUCCEEDED', null]],
  );
  assert.deepEqual(pathCycles.events.map((e) => e.cycle.index), [1, 2, 3]);
  const stored = (await server.gql('query($id: ID!) { path(id: $id) { status cycles { index maxEnergy } } }', { id: pathOf(run) })).data!.path;
  assert.equal(stored.status, 'COMPLETED');
  assert.deepEqual(pathCycles.events.map((e) => ({ index: e.cycle.index, maxEnergy: e.cycle.maxEnergy })), stored.cycles);
  for (const w of [progress, pathCycles]) {
    assert.deepEqual(w.payloadErrors, []);
    assert.equal(w.error, undefined);
  }
  await until('the server to drop them', () => server.app.activeSubscriptions() === 0);

  // Subscribing after the end: the final state at once, then complete.
  const late = watch<RunProgressEvent>(client, RUN_PROGRESS, { id: run.id }, 'runProgress');
  const latePath = watch<{ cycle: CycleFields }>(client, PATH_CYCLES, { id: pathOf(run) }, 'pathCycles');
  await until('the late subscriptions to complete', () => late.completed && latePath.completed);
  assert.deepEqual(late.events.map((e) => [e.status, e.cycle?.index ?? null]), [['SUCCEEDED', cycles]]);
  assert.deepEqual(latePath.events.map((e) => e.cycle.index), [cycles]);
});

test('cancelling a running run ends its runProgress with CANCELLED and its pathCycles', async () => {
  const run = await mutate(server, CONNECT, { a: minima[0], b: minima[1], config: surfaceSchedule(200, 3000) });
  const client = server.wsClient();
  const progress = watch<RunProgressEvent>(client, RUN_PROGRESS, { id: run.id }, 'runProgress');
  const pathCycles = watch<{ cycle: CycleFields }>(client, PATH_CYCLES, { id: pathOf(run) }, 'pathCycles');
  await until('a cycle', () => pathCycles.events.length >= 1);
  const cancelled = await mutate(server, CANCEL, { id: run.id });
  assert.equal(cancelled.status, 'CANCELLED');
  await until('both to complete', () => progress.completed && pathCycles.completed);
  assert.equal(progress.events.at(-1)!.status, 'CANCELLED');
  assert.equal(progress.events.filter((e) => e.status === 'CANCELLED').length, 1);
  const indices = pathCycles.events.map((e) => e.cycle.index);
  assert.deepEqual(indices, Array.from({ length: indices.length }, (_, i) => indices[0] + i), `cycles in order, once: ${indices}`);
  assert.ok(indices.at(-1)! < 200);
});

test('unknown ids: a NOT_FOUND error message naming the argument, no event, no complete', async () => {
  const client = server.wsClient();
  const cases = [
    { query: RUN_PROGRESS, field: 'runProgress', id: '00000000-0000-4000-8000-000000000000', argument: 'runId' },
    { query: RUN_PROGRESS, field: 'runProgress', id: 'not-an-id', argument: 'runId' },
    { query: PATH_CYCLES, field: 'pathCycles', id: '00000000-0000-4000-8000-000000000000', argument: 'pathId' },
  ];
  for (const c of cases) {
    const w = watch(client, c.query, { id: c.id }, c.field);
    await until(`${c.field}(${c.id}) to end`, () => w.ended());
    assert.equal(w.completed, false, 'ended by the error, not by complete');
    assert.deepEqual(w.events, []);
    const errors = w.error as { message: string; extensions: Record<string, unknown> }[];
    assert.ok(Array.isArray(errors), JSON.stringify(w.error));
    assert.deepEqual(errors[0].extensions, { code: 'NOT_FOUND', field: c.argument });
    assert.match(errors[0].message, new RegExp(`^${c.argument}: no (run|path) with id "${c.id}"`));
  }
  // The connection stays usable.
  const ok = watch<RunProgressEvent>(client, RUN_PROGRESS, { id: (await mutate(server, CONNECT, { a: minima[1], b: minima[0], config: surfaceSchedule(1) })).id }, 'runProgress');
  await until('a known run to complete', () => ok.completed, 30_000);
  assert.equal(ok.events.at(-1)!.status, 'SUCCEEDED');
});

test('a refused token closes the socket with 4403 and a reason: missing, invalid, invalid or revoked', async () => {
  const cases: [string | null, RegExp][] = [
    [null, /^missing token/],
    ['neb_wrong', /^invalid token/],
    [newToken(), /^invalid or revoked token/],
  ];
  for (const [token, reason] of cases) {
    const closed = new Promise<{ code: number; reason: string }>((resolve) => {
      const client = server.wsClient({ token, on: { closed: (event) => resolve(event as { code: number; reason: string }) } });
      client.subscribe({ query: 'subscription { landscapeEvents { type } }' }, { next: () => undefined, error: () => undefined, complete: () => undefined });
    });
    const { code, reason: text } = await closed;
    assert.equal(code, 4403, String(token));
    assert.match(text, reason);
  }
});

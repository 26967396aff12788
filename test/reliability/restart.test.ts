// The server restarted while clients are subscribed: graphql-ws clients with retries reconnect to
// the new process (same port, same data), their subscriptions resume, the interrupted run goes on
// from its last stored cycle, and each client catches up on what it missed by query.
import 'reflect-metadata';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { createTestStorage, startTestServer, type TestServer } from '../helpers/server';
import { CONNECT, CYCLE_FIELDS, PATH_CYCLES, TRAIN, createLandscape, getRun, minimaBySeed, mutate, surfaceSchedule, until, waitForRun, type CycleFields } from '../runs/helpers';

const CYCLES = 20;
const CLIENTS = 3;

interface Listener {
  client: Client;
  cycles: CycleFields[];
  errors: unknown[];
  connections: number;
}

function listen(wsUrl: string, pathId: string): Listener {
  const listener: Listener = { client: null as unknown as Client, cycles: [], errors: [], connections: 0 };
  listener.client = createClient({
    url: wsUrl,
    webSocketImpl: WebSocket,
    lazy: true,
    // As the web client does: keep trying while the server is away.
    retryAttempts: 200,
    retryWait: () => sleep(100),
    shouldRetry: () => true,
    on: { connected: () => void listener.connections++ },
  });
  listener.client.subscribe<{ pathCycles: { cycle: CycleFields } }>(
    { query: PATH_CYCLES, variables: { id: pathId } },
    {
      next: (v) => (v.errors ? listener.errors.push(v.errors) : listener.cycles.push(v.data!.pathCycles.cycle)),
      error: (e) => listener.errors.push(e),
      complete: () => undefined,
    },
  );
  return listener;
}

test('server restart with subscribed clients: they reconnect, receive the later cycles in order, and catch up by query', async () => {
  const storage = await createTestStorage();
  let server: TestServer | undefined = await startTestServer({ storage });
  const listeners: Listener[] = [];
  try {
    const port = (server.app.httpServer.address() as { port: number }).port;
    const landscapeId = await createLandscape(server, { name: 'restart', architecture: { kind: 'surface', surface: 'muller-brown' }, autonebPreset: 'surface' });
    const train = await mutate(server, TRAIN, { l: landscapeId, n: 2, seeds: [1, 2] });
    assert.equal((await waitForRun(server, train.id)).status, 'SUCCEEDED');
    const minima = await minimaBySeed(server, landscapeId);
    const run = await mutate(server, CONNECT, { a: minima.get(1)!.id, b: minima.get(2)!.id, config: surfaceSchedule(CYCLES, 1500) });
    const pathId = (run.config as { pathId: string }).pathId;
    for (let i = 0; i < CLIENTS; i++) listeners.push(listen(server.wsUrl, pathId));
    const active = server.app;
    await until('every client subscribed', () => active.activeSubscriptions() >= CLIENTS, 10_000, 5);
    await until('two cycles at every client', () => listeners.every((l) => l.cycles.length >= 2), 60_000);

    // Stop the server as SIGTERM does; start a new one on the same port and data.
    const firstWorker = (await getRun(server, run.id)).workerId;
    await server.close();
    server = undefined;
    const before = listeners.map((l) => l.cycles.length);
    assert.ok(before.every((n) => n < CYCLES), `the run was interrupted mid-way: ${before.join(' ')} cycles`);
    server = await startTestServer({ storage, port });
    const restarted = server;
    const done = await waitForRun(restarted, run.id, 120_000);
    assert.equal(done.status, 'SUCCEEDED', done.errorMessage ?? '');
    assert.notEqual(done.workerId, firstWorker, 'the new process finished the run');
    await until('the last cycle at every client', () => listeners.every((l) => l.cycles.at(-1)?.index === CYCLES), 30_000);

    const stored = (await restarted.gql(`query($id: ID!) { path(id: $id) { status cyclesDone cycles { ${CYCLE_FIELDS} } } }`, { id: pathId })).data!.path;
    assert.equal(stored.status, 'COMPLETED');
    assert.deepEqual(stored.cycles.map((c: CycleFields) => c.index), Array.from({ length: CYCLES }, (_, i) => i + 1));
    for (const [i, l] of listeners.entries()) {
      assert.deepEqual(l.errors, [], `client ${i}: no errors`);
      assert.ok(l.connections >= 2, `client ${i} reconnected (${l.connections} connections)`);
      const indices = l.cycles.map((c) => c.index);
      // In order; a cycle repeats only as the first event of a re-subscription (its current state).
      assert.ok(indices.every((x, k) => k === 0 || x >= indices[k - 1]), `client ${i}: in order: ${indices.join(' ')}`);
      const repeats = indices.filter((x, k) => k > 0 && x === indices[k - 1]).length;
      assert.ok(repeats <= l.connections - 1, `client ${i}: ${repeats} repeats over ${l.connections} connections: ${indices.join(' ')}`);
      assert.ok(indices.filter((x) => x > before[i]).length >= 1, `client ${i} received cycles after the restart: ${indices.join(' ')}`);
      // Catch up by query: what it received is what is stored, and the query fills the gap.
      for (const c of l.cycles) assert.deepEqual(c, stored.cycles[c.index - 1], `client ${i}: cycle ${c.index} as stored`);
      const merged = new Set([...indices, ...stored.cycles.map((c: CycleFields) => c.index)]);
      assert.equal(merged.size, CYCLES);
    }
    const finalRun = await getRun(restarted, run.id);
    assert.equal(finalRun.status, 'SUCCEEDED');
  } finally {
    await Promise.all(listeners.map((l) => l.client.dispose()));
    await server?.close();
    await storage.dispose();
  }
});

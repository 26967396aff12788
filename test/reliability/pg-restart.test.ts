// PostgreSQL restarted mid-run: the ORM pool, the queue (pg-boss), the LISTEN/NOTIFY event
// connection and the in-process worker reconnect; the interrupted step is retried; the run
// completes with every cycle stored; subscribers keep their socket and get the later events.
//
// Needs a real PostgreSQL that the test may restart: DATABASE_URL, and NEB_ATLAS_CI_PG_RESTART
// holding a shell command that restarts it (.ci/run sets both, and runs this file on its own,
// since a restart drops the connections of every other test running against that server).
import 'reflect-metadata';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execSync } from 'node:child_process';
import request from 'supertest';
import { startTestServer } from '../helpers/server';
import { CONNECT, PATH_CYCLES, TRAIN, createLandscape, minimaBySeed, mutate, subscribe, surfaceSchedule, until, waitForRun, type CycleFields } from '../runs/helpers';

const CYCLES = 16;

test('PostgreSQL restarted mid-run: server and worker reconnect, the run completes, events flow again', async (t) => {
  if (!process.env.DATABASE_URL) {
    t.skip('needs a real PostgreSQL: set DATABASE_URL (an admin URL) and NEB_ATLAS_CI_PG_RESTART (a command restarting it), as .ci/run does');
    return;
  }
  const restart = process.env.NEB_ATLAS_CI_PG_RESTART;
  if (!restart) {
    t.skip('NEB_ATLAS_CI_PG_RESTART is unset: it must hold a shell command that restarts the PostgreSQL at DATABASE_URL (.ci/run sets it for its fault step)');
    return;
  }
  const server = await startTestServer();
  try {
    const landscapeId = await createLandscape(server, { name: 'pg-restart', architecture: { kind: 'surface', surface: 'muller-brown' }, autonebPreset: 'surface' });
    const train = await mutate(server, TRAIN, { l: landscapeId, n: 2, seeds: [1, 2] });
    assert.equal((await waitForRun(server, train.id)).status, 'SUCCEEDED');
    const minima = await minimaBySeed(server, landscapeId);
    const run = await mutate(server, CONNECT, { a: minima.get(1)!.id, b: minima.get(2)!.id, config: surfaceSchedule(CYCLES, 1500) });
    const pathId = (run.config as { pathId: string }).pathId;
    const events = await subscribe<{ cycle: CycleFields }>(server, server.wsClient(), PATH_CYCLES, { id: pathId }, 'pathCycles');
    await until('two cycles', () => events.events.length >= 2, 60_000);

    const started = Date.now();
    execSync(restart, { stdio: 'inherit', timeout: 60_000 });
    const atRestart = events.events.length;
    console.log(`PostgreSQL restarted in ${Date.now() - started} ms after ${atRestart} of ${CYCLES} cycles`);
    assert.ok(atRestart < CYCLES, 'the restart came mid-run');

    // Queries may fail while connections are re-established; the run must end SUCCEEDED.
    let status = '';
    let errorMessage: string | null = null;
    await until(
      'the run to end',
      async () => {
        const res = await server.gql('query($id: ID!) { run(id: $id) { status errorMessage } }', { id: run.id }).catch(() => null);
        status = res?.data?.run?.status ?? status;
        errorMessage = res?.data?.run?.errorMessage ?? null;
        return ['SUCCEEDED', 'FAILED', 'CANCELLED'].includes(status);
      },
      120_000,
      200,
    );
    assert.equal(status, 'SUCCEEDED', errorMessage ?? '');
    const path = (await server.gql('query($id: ID!) { path(id: $id) { status cyclesDone cycles { index } } }', { id: pathId })).data!.path;
    assert.equal(path.status, 'COMPLETED');
    assert.deepEqual(path.cycles.map((c: { index: number }) => c.index), Array.from({ length: CYCLES }, (_, i) => i + 1));
    // The event connection came back: cycles stored after the restart reached the subscriber.
    await until('the last cycle over the socket', () => events.events.at(-1)?.cycle.index === CYCLES, 30_000);
    const indices = events.events.map((e) => e.cycle.index);
    assert.ok(indices.every((x, k) => k === 0 || x > indices[k - 1]), `in order: ${indices.join(' ')}`);
    const health = await request(server.app.httpServer).get('/healthz');
    assert.equal(health.status, 200);
    await events.unsubscribe();
  } finally {
    await server.close();
  }
});

// Faults inside a run: a NaN energy fails the run with the engine's reason and keeps the cycles
// stored before it; a database error (disk full, as PostgreSQL reports it) fails the run with
// its reason after the queue's retries, again keeping what was stored.
import 'reflect-metadata';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from '../helpers/server';
import { CONNECT, CYCLE_FIELDS, TRAIN, createLandscape, minimaBySeed, mutate, surfaceSchedule, waitForRun, type CycleFields } from '../runs/helpers';

let server: TestServer;
let minima: Map<number, { id: string }>;

before(async () => {
  server = await startTestServer();
  const landscapeId = await createLandscape(server, { name: 'faults', architecture: { kind: 'surface', surface: 'muller-brown' }, autonebPreset: 'surface' });
  const train = await mutate(server, TRAIN, { l: landscapeId, n: 2, seeds: [1, 2] });
  assert.equal((await waitForRun(server, train.id)).status, 'SUCCEEDED');
  minima = await minimaBySeed(server, landscapeId);
});

after(async () => {
  await server?.close();
});

async function pathOf(pathId: string): Promise<{ status: string; cyclesDone: number; cycles: CycleFields[]; pivots: { index: number; energy: number }[] }> {
  const res = await server.gql(`query($id: ID!) { path(id: $id) { status cyclesDone cycles { ${CYCLE_FIELDS} } pivots { index energy } } }`, { id: pathId });
  assert.equal(res.errors, undefined, JSON.stringify(res.errors));
  return res.data!.path;
}

test('a NaN energy fails the run with a NonFiniteEnergyError reason; the cycles before it stay stored', async () => {
  // Cycles 1-2 are ordinary; cycle 3 takes steps so large that Müller-Brown overflows
  // (its exponentials of squared coordinates reach Infinity, and Infinity - Infinity is NaN).
  const schedule = surfaceSchedule(4);
  (schedule.cycles as Record<string, unknown>[])[2] = { insertion: null, learningRate: 1e30 };
  const run = await mutate(server, CONNECT, { a: minima.get(1)!.id, b: minima.get(2)!.id, config: schedule });
  const pathId = (run.config as { pathId: string }).pathId;
  const done = await waitForRun(server, run.id);
  assert.equal(done.status, 'FAILED');
  assert.match(done.errorMessage ?? '', /^NonFiniteEnergyError: /, String(done.errorMessage));
  assert.equal(done.resumeCount, 0, 'not retried: a NaN is no transient fault');
  assert.ok(done.finishedAt);

  const path = await pathOf(pathId);
  assert.equal(path.status, 'FAILED');
  assert.equal(path.cyclesDone, 2);
  assert.deepEqual(path.cycles.map((c) => c.index), [1, 2]);
  for (const cycle of path.cycles) {
    assert.ok(cycle.pivotEnergies.every(Number.isFinite) && cycle.denseProfile.every((p) => Number.isFinite(p.energy)), `cycle ${cycle.index} is finite`);
  }
  // The pivots are those of cycle 2, the last one stored.
  assert.deepEqual(path.pivots.map((p) => p.energy), path.cycles[1].pivotEnergies);
});

test('a database error while storing a cycle (disk full) fails the run with the reason; earlier cycles stay', async () => {
  // PostgreSQL answers SQLSTATE 53100 when it cannot extend a file; a trigger makes the cycle
  // table answer so from the second cycle on (no other run is active in this file meanwhile).
  const sql = server.em().getConnection();
  await sql.execute(`
    create or replace function neb_test_disk_full() returns trigger language plpgsql as $$
    begin
      if new.index >= 2 then
        raise exception 'could not extend file "base/16384/16500": No space left on device' using errcode = '53100';
      end if;
      return new;
    end $$`);
  await sql.execute('create trigger neb_test_disk_full before insert on cycle for each row execute function neb_test_disk_full()');
  const run = await mutate(server, CONNECT, { a: minima.get(2)!.id, b: minima.get(1)!.id, config: surfaceSchedule(3) });
  const pathId = (run.config as { pathId: string }).pathId;
  try {
    const done = await waitForRun(server, run.id, 90_000);
    assert.equal(done.status, 'FAILED');
    assert.match(done.errorMessage ?? '', /No space left on device/, String(done.errorMessage));
    assert.doesNotMatch(done.errorMessage ?? '', /insert into/i, 'the reason carries no SQL statement');
    assert.ok(done.resumeCount >= 1, `retried first (a database error may be transient): ${done.resumeCount}`);
    const path = await pathOf(pathId);
    assert.equal(path.status, 'FAILED');
    assert.deepEqual(path.cycles.map((c) => c.index), [1]);
    assert.equal(path.cyclesDone, 1);
  } finally {
    await sql.execute('drop trigger if exists neb_test_disk_full on cycle');
    await sql.execute('drop function if exists neb_test_disk_full()');
  }
  // The server and its worker go on: a new run on the same minima succeeds.
  const again = await mutate(server, CONNECT, { a: minima.get(2)!.id, b: minima.get(1)!.id, config: surfaceSchedule(2) });
  assert.equal((await waitForRun(server, again.id)).status, 'SUCCEEDED');
});

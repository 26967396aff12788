// A worker killed mid-cycle (kill -9): its run resumes from the last stored cycle on another
// worker process and completes with every cycle exactly once, equal to an uninterrupted run.
// Needs a real PostgreSQL (DATABASE_URL): worker processes share the database with the server.
import 'reflect-metadata';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { autoNebCycles, type CycleConfig } from '../../src/engine';
import { getSurface } from '../../src/engine/surfaces';
import { stepJobId } from '../../src/runs/queue';
import { startTestServer, type TestServer } from '../helpers/server';
import { CONNECT, CYCLE_FIELDS, PATH_CYCLES, TRAIN, createLandscape, getRun, minimaBySeed, mutate, subscribe, surfaceSchedule, until, waitForRun, type CycleFields } from './helpers';

const REAL_DATABASE = Boolean(process.env.DATABASE_URL);
const CLI = join(__dirname, '..', '..', 'src', 'cli.js');
const STEP_EXPIRE_SECONDS = 5;

interface WorkerProcess {
  child: ChildProcess;
  output: string[];
  exited: Promise<void>;
}

let server: TestServer | undefined;
const workers: WorkerProcess[] = [];

function startWorker(databaseUrl: string): WorkerProcess {
  const child = spawn(process.execPath, [CLI, 'worker'], {
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      NEB_ATLAS_WORKERS: '1',
      NEB_ATLAS_STEP_EXPIRE_SECONDS: String(STEP_EXPIRE_SECONDS),
      NEB_ATLAS_MAINTENANCE_SECONDS: '1',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  child.stdout!.on('data', (d: Buffer) => output.push(d.toString()));
  child.stderr!.on('data', (d: Buffer) => output.push(d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return { child, output, exited };
}

before(async () => {
  if (!REAL_DATABASE) return;
  // The server runs no worker of its own: all work happens in the two worker processes.
  server = await startTestServer({ config: { workers: 0, stepExpireSeconds: STEP_EXPIRE_SECONDS, maintenanceSeconds: 1 } });
  const url = server.storage.config.databaseUrl!;
  workers.push(startWorker(url), startWorker(url));
  for (const w of workers) await until('a worker process to start', () => /neb-atlas: worker \S+ on/.test(w.output.join('')) || w.child.exitCode !== null, 60_000, 50);
  for (const w of workers) assert.equal(w.child.exitCode, null, `worker exited: ${w.output.join('')}`);
});

after(async () => {
  for (const w of workers) {
    if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGTERM');
    await Promise.race([w.exited, new Promise((r) => setTimeout(r, 15_000))]);
    if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGKILL');
  }
  await server?.close();
});

test('a killed worker: the run resumes on the other worker, every cycle exactly once', async (t) => {
  if (!REAL_DATABASE) {
    t.skip('needs a real PostgreSQL: set DATABASE_URL (worker processes share the database; the embedded one serves one process)');
    return;
  }
  const s = server!;
  const landscapeId = await createLandscape(s, { name: 'mb', architecture: { kind: 'surface', surface: 'muller-brown' }, autonebPreset: 'surface' });
  const train = await mutate(s, TRAIN, { l: landscapeId, n: 2, seeds: [1, 3] });
  assert.equal((await waitForRun(s, train.id)).status, 'SUCCEEDED');
  const minima = await minimaBySeed(s, landscapeId);

  // Cycles of about a second each, so the kill lands inside one.
  const cycleCount = 6;
  const run = await mutate(s, CONNECT, { a: minima.get(3)!.id, b: minima.get(1)!.id, config: surfaceSchedule(cycleCount, 10_000) });
  const pathId = (run.config as { pathId: string }).pathId;
  const received = await subscribe<{ cycle: CycleFields }>(s, s.wsClient(), PATH_CYCLES, { id: pathId }, 'pathCycles');
  const cyclesDone = async () => (await s.gql('query($id: ID!) { path(id: $id) { cyclesDone } }', { id: pathId })).data!.path.cyclesDone as number;
  const sql = s.em().getConnection();
  // Mid-cycle: the job of the step after the stored cycles is active, and the run names its worker.
  let holder = '';
  await until(
    'a worker inside cycle 3 or later',
    async () => {
      const done = await cyclesDone();
      if (done < 2 || done >= cycleCount - 1) return false;
      const [job] = await sql.execute<{ state: string }[]>('select state from pgboss.job where id = ?', [stepJobId(run.id, done)]);
      const workerId = (await getRun(s, run.id)).workerId;
      if (job?.state !== 'active' || !workerId) return false;
      // The run's workerId is written right after the job is taken: read it once more.
      await sleep(50);
      const again = await getRun(s, run.id);
      if (again.workerId !== workerId || (await cyclesDone()) !== done) return false;
      holder = workerId;
      return true;
    },
    60_000,
    20,
  );
  const pid = Number(holder.split(':')[1]);
  const victim = workers.find((w) => w.child.pid === pid);
  assert.ok(victim, `run held by ${holder}, not one of ${workers.map((w) => w.child.pid).join(', ')}`);
  victim.child.kill('SIGKILL');
  await victim.exited;
  const atKill = await cyclesDone();
  t.diagnostic(`killed worker ${holder} inside cycle ${atKill + 1}`);
  assert.ok(atKill < cycleCount, 'killed before the run ended');
  const survivor = workers.find((w) => w !== victim)!;

  const done = await waitForRun(s, run.id, 90_000);
  assert.equal(done.status, 'SUCCEEDED', done.errorMessage ?? '');
  assert.ok(done.resumeCount >= 1, `resumeCount ${done.resumeCount}`);
  assert.equal(Number(done.workerId!.split(':')[1]), survivor.child.pid, 'finished by the other worker');

  // Every cycle exactly once, in the API and in the table itself.
  const path = (await s.gql(`query($id: ID!) { path(id: $id) { status cyclesDone cycles { ${CYCLE_FIELDS} } pivots { index energy } } }`, { id: pathId })).data!.path;
  assert.equal(path.status, 'COMPLETED');
  assert.equal(path.cyclesDone, cycleCount);
  assert.deepEqual(path.cycles.map((c: CycleFields) => c.index), Array.from({ length: cycleCount }, (_, i) => i + 1));
  const rows = await s.em().getConnection().execute<{ index: number; n: string }[]>('select index, count(*) as n from cycle where path_id = ? group by index order by index', [pathId]);
  assert.deepEqual(rows.map((r) => [r.index, Number(r.n)]), Array.from({ length: cycleCount }, (_, i) => [i + 1, 1]));

  // Nothing lost: the subscriber got every cycle stored after it subscribed, once each.
  await until('the last cycle event', () => received.events.some((e) => e.cycle.index === cycleCount));
  const indices = received.events.map((e) => e.cycle.index);
  assert.deepEqual(indices, Array.from({ length: indices.length }, (_, i) => indices[0] + i), `events ${indices.join(' ')}`);
  for (const e of received.events) assert.deepEqual(e.cycle, path.cycles[e.cycle.index - 1]);

  // The resumed run equals an uninterrupted one, bit for bit (the engine is deterministic).
  const start = Float32Array.from(path.cycles[0].pivotCoordinates![0]);
  const end = Float32Array.from(path.cycles[0].pivotCoordinates!.at(-1)!);
  const config = (await getRun(s, run.id)).config as { cycles: CycleConfig[] };
  const uninterrupted: number[][] = [];
  for await (const record of autoNebCycles(getSurface('muller-brown'), start, end, { cycles: config.cycles })) uninterrupted.push(record.pivotEnergies);
  assert.deepEqual(path.cycles.map((c: CycleFields) => c.pivotEnergies), uninterrupted);
  await received.unsubscribe();
});

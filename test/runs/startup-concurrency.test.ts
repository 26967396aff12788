// Start-up under concurrency (issue 22): the server and four `neb-atlas worker` processes started
// at the same moment on a fresh PostgreSQL database (no `migrate` first) must all come up: they
// race to migrate the schema and to create pg-boss's queues. Before the start-up lock this lost
// processes to `deadlock detected` and to `Key (typname, typnamespace)=(run_kind, ...) already
// exists`. Then an exploration with --parallel 2 on the Müller-Brown surface runs on the workers
// to completion and finds the surface's known spanning tree (two paths joining its three minima).
import 'reflect-metadata';
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { Client } from 'pg';
import { createTestStorage, type TestStorage } from '../helpers/server';
import { CLI, cli, json } from '../cli/helpers';
import { until } from './helpers';

const REAL_DATABASE = Boolean(process.env.DATABASE_URL);
const WORKERS = 4;

interface Proc {
  name: string;
  child: ChildProcess;
  output: string[];
  exited: Promise<void>;
}

const procs: Proc[] = [];
let storage: TestStorage | undefined;

function start(name: string, args: string[], env: Record<string, string>): Proc {
  const child = spawn(process.execPath, [CLI, ...args], {
    env: { ...process.env, NEB_ATLAS_AUTH: 'off', NEB_ATLAS_MAINTENANCE_SECONDS: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  child.stdout!.on('data', (d: Buffer) => output.push(d.toString()));
  child.stderr!.on('data', (d: Buffer) => output.push(d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return { name, child, output, exited };
}

const alive = (p: Proc) => p.child.exitCode === null && p.child.signalCode === null;

after(async () => {
  for (const p of procs) if (alive(p)) p.child.kill('SIGTERM');
  await Promise.all(procs.map((p) => Promise.race([p.exited, new Promise((r) => setTimeout(r, 15_000))])));
  for (const p of procs) if (alive(p)) p.child.kill('SIGKILL');
  await storage?.dispose();
});

test('server and four workers started at once on a fresh database: all up, an exploration with --parallel 2 completes', async (t) => {
  if (!REAL_DATABASE) {
    t.skip('needs a real PostgreSQL: set DATABASE_URL (worker processes share the database; the embedded one serves one process)');
    return;
  }
  storage = await createTestStorage(); // an empty database: every process migrates at start
  const databaseUrl = storage.config.databaseUrl!;
  procs.push(start('server', ['serve'], { DATABASE_URL: databaseUrl, PORT: '0', NEB_ATLAS_WORKERS: '0' }));
  for (let i = 1; i <= WORKERS; i++) procs.push(start(`worker ${i}`, ['worker'], { DATABASE_URL: databaseUrl, NEB_ATLAS_WORKERS: '1' }));
  const report = () => procs.map((p) => `--- ${p.name} (exit ${p.child.exitCode ?? p.child.signalCode ?? 'running'}):\n${p.output.join('')}`).join('\n');

  const up = (p: Proc) => (p.name === 'server' ? /GraphQL at http/ : /neb-atlas: worker \S+ on/).test(p.output.join(''));
  await until('every process to be up or to exit', () => procs.every((p) => up(p) || !alive(p)), 120_000, 50).catch((err: Error) => assert.fail(`${err.message}\n${report()}`));
  for (const p of procs) assert.ok(up(p) && alive(p), `${p.name} did not come up:\n${report()}`);

  // Exactly one process applied the migrations; the schema and both queues exist once.
  const migrated = procs.filter((p) => /applied migrations/.test(p.output.join(''))).length;
  assert.ok(migrated <= 1, `migrations applied by ${migrated} processes:\n${report()}`);
  const sql = new Client({ connectionString: databaseUrl });
  await sql.connect();
  try {
    const { rows } = await sql.query<{ name: string }>("select name from pgboss.queue where name like 'neb-atlas-%' order by name");
    assert.deepEqual(rows.map((r) => r.name), ['neb-atlas-compute', 'neb-atlas-coordination']);
  } finally {
    await sql.end();
  }

  const url = /GraphQL at (http\S+)/.exec(procs[0].output.join(''))![1];
  const { landscape } = json<{ landscape: { id: string } }>(await cli(['--url', url, '--json', 'landscape', 'create', '--name', 'mb', '--kind', 'surface', '--surface', 'muller-brown', '--autoneb-preset', 'surface']));
  // Seeds 1, 2, 3 descend into the surface's three minima (test/runs/helpers.ts, MB_MINIMA).
  const trained = await cli(['--url', url, '--json', 'train', landscape.id, '-n', '3', '--seeds', '1,2,3']);
  assert.equal(trained.code, 0, trained.stderr);
  const config = JSON.stringify({ cycles: [{ insertion: { strategy: 'equal', count: 3 }, steps: 100, learningRate: 0.01 }, { insertion: null, learningRate: 0.001 }] });
  const explored = await cli(['--url', url, '--json', 'explore', landscape.id, '--parallel', '2', '--preset', 'surface', '--config', config], {}, 120_000);
  assert.equal(explored.code, 0, `${explored.stderr}\n${report()}`);
  const { run } = json<{ run: { status: string; result: { stopReason: string; treeEdges: unknown[] } } }>(explored);
  assert.equal(run.status, 'SUCCEEDED');
  // Three minima: the spanning tree has two edges.
  assert.equal(run.result.treeEdges.length, 2, JSON.stringify(run.result));

  // Nobody was lost on the way.
  for (const p of procs) assert.ok(alive(p), `${p.name} exited:\n${report()}`);
});

/**
 * `npm run bench:server`: the server under load, on loopback only, bounded, stopping by itself.
 *   1. SUBSCRIBERS graphql-ws clients (one socket each) subscribe to pathCycles of one AutoNEB
 *      run on the Müller-Brown surface with many short cycles; every client must receive every
 *      cycle event, in order. Reported: delivery latency (publish -> client) and throughput.
 *   2. READ_RATE GraphQL reads per second for READ_SECONDS (open loop: requests are sent on
 *      schedule whether or not earlier ones have answered), over keep-alive HTTP; reported:
 *      achieved rate, errors, p50/p90/p99/max latency.
 * The server runs in this process with auth on (the reads carry a token), an embedded database
 * in a temp directory (or, with DATABASE_URL, a fresh database on that PostgreSQL), and the
 * worker started once the subscribers are in place.
 */
import 'reflect-metadata';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { createClient, type Client } from 'graphql-ws';
import { Client as PgClient } from 'pg';
import WebSocket from 'ws';
import { isLoopback, loadConfig, redactUrl, type Config } from '../src/config';
import { initBackend } from '../src/engine/tfjs';
import { RunWorker } from '../src/runs/worker';
import { createApp, type App } from '../src/http/app';

const SUBSCRIBERS = Number(process.env.BENCH_SUBSCRIBERS ?? 500);
const CYCLES = Number(process.env.BENCH_CYCLES ?? 40);
const STEPS = Number(process.env.BENCH_CYCLE_STEPS ?? 20);
const READ_RATE = Number(process.env.BENCH_READ_RATE ?? 200);
const READ_SECONDS = Number(process.env.BENCH_READ_SECONDS ?? 60);
/**
 * A first round at the same rate, reported on its own line: a freshly started server answers
 * its first seconds of reads with cold (unoptimised) code and an empty connection pool, and an
 * open-loop load queues behind that for ~10 s. The measured minute is the server in service.
 */
const READ_WARMUP_SECONDS = Number(process.env.BENCH_READ_WARMUP ?? 15);
/** Hard stop for the whole benchmark. */
const LIMIT_MS = 10 * 60 * 1000;

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

function summary(values: number[]): string {
  const s = [...values].sort((a, b) => a - b);
  const f = (v: number) => `${v.toFixed(1)} ms`;
  return `p50 ${f(percentile(s, 50))}, p90 ${f(percentile(s, 90))}, p99 ${f(percentile(s, 99))}, max ${f(s.at(-1) ?? NaN)}`;
}

async function until(what: string, condition: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

class Api {
  constructor(
    private readonly url: string,
    private readonly token: string,
  ) {}

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- bench reads responses by path
  async gql(query: string, variables: Record<string, unknown> = {}): Promise<any> {
    const res = await fetch(this.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${this.token}` }, body: JSON.stringify({ query, variables }) });
    const body = (await res.json()) as { data?: unknown; errors?: { message: string }[] };
    if (!res.ok || body.errors) throw new Error(`HTTP ${res.status}: ${JSON.stringify(body.errors ?? body)}`);
    return body.data;
  }

  async waitForRun(id: string): Promise<string> {
    let status = '';
    await until(`run ${id}`, async () => ['SUCCEEDED', 'FAILED', 'CANCELLED'].includes((status = (await this.gql('query($id: ID!) { run(id: $id) { status } }', { id })).run.status)), 120_000);
    return status;
  }
}

async function subscribers(app: App, api: Api, token: string): Promise<string> {
  const landscape = (await api.gql('mutation($i: CreateLandscapeInput!) { createLandscape(input: $i) { id } }', { i: { name: 'bench', architecture: { kind: 'surface', surface: 'muller-brown' }, autonebPreset: 'surface' } })).createLandscape.id;
  const trainer = new RunWorker({ orm: app.database.orm, queue: app.queue, events: app.events, concurrency: 1 });
  await trainer.start();
  const train = (await api.gql('mutation($l: ID!) { trainMinima(landscapeId: $l, count: 2, seeds: [1, 2]) { id } }', { l: landscape })).trainMinima.id;
  if ((await api.waitForRun(train)) !== 'SUCCEEDED') throw new Error('training failed');
  await trainer.stop();
  const minima = (await api.gql('query($l: ID!) { landscape(id: $l) { minima(first: 2) { edges { node { id } } } } }', { l: landscape })).landscape.minima.edges.map((e: { node: { id: string } }) => e.node.id);
  const cycles = Array.from({ length: CYCLES }, (_, i) => (i === 0 ? { insertion: { strategy: 'equal', count: 3 }, steps: STEPS, learningRate: 0.005 } : i === 1 ? { insertion: null } : {}));
  const run = (await api.gql('mutation($a: ID!, $b: ID!, $c: AutonebConfigInput) { connectMinima(a: $a, b: $b, config: $c) { id config } }', { a: minima[0], b: minima[1], c: { preset: 'surface', cycles } })).connectMinima;
  const pathId = run.config.pathId as string;

  // The run waits in the queue (no worker yet) while every subscriber connects.
  const wsUrl = app.url.replace(/^http/, 'ws');
  const clients: Client[] = [];
  const received: { index: number; latencyMs: number }[][] = Array.from({ length: SUBSCRIBERS }, () => []);
  const errors: unknown[] = [];
  const connectStart = performance.now();
  for (let i = 0; i < SUBSCRIBERS; i++) {
    const client = createClient({ url: wsUrl, webSocketImpl: WebSocket, lazy: true, retryAttempts: 0, connectionParams: { authorization: `Bearer ${token}` } });
    clients.push(client);
    client.subscribe<{ pathCycles: { at: string; cycle: { index: number } } }>(
      { query: 'subscription($p: ID!) { pathCycles(pathId: $p) { at cycle { index maxEnergy } } }', variables: { p: pathId } },
      {
        next: (v) => {
          if (v.errors || !v.data) return void errors.push(v.errors);
          received[i].push({ index: v.data.pathCycles.cycle.index, latencyMs: Date.now() - Date.parse(v.data.pathCycles.at) });
        },
        error: (e) => errors.push(e),
        complete: () => undefined,
      },
    );
  }
  await until(`${SUBSCRIBERS} subscriptions`, () => app.activeSubscriptions() >= SUBSCRIBERS, 60_000);
  const connectMs = performance.now() - connectStart;

  const worker = new RunWorker({ orm: app.database.orm, queue: app.queue, events: app.events, concurrency: 1 });
  const runStart = performance.now();
  await worker.start();
  const status = await api.waitForRun(run.id);
  const runMs = performance.now() - runStart;
  await until('every event at every subscriber', () => received.every((r) => r.length >= CYCLES) || errors.length > 0, 60_000).catch((err: Error) => errors.push(err.message));
  const deliveredMs = performance.now() - runStart;
  await worker.stop();

  const expected = Array.from({ length: CYCLES }, (_, i) => i + 1).join(',');
  const complete = received.filter((r) => r.map((e) => e.index).join(',') === expected).length;
  const latencies = received.flat().map((e) => e.latencyMs);
  console.log(`\n1. ${SUBSCRIBERS} graphql-ws subscribers (one socket each) to pathCycles of one CONNECT run, ${CYCLES} cycles of ${STEPS} steps`);
  console.log(`   run ${status}; subscribers connected in ${(connectMs / 1000).toFixed(1)} s`);
  console.log(`   ${complete}/${SUBSCRIBERS} subscribers received every cycle event in order (${latencies.length}/${SUBSCRIBERS * CYCLES} events), ${errors.length} errors`);
  console.log(`   run took ${(runMs / 1000).toFixed(1)} s (${(runMs / CYCLES).toFixed(0)} ms per cycle, delivery included); all delivered after ${(deliveredMs / 1000).toFixed(1)} s: ${((SUBSCRIBERS * CYCLES) / (deliveredMs / 1000)).toFixed(0)} events/s`);
  console.log(`   delivery latency (publish -> client): ${summary(latencies)}`);
  await Promise.all(clients.map((c) => c.dispose()));
  if (complete !== SUBSCRIBERS || status !== 'SUCCEEDED') process.exitCode = 1;
  return pathId;
}

interface ReadResult {
  latencies: number[];
  /** Worst latency of the requests sent in each second of the run (stalls show up here). */
  worstPerSecond: number[];
  failures: number;
  firstFailure: string | null;
  seconds: number;
  shapes: number;
}

/** The load generator runs in a child process, so its own work does not slow the server down. */
function reads(url: string, token: string, ids: { landscape: string; path: string }, seconds: number): Promise<ReadResult> {
  return new Promise((resolve, reject) => {
    const child = fork(__filename, ['--reads'], { env: { ...process.env, BENCH_READS: JSON.stringify({ url, token, ids, seconds }) } });
    child.once('message', (m) => resolve(m as ReadResult));
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? undefined : reject(new Error(`load generator exited with ${code}`))));
  });
}

async function readLoad(api: Api, ids: { landscape: string; path: string }, seconds: number): Promise<ReadResult> {
  const queries: [string, Record<string, unknown>][] = [
    ['{ landscapes(first: 20) { totalCount edges { node { id name createdAt } } } }', {}],
    ['query($id: ID!) { landscape(id: $id) { id name minima(first: 20) { edges { node { id seed status trainLoss } } } } }', { id: ids.landscape }],
    ['query($id: ID!) { path(id: $id) { id status cyclesDone saddle { t trainLoss } cycles { index maxEnergy } } }', { id: ids.path }],
    ['{ runs(first: 20) { totalCount edges { node { id kind status progress } } } }', {}],
  ];
  // BENCH_READ_SHAPES=0,2 runs only those query shapes (to see which one costs what).
  const shapes = (process.env.BENCH_READ_SHAPES ?? '').split(',').filter((x) => x !== '').map(Number);
  if (shapes.length > 0) queries.splice(0, queries.length, ...shapes.map((k) => queries[k]));
  const total = READ_RATE * seconds;
  const latencies: number[] = [];
  const worstPerSecond = Array.from({ length: seconds }, () => 0);
  let failures = 0;
  let firstFailure: string | null = null;
  const pending: Promise<void>[] = [];
  const start = performance.now();
  for (let i = 0; i < total; i++) {
    const due = start + (i * 1000) / READ_RATE;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    const [query, variables] = queries[i % queries.length];
    const sent = performance.now();
    const second = Math.min(seconds - 1, Math.floor(i / READ_RATE));
    pending.push(
      api.gql(query, variables).then(
        () => {
          const latency = performance.now() - sent;
          latencies.push(latency);
          worstPerSecond[second] = Math.max(worstPerSecond[second], latency);
        },
        (err: Error) => {
          failures++;
          firstFailure ??= `${err.message} ${String((err as { cause?: unknown }).cause ?? '')}`;
        },
      ),
    );
  }
  await Promise.all(pending);
  return { latencies, worstPerSecond, failures, firstFailure, seconds: (performance.now() - start) / 1000, shapes: queries.length };
}

function reportReads(title: string, seconds: number, r: ReadResult): void {
  const total = READ_RATE * seconds;
  console.log(`\n${title}: ${READ_RATE} GraphQL reads/s for ${seconds} s (open loop from a child process, ${r.shapes} query shapes, bearer token, keep-alive)`);
  console.log(`   ${r.latencies.length} answered, ${r.failures} failed${r.firstFailure ? ` (first: ${r.firstFailure})` : ''}; ${(total / r.seconds).toFixed(1)} reads/s achieved over ${r.seconds.toFixed(1)} s`);
  console.log(`   latency: ${summary(r.latencies)}`);
  console.log(`   worst latency per second sent (ms): ${r.worstPerSecond.map((v) => v.toFixed(0)).join(' ')}`);
  if (r.failures > 0) process.exitCode = 1;
}

async function main(): Promise<void> {
  const guard = setTimeout(() => {
    console.error(`bench:server: still running after ${LIMIT_MS / 60000} minutes; stopping`);
    process.exit(1);
  }, LIMIT_MS);
  guard.unref();
  const dataDir = mkdtempSync(join(tmpdir(), 'neb-atlas-bench-'));
  // With DATABASE_URL (an admin URL), a fresh database on that server, dropped afterwards.
  const adminUrl = process.env.DATABASE_URL;
  const database = adminUrl ? `neb_bench_${randomBytes(6).toString('hex')}` : undefined;
  const admin = async (sql: string) => {
    const c = new PgClient({ connectionString: adminUrl });
    await c.connect();
    await c.query(sql).finally(() => c.end());
  };
  let databaseUrl: string | undefined;
  if (adminUrl && database) {
    await admin(`CREATE DATABASE ${database}`);
    const u = new URL(adminUrl);
    u.pathname = `/${database}`;
    databaseUrl = u.toString();
  }
  const config: Config = { ...loadConfig({}), dataDir, databaseUrl, host: '127.0.0.1', port: 0, workers: 0, auth: true };
  if (!isLoopback(config.host)) throw new Error('bench:server binds loopback only');
  const backend = await initBackend();
  console.log(`bench:server: tfjs ${backend.name}; ${databaseUrl ? `PostgreSQL database ${database} at ${redactUrl(adminUrl!)}` : `embedded PGlite in ${dataDir}`}; loopback only; auth on`);
  const app = await createApp({ config, log: () => undefined });
  try {
    const api = new Api(app.url, app.clientToken!);
    const pathId = await subscribers(app, api, app.clientToken!);
    const landscape = (await api.gql('{ landscapes(first: 1) { edges { node { id } } } }')).landscapes.edges[0].node.id;
    const ids = { landscape, path: pathId };
    if (READ_WARMUP_SECONDS > 0) reportReads('2a. warm-up, right after start (not the measurement)', READ_WARMUP_SECONDS, await reads(app.url, app.clientToken!, ids, READ_WARMUP_SECONDS));
    reportReads('2. measured', READ_SECONDS, await reads(app.url, app.clientToken!, ids, READ_SECONDS));
  } finally {
    await app.close();
    rmSync(dataDir, { recursive: true, force: true });
    if (database) await admin(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    clearTimeout(guard);
  }
}

async function readsChild(): Promise<void> {
  const { url, token, ids, seconds } = JSON.parse(process.env.BENCH_READS!) as { url: string; token: string; ids: { landscape: string; path: string }; seconds: number };
  const result = await readLoad(new Api(url, token), ids, seconds);
  process.send!(result, () => process.exit(0));
}

(process.argv[2] === '--reads' ? readsChild() : main()).catch((err: Error) => {
  console.error(`bench:server: ${err.stack ?? err.message}`);
  process.exit(1);
});

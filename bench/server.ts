/**
 * `npm run bench:server`: the server under load, on loopback only, bounded, stopping by itself.
 * One run prints, side by side on the same server (so ratios hold on any machine):
 *   1. capacity: `{ __typename }` and the four read shapes, each for CAPACITY_SECONDS with 8
 *      keep-alive connections (wrk when installed, else a Node load generator in a child
 *      process); each read shape as a ratio to `{ __typename }` (goal >= 50 %);
 *   2. latency at READ_RATE reads/s (open loop, the four shapes in turn; goal p99 <= 50 ms);
 *   3. the same while an AutoNEB run computes in this process (goal p99 <= 100 ms), first the
 *      run alone (the serving thread's CPU and event loop delay); its worker in a worker thread
 *      as the server runs it, or with BENCH_WORKER=main|both on the serving thread (as before);
 *   4. subscriber delivery: 500 and 2,000 graphql-ws subscribers (one socket each, spread over
 *      BENCH_SUBSCRIBER_PROCESSES child processes) to pathCycles of one run; every event in
 *      order, publish -> client latency (goal p99 <= 50 ms).
 * The server runs in this process with auth on (requests carry a token) on an embedded database
 * in a temp directory or, with DATABASE_URL (an admin URL), a fresh database on that PostgreSQL.
 */
import 'reflect-metadata';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { constants, tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFile, execFileSync, fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { Agent, request } from 'node:http';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { Session } from 'node:inspector';
import { createClient, type Client } from 'graphql-ws';
import { Client as PgClient } from 'pg';
import WebSocket from 'ws';
import { isLoopback, loadConfig, redactUrl, type Config } from '../src/config';
import { initBackend } from '../src/engine/tfjs';
import { RunWorker } from '../src/runs/worker';
import { RunWorkerThread } from '../src/runs/worker-thread';
import { createApp, queueOptions, type App } from '../src/http/app';

const CAPACITY_SECONDS = Number(process.env.BENCH_CAPACITY_SECONDS ?? 8);
const CONNECTIONS = 8;
const READ_RATE = Number(process.env.BENCH_READ_RATE ?? 500);
const READ_SECONDS = Number(process.env.BENCH_READ_SECONDS ?? 20);
const SUBSCRIBER_COUNTS = (process.env.BENCH_SUBSCRIBERS ?? '500,2000').split(',').map(Number);
/** Child processes the subscribers' sockets are spread over. */
const SUBSCRIBER_PROCESSES = Number(process.env.BENCH_SUBSCRIBER_PROCESSES ?? 4);
const CYCLES = Number(process.env.BENCH_CYCLES ?? 20);
const STEPS = Number(process.env.BENCH_CYCLE_STEPS ?? 20);
/** BENCH_PARTS=1,4 runs only those parts (profiling one of them). */
const PARTS = new Set((process.env.BENCH_PARTS ?? '1,2,3,4').split(',').map(Number));
/** Hard stop for the whole benchmark. */
const LIMIT_MS = 15 * 60 * 1000;

type Shape = [name: string, query: string, variables: Record<string, unknown>];

function readShapes(ids: { landscape: string; path: string }): Shape[] {
  return [
    ['landscapes', '{ landscapes(first: 20) { totalCount edges { node { id name createdAt } } } }', {}],
    ['landscape minima', 'query($id: ID!) { landscape(id: $id) { id name minima(first: 20) { edges { node { id seed status trainLoss } } } } }', { id: ids.landscape }],
    ['path cycles', 'query($id: ID!) { path(id: $id) { id status cyclesDone saddle { t trainLoss } cycles { index maxEnergy } } }', { id: ids.path }],
    ['runs', '{ runs(first: 20) { totalCount edges { node { id kind status progress } } } }', {}],
  ];
}
const TRIVIAL: Shape = ['{ __typename }', '{ __typename }', {}];

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

function summary(values: number[]): string {
  const s = [...values].sort((a, b) => a - b);
  const f = (v: number) => `${v.toFixed(1)} ms`;
  return `p50 ${f(percentile(s, 50))}, p90 ${f(percentile(s, 90))}, p99 ${f(percentile(s, 99))}, max ${f(s.at(-1) ?? NaN)}`;
}

function p99(values: number[]): number {
  return percentile([...values].sort((a, b) => a - b), 99);
}

async function until(what: string, condition: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** POSTs GraphQL over keep-alive HTTP (node:http: far cheaper per request than fetch). */
class Api {
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 256 });
  private readonly target: URL;

  constructor(
    url: string,
    private readonly token: string,
  ) {
    this.target = new URL(url);
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- bench reads responses by path
  gql(query: string, variables: Record<string, unknown> = {}): Promise<any> {
    const body = JSON.stringify({ query, variables });
    return new Promise((resolve, reject) => {
      const req = request(
        { agent: this.agent, host: this.target.hostname, port: this.target.port, path: this.target.pathname, method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), authorization: `Bearer ${this.token}` } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            try {
              const parsed = JSON.parse(Buffer.concat(chunks).toString()) as { data?: unknown; errors?: unknown };
              if (res.statusCode !== 200 || parsed.errors) reject(new Error(`HTTP ${res.statusCode}: ${JSON.stringify(parsed.errors ?? parsed)}`));
              else resolve(parsed.data);
            } catch (err) {
              reject(err as Error);
            }
          });
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }

  async waitForRun(id: string, timeoutMs = 180_000): Promise<string> {
    let status = '';
    await until(`run ${id}`, async () => ['SUCCEEDED', 'FAILED', 'CANCELLED'].includes((status = (await this.gql('query($id: ID!) { run(id: $id) { status } }', { id })).run.status)), timeoutMs);
    return status;
  }

  close(): void {
    this.agent.destroy();
  }
}

/** A CONNECT run between the landscape's two minima, queued (no worker takes it yet). */
async function queueConnect(api: Api, minima: string[], cycles: number, steps: number): Promise<{ runId: string; pathId: string }> {
  const schedule = Array.from({ length: cycles }, (_, i) => (i === 0 ? { insertion: { strategy: 'equal', count: 3 }, steps, learningRate: 0.005 } : i === 1 ? { insertion: null } : {}));
  const run = (await api.gql('mutation($a: ID!, $b: ID!, $c: AutonebConfigInput) { connectMinima(a: $a, b: $b, config: $c) { id config } }', { a: minima[0], b: minima[1], c: { preset: 'surface', cycles: schedule } })).connectMinima;
  return { runId: run.id, pathId: run.config.pathId as string };
}

/** A Müller-Brown landscape with two trained minima and one completed path, for the reads. */
async function seed(app: App, api: Api): Promise<{ landscape: string; path: string; minima: string[] }> {
  const landscape = (await api.gql('mutation($i: CreateLandscapeInput!) { createLandscape(input: $i) { id } }', { i: { name: 'bench', architecture: { kind: 'surface', surface: 'muller-brown' }, autonebPreset: 'surface' } })).createLandscape.id;
  const worker = await startWorker(app);
  try {
    const train = (await api.gql('mutation($l: ID!) { trainMinima(landscapeId: $l, count: 2, seeds: [1, 2]) { id } }', { l: landscape })).trainMinima.id;
    if ((await api.waitForRun(train)) !== 'SUCCEEDED') throw new Error('training failed');
    const minima = (await api.gql('query($l: ID!) { landscape(id: $l) { minima(first: 2) { edges { node { id } } } } }', { l: landscape })).landscape.minima.edges.map((e: { node: { id: string } }) => e.node.id);
    const connect = await queueConnect(api, minima, 10, 20);
    if ((await api.waitForRun(connect.runId)) !== 'SUCCEEDED') throw new Error('connect failed');
    return { landscape, path: connect.pathId, minima };
  } finally {
    await worker.stop();
  }
}

/**
 * BENCH_WORKER: where the bench's runs compute: `thread` (default; as the server runs its own
 * worker), `main` (a RunWorker on the serving thread, as before issue 22's worker thread), or
 * `both` (part 3 once each way, side by side).
 */
const WORKER_PLACES = (process.env.BENCH_WORKER ?? 'thread') === 'both' ? (['main', 'thread'] as const) : [(process.env.BENCH_WORKER ?? 'thread') as 'main' | 'thread'];
let benchConfig: Config;

async function startWorker(app: App, place: 'main' | 'thread' = WORKER_PLACES[WORKER_PLACES.length - 1]): Promise<{ stop(): Promise<void> }> {
  if (place === 'main') {
    const worker = new RunWorker({ orm: app.database.orm, queue: app.queue, events: app.events, concurrency: 1 });
    await worker.start();
    return worker;
  }
  const config = { ...benchConfig, workers: 1 };
  // As the server runs it: below normal priority (BENCH_WORKER_PRIORITY=0: as the serving thread).
  const priority = Number(process.env.BENCH_WORKER_PRIORITY ?? constants.priority.PRIORITY_BELOW_NORMAL);
  return RunWorkerThread.start({ config, url: app.database.url, queue: queueOptions(config, app.database.url), events: app.events, log: (m) => console.error(`   worker: ${m}`), priority });
}

// --- 1. capacity -----------------------------------------------------------------------------

function hasWrk(): boolean {
  try {
    execFileSync('wrk', ['--version'], { stdio: 'ignore' });
    return true;
  } catch (err) {
    // wrk --version exits 1 after printing its version.
    return (err as { status?: number }).status === 1;
  }
}

function wrkCapacity(url: string, token: string, [, query, variables]: Shape, seconds: number): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'neb-atlas-wrk-'));
  const script = join(dir, 'post.lua');
  writeFileSync(script, `wrk.method = "POST"\nwrk.body = ${JSON.stringify(JSON.stringify({ query, variables }))}\nwrk.headers["Content-Type"] = "application/json"\nwrk.headers["Authorization"] = "Bearer ${token}"\n`);
  return new Promise((resolve, reject) => {
    execFile('wrk', ['-t1', `-c${CONNECTIONS}`, `-d${seconds}s`, '-s', script, url], (err, stdout) => {
      rmSync(dir, { recursive: true, force: true });
      if (err) return reject(err);
      const rate = /Requests\/sec:\s+([\d.]+)/.exec(stdout);
      const bad = /Non-2xx or 3xx responses:\s+(\d+)/.exec(stdout);
      if (!rate) return reject(new Error(`wrk: ${stdout}`));
      if (bad) return reject(new Error(`wrk: ${bad[1]} non-2xx answers`));
      resolve(Number(rate[1]));
    });
  });
}

/** Closed loop: CONNECTIONS requests in flight for `seconds`; answers per second (errors throw). */
async function nodeCapacity(api: Api, [, query, variables]: Shape, seconds: number): Promise<number> {
  const end = performance.now() + seconds * 1000;
  let done = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      while (performance.now() < end) {
        await api.gql(query, variables);
        done++;
      }
    }),
  );
  return done / ((performance.now() - start) / 1000);
}

// --- 2., 3. open-loop latency ------------------------------------------------------------------

interface ReadResult {
  latencies: number[];
  /** Seconds from the start at which each answered read was sent. */
  sentAt: number[];
  failures: number;
  firstFailure: string | null;
  seconds: number;
}

/** The load generators run in a child process, so their own work does not slow the server down. */
function child<T>(task: Record<string, unknown>, onMessage?: (m: unknown) => void): Promise<T> {
  return new Promise((resolve, reject) => {
    const proc = fork(__filename, ['--child'], { env: { ...process.env, BENCH_TASK: JSON.stringify(task) } });
    proc.on('message', (m: { result?: T } & Record<string, unknown>) => (m.result !== undefined ? resolve(m.result) : onMessage?.(m)));
    proc.once('error', reject);
    proc.once('exit', (code) => (code === 0 ? undefined : reject(new Error(`load generator exited with ${code}`))));
  });
}

async function openLoop(api: Api, shapes: Shape[], rate: number, seconds: number): Promise<ReadResult> {
  const total = rate * seconds;
  const latencies: number[] = [];
  const sentAt: number[] = [];
  let failures = 0;
  let firstFailure: string | null = null;
  const pending: Promise<void>[] = [];
  const start = performance.now();
  for (let i = 0; i < total; i++) {
    const wait = start + (i * 1000) / rate - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    const [, query, variables] = shapes[i % shapes.length];
    const sent = performance.now();
    pending.push(
      api.gql(query, variables).then(
        () => {
          latencies.push(performance.now() - sent);
          sentAt.push((sent - start) / 1000);
        },
        (err: Error) => {
          failures++;
          firstFailure ??= err.message;
        },
      ),
    );
  }
  await Promise.all(pending);
  return { latencies, sentAt, failures, firstFailure, seconds: (performance.now() - start) / 1000 };
}

function reportReads(title: string, r: ReadResult, goalMs: number): void {
  console.log(`   ${title}: ${r.latencies.length} answered, ${r.failures} failed${r.firstFailure ? ` (first: ${r.firstFailure})` : ''}, ${((r.latencies.length + r.failures) / r.seconds).toFixed(0)} reads/s achieved`);
  const worst = p99(r.latencies);
  console.log(`      latency ${summary(r.latencies)}; goal p99 <= ${goalMs} ms: ${worst <= goalMs ? 'met' : 'MISSED'}`);
  // p99 of the reads sent in each 2 s: a stall shows as one bad window, a lack of capacity as all.
  const windows: number[][] = [];
  r.sentAt.forEach((at, i) => (windows[Math.floor(at / 2)] ??= []).push(r.latencies[i]));
  console.log(`      p99 per 2 s of sending: ${[...windows].map((w) => (w ? p99(w).toFixed(0) : '-')).join(' ')} ms`);
  if (r.failures > 0) process.exitCode = 1;
}

// --- 4. subscribers ------------------------------------------------------------------------------

interface Delivery {
  /** Cycle indices received by each subscriber, in arrival order. */
  complete: number;
  events: number;
  errors: string[];
  latencies: number[];
  /** Subscribers that failed to start (the child then stops early). */
  connectErrors?: number;
}

/** In the child: `count` sockets subscribe; reports 'subscribed', then the deliveries once `cycles` arrived everywhere. */
async function subscribeChild(task: { wsUrl: string; token: string; pathId: string; count: number; cycles: number }): Promise<Delivery> {
  const received: number[][] = Array.from({ length: task.count }, () => []);
  const latencies: number[] = [];
  const errors: string[] = [];
  const clients: Client[] = [];
  let started = 0;
  for (let i = 0; i < task.count; i++) {
    const client = createClient({ url: task.wsUrl, webSocketImpl: WebSocket, lazy: true, retryAttempts: 0, connectionParams: { authorization: `Bearer ${task.token}` }, on: { connected: () => void started++ } });
    clients.push(client);
    client.subscribe<{ pathCycles: { at: string; cycle: { index: number } } }>(
      { query: 'subscription($p: ID!) { pathCycles(pathId: $p) { at cycle { index maxEnergy } } }', variables: { p: task.pathId } },
      {
        next: (v) => {
          if (v.errors || !v.data) return void errors.push(JSON.stringify(v.errors));
          received[i].push(v.data.pathCycles.cycle.index);
          latencies.push(Date.now() - Date.parse(v.data.pathCycles.at));
        },
        error: (e) => errors.push(String((e as Error).message ?? e)),
        complete: () => undefined,
      },
    );
  }
  await until('sockets to connect', () => started >= task.count || errors.length > 0, 120_000).catch((err: Error) => errors.push(err.message));
  // A subscriber that failed to start is reported now: the parent would wait for it in vain.
  if (errors.length > 0) {
    await Promise.all(clients.map((c) => c.dispose()));
    return { complete: 0, events: 0, errors: errors.slice(0, 3), latencies: [], connectErrors: errors.length };
  }
  process.send!({ connected: true });
  await until('every event at every subscriber', () => received.every((r) => r.length >= task.cycles) || errors.length > 0, 180_000).catch((err: Error) => errors.push(err.message));
  const expected = Array.from({ length: task.cycles }, (_, i) => i + 1).join(',');
  await Promise.all(clients.map((c) => c.dispose()));
  return { complete: received.filter((r) => r.join(',') === expected).length, events: latencies.length, errors: errors.slice(0, 3), latencies };
}

async function subscribers(app: App, api: Api, token: string, minima: string[], count: number): Promise<void> {
  const { runId, pathId } = await queueConnect(api, minima, CYCLES, STEPS);
  const before = app.activeSubscriptions();
  let connectedChildren = 0;
  const started = performance.now();
  // The subscribers are spread over SUBSCRIBER_PROCESSES children: one process reading 2,000
  // sockets in turn would add its own queue to the latency it measures.
  const shares = Array.from({ length: SUBSCRIBER_PROCESSES }, (_, i) => Math.floor(count / SUBSCRIBER_PROCESSES) + (i < count % SUBSCRIBER_PROCESSES ? 1 : 0)).filter((n) => n > 0);
  const delivery = Promise.all(shares.map((n) => child<Delivery>({ kind: 'subscribe', wsUrl: app.url.replace(/^http/, 'ws'), token, pathId, count: n, cycles: CYCLES }, () => connectedChildren++))).then(
    (parts): Delivery => ({
      complete: parts.reduce((n, d) => n + d.complete, 0),
      events: parts.reduce((n, d) => n + d.events, 0),
      errors: parts.flatMap((d) => d.errors).slice(0, 3),
      latencies: parts.flatMap((d) => d.latencies),
      connectErrors: parts.reduce((n, d) => n + (d.connectErrors ?? 0), 0),
    }),
  );
  const connectedAll = () => connectedChildren === shares.length;
  let finished = false;
  delivery.then(() => (finished = true), () => (finished = true));
  await until(`${count} subscriptions`, () => finished || (connectedAll() && app.activeSubscriptions() - before >= count), 180_000);
  if (!connectedAll()) {
    const d = await delivery;
    console.log(`   ${count} subscribers: ${d.connectErrors} failed to start (${d.errors.join('; ')})`);
    process.exitCode = 1;
    return;
  }
  const connectS = (performance.now() - started) / 1000;
  const worker = await startWorker(app);
  const status = await profiled(`subscribers-${count}`, () => api.waitForRun(runId));
  const d = await delivery;
  await worker.stop();
  const worst = p99(d.latencies);
  console.log(`   ${count} subscribers (connected in ${connectS.toFixed(1)} s), run ${status}: ${d.complete}/${count} received all ${CYCLES} cycle events in order (${d.events}/${count * CYCLES}), ${d.errors.length} errors${d.errors.length ? ` (${d.errors.join('; ')})` : ''}`);
  console.log(`      publish -> client ${summary(d.latencies)}; goal p99 <= 50 ms: ${worst <= 50 ? 'met' : 'MISSED'}`);
  if (d.complete !== count || status !== 'SUCCEEDED') process.exitCode = 1;
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
  benchConfig = config;
  if (!isLoopback(config.host)) throw new Error('bench:server binds loopback only');
  const backend = await initBackend();
  console.log(`bench:server: tfjs ${backend.name}; ${databaseUrl ? `PostgreSQL database ${database} at ${redactUrl(adminUrl!)}` : `embedded PGlite in ${dataDir}`}; loopback only; auth on`);
  const app = await createApp({ config, log: () => undefined });
  const token = app.clientToken!;
  const api = new Api(app.url, token);
  try {
    const ids = await seed(app, api);
    const shapes = readShapes(ids);
    for (const [name, query, variables] of [TRIVIAL, ...shapes]) await api.gql(query, variables).catch((err: Error) => Promise.reject(new Error(`${name}: ${err.message}`)));

    if (PARTS.has(1)) await capacityPart(app, api, token, shapes);
    if (PARTS.has(2) || PARTS.has(3)) await latencyParts(app, api, token, shapes, ids);
    if (PARTS.has(4)) {
      console.log(`\n4. subscriber delivery: graphql-ws subscribers (one socket each, in ${SUBSCRIBER_PROCESSES} child processes) to pathCycles of one CONNECT run, ${CYCLES} cycles of ${STEPS} steps`);
      for (const count of SUBSCRIBER_COUNTS) await subscribers(app, api, token, ids.minima, count);
    }
  } finally {
    api.close();
    await app.close();
    rmSync(dataDir, { recursive: true, force: true });
    if (database) await admin(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    clearTimeout(guard);
  }
}

/** CPU time (ms) of each thread of this process, from /proc (Linux only). */
function threadTimes(): Map<string, number> {
  const out = new Map<string, number>();
  try {
    for (const tid of readdirSync('/proc/self/task')) {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.set(`${comm}#${tid}`, ((Number(fields[11]) + Number(fields[12])) * 1000) / 100);
    }
  } catch {
    /* not Linux */
  }
  return out;
}

function threadDelta(before: Map<string, number>, after: Map<string, number>, requests: number): string {
  return [...after]
    .map(([k, v]) => [k, (v - (before.get(k) ?? 0)) / requests] as const)
    .filter(([, v]) => v >= 0.01)
    .map(([k, v]) => `${k} ${v.toFixed(2)}`)
    .join(', ');
}

const RUN_ALONE_SECONDS = 5;

function delaySummary(h: ReturnType<typeof monitorEventLoopDelay>): string {
  return `p50 ${(h.percentile(50) / 1e6).toFixed(1)} ms, p99 ${(h.percentile(99) / 1e6).toFixed(1)} ms, max ${(h.max / 1e6).toFixed(1)} ms`;
}

/** This process's main thread over `seconds`: the share of a core it used, and its event loop delay. */
async function mainThreadLoad(seconds: number): Promise<{ busy: string; delay: string }> {
  const main = () => [...threadTimes()].find(([k]) => k.endsWith(`#${process.pid}`))?.[1] ?? NaN;
  const h = monitorEventLoopDelay({ resolution: 5 });
  const cpu0 = main();
  h.enable();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  h.disable();
  return { busy: `${((100 * (main() - cpu0)) / (seconds * 1000)).toFixed(0)} % of a core`, delay: delaySummary(h) };
}

/** BENCH_PROFILE_DIR=dir writes the main thread's CPU profile of each read shape's capacity run there. */
async function profiled<T>(name: string, work: () => Promise<T>): Promise<T> {
  const dir = process.env.BENCH_PROFILE_DIR;
  if (!dir) return work();
  const session = new Session();
  session.connect();
  const post = (method: string, params?: object) =>
    new Promise<any>((resolve, reject) => session.post(method, params ?? {}, (err, result) => (err ? reject(err) : resolve(result)))); // eslint-disable-line @typescript-eslint/no-explicit-any
  await post('Profiler.enable');
  await post('Profiler.start');
  try {
    return await work();
  } finally {
    const { profile } = await post('Profiler.stop');
    writeFileSync(join(dir, `${name.replace(/\W+/g, '-')}.cpuprofile`), JSON.stringify(profile));
    session.disconnect();
  }
}

async function capacityPart(app: App, api: Api, token: string, shapes: Shape[]): Promise<void> {
    const wrk = hasWrk();
    console.log(`\n1. capacity: ${CONNECTIONS} keep-alive connections, ${CAPACITY_SECONDS} s per shape (${wrk ? 'wrk -t1' : 'Node load generator in a child process; install wrk for less client overhead'})`);
    const capacity = (shape: Shape) => (wrk ? wrkCapacity(app.url, token, shape, CAPACITY_SECONDS) : child<number>({ kind: 'capacity', url: app.url, token, shape, seconds: CAPACITY_SECONDS }));
    await capacity(TRIVIAL); // warm-up: optimised code and a full connection pool
    const t0 = threadTimes();
    const trivial = await capacity(TRIVIAL);
    if (process.env.BENCH_THREADS) console.log(`      cpu ms per request by thread: ${threadDelta(t0, threadTimes(), trivial * CAPACITY_SECONDS)}`);
    console.log(`   ${TRIVIAL[0].padEnd(18)} ${trivial.toFixed(0).padStart(6)} requests/s`);
    for (const shape of shapes) {
      const before = threadTimes();
      const rate = await profiled(shape[0], () => capacity(shape));
      if (process.env.BENCH_THREADS) console.log(`      cpu ms per request by thread: ${threadDelta(before, threadTimes(), rate * CAPACITY_SECONDS)}`);
      const ratio = rate / trivial;
      console.log(`   ${shape[0].padEnd(18)} ${rate.toFixed(0).padStart(6)} requests/s = ${(100 * ratio).toFixed(0)} % of { __typename } (goal >= 50 %: ${ratio >= 0.5 ? 'met' : 'MISSED'})`);
    }
}

async function latencyParts(app: App, api: Api, token: string, shapes: Shape[], ids: { path: string; minima: string[] }): Promise<void> {

    console.log(`\n2. latency at ${READ_RATE} reads/s for ${READ_SECONDS} s (open loop from a child process, the four shapes in turn)`);
    const load = () => child<ReadResult>({ kind: 'reads', url: app.url, token, shapes, rate: READ_RATE, seconds: READ_SECONDS });
    // A fresh server runs unoptimised code for its first seconds and queues this load meanwhile:
    // one round to warm it up, reported on its own, then the measured round.
    if (PARTS.has(2)) {
      reportReads('warm-up round (fresh server)', await load(), 50);
      reportReads('idle server', await load(), 50);
    }
    if (!PARTS.has(3)) return;
    for (const place of WORKER_PLACES) await whileComputing(app, api, load, ids, place);
}

async function whileComputing(app: App, api: Api, load: () => Promise<ReadResult>, ids: { minima: string[] }, place: 'main' | 'thread'): Promise<void> {
    console.log(`\n3. the same while an AutoNEB run computes in this process (Müller-Brown, cycles of ${STEPS * 5} steps; its worker ${place === 'main' ? 'on the serving thread' : 'in a worker thread, as the server runs it'})`);
    const busy = await queueConnect(api, ids.minima, 1000, STEPS * 5);
    const worker = await startWorker(app, place);
    await until('the run to start', async () => (await api.gql('query($id: ID!) { run(id: $id) { status } }', { id: busy.runId })).run.status === 'RUNNING', 60_000);
    // The run alone first: what its worker costs the serving thread, and its longest stretches.
    const alone = await profiled(`run-alone-${place}`, () => mainThreadLoad(RUN_ALONE_SECONDS));
    console.log(`   the run alone for ${RUN_ALONE_SECONDS} s: main thread ${alone.busy}; event loop delay ${alone.delay}`);
    const t0 = threadTimes();
    const delay = monitorEventLoopDelay({ resolution: 5 });
    delay.enable();
    const computing = await profiled(`while-computing-${place}`, load);
    delay.disable();
    console.log(`      event loop delay while computing and reading: ${delaySummary(delay)}`);
    if (process.env.BENCH_THREADS) console.log(`      cpu ms per read by thread: ${threadDelta(t0, threadTimes(), READ_RATE * READ_SECONDS)}`);
    const cycles = (await api.gql('query($id: ID!) { path(id: $id) { cyclesDone } }', { id: busy.pathId })).path.cyclesDone;
    await api.gql('mutation($id: ID!) { cancelRun(id: $id) { id } }', { id: busy.runId });
    await api.waitForRun(busy.runId);
    await worker.stop();
    reportReads(`while computing (${cycles} cycles stored meanwhile)`, computing, 100);
}

async function childMain(): Promise<void> {
  const task = JSON.parse(process.env.BENCH_TASK!) as Record<string, unknown> & { kind: string; url: string; token: string };
  let result: unknown;
  if (task.kind === 'capacity') {
    const api = new Api(task.url, task.token);
    result = await nodeCapacity(api, task.shape as Shape, task.seconds as number);
    api.close();
  } else if (task.kind === 'reads') {
    const api = new Api(task.url, task.token);
    result = await openLoop(api, task.shapes as Shape[], task.rate as number, task.seconds as number);
    api.close();
  } else {
    result = await subscribeChild(task as never);
  }
  process.send!({ result }, () => process.exit(0));
}

(process.argv[2] === '--child' ? childMain() : main()).catch((err: Error) => {
  console.error(`bench:server: ${err?.stack ?? err?.message ?? JSON.stringify(err) ?? String(err)}`);
  process.exit(1);
});

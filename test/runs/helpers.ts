// Shared by the runs tests: subscriptions over a real graphql-ws client, waiting for runs, and
// small landscapes and AutoNEB schedules that finish in well under a second per cycle.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Client } from 'graphql-ws';
import type { TestServer } from '../helpers/server';
import request from 'supertest';
import { decodeSafetensors, type NamedTensor } from '../../src/engine/safetensors';
import { RunWorker } from '../../src/runs/worker';

export async function until(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 30_000, everyMs = 20): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

export interface Subscription<T> {
  events: T[];
  errors: unknown[];
  /** Ends the subscription; resolves once the server has dropped it. */
  unsubscribe(): Promise<void>;
  /** The server completed the subscription (or it failed). */
  isEnded(): boolean;
}

/**
 * Subscribes over graphql-ws and collects the `field` of each result; resolves once the server
 * runs the subscription, so no event published afterwards is missed.
 */
export async function subscribe<T>(server: TestServer, client: Client, query: string, variables: Record<string, unknown>, field: string): Promise<Subscription<T>> {
  const events: T[] = [];
  const errors: unknown[] = [];
  let ended = false;
  const before = server.app.activeSubscriptions();
  const dispose = client.subscribe<Record<string, T>>(
    { query, variables },
    {
      next: (value) => {
        if (value.errors) errors.push(value.errors);
        if (value.data) events.push(value.data[field]);
      },
      error: (err) => {
        ended = true;
        errors.push(err);
      },
      complete: () => {
        ended = true;
      },
    },
  );
  // A subscription to a finished run sends its state and completes at once.
  await until('the subscription to start', () => ended || server.app.activeSubscriptions() > before, 10_000, 5);
  const unsubscribe = async () => {
    if (ended) return;
    const active = server.app.activeSubscriptions();
    dispose();
    await until('the subscription to end', () => ended || server.app.activeSubscriptions() < active, 10_000, 5);
  };
  return { events, errors, unsubscribe, isEnded: () => ended };
}

export const CYCLE_FIELDS = 'index steps learningRate pivotEnergies pivotPositions maxEnergy saddleT pivotsInserted pivotCoordinates denseProfile { t energy }';

export interface CycleFields {
  index: number;
  steps: number;
  learningRate: number;
  pivotEnergies: number[];
  pivotPositions: number[];
  maxEnergy: number;
  saddleT: number;
  pivotsInserted: number;
  pivotCoordinates: number[][] | null;
  denseProfile: { t: number; energy: number }[];
}

export interface RunProgressEvent {
  runId: string;
  kind: string;
  status: string;
  progress: Record<string, unknown> | null;
  errorMessage: string | null;
  pathId: string | null;
  cycle: CycleFields | null;
}

export const RUN_PROGRESS = `subscription($id: ID!) { runProgress(runId: $id) { runId kind status progress errorMessage pathId cycle { ${CYCLE_FIELDS} } } }`;
export const PATH_CYCLES = `subscription($id: ID!) { pathCycles(pathId: $id) { pathId runId cycle { ${CYCLE_FIELDS} } } }`;
export const LANDSCAPE_EVENTS = 'subscription($id: ID) { landscapeEvents(landscapeId: $id) { type landscapeId minimumId pathId runId } }';

export interface RunRow {
  id: string;
  kind: string;
  status: string;
  errorMessage: string | null;
  workerId: string | null;
  resumeCount: number;
  config: Record<string, unknown>;
  progress: Record<string, unknown> | null;
  startedAt: string | null;
  finishedAt: string | null;
  createdAt: string;
}

const RUN_FIELDS = 'id kind status config errorMessage workerId resumeCount progress startedAt finishedAt createdAt';

export async function getRun(server: TestServer, id: string): Promise<RunRow> {
  const res = await server.gql(`query($id: ID!) { run(id: $id) { ${RUN_FIELDS} } }`, { id });
  assert.equal(res.errors, undefined, JSON.stringify(res.errors));
  return res.data!.run as RunRow;
}

const TERMINAL = ['SUCCEEDED', 'FAILED', 'CANCELLED'];

/** Polls the run (by query, as a client would) until it ends. */
export async function waitForRun(server: TestServer, id: string, timeoutMs = 60_000): Promise<RunRow> {
  let run: RunRow | undefined;
  await until(`run ${id} to end`, async () => TERMINAL.includes((run = await getRun(server, id)).status), timeoutMs, 100);
  return run!;
}

/** Sends a mutation and returns its field, failing the test on GraphQL errors. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read responses by path
export async function mutate<T = any>(server: TestServer, query: string, variables: Record<string, unknown>): Promise<T> {
  const res = await server.gql(query, variables);
  assert.equal(res.errors, undefined, JSON.stringify(res.errors));
  return Object.values(res.data!)[0] as T;
}

export async function createLandscape(server: TestServer, input: Record<string, unknown>): Promise<string> {
  return (await mutate<{ id: string }>(server, 'mutation($input: CreateLandscapeInput!) { createLandscape(input: $input) { id } }', { input })).id;
}

export const TRAIN = `mutation($l: ID!, $n: Int!, $seeds: [Int!], $config: TrainingConfigInput) { trainMinima(landscapeId: $l, count: $n, seeds: $seeds, config: $config) { ${RUN_FIELDS} } }`;
export const CONNECT = `mutation($a: ID!, $b: ID!, $config: AutonebConfigInput) { connectMinima(a: $a, b: $b, config: $config) { ${RUN_FIELDS} } }`;
export const CANCEL = `mutation($id: ID!) { cancelRun(id: $id) { ${RUN_FIELDS} } }`;

/** The minima of a landscape, by seed. */
export async function minimaBySeed(server: TestServer, landscapeId: string): Promise<Map<number, { id: string; status: string; trainLoss: number | null }>> {
  const res = await server.gql('query($id: ID!) { landscape(id: $id) { minima(first: 100) { edges { node { id seed status trainLoss } } } } }', { id: landscapeId });
  assert.equal(res.errors, undefined, JSON.stringify(res.errors));
  const nodes = (res.data!.landscape.minima.edges as { node: { id: string; seed: number; status: string; trainLoss: number | null } }[]).map((e) => e.node);
  return new Map(nodes.map((n) => [n.seed, n]));
}

/**
 * Müller-Brown (Theor. Chim. Acta 1979): descending from the seeded starts 1, 2, 3 ends in the
 * three different minima B, A, C (checked against the literature coordinates in the tests).
 */
export const MB_MINIMA = [
  { name: 'A', x: -0.558, y: 1.442, energy: -146.6995 },
  { name: 'B', x: 0.6235, y: 0.028, energy: -108.1667 },
  { name: 'C', x: -0.05, y: 0.4667, energy: -80.7678 },
];
/** The saddle between B and C (literature: (0.212, 0.293), energy -72.2489). */
export const MB_SADDLE_BC = { x: 0.2124, y: 0.293, energy: -72.2489 };

/** Short surface schedule: `cycles` cycles of `steps` Adam steps, inserting in the first two. */
export function surfaceSchedule(cycles: number, steps = 100): Record<string, unknown> {
  return {
    preset: 'surface',
    cycles: Array.from({ length: cycles }, (_, i) =>
      i === 0
        ? { insertion: { strategy: 'equal', count: 3 }, steps, learningRate: 0.01 }
        : i === 1
          ? { insertion: { strategy: 'highest', count: 2, threshold: 0.1 } }
          : i === 2
            ? { insertion: null, learningRate: 0.001 }
            : {},
    ),
  };
}

/**
 * The test's own in-process worker, for a server started with `workers: 0`: runs stay QUEUED
 * while it is stopped, so subscriptions can be in place before a run's first step.
 */
export class TestWorker {
  private worker: RunWorker | null = null;
  readonly logs: string[] = [];

  constructor(private readonly server: TestServer) {}

  get id(): string | undefined {
    return this.worker?.id;
  }

  async start(): Promise<void> {
    if (this.worker) return;
    const { database, queue, events } = this.server.app;
    this.worker = new RunWorker({ orm: database.orm, queue, events, concurrency: 1, log: (m) => this.logs.push(m) });
    await this.worker.start();
  }

  async stop(): Promise<void> {
    await this.worker?.stop();
    this.worker = null;
  }
}

/** The raw bytes of a GET on the test server (binary routes: safetensors downloads, their errors). */
export async function downloadBytes(server: TestServer, url: string): Promise<{ status: number; body: Buffer }> {
  const res = await request(server.app.httpServer)
    .get(url)
    .buffer(true)
    .parse((r, done) => {
      const chunks: Buffer[] = [];
      r.on('data', (c: Buffer) => chunks.push(c));
      r.on('end', () => done(null, Buffer.concat(chunks)));
    });
  return { status: res.status, body: res.body as Buffer };
}

/** The tensors of a safetensors download (a minimum, pivots, a saddle), by name. */
export async function downloadTensors(server: TestServer, url: string): Promise<Map<string, NamedTensor>> {
  const res = await downloadBytes(server, url);
  assert.equal(res.status, 200, url);
  return new Map(decodeSafetensors(res.body).tensors.map((t) => [t.name, t]));
}

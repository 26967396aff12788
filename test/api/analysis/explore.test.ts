// exploreLandscape end to end on the Müller-Brown surface: the real server, its in-process worker
// and queue train the three minima, then the paper's algorithm 3 connects them with AutoNEB
// (CONNECT child runs) and must end with the known spanning tree: the saddle between the deepest
// minimum A and the middle one C at -40.665, the saddle between C and B at -72.249
// (test/engine/exact-path.test.ts: literature values, tolerance 0.01). A short schedule with a
// climbing image in its last cycles makes the saddles exact (see test/engine/autoneb-saddles).
import 'reflect-metadata';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { mullerBrown } from '../../../src/engine/surfaces';
import { Path } from '../../../src/store/entities';
import { PathStatus } from '../../../src/store/enums';
import { startTestServer, type TestServer } from '../../helpers/server';

let server: TestServer;

before(async () => {
  server = await startTestServer();
});

after(async () => {
  await server?.close();
});

const SADDLE_AC = -40.665;
const SADDLE_CB = -72.249;
const TOLERANCE = 0.01;

/** 100 Adam steps at lr 0.01 inserting pivots, then two climbing-image cycles at lr 1e-3, 1e-4. */
const CONFIG = {
  preset: 'surface',
  cycles: [
    { insertion: { strategy: 'equal', count: 3 }, steps: 100, learningRate: 0.01 },
    { insertion: { strategy: 'highest', count: 2, threshold: 0.1 } },
    { insertion: null, climbing: true, steps: 200, learningRate: 0.001 },
    { learningRate: 0.0001 },
  ],
};

async function waitForRun(id: string, timeoutMs = 60_000): Promise<{ status: string; result: Record<string, unknown> | null; errorMessage: string | null }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await server.gql('query($id: ID!) { run(id: $id) { status result errorMessage } }', { id });
    const run = res.data!.run;
    if (!['QUEUED', 'RUNNING'].includes(run.status)) return run;
    if (Date.now() > deadline) throw new Error(`run ${id} still ${run.status} after ${timeoutMs} ms`);
    await sleep(100);
  }
}

async function until(what: string, check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

interface ProgressEvent {
  runId: string;
  status: string;
  kind: string;
  progress: { decisions?: number; last?: Record<string, unknown>; stopReason?: string; pairsTried?: number; maxPairs?: number | null } | null;
}

/** A Müller-Brown landscape with its three minima trained through the API; ids by known minimum. */
async function trainedLandscape(landscapeName: string) {
  const created = await server.gql('mutation($name: String!) { createLandscape(input: { name: $name, architecture: { kind: "surface", surface: "muller-brown" }, autonebPreset: "surface" }) { id } }', { name: landscapeName });
  assert.equal(created.errors, undefined, JSON.stringify(created.errors));
  const landscapeId: string = created.data!.createLandscape.id;

  // Seeds 1, 2, 3 start in the basins of B, A and C (descent from a seeded point of the box).
  const train = await server.gql('mutation($id: ID!) { trainMinima(landscapeId: $id, count: 3, seeds: [1, 2, 3]) { id } }', { id: landscapeId });
  assert.equal(train.errors, undefined, JSON.stringify(train.errors));
  assert.equal((await waitForRun(train.data!.trainMinima.id)).status, 'SUCCEEDED');
  const minima = (await server.gql('query($id: ID!) { landscape(id: $id) { minima { edges { node { id seed status trainLoss } } } } }', { id: landscapeId })).data!.landscape.minima.edges.map(
    (e: { node: { id: string; seed: number; status: string; trainLoss: number } }) => e.node,
  );
  // Each known minimum of the surface was found once: A (deepest), B, C (middle), by energy.
  const [A, B, C] = mullerBrown.minima.map((known) => {
    const found = minima.filter((m: { trainLoss: number }) => Math.abs(m.trainLoss - known.energy) < 1e-3);
    assert.equal(found.length, 1, `one minimum at ${known.energy}: ${JSON.stringify(minima)}`);
    return found[0].id as string;
  });
  return { landscapeId, A, B, C, name: new Map([[A, 'A'], [B, 'B'], [C, 'C']]) };
}

/** Decisions as [kind, reason, pair by known-minimum names, outcome]. */
function decisionSummary(decisions: Record<string, unknown>[], name: Map<string, string>) {
  return decisions.map((d) => [d.kind, d.reason ?? null, d.a ? `${name.get(d.a as string)}-${name.get(d.b as string)}` : null, d.outcome ?? null]);
}

test('exploring the 3 Müller-Brown minima ends with the known spanning tree; one runProgress event per decision', { timeout: 90_000 }, async () => {
  const { landscapeId, A, B, C, name } = await trainedLandscape('MB explore');

  const explore = await server.gql('mutation($id: ID!, $config: AutonebConfigInput) { exploreLandscape(landscapeId: $id, config: $config) { id kind status } }', { id: landscapeId, config: CONFIG });
  assert.equal(explore.errors, undefined, JSON.stringify(explore.errors));
  const runId: string = explore.data!.exploreLandscape.id;
  assert.equal(explore.data!.exploreLandscape.kind, 'EXPLORE');

  // Progress over graphql-ws: the first decision needs a finished CONNECT run, seconds away.
  const events: ProgressEvent[] = [];
  const errors: unknown[] = [];
  const active = server.app.activeSubscriptions();
  server.wsClient().subscribe<{ runProgress: ProgressEvent }>(
    { query: 'subscription($id: ID!) { runProgress(runId: $id) { runId status kind progress } }', variables: { id: runId } },
    { next: (v) => (v.errors ? errors.push(v.errors) : events.push(v.data!.runProgress)), error: (e) => errors.push(e), complete: () => undefined },
  );
  await until('the subscription to start', () => server.app.activeSubscriptions() > active);

  const run = await waitForRun(runId);
  assert.equal(run.status, 'SUCCEEDED', run.errorMessage ?? '');
  await until('the SUCCEEDED event', () => events.some((e) => e.status === 'SUCCEEDED'));
  assert.deepEqual(errors, []);

  // Algorithm 3 by hand (parallel 1, lowest first A < B < C): the star A-B, A-C (both saddles at
  // -40.665: the A-B path passes C); then split the higher star edge and connect B-C (-72.249 <
  // -40.665: kept); then both tree edges have every pair across known: ignored; stop.
  const result = run.result as { stopReason: string; pairsTried: number; decisions: Record<string, unknown>[]; treeEdges: { pathId: string; a: string; b: string; weight: number }[] };
  assert.equal(result.stopReason, 'all-pairs-known');
  assert.equal(result.pairsTried, 3);
  assert.deepEqual(decisionSummary(result.decisions, name), [
    ['connect', 'initial-star', 'A-B', 'kept'],
    ['connect', 'initial-star', 'A-C', 'kept'],
    ['connect', 'split-highest-edge', 'B-C', 'kept'],
    ['edge-ignored', null, null, null],
    ['edge-ignored', null, null, null],
    ['stop', 'all-pairs-known', null, null],
  ]);
  const [ab, ac, bc] = result.decisions;
  close(ab.weight as number, SADDLE_AC, 'A-B saddle (through C)');
  close(ac.weight as number, SADDLE_AC, 'A-C saddle');
  close(bc.weight as number, SADDLE_CB, 'B-C saddle');
  // The star edge taken out is the higher of the two (near-)equal star saddles.
  assert.equal(bc.replaces, (ab.weight as number) > (ac.weight as number) || ((ab.weight as number) === (ac.weight as number) && (ab.pathId as string) > (ac.pathId as string)) ? ab.pathId : ac.pathId);

  // The tree the query computes from the stored paths: B-C and one star edge from A.
  const tree = (await server.gql('query($id: ID!) { landscape(id: $id) { spanningTree { edges { pathId a b weight path { status saddle { trainLoss } } } offTree { pathId dominated } } } }', { id: landscapeId })).data!.landscape.spanningTree;
  assert.equal(tree.edges.length, 2);
  const pairs = tree.edges.map((e: { a: string; b: string }) => [name.get(e.a), name.get(e.b)].sort().join('-'));
  assert.equal(pairs[0], 'B-C', 'Kruskal order: the lower saddle first');
  assert.match(pairs[1], /^A-[BC]$/);
  close(tree.edges[0].weight, SADDLE_CB, 'tree edge B-C');
  close(tree.edges[1].weight, SADDLE_AC, 'tree edge from A');
  for (const e of tree.edges) assert.deepEqual(e.path, { status: 'COMPLETED', saddle: { trainLoss: e.weight } });
  assert.deepEqual(tree.edges.map((e: { pathId: string; weight: number }) => ({ pathId: e.pathId, weight: e.weight })), result.treeEdges.map((e) => ({ pathId: e.pathId, weight: e.weight })));
  assert.equal(tree.offTree.length, 1);
  // Each CONNECT child made a path; the exploration's own progress: one event per decision, in order.
  const decisionEvents = events.filter((e) => e.progress?.last);
  assert.deepEqual(decisionEvents.map((e) => [e.progress!.decisions, e.progress!.pairsTried, e.progress!.maxPairs]), [[1, 1, null], [2, 2, null], [3, 3, null], [4, 3, null], [5, 3, null], [6, 3, null]]);
  assert.deepEqual(decisionEvents.map((e) => e.progress!.last), result.decisions);
  for (const e of events) assert.deepEqual([e.runId, e.kind], [runId, 'EXPLORE']);
  assert.deepEqual(events.at(-1)!.progress, { decisions: 6, pairsTried: 3, maxPairs: null, stopReason: 'all-pairs-known' });

  // The three paths are stored with their saddles and straight-line barriers. The straight line is
  // sampled at 21 points (t = k/20); by hand from the known minima, max over k of E(a + k/20 (b - a)):
  // A-B 12.676, A-C 3.386, C-B -72.249 (the straight line C-B runs close to the curved MEP).
  const known = new Map([[A, mullerBrown.minima[0]], [B, mullerBrown.minima[1]], [C, mullerBrown.minima[2]]]);
  const lineMax = (a: { x: number; y: number }, b: { x: number; y: number }) =>
    Math.max(...Array.from({ length: 21 }, (_, k) => mullerBrown.value(a.x + (k / 20) * (b.x - a.x), a.y + (k / 20) * (b.y - a.y))));
  const paths = (await server.gql('query($id: ID!) { landscape(id: $id) { paths { edges { node { status linearBarrier linearProfile { t } minimumA { id } minimumB { id } run { kind status } } } } } }', { id: landscapeId })).data!.landscape.paths.edges;
  assert.equal(paths.length, 3);
  for (const { node } of paths) {
    assert.deepEqual(node.run, { kind: 'CONNECT', status: 'SUCCEEDED' });
    assert.equal(node.status, 'COMPLETED');
    assert.equal(node.linearProfile.length, 21);
    close(node.linearBarrier, lineMax(known.get(node.minimumA.id)!, known.get(node.minimumB.id)!), `linear barrier ${name.get(node.minimumA.id)}-${name.get(node.minimumB.id)}`);
  }
});

test('a FAILED path is a known pair that joins nothing: exploration connects its minima another way', { timeout: 60_000 }, async () => {
  const { landscapeId, A, B, name } = await trainedLandscape('MB failed path');
  // A-B was tried before and failed.
  const em = server.em();
  em.create(Path, { landscape: landscapeId, minimumA: A, minimumB: B, status: PathStatus.FAILED });
  await em.flush();

  // By hand: the star finds A-B known, so A-C (initial-star); B is still alone, A-B is known, so
  // C-B joins it (connect-components, B lower than C). Two pairs, the maximum: stop. Were the
  // failed path counted as connecting A and B, B would never be joined (stop: all-pairs-known).
  const explore = await server.gql('mutation($id: ID!, $config: AutonebConfigInput) { exploreLandscape(landscapeId: $id, maxPairs: 2, config: $config) { id } }', { id: landscapeId, config: CONFIG });
  assert.equal(explore.errors, undefined, JSON.stringify(explore.errors));
  const run = await waitForRun(explore.data!.exploreLandscape.id);
  assert.equal(run.status, 'SUCCEEDED', run.errorMessage ?? '');
  const result = run.result as { stopReason: string; decisions: Record<string, unknown>[] };
  assert.deepEqual(decisionSummary(result.decisions, name), [
    ['connect', 'initial-star', 'A-C', 'kept'],
    ['connect', 'connect-components', 'B-C', 'kept'],
    ['stop', 'max-pairs', null, null],
  ]);
  const tree = (await server.gql('query($id: ID!) { landscape(id: $id) { spanningTree { edges { weight } components } } }', { id: landscapeId })).data!.landscape.spanningTree;
  assert.equal(tree.components.length, 1);
  close(tree.edges[0].weight, SADDLE_CB, 'B-C');
  close(tree.edges[1].weight, SADDLE_AC, 'A-C');
});

function close(actual: number, expected: number, what: string): void {
  assert.ok(Math.abs(actual - expected) <= TOLERANCE, `${what}: ${actual} vs ${expected} (tolerance ${TOLERANCE})`);
}

// The read path's shortcuts, each checked for giving the same answers as the plain reads:
// many-to-one loads batched per request (one SQL query per entity type for a whole page), a
// COMPLETED path's cycles and pivots read once and then served from memory (a RUNNING path's
// always fresh), conditional tensor downloads (ETag, 304), Apollo's automatic persisted queries,
// and graphql-ws documents validated once per text with the same errors every time.
import 'reflect-metadata';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Client as PgClient } from 'pg';
import request from 'supertest';
import { Cycle, Landscape, Minimum, Path, Pivot, Run } from '../../src/store/entities';
import { MinimumStatus, PathStatus, RunKind, RunStatus } from '../../src/store/enums';
import { startTestServer, type TestServer } from '../helpers/server';

let server: TestServer;
/** Text of every SQL statement this process sends while `recording` is set. */
let recording: string[] | null = null;

before(async () => {
  server = await startTestServer();
  const query = PgClient.prototype.query;
  PgClient.prototype.query = function (this: PgClient, ...args: unknown[]) {
    const config = args[0] as string | { text?: string };
    recording?.push(typeof config === 'string' ? config : (config?.text ?? ''));
    return (query as (...a: unknown[]) => unknown).apply(this, args);
  } as typeof query;
});

after(async () => {
  await server?.close();
});

async function statements<T>(work: () => Promise<T>): Promise<{ result: T; sql: string[] }> {
  recording = [];
  try {
    const result = await work();
    return { result, sql: recording };
  } finally {
    recording = null;
  }
}

const fromTable = (sql: string[], table: string) => sql.filter((s) => new RegExp(`from "${table}"`).test(s)).length;

/** A landscape with three minima and three paths between them (one COMPLETED with cycles and pivots). */
async function seed() {
  const em = server.em();
  const landscape = em.create(Landscape, { name: 'reads', architecture: { kind: 'surface', name: 'muller-brown' }, dataset: null, training: { steps: 1, batchSize: 1, learningRate: 0.1, momentum: 0, weightDecay: 0, milestones: [] }, autonebPreset: 'surface' } as never);
  const connect = em.create(Run, { landscape, kind: RunKind.CONNECT, status: RunStatus.SUCCEEDED });
  const minima = [1, 2, 3].map((seed) => em.create(Minimum, { landscape, seed, status: MinimumStatus.READY, trainLoss: seed / 4, parameterCount: 2, parameters: Buffer.from(new Float32Array([seed, -seed]).buffer) }));
  const [a, b, c] = minima;
  // Distinct creation times: pages are ordered by them.
  const at = (ms: number) => new Date(Date.now() - 1000 + ms);
  const done = em.create(Path, { landscape, minimumA: a, minimumB: b, run: connect, status: PathStatus.COMPLETED, saddleT: 0.5, saddleTrainLoss: 1.25, cyclesDone: 1, createdAt: at(0) });
  const running = em.create(Path, { landscape, minimumA: b, minimumB: c, status: PathStatus.RUNNING, cyclesDone: 1, createdAt: at(10) });
  em.create(Path, { landscape, minimumA: a, minimumB: c, status: PathStatus.PENDING, createdAt: at(20) });
  for (const path of [done, running]) {
    for (const [index, t, energy] of [[0, 0, 0.5], [1, 0.5, 1.25], [2, 1, 0.25]]) em.create(Pivot, { path, index, t, energy, parameters: Buffer.from(new Float32Array([index, -index]).buffer) });
    em.create(Cycle, { path, index: 1, steps: 10, learningRate: 0.1, pivotEnergies: [0.5, 1.25, 0.25], denseProfile: [{ t: 0, energy: 0.5 }, { t: 1, energy: 0.25 }], maxEnergy: 1.25, pivotPositions: [0, 0.5, 1], saddleT: 0.5, maxPerpendicularGradient: 0.01, pivotsInserted: 1 });
  }
  await em.flush();
  return { landscape, minima, done, running, connect };
}

test('a page of paths loads its minima, landscape and run with one query per entity type', async () => {
  const { landscape, minima, connect } = await seed();
  const query = `query($id: ID!) { landscape(id: $id) { paths { edges { node { status minimumA { seed } minimumB { seed } landscape { name } run { id } } } } } }`;
  const { result, sql } = await statements(() => server.gql(query, { id: landscape.id }));
  assert.equal(result.errors, undefined, JSON.stringify(result.errors));
  const seeds = new Map(minima.map((m) => [m.id, m.seed]));
  assert.deepEqual(
    result.data!.landscape.paths.edges.map((e: { node: unknown }) => e.node),
    [
      { status: 'COMPLETED', minimumA: { seed: seeds.get(minima[0].id) }, minimumB: { seed: 2 }, landscape: { name: 'reads' }, run: { id: connect.id } },
      { status: 'RUNNING', minimumA: { seed: 2 }, minimumB: { seed: 3 }, landscape: { name: 'reads' }, run: null },
      { status: 'PENDING', minimumA: { seed: 1 }, minimumB: { seed: 3 }, landscape: { name: 'reads' }, run: null },
    ],
  );
  // Six minimum references, three landscape references: one query each (the landscape itself
  // was read by the root field, and a second read of it is batched too).
  assert.equal(fromTable(sql, 'minimum'), 1, sql.join('\n'));
  assert.ok(fromTable(sql, 'landscape') <= 2, sql.join('\n'));
  assert.equal(fromTable(sql, 'run'), 1, sql.join('\n'));
});

test("a COMPLETED path's cycles and pivots are read once; a RUNNING path's every time", async () => {
  const { done, running } = await seed();
  const query = 'query($id: ID!) { path(id: $id) { status cycles { index maxEnergy pivotEnergies } pivots { index t energy } } }';
  const expected = { cycles: [{ index: 1, maxEnergy: 1.25, pivotEnergies: [0.5, 1.25, 0.25] }], pivots: [{ index: 0, t: 0, energy: 0.5 }, { index: 1, t: 0.5, energy: 1.25 }, { index: 2, t: 1, energy: 0.25 }] };
  const first = await statements(() => server.gql(query, { id: done.id }));
  assert.deepEqual(first.result.data!.path, { status: 'COMPLETED', ...expected });
  assert.equal(fromTable(first.sql, 'cycle'), 1);
  const second = await statements(() => server.gql(query, { id: done.id }));
  assert.deepEqual(second.result.data!.path, { status: 'COMPLETED', ...expected });
  assert.equal(fromTable(second.sql, 'cycle'), 0, 'cycles of a completed path come from memory');
  assert.equal(fromTable(second.sql, 'pivot'), 0, 'pivots of a completed path come from memory');
  assert.equal(fromTable(second.sql, 'path'), 1, 'the path row itself is read every time');

  // A running path gains a cycle: the next read shows it.
  assert.equal((await server.gql(query, { id: running.id })).data!.path.cycles.length, 1);
  const em = server.em();
  em.create(Cycle, { path: running.id, index: 2, steps: 10, learningRate: 0.1, pivotEnergies: [0.5, 0.75, 0.25], denseProfile: [], maxEnergy: 0.75, pivotPositions: [0, 0.5, 1], saddleT: 0.5, maxPerpendicularGradient: 0.01, pivotsInserted: 0 } as never);
  await em.flush();
  const again = (await server.gql(query, { id: running.id })).data!.path;
  assert.deepEqual(again.cycles.map((c: { maxEnergy: number }) => c.maxEnergy), [1.25, 0.75]);
});

test('tensor downloads carry an ETag: the same version answers 304, a changed one 200', async () => {
  const { minima, done } = await seed();
  for (const url of [`/tensors/minima/${minima[0].id}`, `/tensors/paths/${done.id}/pivots`, `/tensors/paths/${done.id}/saddle`]) {
    const full = await request(server.app.httpServer).get(url);
    assert.equal(full.status, 200, url);
    const etag = full.headers.etag as string;
    assert.match(etag, /^"[\w-]+"$/);
    assert.equal(full.headers['cache-control'], 'private, no-cache');
    const cached = await request(server.app.httpServer).get(url).set('if-none-match', etag);
    assert.equal(cached.status, 304, url);
    assert.equal(cached.text ?? '', '');
    assert.equal((await request(server.app.httpServer).get(url).set('if-none-match', '"other"')).status, 200);
  }
  // An EVALUATE run's new metrics are a new version of the download.
  const url = `/tensors/minima/${minima[0].id}`;
  const before = (await request(server.app.httpServer).get(url)).headers.etag as string;
  await server.em().nativeUpdate(Minimum, { id: minima[0].id }, { testLoss: 0.125 });
  const changed = await request(server.app.httpServer).get(url).set('if-none-match', before);
  assert.equal(changed.status, 200);
  assert.notEqual(changed.headers.etag, before);
});

test('automatic persisted queries: a known hash stands for its document', async () => {
  const query = '{ catalog { surfaceNames } }';
  const sha256Hash = createHash('sha256').update(query).digest('hex');
  const post = (body: object) => request(server.app.httpServer).post('/graphql').set('content-type', 'application/json').send(body);
  const unknown = await post({ extensions: { persistedQuery: { version: 1, sha256Hash } } });
  assert.equal(unknown.body.errors[0].extensions.code, 'PERSISTED_QUERY_NOT_FOUND');
  const registered = await post({ query, extensions: { persistedQuery: { version: 1, sha256Hash } } });
  assert.ok(registered.body.data.catalog.surfaceNames.includes('muller-brown'));
  const byHash = await post({ extensions: { persistedQuery: { version: 1, sha256Hash } } });
  assert.deepEqual(byHash.body.data, registered.body.data);
  // A document that does not match its hash is refused, not stored.
  const wrong = await post({ query: '{ __typename }', extensions: { persistedQuery: { version: 1, sha256Hash } } });
  assert.equal(wrong.body.errors[0].extensions.code, 'BAD_REQUEST');
  assert.match(wrong.body.errors[0].message, /does not match/);
});

test('graphql-ws: a document sent again gets the same validation outcome', async () => {
  const client = server.wsClient();
  const run = (query: string) =>
    new Promise<{ errors?: readonly { message: string; extensions?: Record<string, unknown> }[]; data?: unknown }>((resolve) => {
      client.subscribe({ query }, { next: (v) => resolve(v as never), error: (e) => resolve({ errors: e as never }), complete: () => undefined });
    });
  for (let i = 0; i < 2; i++) {
    assert.deepEqual((await run('{ catalog { surfaceNames } }')).data !== undefined, true);
    const bad = await run('{ catalog { noSuchField } }');
    assert.equal(bad.errors![0].extensions!.code, 'GRAPHQL_VALIDATION_FAILED');
    assert.match(bad.errors![0].message, /noSuchField/);
    const broken = await run('{ catalog { ');
    assert.equal(broken.errors![0].extensions!.code, 'GRAPHQL_PARSE_FAILED');
  }
});

test('a list reads the columns its query selects, and whole rows where a field needs more', async () => {
  const { landscape } = await seed();
  const page = (node: string) => `{ landscapes(first: 100) { edges { node { ${node} } } } }`;
  const narrow = await statements(() => server.gql(page('id name')));
  const listed = narrow.result.data!.landscapes.edges.map((e: { node: { id: string; name: string } }) => e.node);
  assert.ok(listed.some((n: { id: string; name: string }) => n.id === landscape.id && n.name === 'reads'));
  const select = narrow.sql.find((s) => /from "landscape"/.test(s))!;
  assert.doesNotMatch(select, /architecture|training/, select);

  // A field resolver computing from other columns (dimension) gets whole rows.
  const wide = await statements(() => server.gql(page('id architecture { kind surface } dimension')));
  assert.match(wide.sql.find((s) => /from "landscape"/.test(s))!, /"l0"\.\*/);
  const mine = wide.result.data!.landscapes.edges.find((e: { node: { id: string } }) => e.node.id === landscape.id).node;
  assert.deepEqual(mine, { id: landscape.id, architecture: { kind: 'surface', surface: 'muller-brown' }, dimension: 2 });

  // In one document, a partly read landscape is read whole where another field needs it.
  const both = await server.gql(`query($id: ID!) { landscapes(first: 100) { edges { node { id } } } landscape(id: $id) { name autonebPreset architecture { kind surface } } }`, { id: landscape.id });
  assert.equal(both.errors, undefined, JSON.stringify(both.errors));
  assert.deepEqual(both.data!.landscape, { name: 'reads', autonebPreset: 'surface', architecture: { kind: 'surface', surface: 'muller-brown' } });

  // Fragments count as selections.
  const fragment = await server.gql(`{ landscapes(first: 100) { edges { node { ...L } } } } fragment L on Landscape { id autonebPreset }`);
  assert.ok(fragment.data!.landscapes.edges.some((e: { node: { id: string; autonebPreset: string } }) => e.node.id === landscape.id && e.node.autonebPreset === 'surface'));
});

test('a page of plain columns is read in one statement, counted in it, and equals the whole-row read', async () => {
  const { landscape } = await seed();
  const query = `query($id: ID!, $after: String) { landscape(id: $id) { minima(first: 2, after: $after) { totalCount edges { node { id seed status trainLoss createdAt landscape { id } } } pageInfo { hasNextPage endCursor } } } }`;
  const first = await statements(() => server.gql(query, { id: landscape.id }));
  assert.equal(first.result.errors, undefined, JSON.stringify(first.result.errors));
  const page = first.result.data!.landscape.minima;
  // The page and its total in one statement over minima (a window count), none of it hydrated.
  assert.equal(fromTable(first.sql, 'minimum'), 1, first.sql.join('\n'));
  assert.match(first.sql.find((s) => /from "minimum"/.test(s))!, /count\(\*\) over \(\)/);
  assert.equal(page.totalCount, 3);
  assert.equal(page.pageInfo.hasNextPage, true);
  const second = await statements(() => server.gql(query, { id: landscape.id, after: page.pageInfo.endCursor }));
  const rest = second.result.data!.landscape.minima;
  assert.equal(rest.totalCount, 3, 'a later page counts the whole list');
  assert.equal(rest.pageInfo.hasNextPage, false);
  const lean = [...page.edges, ...rest.edges].map((e: { node: unknown }) => e.node);
  // The same fields through a selection that needs whole rows (downloadUrl is not a column).
  const whole = await server.gql(`query($id: ID!) { landscape(id: $id) { minima(first: 10) { edges { node { id seed status trainLoss createdAt landscape { id } parameterCount } } } } }`, { id: landscape.id });
  const full = whole.data!.landscape.minima.edges.map((e: { node: Record<string, unknown> }) => {
    const { parameterCount, ...node } = e.node;
    assert.equal(parameterCount, 2);
    return node;
  });
  assert.deepEqual(lean, full);
  const bySeed = (lean as { seed: number; trainLoss: number }[]).map((m) => [m.seed, m.trainLoss]).sort((x, y) => x[0] - y[0]);
  assert.deepEqual(bySeed, [[1, 0.25], [2, 0.5], [3, 0.75]]);
});

test('a single object selecting plain columns is read as one narrow row; absent ids still answer NOT_FOUND', async () => {
  const { landscape, done } = await seed();
  const narrow = await statements(() => server.gql(`query($id: ID!) { landscape(id: $id) { id name autonebPreset createdAt } }`, { id: landscape.id }));
  assert.equal(narrow.result.errors, undefined, JSON.stringify(narrow.result.errors));
  assert.equal(fromTable(narrow.sql, 'landscape'), 1);
  assert.doesNotMatch(narrow.sql.find((s) => /from "landscape"/.test(s))!, /architecture|training/);
  const whole = await server.gql(`query($id: ID!) { landscape(id: $id) { id name autonebPreset createdAt dimension } }`, { id: landscape.id });
  const { dimension, ...rest } = whole.data!.landscape;
  assert.equal(dimension, 2);
  assert.deepEqual(narrow.result.data!.landscape, rest);

  const fields = 'id status cyclesDone saddle { t trainLoss } cycles { index maxEnergy } minimumA { seed } run { kind }';
  const path = await statements(() => server.gql(`query($id: ID!) { path(id: $id) { ${fields} } }`, { id: done.id }));
  assert.doesNotMatch(path.sql.find((s) => /from "path"/.test(s))!, /linear_profile|"p0"\.\*/);
  assert.deepEqual(path.result.data!.path, { id: done.id, status: 'COMPLETED', cyclesDone: 1, saddle: { t: 0.5, trainLoss: 1.25 }, cycles: [{ index: 1, maxEnergy: 1.25 }], minimumA: { seed: 1 }, run: { kind: 'CONNECT' } });
  // linearConnectivity is computed from several columns: a whole row, the same answers.
  const wholePath = await server.gql(`query($id: ID!) { path(id: $id) { ${fields} linearConnectivity { lossBarrier { value } } } }`, { id: done.id });
  assert.equal(wholePath.errors, undefined, JSON.stringify(wholePath.errors));
  const { linearConnectivity, ...same } = wholePath.data!.path;
  assert.equal(linearConnectivity, null);
  assert.deepEqual(same, path.result.data!.path);

  for (const id of ['00000000-0000-4000-8000-000000000000', 'not-an-id']) {
    const missing = await server.gql(`query($id: ID!) { landscape(id: $id) { id name } }`, { id });
    assert.equal(missing.errors?.[0].extensions?.code, 'NOT_FOUND', JSON.stringify(missing.errors));
    assert.equal(missing.errors?.[0].extensions?.field, 'id');
  }
});

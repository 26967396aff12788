// importMinimum's seed (null when not given, a used seed refused) and deleteMinimum (refused while
// paths use it unless cascade; cascade takes the paths, cycles and pivots; the landscape's
// averages then leave it out). On the Müller-Brown surface, whose minima are points (x, y).
import 'reflect-metadata';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import request from 'supertest';
import { encodeSafetensors } from '../../src/engine';
import { firstError, startTestServer, type TestServer } from '../helpers/server';
import { CONNECT, TRAIN, TestWorker, createLandscape, minimaBySeed, mutate, surfaceSchedule, waitForRun } from '../runs/helpers';

let server: TestServer;
let worker: TestWorker;
let landscapeId: string;

before(async () => {
  server = await startTestServer({ config: { workers: 0 } });
  worker = new TestWorker(server);
  await worker.start();
  landscapeId = await createLandscape(server, { name: 'mb', architecture: { kind: 'surface', surface: 'muller-brown' }, autonebPreset: 'surface' });
  const train = await mutate(server, TRAIN, { l: landscapeId, n: 3, seeds: [1, 2, 3], config: { steps: 100 } });
  assert.equal((await waitForRun(server, train.id)).status, 'SUCCEEDED');
});

after(async () => {
  await worker?.stop();
  await server?.close();
});

const IMPORT = 'mutation($l: ID!, $u: ID!, $seed: Int) { importMinimum(landscapeId: $l, uploadId: $u, seed: $seed) { id seed status run { id } } }';
const DELETE = 'mutation($id: ID!, $cascade: Boolean) { deleteMinimum(id: $id, cascade: $cascade) }';
const MINIMA = 'query($id: ID!) { landscape(id: $id) { minima(first: 100) { totalCount edges { node { id seed trainLoss } } } summary { minima { trainLoss count } } } }';

/** Uploads the point (x, y) as the surface's safetensors; returns the upload id. */
async function uploadPoint(x: number, y: number): Promise<string> {
  const file = encodeSafetensors([{ name: 'xy', shape: [2], data: Float32Array.of(x, y) }]);
  const res = await request(server.app.httpServer).post('/tensors/uploads').set('content-type', 'application/octet-stream').send(file);
  assert.equal(res.status, 201, res.text);
  return res.body.uploadId;
}

async function landscapeMinima(): Promise<{ ids: string[]; seeds: (number | null)[]; losses: number[]; summary: { trainLoss: number; count: number } }> {
  const res = await server.gql(MINIMA, { id: landscapeId });
  assert.equal(res.errors, undefined, JSON.stringify(res.errors));
  const nodes = res.data!.landscape.minima.edges.map((e: { node: unknown }) => e.node) as { id: string; seed: number | null; trainLoss: number }[];
  return { ids: nodes.map((n) => n.id), seeds: nodes.map((n) => n.seed), losses: nodes.map((n) => n.trainLoss), summary: res.data!.landscape.summary.minima };
}

const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;

test('importMinimum: no seed is stored as null; a seed the landscape uses, or a negative one, is refused naming seed', async () => {
  const uploadId = await uploadPoint(-0.558, 1.442);
  const before = await landscapeMinima();
  for (const [seed, pattern] of [[2, /^seed: seed 2 is already used by minimum [0-9a-f-]{36} of this landscape/], [-1, /^seed: must be an integer from 0/]] as const) {
    const err = firstError(await server.gql(IMPORT, { l: landscapeId, u: uploadId, seed }));
    assert.equal(err?.code, 'BAD_USER_INPUT');
    assert.equal(err?.field, 'seed');
    assert.match(err!.message, pattern);
  }
  assert.deepEqual((await landscapeMinima()).ids, before.ids, 'nothing stored');
  // The refused upload is still there to import.
  const imported = await mutate(server, IMPORT, { l: landscapeId, u: uploadId });
  assert.equal(imported.seed, null);
  assert.equal(imported.status, 'READY');
  assert.equal((await waitForRun(server, imported.run.id)).status, 'SUCCEEDED');
  // Two minima of unknown seed may coexist; a new seed is accepted once.
  const second = await mutate(server, IMPORT, { l: landscapeId, u: await uploadPoint(0.6235, 0.028) });
  assert.equal(second.seed, null);
  const seeded = await mutate(server, IMPORT, { l: landscapeId, u: await uploadPoint(-0.05, 0.4667), seed: 9 });
  assert.equal(seeded.seed, 9);
  assert.equal(firstError(await server.gql(IMPORT, { l: landscapeId, u: await uploadPoint(0, 0), seed: 9 }))?.field, 'seed');
  for (const m of [second, seeded]) assert.equal((await waitForRun(server, m.run.id)).status, 'SUCCEEDED');
  const after = await landscapeMinima();
  // Oldest first; the three trained together share their creation time (then id order).
  assert.deepEqual([...after.seeds.slice(0, 3)].sort(), [1, 2, 3]);
  assert.deepEqual(after.seeds.slice(3), [null, null, 9]);
  // trainMinima without seeds takes the lowest unused one: null seeds use none.
  const train = await mutate(server, TRAIN, { l: landscapeId, n: 1, config: { steps: 10 } });
  assert.deepEqual(train.config.seeds, [4]);
  assert.equal((await waitForRun(server, train.id)).status, 'SUCCEEDED');
});

test('deleteMinimum: refused naming the paths that use it; cascade deletes them with cycles and pivots; averages exclude it', async () => {
  const bySeed = await minimaBySeed(server, landscapeId);
  const [a, b] = [bySeed.get(1)!.id, bySeed.get(2)!.id];
  const connect = await mutate(server, CONNECT, { a, b, config: surfaceSchedule(2) });
  assert.equal((await waitForRun(server, connect.id)).status, 'SUCCEEDED');
  const pathId = (connect.config as { pathId: string }).pathId;
  const rows = async (table: string) => Number((await server.em().getConnection().execute(`select count(*) as n from ${table} where path_id = ?`, [pathId]))[0].n);
  assert.equal(await rows('cycle'), 2);
  assert.ok((await rows('pivot')) >= 5);

  const refused = await server.gql(DELETE, { id: a });
  assert.equal(refused.errors?.[0].extensions?.code, 'BAD_USER_INPUT');
  assert.equal(refused.errors?.[0].extensions?.field, 'id');
  assert.deepEqual(refused.errors?.[0].extensions?.pathIds, [pathId]);
  assert.match(refused.errors![0].message, new RegExp(`^id: minimum ${a} is an end of 1 path \\(${pathId}\\); delete with cascade: true`));
  assert.equal(firstError(await server.gql(DELETE, { id: a, cascade: false }))?.field, 'id');
  assert.equal((await server.gql('query($id: ID!) { path(id: $id) { id } }', { id: pathId })).data?.path.id, pathId, 'the path stays');

  const before = await landscapeMinima();
  assert.equal(before.summary.count, before.ids.length);
  assert.ok(Math.abs(before.summary.trainLoss - mean(before.losses)) < 1e-9);
  const deleted = await server.gql(DELETE, { id: a, cascade: true });
  assert.deepEqual(deleted, { data: { deleteMinimum: a } });
  assert.equal(firstError(await server.gql('query($id: ID!) { path(id: $id) { id } }', { id: pathId }))?.code, 'NOT_FOUND');
  assert.equal(firstError(await server.gql('query($id: ID!) { minimum(id: $id) { id } }', { id: a }))?.code, 'NOT_FOUND');
  assert.equal(await rows('cycle'), 0);
  assert.equal(await rows('pivot'), 0);
  // The average over the minima is now that of the others (computed here from the stored losses).
  const after = await landscapeMinima();
  const kept = before.ids.map((id, i) => [id, before.losses[i]] as const).filter(([id]) => id !== a);
  assert.deepEqual(after.ids, kept.map(([id]) => id));
  assert.equal(after.summary.count, kept.length);
  assert.ok(Math.abs(after.summary.trainLoss - mean(kept.map(([, loss]) => loss))) < 1e-9, `${after.summary.trainLoss}`);
  // A minimum without paths needs no cascade.
  assert.deepEqual(await server.gql(DELETE, { id: b }), { data: { deleteMinimum: b } });
});

test('deleteMinimum: unknown ids are NOT_FOUND; work under way blocks it; an import deleted at once has its EVALUATE run cancelled', async () => {
  for (const id of ['00000000-0000-4000-8000-000000000000', 'nope']) {
    const err = firstError(await server.gql(DELETE, { id }));
    assert.deepEqual([err?.code, err?.field], ['NOT_FOUND', 'id']);
  }
  await worker.stop();
  try {
    const bySeed = await minimaBySeed(server, landscapeId);
    const [c, d] = [bySeed.get(3)!.id, bySeed.get(4)!.id];
    const connect = await mutate(server, CONNECT, { a: c, b: d, config: surfaceSchedule(1) });
    const pathId = (connect.config as { pathId: string }).pathId;
    const busy = firstError(await server.gql(DELETE, { id: c, cascade: true }));
    assert.equal(busy?.field, 'id');
    assert.match(busy!.message, new RegExp(`path ${pathId} from this minimum is PENDING: cancel its run \\(${connect.id}\\) first`));
    await mutate(server, 'mutation($id: ID!) { cancelRun(id: $id) { id } }', { id: connect.id });

    const training = await mutate(server, TRAIN, { l: landscapeId, n: 1, seeds: [20], config: { steps: 10 } });
    const trainingId = (training.config as { minimumIds: string[] }).minimumIds[0];
    assert.match(firstError(await server.gql(DELETE, { id: trainingId }))!.message, new RegExp(`belongs to TRAIN run ${training.id}, which is QUEUED`));
    await mutate(server, 'mutation($id: ID!) { cancelRun(id: $id) { id } }', { id: training.id });

    const imported = await mutate(server, IMPORT, { l: landscapeId, u: await uploadPoint(0.1, 0.2) });
    assert.deepEqual(await server.gql(DELETE, { id: imported.id }), { data: { deleteMinimum: imported.id } });
    const run = await server.gql('query($id: ID!) { run(id: $id) { status } }', { id: imported.run.id });
    assert.equal(run.data!.run.status, 'CANCELLED');
  } finally {
    await worker.start();
  }
});

test('connectMinima: config.base is validated (a negative learning rate refused naming the field) and applied to every cycle', async () => {
  const bySeed = await minimaBySeed(server, landscapeId);
  const [a, b] = [bySeed.get(3)!.id, bySeed.get(4)!.id];
  const connect = (config: Record<string, unknown>) => server.gql('mutation($a: ID!, $b: ID!, $config: AutonebConfigInput) { connectMinima(a: $a, b: $b, config: $config) { id config } }', { a, b, config });
  const paths = async () => (await server.gql('query($id: ID!) { landscape(id: $id) { paths { totalCount } } }', { id: landscapeId })).data!.landscape.paths.totalCount;
  const before = await paths();
  const cases: [Record<string, unknown>, string, RegExp][] = [
    [{ base: { learningRate: -1 } }, 'config.base.learningRate', /must be a finite number > 0, got -1/],
    [{ preset: 'surface', base: { learningRate: 0.05 } }, 'config.base.learningRate', /preset "surface" changes learningRate from cycle to cycle/],
    [{ ...surfaceSchedule(2), base: { steps: 5 } }, 'config.base.steps', /config\.cycles\[0\] sets steps too/],
    [{ base: { optimizer: { momentum: 1.5 } } }, 'config.base.optimizer.momentum', /must be in \[0, 1\)/],
  ];
  for (const [config, field, pattern] of cases) {
    const err = firstError(await connect(config));
    assert.deepEqual([err?.code, err?.field], ['BAD_USER_INPUT', field], JSON.stringify(config));
    assert.match(err!.message, pattern);
  }
  assert.equal(await paths(), before, 'no path stored');
  const res = await connect({ preset: 'surface', base: { climbing: true, evaluationPoints: 3 } });
  assert.equal(res.errors, undefined, JSON.stringify(res.errors));
  const cycles = (res.data!.connectMinima.config as { cycles: { climbing: boolean; evaluationPoints: number; learningRate: number }[] }).cycles;
  assert.equal(cycles.length, 14);
  assert.ok(cycles.every((c) => c.climbing && c.evaluationPoints === 3));
  assert.deepEqual([cycles[0].learningRate, cycles[6].learningRate, cycles[10].learningRate], [0.01, 0.001, 0.0001]);
  await mutate(server, 'mutation($id: ID!) { cancelRun(id: $id) { id } }', { id: res.data!.connectMinima.id });
});

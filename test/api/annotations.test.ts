// Tags and notes on landscapes and runs: set at creation or by updateLandscape/updateRun (omitted
// keeps, null clears), lists filtered by tags (every tag given must be carried), bad tags and
// notes refused naming the field with nothing changed.
import 'reflect-metadata';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { firstError, startTestServer, type TestServer } from '../helpers/server';

let server: TestServer;

before(async () => {
  // No worker: runs stay QUEUED, which is all these tests need of them.
  server = await startTestServer({ config: { workers: 0 } });
});

after(async () => {
  await server?.close();
});

const CREATE = 'mutation($input: CreateLandscapeInput!) { createLandscape(input: $input) { id name tags note } }';
const UPDATE_LANDSCAPE = 'mutation($id: ID!, $name: String, $tags: [String!], $note: String) { updateLandscape(id: $id, name: $name, tags: $tags, note: $note) { id name tags note } }';
const UPDATE_RUN = 'mutation($id: ID!, $tags: [String!], $note: String) { updateRun(id: $id, tags: $tags, note: $note) { id status tags note } }';
const LANDSCAPES = 'query($tags: [String!]) { landscapes(tags: $tags, first: 50) { totalCount edges { node { name } } } }';
const RUNS = 'query($tags: [String!], $id: ID!) { runs(tags: $tags) { edges { node { id } } } landscape(id: $id) { runs(tags: $tags) { totalCount } } }';

async function create(name: string, extra: Record<string, unknown> = {}): Promise<{ id: string; name: string; tags: string[]; note: string | null }> {
  const res = await server.gql(CREATE, { input: { name, architecture: { kind: 'surface', surface: 'himmelblau' }, ...extra } });
  assert.equal(res.errors, undefined, JSON.stringify(res.errors));
  return res.data!.createLandscape;
}

const names = async (tags: string[] | null) => (await server.gql(LANDSCAPES, { tags })).data!.landscapes.edges.map((e: { node: { name: string } }) => e.node.name);

test('landscapes: tags and note at creation and by updateLandscape; the list filters on every tag given', async () => {
  const a = await create('a', { tags: ['cifar10', 'resnet'], note: 'first try' });
  assert.deepEqual([a.tags, a.note], [['cifar10', 'resnet'], 'first try']);
  const b = await create('b', { tags: ['cifar10'] });
  const c = await create('c');
  assert.deepEqual([c.tags, c.note], [[], null]);

  assert.deepEqual(await names(['cifar10']), ['a', 'b']);
  assert.deepEqual(await names(['cifar10', 'resnet']), ['a']);
  assert.deepEqual(await names(['resnet', 'mlp']), []);
  assert.deepEqual(await names(null), ['a', 'b', 'c']);
  assert.deepEqual(await names([]), ['a', 'b', 'c']);

  // Omitted arguments keep their values; given ones replace them.
  const tagged = await server.gql(UPDATE_LANDSCAPE, { id: c.id, tags: ['mlp', 'paper: table 1'] });
  assert.deepEqual(tagged.data!.updateLandscape, { id: c.id, name: 'c', tags: ['mlp', 'paper: table 1'], note: null });
  const renamed = await server.gql(UPDATE_LANDSCAPE, { id: c.id, name: '  c2 ', note: 'wide minima' });
  assert.deepEqual(renamed.data!.updateLandscape, { id: c.id, name: 'c2', tags: ['mlp', 'paper: table 1'], note: 'wide minima' });
  assert.deepEqual(await names(['mlp']), ['c2']);
  // null clears tags and note (a name cannot be cleared).
  const cleared = await server.gql('mutation($id: ID!) { updateLandscape(id: $id, tags: null, note: null) { tags note name } }', { id: c.id });
  assert.deepEqual(cleared.data!.updateLandscape, { tags: [], note: null, name: 'c2' });
  assert.deepEqual(await names(['mlp']), []);
  assert.equal(b.note, null);
});

test('bad tags, notes and names are refused naming the field; nothing changes', async () => {
  const l = await create('guarded', { tags: ['keep'], note: 'kept' });
  const cases: [Record<string, unknown>, string, RegExp][] = [
    [{ tags: ['ok', ''] }, 'tags[1]', /must be 1 to 64 characters/],
    [{ tags: [' padded'] }, 'tags[0]', /starts with a letter or digit/],
    [{ tags: ['a\nb'] }, 'tags[0]', /starts with a letter or digit/],
    [{ tags: ['x'.repeat(65)] }, 'tags[0]', /must be 1 to 64 characters/],
    [{ tags: ['dup', 'other', 'dup'] }, 'tags[2]', /repeats tags\[0\]/],
    [{ tags: Array.from({ length: 33 }, (_, i) => `t${i}`) }, 'tags', /at most 32 tags, got 33/],
    [{ note: 'n'.repeat(10_001) }, 'note', /at most 10000 characters, got 10001/],
    [{ name: '   ', note: 'changed' }, 'name', /must not be empty/],
    [{ name: null }, 'name', /must not be empty/],
  ];
  for (const [changes, field, pattern] of cases) {
    const err = firstError(await server.gql(UPDATE_LANDSCAPE, { id: l.id, ...changes }));
    assert.equal(err?.code, 'BAD_USER_INPUT', JSON.stringify(changes).slice(0, 80));
    assert.equal(err?.field, field);
    assert.match(err!.message, pattern);
  }
  const stored = await server.gql('query($id: ID!) { landscape(id: $id) { name tags note } }', { id: l.id });
  assert.deepEqual(stored.data!.landscape, { name: 'guarded', tags: ['keep'], note: 'kept' });
  // At creation too, under input.
  const err = firstError(await server.gql(CREATE, { input: { name: 'x', architecture: { kind: 'surface', surface: 'himmelblau' }, tags: ['a', 'a'] } }));
  assert.deepEqual([err?.code, err?.field], ['BAD_USER_INPUT', 'input.tags[1]']);
  assert.deepEqual(firstError(await server.gql(UPDATE_LANDSCAPE, { id: '00000000-0000-4000-8000-000000000000', note: 'x' }))?.code, 'NOT_FOUND');
});

test('runs: updateRun sets tags and note at any status; runs lists filter on tags', async () => {
  const l = await create('with runs', { autonebPreset: 'surface' });
  const train = async () => (await server.gql('mutation($l: ID!) { trainMinima(landscapeId: $l, count: 1, config: { steps: 10 }) { id status tags note } }', { l: l.id })).data!.trainMinima;
  const r1 = await train();
  const r2 = await train();
  assert.deepEqual([r1.tags, r1.note], [[], null]);
  const updated = await server.gql(UPDATE_RUN, { id: r1.id, tags: ['baseline', 'lr=0.1'], note: 'the reference run' });
  assert.deepEqual(updated.data!.updateRun, { id: r1.id, status: 'QUEUED', tags: ['baseline', 'lr=0.1'], note: 'the reference run' });
  await server.gql(UPDATE_RUN, { id: r2.id, tags: ['lr=0.1'] });
  const runs = async (tags: string[]) => {
    const res = await server.gql(RUNS, { tags, id: l.id });
    assert.equal(res.errors, undefined, JSON.stringify(res.errors));
    return { ids: res.data!.runs.edges.map((e: { node: { id: string } }) => e.node.id), inLandscape: res.data!.landscape.runs.totalCount };
  };
  assert.deepEqual(await runs(['lr=0.1']), { ids: [r1.id, r2.id], inLandscape: 2 });
  assert.deepEqual(await runs(['lr=0.1', 'baseline']), { ids: [r1.id], inLandscape: 1 });
  assert.deepEqual(await runs(['none']), { ids: [], inLandscape: 0 });
  // A cancelled run can still be annotated; the note is kept when only tags change.
  await server.gql('mutation($id: ID!) { cancelRun(id: $id) { id } }', { id: r1.id });
  const later = await server.gql(UPDATE_RUN, { id: r1.id, tags: ['baseline'] });
  assert.deepEqual(later.data!.updateRun, { id: r1.id, status: 'CANCELLED', tags: ['baseline'], note: 'the reference run' });
  const bad = firstError(await server.gql(UPDATE_RUN, { id: r1.id, tags: ['ok', 'ok'], note: 'lost' }));
  assert.deepEqual([bad?.code, bad?.field], ['BAD_USER_INPUT', 'tags[1]']);
  assert.equal((await server.gql('query($id: ID!) { run(id: $id) { note } }', { id: r1.id })).data!.run.note, 'the reference run');
  assert.equal(firstError(await server.gql(UPDATE_RUN, { id: 'nope', note: 'x' }))?.code, 'NOT_FOUND');
});

// The analysis queries of a landscape over HTTP against the real app and database, on minima and
// paths seeded directly (no workers): spanning tree, barrier bounds, pair suggestions,
// disconnectivity and the Table 1 summary, each against answers worked out by hand below.
import 'reflect-metadata';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Landscape, Minimum, Path } from '../../../src/store/entities';
import { MinimumStatus, PathStatus } from '../../../src/store/enums';
import { firstError, startTestServer, type TestServer } from '../../helpers/server';

let server: TestServer;

before(async () => {
  server = await startTestServer();
  seeded = await seedLandscape();
});

after(async () => {
  await server?.close();
});

type Values = [trainLoss: number, testLoss: number, trainError: number, testError: number];

/**
 * The hand-made landscape. Minima (train loss, test loss, train error, test error), created in
 * this order, so lowest first by train loss is A < B < C < D < E:
 *
 *   A 0.1 0.2 0.01 0.02    B 0.2 0.3 0.02 0.03    C 0.3 0.4 0.03 0.05
 *   D 0.4 0.5 0.04 0.06    E 0.5 0.6 0.05 0.08    F: still TRAINING (ignored everywhere)
 *
 * COMPLETED paths, saddle (train loss, test loss, train error, test error), straight-line barrier:
 *
 *   p1 A-B  1.0 1.2 0.10 0.12   linear 5
 *   p2 B-C  2.0 2.4 0.20 0.20   linear 6     p2 and p5 tie on train loss 2.0: the lower path id
 *   p3 A-C  3.0 1.5 0.15 0.15   linear 7     wins (ids are chosen so that p2's is lower)
 *   p4 C-D  1.5 3.0 0.30 0.30   linear 8
 *   p5 A-D  2.0 2.6 0.25 0.25   linear 9
 *
 * plus p6 A-E FAILED (linear 100, known pair, joins nothing), p7 C-F COMPLETED (F not READY: left
 * out) and p8 B-C PENDING (an unfinished duplicate: pending, not in the tree).
 */
async function seedLandscape() {
  const em = server.em();
  const landscape = Object.assign(new Landscape(), {
    name: `analysis ${randomUUID()}`,
    architecture: { kind: 'surface', name: 'muller-brown' },
    training: { steps: 10, batchSize: 1, learningRate: 0.1, momentum: 0.9, weightDecay: 0, milestones: [5] },
  });
  em.persist(landscape);
  const t0 = Date.UTC(2020, 0, 1);
  const minimum = (i: number, values: Values | null, status = MinimumStatus.READY) => {
    const [trainLoss, testLoss, trainError, testError] = values ?? [null, null, null, null];
    return em.create(Minimum, { landscape, seed: i, status, parameterCount: 2, trainLoss, testLoss, trainError, testError, createdAt: new Date(t0 + i * 1000) });
  };
  const A = minimum(1, [0.1, 0.2, 0.01, 0.02]);
  const B = minimum(2, [0.2, 0.3, 0.02, 0.03]);
  const C = minimum(3, [0.3, 0.4, 0.03, 0.05]);
  const D = minimum(4, [0.4, 0.5, 0.04, 0.06]);
  const E = minimum(5, [0.5, 0.6, 0.05, 0.08]);
  const F = minimum(6, null, MinimumStatus.TRAINING);
  const [low, high] = [randomUUID(), randomUUID()].sort();
  let n = 0;
  const path = (a: Minimum, b: Minimum, saddle: Values | null, linearBarrier: number, status = PathStatus.COMPLETED, id = randomUUID()) => {
    const [saddleTrainLoss, saddleTestLoss, saddleTrainError, saddleTestError] = saddle ?? [null, null, null, null];
    return em.create(Path, {
      id, landscape, minimumA: a, minimumB: b, status, linearBarrier, createdAt: new Date(t0 + ++n * 1000),
      saddleT: saddle ? 0.5 : null, saddleTrainLoss, saddleTestLoss, saddleTrainError, saddleTestError,
    });
  };
  const p1 = path(A, B, [1.0, 1.2, 0.1, 0.12], 5);
  const p2 = path(B, C, [2.0, 2.4, 0.2, 0.2], 6, PathStatus.COMPLETED, low);
  const p3 = path(A, C, [3.0, 1.5, 0.15, 0.15], 7);
  const p4 = path(C, D, [1.5, 3.0, 0.3, 0.3], 8);
  const p5 = path(A, D, [2.0, 2.6, 0.25, 0.25], 9, PathStatus.COMPLETED, high);
  const p6 = path(A, E, null, 100, PathStatus.FAILED);
  const p7 = path(C, F, [0.5, 0.5, 0, 0], 1);
  const p8 = path(B, C, null, 50, PathStatus.PENDING);
  await em.flush();
  return { landscape, A, B, C, D, E, F, p1, p2, p3, p4, p5, p6, p7, p8 };
}

let seeded: Awaited<ReturnType<typeof seedLandscape>>;

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- responses are read by path
async function landscapeQuery(fields: string, variables: Record<string, unknown> = {}): Promise<any> {
  const vars = Object.keys(variables).map((k) => `, $${k}: ${k === 'weight' ? 'SaddleWeight' : k === 'limit' ? 'Int' : k === 'strategy' ? 'String' : 'ID!'}`).join('');
  const res = await server.gql(`query($id: ID!${vars}) { landscape(id: $id) { ${fields} } }`, { id: seeded.landscape.id, ...variables });
  assert.equal(res.errors, undefined, JSON.stringify(res.errors));
  return res.data!.landscape;
}

const EDGE = 'pathId a b weight path { id status linearBarrier saddle { trainLoss } }';

test('spanningTree: Kruskal edges, off-tree paths with bound and dominated, components', async () => {
  const { A, B, C, D, E, p1, p2, p3, p4, p5 } = seeded;
  // Train loss, Kruskal order: p1 1.0 joins A,B; p4 1.5 joins C,D; p2 2.0 joins {A,B},{C,D};
  // p5 2.0 (tie, higher id) closes a cycle; p3 3.0 closes a cycle. E has no finished path.
  // Off tree: p5 bound = max on A-B-C-D = max(1.0, 2.0, 1.5) = 2.0 = its weight: a tie, not
  // dominated; p3 bound = max on A-B-C = 2.0 < 3.0: dominated.
  const tree = (await landscapeQuery(`spanningTree { weight edges { ${EDGE} } offTree { pathId a b weight bound dominated } components }`)).spanningTree;
  assert.equal(tree.weight, 'TRAIN_LOSS');
  const edge = (p: Path, a: Minimum, b: Minimum, weight: number) => ({
    pathId: p.id, a: a.id, b: b.id, weight,
    path: { id: p.id, status: 'COMPLETED', linearBarrier: p.linearBarrier, saddle: { trainLoss: weight } },
  });
  assert.deepEqual(tree.edges, [edge(p1, A, B, 1.0), edge(p4, C, D, 1.5), edge(p2, B, C, 2.0)]);
  assert.deepEqual(tree.offTree, [
    { pathId: p5.id, a: A.id, b: D.id, weight: 2.0, bound: 2.0, dominated: false },
    { pathId: p3.id, a: A.id, b: C.id, weight: 3.0, bound: 2.0, dominated: true },
  ]);
  assert.deepEqual(tree.components, [[A.id, B.id, C.id, D.id], [E.id]]);

  // Test loss: p1 1.2 (A,B); p3 1.5 joins C; p2 2.4 closes A-B-C; p5 2.6 joins D; p4 3.0 closes.
  // p2's bound: max(p1, p3) = 1.5 < 2.4, dominated; p4's: chain C-A-D = max(1.5, 2.6) = 2.6 < 3.0.
  const byTest = (await landscapeQuery('spanningTree(weight: $weight) { weight edges { pathId weight } offTree { pathId bound dominated } }', { weight: 'TEST_LOSS' })).spanningTree;
  assert.deepEqual(byTest, {
    weight: 'TEST_LOSS',
    edges: [{ pathId: p1.id, weight: 1.2 }, { pathId: p3.id, weight: 1.5 }, { pathId: p5.id, weight: 2.6 }],
    offTree: [{ pathId: p2.id, bound: 1.5, dominated: true }, { pathId: p4.id, bound: 2.6, dominated: true }],
  });
});

test('linearBarrier of every path is visible, and only finished paths between READY minima count', async () => {
  const { landscape, p1, p2, p3, p4, p5, p6, p7, p8 } = seeded;
  const res = await server.gql('query($id: ID!) { landscape(id: $id) { paths(first: 20) { edges { node { id status linearBarrier } } } } }', { id: landscape.id });
  const byId = new Map(res.data!.landscape.paths.edges.map((e: { node: { id: string } }) => [e.node.id, e.node]));
  for (const [p, status, linear] of [[p1, 'COMPLETED', 5], [p2, 'COMPLETED', 6], [p3, 'COMPLETED', 7], [p4, 'COMPLETED', 8], [p5, 'COMPLETED', 9], [p6, 'FAILED', 100], [p7, 'COMPLETED', 1], [p8, 'PENDING', 50]] as const) {
    assert.deepEqual(byId.get(p.id), { id: p.id, status, linearBarrier: linear });
  }
});

test('barrierBound: the highest edge on the tree chain, null across components', async () => {
  const { A, B, D, E, F, p1, p2, p4, p5 } = seeded;
  const bound = async (a: string, b: string, weight = 'TRAIN_LOSS') =>
    (await landscapeQuery('barrierBound(a: $a, b: $b, weight: $weight) { energy chain { pathId a b weight path { linearBarrier } } }', { a, b, weight })).barrierBound;
  // A to D along the tree: A-B (p1 1.0), B-C (p2 2.0), C-D (p4 1.5): bound 2.0, not p5 directly.
  const ad = await bound(A.id, D.id);
  assert.equal(ad.energy, 2.0);
  assert.deepEqual(ad.chain.map((e: { pathId: string }) => e.pathId), [p1.id, p2.id, p4.id]);
  assert.deepEqual(ad.chain.map((e: { path: { linearBarrier: number } }) => e.path.linearBarrier), [5, 6, 8]);
  // Symmetric: D to A is the same chain walked backwards.
  const da = await bound(D.id, A.id);
  assert.equal(da.energy, 2.0);
  assert.deepEqual(da.chain.map((e: { pathId: string }) => e.pathId), [p4.id, p2.id, p1.id]);
  // By test loss the tree is p1, p3, p5: B-A (1.2), A-D (2.6).
  const bdTest = await bound(B.id, D.id, 'TEST_LOSS');
  assert.deepEqual({ energy: bdTest.energy, chain: bdTest.chain.map((e: { pathId: string }) => e.pathId) }, { energy: 2.6, chain: [p1.id, p5.id] });
  // E is alone (its only path failed): no bound.
  assert.equal(await bound(A.id, E.id), null);
  // A minimum with itself: its own energy, empty chain (the constant path).
  assert.deepEqual(await bound(B.id, B.id), { energy: 0.2, chain: [] });

  // Bad ids name the argument: unknown, not a UUID, another landscape's, not READY.
  const other = Object.assign(new Landscape(), { name: 'other', architecture: { kind: 'surface', name: 'muller-brown' }, training: seeded.landscape.training });
  const em = server.em();
  em.persist(other);
  const foreign = em.create(Minimum, { landscape: other, seed: 1, status: MinimumStatus.READY, trainLoss: 0, parameterCount: 2 });
  await em.flush();
  for (const [a, b, field] of [[randomUUID(), A.id, 'a'], [A.id, 'nope', 'b'], [A.id, foreign.id, 'b'], [F.id, A.id, 'a']]) {
    const res = await server.gql('query($id: ID!, $a: ID!, $b: ID!) { landscape(id: $id) { barrierBound(a: $a, b: $b) { energy } } }', { id: seeded.landscape.id, a, b });
    const error = firstError(res);
    assert.deepEqual({ code: error?.code, field: error?.field }, { code: 'BAD_USER_INPUT', field }, `${a} ${b}`);
    assert.match(error!.message, new RegExp(`^${field}: no READY minimum "${field === 'a' ? a : b}" in this landscape$`));
  }
});

test('suggestions: each strategy against the hand-computed next pairs', async () => {
  const { B, C, D, E, p2, landscape } = seeded;
  // Known pairs: A-B, B-C, A-C, C-D, A-D (completed), A-E (failed), B-C (pending). Untried, lowest
  // first: B-D, B-E, C-E, D-E.
  const suggest = async (strategy: string, limit = 5) =>
    (await landscapeQuery('suggestions(limit: $limit, strategy: $strategy) { a b reason replacesPathId }', { strategy, limit })).suggestions;
  const untried = (a: Minimum, b: Minimum) => ({ a: a.id, b: b.id, reason: 'untried-pair', replacesPathId: null });
  assert.deepEqual(await suggest('lowest'), [untried(B, D), untried(B, E), untried(C, E), untried(D, E)]);
  assert.deepEqual(await suggest('lowest', 2), [untried(B, D), untried(B, E)]);
  // No unfinished path is offered for resuming (the pending one is being computed): as `lowest`.
  assert.deepEqual(await suggest('unfinished', 1), [untried(B, D)]);
  // E's component is not joined to A's: its first untried pair from A's side, x = A, B, ...:
  // A-E is known (failed), so B-E; not the star edge (A-E), hence connect-components.
  assert.deepEqual(await suggest('disconnected'), [{ a: B.id, b: E.id, reason: 'connect-components', replacesPathId: null }]);
  // mst: the pending B-C path crosses the highest tree edge p2 (B-C): skipped (that computation
  // may replace it). Next p4 (1.5) splits {A, B, C} | {D}: A-D known, B-D untried, replacing p4.
  // p1 splits {A} | {B, C, D}: every pair known, so no third suggestion.
  assert.deepEqual(await suggest('mst'), [{ a: B.id, b: D.id, reason: 'split-highest-edge', replacesPathId: seeded.p4.id }]);

  // Without the pending path: split at p2 (2.0) gives {A, B} | {C, D}; A-C, A-D, B-C are known,
  // so B-D, replacing p2. p4's split {A, B, C} | {D} is crossed by B-D (already suggested) and p1's
  // has no untried pair: one suggestion even with limit 5.
  await server.em().nativeUpdate(Path, { id: seeded.p8.id }, { status: PathStatus.CANCELLED });
  try {
    assert.deepEqual(await suggest('mst'), [{ a: B.id, b: D.id, reason: 'split-highest-edge', replacesPathId: p2.id }]);
    // Lowest first is by the chosen weight's value: by test error, A 0.02 < B 0.03 < C 0.05 ...
    // (the same order here), and the tree by test error is p1 0.12, p3 0.15, p5 0.25: highest p5
    // splits {A, B, C} | {D}: A-D known, B-D untried.
    const res = await server.gql('query($id: ID!) { landscape(id: $id) { suggestions(weight: TEST_ERROR) { a b reason replacesPathId } } }', { id: landscape.id });
    assert.deepEqual(res.data!.landscape.suggestions, [{ a: B.id, b: D.id, reason: 'split-highest-edge', replacesPathId: seeded.p5.id }]);
  } finally {
    await server.em().nativeUpdate(Path, { id: seeded.p8.id }, { status: PathStatus.PENDING });
  }
});

test('suggestions: bad strategy and limit are BAD_USER_INPUT naming the argument', async () => {
  const ask = (args: string) => server.gql(`query($id: ID!) { landscape(id: $id) { suggestions${args} { a } } }`, { id: seeded.landscape.id });
  const unknown = firstError(await ask('(strategy: "random")'));
  assert.deepEqual({ code: unknown?.code, field: unknown?.field }, { code: 'BAD_USER_INPUT', field: 'strategy' });
  assert.equal(unknown!.message, 'strategy: unknown pair strategy "random"; known: unfinished, lowest, disconnected, mst');
  for (const limit of [0, -1, 1001]) {
    const error = firstError(await ask(`(limit: ${limit})`));
    assert.deepEqual({ code: error?.code, field: error?.field, message: error?.message }, { code: 'BAD_USER_INPUT', field: 'limit', message: `limit: must be an integer from 1 to 1000, got ${limit}` });
  }
  const grid = firstError(await server.gql('query($id: ID!) { landscape(id: $id) { surfaceGrid(resolution: 1) { xs } } }', { id: seeded.landscape.id }));
  assert.deepEqual({ code: grid?.code, field: grid?.field }, { code: 'BAD_USER_INPUT', field: 'resolution' });
});

test('disconnectivity: scipy-style linkage rows in Kruskal order, a forest for two components', async () => {
  const { A, B, C, D, E } = seeded;
  // Leaves 0..4 = A..E (creation order). p1 (1.0) merges A, B into node 5; p4 (1.5) merges C, D
  // into node 6; p2 (2.0) merges 5 and 6 into node 7 of size 4. E stays alone: 3 rows, not 4.
  const d = (await landscapeQuery('disconnectivity { leaves linkage }')).disconnectivity;
  assert.deepEqual(d, { leaves: [A.id, B.id, C.id, D.id, E.id], linkage: [[0, 1, 1.0, 2], [2, 3, 1.5, 2], [5, 6, 2.0, 4]] });
  // By test loss: p1 (1.2) A+B -> 5; p3 (1.5) 5+C -> 6 (size 3); p5 (2.6) 0's node 6 + D -> 7.
  const t = (await landscapeQuery('disconnectivity(weight: $weight) { linkage }', { weight: 'TEST_LOSS' })).disconnectivity;
  assert.deepEqual(t.linkage, [[0, 1, 1.2, 2], [2, 5, 1.5, 3], [3, 6, 2.6, 4]]);
});

test('summary: Table 1 means over minima and tree saddles, factor, rise and linear barriers', async () => {
  const s = (await landscapeQuery('summary { minima { trainLoss testLoss trainError testError count } saddles { trainLoss testLoss trainError testError count } trainLossFactor testErrorRise linearBarrierTree linearBarrierAll }')).summary;
  // Minima A..E (F is not READY):  train (0.1+0.2+0.3+0.4+0.5)/5 = 0.3, test (0.2+...+0.6)/5 = 0.4,
  // train error (0.01+...+0.05)/5 = 0.03, test error (0.02+0.03+0.05+0.06+0.08)/5 = 0.048.
  // Saddles of the train-loss tree p1, p4, p2: train (1.0+1.5+2.0)/3 = 1.5, test (1.2+3.0+2.4)/3
  // = 2.2, train error (0.1+0.3+0.2)/3 = 0.2, test error (0.12+0.3+0.2)/3 = 0.62/3 = 0.206667.
  // Factor 1.5 / 0.3 = 5; rise 0.206667 - 0.048 = 0.158667.
  // Straight-line barriers: tree paths (5+8+6)/3 = 6.333333; all finished paths p1..p5
  // (5+6+7+8+9)/5 = 7 (not the failed p6's 100, the pending p8's 50, nor p7 to a TRAINING minimum).
  const expected = {
    minima: { trainLoss: 0.3, testLoss: 0.4, trainError: 0.03, testError: 0.048, count: 5 },
    saddles: { trainLoss: 1.5, testLoss: 2.2, trainError: 0.2, testError: 0.62 / 3, count: 3 },
    trainLossFactor: 5,
    testErrorRise: 0.62 / 3 - 0.048,
    linearBarrierTree: 19 / 3,
    linearBarrierAll: 7,
  };
  const close = (actual: unknown, want: unknown, where: string): void => {
    if (typeof want === 'number') return assert.ok(Math.abs((actual as number) - want) < 1e-9, `${where}: ${actual} vs ${want}`);
    if (want && typeof want === 'object') {
      assert.deepEqual(Object.keys(actual as object).sort(), Object.keys(want).sort(), where);
      for (const [k, v] of Object.entries(want)) close((actual as Record<string, unknown>)[k], v, `${where}.${k}`);
      return;
    }
    assert.equal(actual, want, where);
  };
  close(s, expected, 'summary');
});

test('an empty landscape: empty tree, no bound, star suggestions absent, null summary values', async () => {
  const em = server.em();
  const empty = Object.assign(new Landscape(), { name: 'empty', architecture: { kind: 'surface', name: 'muller-brown' }, training: seeded.landscape.training });
  em.persist(empty);
  await em.flush();
  const res = await server.gql(
    `query($id: ID!) { landscape(id: $id) { dimension spanningTree { edges { pathId } offTree { pathId } components }
      suggestions { a } disconnectivity { leaves linkage } summary { minima { trainLoss count } saddles { trainLoss count } trainLossFactor testErrorRise linearBarrierTree linearBarrierAll } } }`,
    { id: empty.id },
  );
  assert.equal(res.errors, undefined);
  assert.deepEqual(res.data!.landscape, {
    dimension: 2,
    spanningTree: { edges: [], offTree: [], components: [] },
    suggestions: [],
    disconnectivity: { leaves: [], linkage: [] },
    summary: { minima: { trainLoss: null, count: 0 }, saddles: { trainLoss: null, count: 0 }, trainLossFactor: null, testErrorRise: null, linearBarrierTree: null, linearBarrierAll: null },
  });
});

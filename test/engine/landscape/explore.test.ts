import { test } from 'node:test';
import assert from 'node:assert/strict';
import { explore, type Connect, type ExploreDecision, type MinimumRecord } from '../../../src/engine/landscape';
import { Random } from '../../../src/engine/random';
import { minimum, path } from './fixtures';

/** A fake `connect` whose saddle train loss is read off a symmetric matrix of true saddles. */
function matrixConnect(ids: readonly string[], saddles: readonly (readonly number[])[], calls: string[] = []): Connect {
  return async (a, b) => {
    calls.push(`${a}-${b}`);
    return { saddle: { trainLoss: saddles[ids.indexOf(a)][ids.indexOf(b)] } };
  };
}

/** Reference MST of a complete matrix by Prim's algorithm (independent of the Kruskal under test). */
function primTree(saddles: readonly (readonly number[])[]): Set<string> {
  const n = saddles.length;
  const inTree = [true, ...Array<boolean>(n - 1).fill(false)];
  const edges = new Set<string>();
  for (let k = 1; k < n; k++) {
    let best: [number, number] | null = null;
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
      if (inTree[i] && !inTree[j] && (best === null || saddles[i][j] < saddles[best[0]][best[1]])) best = [i, j];
    }
    inTree[best![1]] = true;
    edges.add([best![0], best![1]].sort((x, y) => x - y).join('-'));
  }
  return edges;
}

/** Four minima m0 < m1 < m2 < m3 and true saddles m0m1 5, m0m2 3, m0m3 4, m1m2 2, m1m3 6, m2m3 1. */
const four = ['m0', 'm1', 'm2', 'm3'];
const fourMinima = four.map((id, i) => minimum(id, i / 10));
const fourSaddles = [
  [0, 5, 3, 4],
  [5, 0, 2, 6],
  [3, 2, 0, 1],
  [4, 6, 1, 0],
];

const brief = (d: ExploreDecision) =>
  d.kind === 'connect'
    ? `${d.reason} ${d.a}-${d.b}${d.replaces ? ` replaces ${d.replaces.pathId}` : ''}: ${d.outcome}${d.weight === null ? '' : ` at ${d.weight}`}`
    : d.kind === 'edge-ignored'
      ? `ignore ${d.edge.pathId}`
      : `stop ${d.reason}`;

test('algorithm 3 on four minima, step by step', async () => {
  // Initial star from m0: m0-m1 5, m0-m2 3, m0-m3 4. Tree {3, 4, 5}.
  // Highest m0~m1 (5): [m0, m2, m3] | [m1]: (m0,m1) known -> (m2,m1) at 2 < 5: kept. Tree {2, 3, 4}.
  // Highest m0~m3 (4): [m0, m1, m2] | [m3]: (m0,m3) known -> (m1,m3) at 6 > 4: ignored.
  // Highest m0~m3 again: (m0,m3), (m1,m3) known -> (m2,m3) at 1 < 4: kept. Tree {1, 2, 3}.
  // m0~m2 (3): [m0] | [m1, m2, m3]: all pairs known -> ignore; m1~m2 (2): [m0, m2, m3] | [m1]
  // all known -> ignore; m2~m3 (1): [m0, m1, m2] | [m3] all known -> ignore. Every pair known.
  const seen: ExploreDecision[] = [];
  const result = await explore({ minima: fourMinima, connect: matrixConnect(four, fourSaddles), onDecision: (d) => seen.push(d) });
  assert.deepEqual(result.decisions.map(brief), [
    'initial-star m0-m1: kept at 5',
    'initial-star m0-m2: kept at 3',
    'initial-star m0-m3: kept at 4',
    'split-highest-edge m1-m2 replaces m0~m1: kept at 2',
    'split-highest-edge m1-m3 replaces m0~m3: ignored at 6',
    'split-highest-edge m2-m3 replaces m0~m3: kept at 1',
    'ignore m0~m2',
    'ignore m1~m2',
    'ignore m2~m3',
    'stop all-pairs-known',
  ]);
  assert.deepEqual(seen, result.decisions);
  assert.deepEqual(seen.map((d) => d.step), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  assert.equal(result.stopReason, 'all-pairs-known');
  assert.equal(result.pairsTried, 6);
  assert.deepEqual(result.tree.edges.map((e) => [e.pathId, e.weight]), [['m2~m3', 1], ['m1~m2', 2], ['m0~m2', 3]]);
  assert.equal(result.newPaths.length, 6);
});

test('the pair budget stops exploration; tolerance stops it once tree saddles are alike', async () => {
  const calls: string[] = [];
  const budget = await explore({ minima: fourMinima, connect: matrixConnect(four, fourSaddles, calls), maxPairs: 4 });
  assert.equal(calls.length, 4);
  assert.equal(budget.stopReason, 'max-pairs');
  assert.deepEqual(budget.tree.edges.map((e) => e.weight), [2, 3, 4]); // after step 4 above
  // After the star the tree holds 3, 4, 5: spread 2 <= tolerance 2.
  const close = await explore({ minima: fourMinima, connect: matrixConnect(four, fourSaddles), tolerance: 2 });
  assert.equal(close.stopReason, 'converged');
  assert.equal(close.pairsTried, 3);
  // A spread of 2 persists all along (5-3, 4-2, 3-1): 1.9 never converges.
  assert.equal((await explore({ minima: fourMinima, connect: matrixConnect(four, fourSaddles), tolerance: 1.9 })).stopReason, 'all-pairs-known');
  assert.equal((await explore({ minima: fourMinima, connect: matrixConnect(four, fourSaddles), maxPairs: 0 })).pairsTried, 0);
});

test('a failed connection is not retried; its minimum is joined by another pair', async () => {
  // m0-m1 throws. [m1] has no untried pair to [m0] -> m0-m2 (star); then [m0, m2] | [m1]:
  // (m0,m1) failed -> (m2,m1) joins; m0-m3 star; then as before, m0~m3 is split twice.
  const matrix = matrixConnect(four, fourSaddles);
  const connect: Connect = async (a, b, context) => {
    if (a === 'm0' && b === 'm1') throw new Error('NaN loss');
    return matrix(a, b, context);
  };
  const result = await explore({ minima: fourMinima, connect });
  assert.deepEqual(result.decisions.filter((d) => d.kind === 'connect').map(brief), [
    'initial-star m0-m1: failed',
    'initial-star m0-m2: kept at 3',
    'connect-components m1-m2: kept at 2',
    'initial-star m0-m3: kept at 4',
    'split-highest-edge m1-m3 replaces m0~m3: ignored at 6',
    'split-highest-edge m2-m3 replaces m0~m3: kept at 1',
  ]);
  const first = result.decisions[0];
  assert.equal(first.kind === 'connect' && first.error, 'NaN loss');
  assert.deepEqual(result.failed, [['m0', 'm1']]);
  assert.equal(result.stopReason, 'all-pairs-known');
  assert.deepEqual(result.tree.edges.map((e) => e.weight), [1, 2, 3]);
});

test('a path without a usable saddle is recorded but fails', async () => {
  const result = await explore({
    minima: fourMinima.slice(0, 2),
    connect: async () => ({ id: 'p', saddle: { trainLoss: Number.NaN } }),
  });
  const [d] = result.decisions;
  assert.equal(d.kind === 'connect' && d.outcome, 'failed');
  assert.equal(d.kind === 'connect' && d.error, 'saddle.trainLoss: missing or not finite');
  assert.deepEqual(result.paths.map((p) => p.id), ['p']);
  assert.equal(result.tree.edges.length, 0);
  assert.equal(result.stopReason, 'all-pairs-known');
});

test('known paths are used and never connected again', async () => {
  const calls: string[] = [];
  // Known: m0-m1 at 5, m2-m3 at 1. Components [m0, m1], [m2, m3]: joined by m0-m2 (star).
  const result = await explore({
    minima: fourMinima,
    knownPaths: [path('k01', 'm0', 'm1', 5), path('k23', 'm2', 'm3', 1)],
    connect: matrixConnect(four, fourSaddles, calls),
  });
  assert.equal(calls[0], 'm0-m2');
  assert.ok(!calls.includes('m0-m1') && !calls.includes('m2-m3'));
  assert.equal(calls.length, 4); // the 4 other pairs
  assert.deepEqual(result.tree.edges.map((e) => e.pathId), ['k23', 'm1~m2', 'm0~m2']);
});

/** n minima with seeded random energies and true saddles (each above both of its ends). */
function randomLandscape(seed: number, n: number): { minima: MinimumRecord[]; ids: string[]; saddles: number[][] } {
  const random = new Random(seed);
  const ids = Array.from({ length: n }, (_, i) => `m${i}`);
  const energies = ids.map(() => random.uniform());
  const saddles = ids.map(() => Array<number>(n).fill(0));
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) {
    saddles[i][j] = saddles[j][i] = Math.max(energies[i], energies[j]) + random.uniform();
  }
  return { minima: ids.map((id, i) => minimum(id, energies[i])), ids, saddles };
}

const treeOf = (ids: readonly string[], edges: readonly { a: string; b: string }[]) =>
  new Set(edges.map((e) => [ids.indexOf(e.a), ids.indexOf(e.b)].sort((x, y) => x - y).join('-')));

test('with enough budget the result is the true MST of the complete matrix; the budget is kept', async () => {
  for (const seed of [1, 2, 3, 4, 5]) {
    const { minima, ids, saddles } = randomLandscape(seed, 7);
    const result = await explore({ minima, connect: matrixConnect(ids, saddles) });
    assert.deepEqual(treeOf(ids, result.tree.edges), primTree(saddles), `seed ${seed}`);
    assert.ok(result.pairsTried <= 21);
    for (const maxPairs of [3, 6, 10]) {
      const calls: string[] = [];
      const limited = await explore({ minima, connect: matrixConnect(ids, saddles, calls), maxPairs });
      assert.equal(calls.length, maxPairs, `seed ${seed} maxPairs ${maxPairs}`);
      assert.equal(new Set(calls).size, calls.length); // no pair twice
      assert.equal(limited.tree.components.length, maxPairs >= 6 ? 1 : 7 - maxPairs);
    }
  }
});

test('parallel connections: at most `parallel` at once, same final tree', async () => {
  const { minima, ids, saddles } = randomLandscape(7, 8);
  let running = 0;
  let most = 0;
  const matrix = matrixConnect(ids, saddles);
  const connect: Connect = async (a, b, context) => {
    running++;
    most = Math.max(most, running);
    // Finish in an order unrelated to the start order.
    await new Promise((resolve) => setTimeout(resolve, 1 + ((ids.indexOf(a) * 7 + ids.indexOf(b) * 3) % 5)));
    running--;
    return matrix(a, b, context);
  };
  const result = await explore({ minima, connect, parallel: 3 });
  assert.equal(most, 3);
  assert.deepEqual(treeOf(ids, result.tree.edges), primTree(saddles));
  const limited = await explore({ minima, connect, parallel: 3, maxPairs: 10 });
  assert.equal(limited.pairsTried, 10);
  assert.equal(limited.newPaths.length, 10);
  assert.equal(limited.stopReason, 'max-pairs');
});

test('sequential exploration is deterministic', async () => {
  const { minima, ids, saddles } = randomLandscape(11, 6);
  const run = async () => (await explore({ minima, connect: matrixConnect(ids, saddles) })).decisions.map(brief);
  assert.deepEqual(await run(), await run());
});

test('abort: no new connections, running ones get the signal and are awaited', async () => {
  const controller = new AbortController();
  const signals: (AbortSignal | undefined)[] = [];
  const matrix = matrixConnect(four, fourSaddles);
  const connect: Connect = async (a, b, context) => {
    signals.push(context.signal);
    return matrix(a, b, context);
  };
  const result = await explore({
    minima: fourMinima,
    connect,
    signal: controller.signal,
    onDecision: (d) => d.step === 2 && controller.abort(),
  });
  assert.equal(result.stopReason, 'aborted');
  assert.equal(result.pairsTried, 2);
  assert.ok(signals.every((s) => s === controller.signal));
  assert.equal(brief(result.decisions.at(-1)!), 'stop aborted');
  const before = await explore({ minima: fourMinima, connect, signal: AbortSignal.abort() });
  assert.deepEqual([before.pairsTried, before.stopReason], [0, 'aborted']);
});

test('bad options are refused with the field named', async () => {
  const connect = matrixConnect(four, fourSaddles);
  await assert.rejects(explore({ minima: fourMinima, connect, parallel: 0 }), /parallel: must be a positive integer/);
  await assert.rejects(explore({ minima: fourMinima, connect, maxPairs: 1.5 }), /maxPairs/);
  await assert.rejects(explore({ minima: fourMinima, connect, tolerance: -1 }), /tolerance/);
  await assert.rejects(explore({ minima: fourMinima, connect, knownPaths: [path('x', 'm0', 'q', 1)] }), /paths\[0\]\.b: unknown minimum "q"/);
});

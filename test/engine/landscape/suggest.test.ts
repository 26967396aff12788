import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getPairStrategy, landscapeGraph, pairStrategies, splitHighestEdges, suggestPairs } from '../../../src/engine/landscape';
import { minimum, path } from './fixtures';

const pairs = (s: readonly { a: string; b: string }[]) => s.map((p) => `${p.a}-${p.b}`);
const abcd = [minimum('A', 0.1), minimum('B', 0.2), minimum('C', 0.3), minimum('D', 0.4)];

test('strategies are resolved by name from one registry', () => {
  assert.deepEqual(Object.keys(pairStrategies).sort(), ['disconnected', 'lowest', 'mst', 'unfinished']);
  assert.equal(getPairStrategy('mst'), pairStrategies.mst);
  assert.throws(() => getPairStrategy('random'), /strategy: unknown pair strategy "random"/);
  assert.throws(() => suggestPairs('toString', abcd, []), /strategy: unknown/);
  assert.throws(() => suggestPairs('mst', abcd, [], { limit: -1 }), /limit: must be a non-negative integer/);
});

test('unfinished: unfinished paths in input order, then untried pairs lowest first', () => {
  // Known: A-B finished, C-D unfinished (u1), A-C unfinished (u2).
  // Untried, lowest first: (A,B)k (A,C)k (A,D) | (B,C) (B,D) | (C,D)k -> A-D, B-C, B-D.
  const paths = [path('ab', 'A', 'B', 1), path('u1', 'D', 'C', null, { finished: false }), path('u2', 'A', 'C', null, { finished: false })];
  const five = suggestPairs('unfinished', abcd, paths, { limit: 5 });
  assert.deepEqual(pairs(five), ['C-D', 'A-C', 'A-D', 'B-C', 'B-D']);
  assert.deepEqual(five.map((s) => s.reason), ['unfinished-path', 'unfinished-path', 'untried-pair', 'untried-pair', 'untried-pair']);
  assert.deepEqual(five.map((s) => s.pathId), ['u1', 'u2', undefined, undefined, undefined]);
  assert.deepEqual(pairs(suggestPairs('unfinished', abcd, paths, { limit: 3 })), ['C-D', 'A-C', 'A-D']);
  assert.deepEqual(pairs(suggestPairs('unfinished', abcd, paths)), ['C-D']); // limit 1 by default
  assert.deepEqual(pairs(suggestPairs('lowest', abcd, paths, { limit: 9 })), ['A-D', 'B-C', 'B-D']);
});

test('disconnected from scratch: the lowest minimum to every other one (the initial star)', () => {
  // Minima listed out of order: the star is still centred on the lowest, A.
  const minima = [minimum('E', 0.5), minimum('C', 0.3), minimum('A', 0.1), minimum('D', 0.4), minimum('B', 0.2)];
  const all = suggestPairs('disconnected', minima, [], { limit: 10 });
  assert.deepEqual(pairs(all), ['A-B', 'A-C', 'A-D', 'A-E']);
  assert.ok(all.every((s) => s.reason === 'initial-star'));
  assert.deepEqual(pairs(suggestPairs('disconnected', minima, [], { limit: 2 })), ['A-B', 'A-C']);
});

test('disconnected: failed pairs are skipped, pending pairs count as connections', () => {
  // B-C joined; A-B failed; A-D pending. Components: [A, D(pending)], [B, C], [E].
  // [B, C]: (A,B) failed -> (A,C) by connect-components; [E]: (A,E) star.
  const minima = [minimum('A', 0.1), minimum('B', 0.2), minimum('C', 0.3), minimum('D', 0.4), minimum('E', 0.5)];
  const got = suggestPairs('disconnected', minima, [path('bc', 'B', 'C', 1)], { limit: 10, failed: [['A', 'B']], pending: [['A', 'D']] });
  assert.deepEqual(pairs(got), ['A-C', 'A-E']);
  assert.deepEqual(got.map((s) => s.reason), ['connect-components', 'initial-star']);
  assert.deepEqual(suggestPairs('disconnected', abcd, [path('ab', 'A', 'B', 1), path('bc', 'B', 'C', 1), path('cd', 'C', 'D', 1)]), []);
  assert.throws(() => suggestPairs('disconnected', abcd, [], { pending: [['A', 'Z']] }), /pending\[0\]: not a pair/);
});

// Star from A: A-B 5, A-C 3, A-D 4.
const star = [path('pAB', 'A', 'B', 5), path('pAC', 'A', 'C', 3), path('pAD', 'A', 'D', 4)];

test('mst: take out the highest edge and join its sides by the lowest untried pair', () => {
  // Highest pAB (5): sides [A, C, D] | [B]: (A,B) known -> (C,B), given lower first as B-C.
  const [first] = suggestPairs('mst', abcd, star);
  assert.deepEqual(pairs([first]), ['B-C']);
  assert.equal(first.reason, 'split-highest-edge');
  assert.equal(first.replaces?.pathId, 'pAB');
  // limit 3: next pAD (4): [A, B, C] | [D]: (A,D) known -> (B,D). Then pAC (3): [A, B, D] | [C]:
  // the pair B-C suggested already crosses it, so the edge is claimed and skipped.
  const three = suggestPairs('mst', abcd, star, { limit: 3 });
  assert.deepEqual(pairs(three), ['B-C', 'B-D']);
  assert.deepEqual(three.map((s) => s.replaces?.pathId), ['pAB', 'pAD']);
  // An edge marked ignored is never taken out.
  assert.deepEqual(pairs(suggestPairs('mst', abcd, star, { ignoredPathIds: ['pAB'] })), ['B-D']);
  // A pending B-D crosses pAB and pAD and claims both: pAC (3) is split, [A, B, D] | [C] -> B-C.
  assert.deepEqual(pairs(suggestPairs('mst', abcd, star, { pending: [['B', 'D']] })), ['B-C']);
});

test('mst: an edge whose sides are fully connected is ignored and the next-highest is taken', () => {
  // Paths AB 5, AC 3, AD 4, BC 6, BD 7. Tree: AC 3, AD 4, AB 5 (BC, BD dominated).
  // pAB: [A, C, D] | [B]: A-B, C-B, D-B all known -> ignored. pAD: [A, B, C] | [D]: (A,D), (B,D)
  // known -> (C,D).
  const paths = [...star, path('pBC', 'B', 'C', 6), path('pBD', 'B', 'D', 7)];
  const got = suggestPairs('mst', abcd, paths);
  assert.deepEqual(pairs(got), ['C-D']);
  assert.equal(got[0].replaces?.pathId, 'pAD');
  const { ignored } = splitHighestEdges(landscapeGraph(abcd, paths), 1);
  assert.deepEqual(ignored.map((e) => e.pathId), ['pAB']);
});

test('mst: nothing to suggest once every pair is known', () => {
  const abc = abcd.slice(0, 3);
  const paths = [path('pAB', 'A', 'B', 5), path('pAC', 'A', 'C', 3), path('pBC', 'B', 'C', 4)];
  assert.deepEqual(suggestPairs('mst', abc, paths, { limit: 3 }), []);
  assert.deepEqual(
    splitHighestEdges(landscapeGraph(abc, paths), 3).ignored.map((e) => e.pathId),
    ['pBC', 'pAC'],
  );
});

test('strategies rank minima by the chosen value: test loss puts B lowest', () => {
  const minima = [
    { id: 'A', trainLoss: 0.1, testLoss: 0.9 },
    { id: 'B', trainLoss: 0.2, testLoss: 0.1 },
    { id: 'C', trainLoss: 0.3, testLoss: 0.5 },
  ];
  assert.deepEqual(pairs(suggestPairs('disconnected', minima, [], { limit: 2 })), ['A-B', 'A-C']);
  assert.deepEqual(pairs(suggestPairs('disconnected', minima, [], { limit: 2, valueKey: 'testLoss' })), ['B-C', 'B-A']);
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AutoNebConfigInput } from '../../src/engine/autoneb/config';
import type { CycleRecord } from '../../src/engine/autoneb/run';
import { autoNebCycles, runAutoNEB } from '../../src/engine/autoneb/run';
import { NonFiniteEnergyError } from '../../src/engine/energy';
import { InvalidInputError } from '../../src/engine/errors';
import { cumulativeLengths, pointAt } from '../../src/engine/path';
import { mullerBrown } from '../../src/engine/surfaces';
import { close, closeVector, FunctionEnergy, sameBits } from './helpers';

const start = mullerBrown.minimum(0);
const end = mullerBrown.minimum(1);
// Six short cycles of the `surface` preset's shape: equal, 3 x highest, 2 without insertion.
const short: AutoNebConfigInput = {
  preset: 'surface',
  cycles: [
    { insertion: { strategy: 'equal', count: 3 }, steps: 60, learningRate: 0.01 },
    { insertion: { strategy: 'highest', count: 2, threshold: 0.1 } },
    { insertion: { strategy: 'highest', count: 2, threshold: 0.01 } },
    {},
    { insertion: null, learningRate: 0.003 },
    { learningRate: 0.001 },
  ],
};

test('records: one per cycle, cycle 1 turns 2 endpoints into 5 pivots, consistent contents', async () => {
  const records: CycleRecord[] = [];
  const result = await runAutoNEB(mullerBrown, start, end, short, { onCycle: (r) => void records.push(r) });
  assert.deepEqual(records.map((r) => r.cycle), [1, 2, 3, 4, 5, 6]);
  assert.deepEqual(result.cycles, records);
  assert.equal(records[0].pivotsInserted, 3);
  assert.equal(records[0].pivots.length, 5);
  for (const r of records) {
    const n = r.pivots.length;
    assert.equal(r.profile.energy.length, (n - 1) * 10 + 1, '9 evaluation points per segment');
    assert.equal(r.pivotEnergies.length, n);
    assert.equal(r.maxEnergy, Math.max(...r.profile.energy));
    assert.equal(r.saddle.energy, r.maxEnergy);
    close(mullerBrown.value(r.saddle.point[0], r.saddle.point[1]), r.saddle.energy, 1e-9, 'saddle point energy');
    closeVector(pointAt(r.pivots, r.saddle.t), r.saddle.point, 1e-5, 'pointAt(saddle.t)');
    r.pivotEnergies.forEach((e, i) => close(e, mullerBrown.value(r.pivots[i][0], r.pivots[i][1]), 1e-9, 'pivot energy'));
    assert.equal(r.pivotPositions[0], 0);
    assert.equal(r.pivotPositions[n - 1], 1);
    assert.ok(r.pivotPositions.every((t, i) => i === 0 || t > r.pivotPositions[i - 1]));
    assert.ok(r.maxPerpendicularGradient >= 0 && Number.isFinite(r.maxPerpendicularGradient));
    closeVector(r.pivots[0], start, 0);
    closeVector(r.pivots[n - 1], end, 0);
    // String method: neighbour distances equal (to second order in the bends, see neb-step test).
    const c = cumulativeLengths(r.pivots);
    const mean = c[n - 1] / (n - 1);
    for (let i = 1; i < n; i++) close(c[i] - c[i - 1], mean, 1e-2 * mean, `cycle ${r.cycle} spacing`);
  }
  assert.ok(sameBits(result.pivots, records[5].pivots));
  assert.deepEqual(result.profile, records[5].profile);
  // Convergence improves as the learning rate drops.
  assert.ok(records[5].maxPerpendicularGradient < records[0].maxPerpendicularGradient);
});

test('highest insertion happens exactly where the residual rule says (re-derived from the previous record)', async () => {
  const records: CycleRecord[] = [];
  await runAutoNEB(mullerBrown, start, end, short, { onCycle: (r) => void records.push(r) });
  let checked = 0;
  for (let c = 1; c < records.length; c++) {
    const insertion = records[c].config.insertion;
    if (insertion?.strategy !== 'highest') continue;
    const previous = records[c - 1];
    const e = previous.profile.energy;
    const stride = previous.profile.pointsPerSegment + 1;
    const range = Math.max(...previous.pivotEnergies) - Math.min(...previous.pivotEnergies);
    const candidates: Array<[number, number]> = []; // [residual, segment]
    for (let s = 0; s < previous.pivots.length - 1; s++) {
      let best = -Infinity;
      for (let j = 1; j < stride; j++) best = Math.max(best, e[s * stride + j] - (e[s * stride] * (stride - j) + e[(s + 1) * stride] * j) / stride);
      if (best > insertion.threshold * range) candidates.push([best, s]);
    }
    const expected = candidates.sort((a, b) => b[0] - a[0]).slice(0, insertion.count).map(([, s]) => s).sort((a, b) => a - b);
    // A pivot inserted at new index k, after `before` other new pivots, lies in old segment k - before - 1.
    const segments = records[c].insertedAt.map((k, before) => k - before - 1);
    assert.deepEqual(segments, expected, `cycle ${c + 1}`);
    assert.equal(records[c].pivots.length, previous.pivots.length + expected.length);
    checked += expected.length;
  }
  assert.ok(checked > 0, 'some pivots were inserted by the highest rule');
});

test('async iterator yields the same records while running, and returns the result', async () => {
  const iterator = autoNebCycles(mullerBrown, start, end, short);
  const seen: CycleRecord[] = [];
  let next = await iterator.next();
  while (!next.done) {
    seen.push(next.value);
    next = await iterator.next();
  }
  const viaCallback = await runAutoNEB(mullerBrown, start, end, short);
  assert.equal(seen.length, 6);
  assert.deepEqual(next.value.cycles, seen);
  assert.ok(sameBits(next.value.pivots, viaCallback.pivots));
  assert.deepEqual(seen.map((r) => r.maxEnergy), viaCallback.cycles.map((r) => r.maxEnergy));
});

test('deterministic: the same config gives the same path bit for bit (paper default SGD too)', async () => {
  const a = await runAutoNEB(mullerBrown, start, end, short);
  const b = await runAutoNEB(mullerBrown, start, end, short);
  assert.ok(sameBits(a.pivots, b.pivots));
  assert.deepEqual(a.cycles.map((r) => r.profile.energy), b.cycles.map((r) => r.profile.energy));
  const sgd: AutoNebConfigInput = { preset: 'tiny', base: { optimizer: { weightDecay: 0 } }, cycles: [{ insertion: { strategy: 'equal', count: 3 }, steps: 30, learningRate: 1e-4 }, { insertion: { strategy: 'highest' } }] };
  const c = await runAutoNEB(mullerBrown, start, end, sgd);
  const d = await runAutoNEB(mullerBrown, start, end, sgd);
  assert.ok(sameBits(c.pivots, d.pivots));
});

test('resume from a stored cycle gives the uninterrupted result bit for bit', async () => {
  const full = await runAutoNEB(mullerBrown, start, end, short);
  for (const cyclesDone of [1, 3]) {
    const stored = full.cycles[cyclesDone - 1];
    const resumed = await runAutoNEB(mullerBrown, start, end, short, { initial: { pivots: stored.pivots, cyclesDone, forceScale: stored.forceScale } });
    assert.deepEqual(resumed.cycles.map((r) => r.cycle), [2, 3, 4, 5, 6].slice(cyclesDone - 1));
    assert.ok(sameBits(resumed.pivots, full.pivots), `resumed after cycle ${cyclesDone}`);
    // The first resumed cycle also re-evaluates the stored path's dense profile (its insertion reads it).
    const withoutCount = (records: CycleRecord[]) => records.map(({ evaluations: _, ...rest }) => rest);
    assert.deepEqual(withoutCount(resumed.cycles), withoutCount(full.cycles.slice(cyclesDone)));
    assert.deepEqual(resumed.cycles.slice(1).map((r) => r.evaluations), full.cycles.slice(cyclesDone + 1).map((r) => r.evaluations));
  }
  const done = await runAutoNEB(mullerBrown, start, end, short, { initial: { pivots: full.pivots, cyclesDone: 6 } });
  assert.equal(done.cycles.length, 0);
  assert.equal(done.saddle.energy, full.saddle.energy);
});

test('cancellation between steps: an abort during a long cycle rejects promptly', async () => {
  const controller = new AbortController();
  const began = Date.now();
  setTimeout(() => controller.abort(), 50);
  await assert.rejects(
    runAutoNEB(mullerBrown, start, end, { preset: 'surface', cycles: [{ steps: 10_000_000 }], base: { insertion: { strategy: 'equal', count: 3 } } }, { signal: controller.signal }),
    { name: 'AbortError' },
  );
  assert.ok(Date.now() - began < 2000, 'aborted within 2 s');
  const fromCallback = new AbortController();
  await assert.rejects(runAutoNEB(mullerBrown, start, end, short, { signal: fromCallback.signal, onCycle: (r) => (r.cycle === 2 ? fromCallback.abort() : undefined) }), { name: 'AbortError' });
});

test('bad input throws an error naming the problem, never a NaN path', async () => {
  const field = (pattern: RegExp) => (e: Error) => e instanceof InvalidInputError && pattern.test(e.message);
  await assert.rejects(runAutoNEB(mullerBrown, Float32Array.of(0, 0, 0), end, 'surface'), field(/^start: has 3 coordinates, energy muller-brown has dimension 2/));
  await assert.rejects(runAutoNEB(mullerBrown, start, Float32Array.of(1), 'surface'), field(/^end: has 1 coordinates/));
  await assert.rejects(runAutoNEB(mullerBrown, Float32Array.of(NaN, 0), end, 'surface'), (e: Error) => e instanceof NonFiniteEnergyError && e.what === 'coordinate' && /start\[0\] is NaN/.test(e.message));
  await assert.rejects(runAutoNEB(mullerBrown, start, Float32Array.of(0, Infinity), 'surface'), NonFiniteEnergyError);
  await assert.rejects(runAutoNEB(mullerBrown, start, Float32Array.from(start), 'surface'), field(/^end: coincides with start/));
  // @ts-expect-error unknown strategy on purpose
  await assert.rejects(runAutoNEB(mullerBrown, start, end, { cycles: [{ insertion: { strategy: 'middle' } }] }), field(/strategy: unknown insertion strategy "middle"/));
  await assert.rejects(runAutoNEB(mullerBrown, start, end, { cycles: [{ steps: -5 }] }), field(/steps: must be an integer >= 0, got -5/));
  await assert.rejects(runAutoNEB(mullerBrown, start, end, { cycles: [{ learningRate: -0.1 }] }), field(/learningRate/));
  await assert.rejects(runAutoNEB(mullerBrown, start, end, { cycles: [{ insertion: { strategy: 'highest', threshold: 2 } }] }), field(/threshold/));
  await assert.rejects(runAutoNEB(mullerBrown, start, end, { cycles: [{ steps: 10 }] }), field(/cycles\[0\]: no pivots between the endpoints/));
  await assert.rejects(runAutoNEB(mullerBrown, start, end, short, { initial: { pivots: [start, end], cyclesDone: 7 } }), field(/initial.cyclesDone: must be an integer in \[0, 6\]/));
  await assert.rejects(runAutoNEB(mullerBrown, start, end, short, { initial: { pivots: [start, Float32Array.of(0, 0)], cyclesDone: 1 } }), field(/initial.pivots\[1\]: differs from end/));
  // An energy that turns NaN away from the endpoints (x > 0): the run stops with the reason.
  const holed = new FunctionEnergy('holed', 2, (p) => (p[0] > 0 && p[0] < 0.5 ? NaN : mullerBrown.value(p[0], p[1])), (p) => mullerBrown.gradient(p[0], p[1]));
  await assert.rejects(runAutoNEB(holed, start, end, short), (e: Error) => e instanceof NonFiniteEnergyError && e.what === 'loss');
  // The paper's SGD learning rate 0.1 on Müller-Brown's gradients (~1000) explodes: an error, not NaN.
  await assert.rejects(runAutoNEB(mullerBrown, start, end, 'tiny'), NonFiniteEnergyError);
});

// In relative units the optimiser sees force x L / force scale: on the first band the largest
// force is the scale, so SGD's first step moves the one pivot by lr x L, whatever the units.
// Curved double well (x^2 - 1)^2 + (y - (1 - x^2)/2)^2 between (-1, 0) and (1, 0): at the middle
// pivot (0, 0) the gradient is (0, -1), all perpendicular to the line; L = 2: the pivot goes to
// (0, 0.1 x 2) (the string method's redistribution keeps the symmetric pivot where it is).
test('relativeUnits: SGD\'s first step is lr x L along the force, in any energy or length units', async () => {
  for (const [energyFactor, lengthFactor] of [[1, 1], [1e-4, 10]]) {
    const s = lengthFactor;
    const energy = new FunctionEnergy(
      'curved-double-well',
      2,
      ([x, y]) => energyFactor * (((x / s) ** 2 - 1) ** 2 + (y / s - 0.5 * (1 - (x / s) ** 2)) ** 2),
      ([x, y]) => {
        const [u, v] = [x / s, y / s];
        const bend = v - 0.5 * (1 - u * u);
        return [(energyFactor * (4 * u * (u * u - 1) + 2 * bend * u)) / s, (energyFactor * 2 * bend) / s];
      },
    );
    const result = await runAutoNEB(energy, Float32Array.of(-s, 0), Float32Array.of(s, 0), {
      preset: 'paper',
      cycles: [{ insertion: { strategy: 'equal', count: 1 }, steps: 1, learningRate: 0.1, relativeUnits: true, optimizer: { name: 'sgd', momentum: 0, weightDecay: 0 }, evaluationPoints: 1 }],
    });
    closeVector(result.pivots[1], [0, 0.2 * s], 1e-6 * s);
  }
});

// A path without a barrier peaks at an endpoint (as networks' paths between minima SGD left short
// of the bottom do): with climbing on, the saddle is then that endpoint, not the lower climbing
// pivot. E = (x - 2)^2 + y^2 from (0, 0) (E = 4) to (1, 0) (E = 1) falls all along the line; five
// SGD steps of lr 0.01 move the climber (at x = 0.25) by at most 0.2 towards the start.
test('climbing on a path without a barrier: the saddle is the higher endpoint', async () => {
  const bowl = new FunctionEnergy('bowl', 2, ([x, y]) => (x - 2) ** 2 + y * y, ([x, y]) => [2 * (x - 2), 2 * y]);
  const result = await runAutoNEB(bowl, Float32Array.of(0, 0), Float32Array.of(1, 0), {
    preset: 'paper',
    cycles: [{ insertion: { strategy: 'equal', count: 3 }, steps: 5, learningRate: 0.01, climbing: true, optimizer: { name: 'sgd', momentum: 0, weightDecay: 0 } }],
  });
  const climber = result.cycles[0].pivotEnergies[1];
  assert.ok(climber > 3.06 && climber < 4, `the climber rose towards the start: ${climber}`);
  assert.equal(result.saddle.energy, 4);
  assert.equal(result.saddle.t, 0);
});

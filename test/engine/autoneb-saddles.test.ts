import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runAutoNEB } from '../../src/engine/autoneb/run';
import { exactGridPath } from '../../src/engine/exact-path';
import type { AnalyticSurface } from '../../src/engine/surfaces';
import { curvedValley, himmelblau, mullerBrown, wolfeQuapp } from '../../src/engine/surfaces';
import { newtonCriticalPoint } from './helpers';

/**
 * AutoNEB (preset `surface`) against the exact minimum-energy path of the grid DP (401 x 401).
 * Stated tolerances, relative to the barrier b = exact saddle - lower endpoint energy:
 *   without climbing image: |AutoNEB - grid| <= 2% b (pivots sample the saddle region coarsely);
 *   with climbing image:    |AutoNEB - grid| <= grid error (max|Hessian eigenvalue| h^2) + 1e-4 b,
 *   and closer to the true saddle (Newton-refined from the grid saddle) than without.
 * The pairs are those where the straight line leads AutoNEB to the global MEP.
 */
const cases: Array<[AnalyticSurface, number, number]> = [
  [mullerBrown, 0, 1], // through the intermediate minimum: two saddles in series
  [mullerBrown, 1, 2],
  [himmelblau, 0, 3],
  [himmelblau, 0, 1],
  [wolfeQuapp, 0, 1],
  [wolfeQuapp, 1, 2],
  [curvedValley, 0, 1], // the straight line crosses a maximum; two routes round the ring
];

for (const [surface, from, to] of cases) {
  test(`${surface.name} ${from} -> ${to}: AutoNEB saddle matches the exact path's maximum`, async (t) => {
    const start = surface.minimum(from);
    const end = surface.minimum(to);
    const grid = await exactGridPath(surface, surface.box, start, end, { resolution: 401 });
    const saddle = newtonCriticalPoint(surface, grid.saddle[0], grid.saddle[1]);
    const h = Math.max(...grid.spacing);
    const gridError = Math.max(...saddle.hessianEigenvalues.map(Math.abs)) * h * h;
    const barrier = grid.saddleEnergy - Math.min(surface.minima[from].energy, surface.minima[to].energy);

    const plain = await runAutoNEB(surface, start, end, 'surface');
    const climbing = await runAutoNEB(surface, start, end, { preset: 'surface', base: { climbing: true } });
    const plainError = plain.saddle.energy - grid.saddleEnergy;
    const climbingError = climbing.saddle.energy - grid.saddleEnergy;
    t.diagnostic(
      `grid ${grid.saddleEnergy.toFixed(5)} newton ${saddle.energy.toFixed(5)} barrier ${barrier.toFixed(3)} | ` +
        `plain ${plain.saddle.energy.toFixed(5)} (${((100 * plainError) / barrier).toFixed(3)}% b, ${plain.pivots.length} pivots) | ` +
        `climbing ${climbing.saddle.energy.toFixed(5)} (${((100 * climbingError) / barrier).toFixed(4)}% b, vs newton ${(climbing.saddle.energy - saddle.energy).toExponential(2)})`,
    );
    assert.ok(Math.abs(plainError) <= 0.02 * barrier, `without climbing: off by ${plainError}`);
    assert.ok(Math.abs(climbingError) <= gridError + 1e-4 * barrier, `with climbing: off by ${climbingError}`);
    assert.ok(
      Math.abs(climbing.saddle.energy - saddle.energy) < Math.abs(plain.saddle.energy - saddle.energy),
      'the climbing image gets closer to the saddle',
    );
  });
}

test('a bad straight-line start gives a local MEP: an upper bound above the exact saddle (Himmelblau 2 -> 3)', async (t) => {
  const grid = await exactGridPath(himmelblau, himmelblau.box, himmelblau.minimum(2), himmelblau.minimum(3), { resolution: 201 });
  const result = await runAutoNEB(himmelblau, himmelblau.minimum(2), himmelblau.minimum(3), { preset: 'surface', base: { climbing: true } });
  t.diagnostic(`AutoNEB ${result.saddle.energy.toFixed(3)} vs exact ${grid.saddleEnergy.toFixed(3)}`);
  assert.ok(result.saddle.energy > grid.saddleEnergy);
});

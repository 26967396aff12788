import assert from 'node:assert/strict';
import { test } from 'node:test';
import { exactGridPath, minimaxGridPath } from '../../src/engine/exact-path';
import { InvalidInputError } from '../../src/engine/errors';
import { himmelblau, mullerBrown, wolfeQuapp, curvedValley } from '../../src/engine/surfaces';
import { close, newtonCriticalPoint } from './helpers';

test('minimax path on a hand-made grid goes around the high wall through the lowest gap', () => {
  // 5 x 4 grid (row-major, y rows). From (0,0) to (4,0): the direct row has a 9 wall at x=2;
  // the gap of height 5 is at (2,3); the 7 at (2,1) and 6 at (2,2) are worse or equal routes.
  const rows = [
    [0, 1, 9, 1, 0],
    [1, 1, 7, 1, 1],
    [1, 1, 6, 1, 1],
    [1, 1, 5, 1, 1],
  ];
  const values = Float64Array.from(rows.flat());
  const { nodes, bottleneck } = minimaxGridPath(values, 5, 4, 0, 4);
  assert.equal(bottleneck, 5);
  assert.ok(nodes.includes(3 * 5 + 2), 'passes the gap (2, 3)');
  assert.equal(nodes[0], 0);
  assert.equal(nodes[nodes.length - 1], 4);
  for (let i = 1; i < nodes.length; i++) {
    const [ax, ay, bx, by] = [nodes[i - 1] % 5, Math.floor(nodes[i - 1] / 5), nodes[i] % 5, Math.floor(nodes[i] / 5)];
    assert.ok(Math.max(Math.abs(ax - bx), Math.abs(ay - by)) === 1, 'neighbouring nodes (8-connected)');
  }
  assert.equal(Math.max(...nodes.map((n) => values[n])), bottleneck);
});

test('diagonal steps are allowed (8-connected): a diagonal valley has bottleneck 0', () => {
  const values = Float64Array.from([0, 9, 9, 9, 0, 9, 9, 9, 0]);
  assert.deepEqual(minimaxGridPath(values, 3, 3, 0, 8), { nodes: [0, 4, 8], bottleneck: 0 });
});

test('Müller-Brown saddles match the literature values -40.665 and -72.249', async () => {
  const ab = await exactGridPath(mullerBrown, mullerBrown.box, mullerBrown.minimum(0), mullerBrown.minimum(1), { resolution: 401 });
  const cb = await exactGridPath(mullerBrown, mullerBrown.box, mullerBrown.minimum(2), mullerBrown.minimum(1), { resolution: 401 });
  close(ab.saddleEnergy, -40.665, 0.01, 'A-B saddle');
  close(cb.saddleEnergy, -72.249, 0.01, 'C-B saddle');
  close(ab.saddle[0], -0.822, 0.01, 'A-B saddle x');
  close(ab.saddle[1], 0.624, 0.01, 'A-B saddle y');
  assert.equal(Math.max(...ab.energies), ab.saddleEnergy);
  const [hx, hy] = ab.spacing;
  for (let i = 1; i < ab.path.length; i++) {
    assert.ok(Math.abs(ab.path[i][0] - ab.path[i - 1][0]) <= hx * 1.0001 && Math.abs(ab.path[i][1] - ab.path[i - 1][1]) <= hy * 1.0001, 'grid neighbours');
  }
});

test('grid saddles agree with Newton-refined saddle points (one negative Hessian eigenvalue)', async () => {
  const cases = [
    { surface: himmelblau, from: 0, to: 3 },
    { surface: himmelblau, from: 0, to: 1 },
    { surface: wolfeQuapp, from: 1, to: 2 },
    { surface: curvedValley, from: 0, to: 1 },
  ];
  for (const { surface, from, to } of cases) {
    const grid = await exactGridPath(surface, surface.box, surface.minimum(from), surface.minimum(to), { resolution: 401 });
    const saddle = newtonCriticalPoint(surface, grid.saddle[0], grid.saddle[1]);
    assert.ok(saddle.hessianEigenvalues[0] < 0 && saddle.hessianEigenvalues[1] > 0, `${surface.name}: Newton point is not a saddle`);
    // A grid node lies within h of the saddle: the energy error is at most ~ max|eigenvalue| h^2.
    const h = Math.max(...grid.spacing);
    const tolerance = Math.max(...saddle.hessianEigenvalues.map(Math.abs)) * h * h;
    close(grid.saddleEnergy, saddle.energy, tolerance, `${surface.name} ${from}-${to}`);
  }
});

test('bad input: non-2-D energy, points outside the box, tiny resolution', async () => {
  const box = mullerBrown.box;
  await assert.rejects(exactGridPath(mullerBrown, box, [5, 5], [0, 0]), (e: Error) => e instanceof InvalidInputError && /start/.test(e.message));
  await assert.rejects(exactGridPath(mullerBrown, box, [0, 0], [0.5, 0], { resolution: 2 }), /resolution/);
  await assert.rejects(exactGridPath({ ...mullerBrown, dimension: 3, name: 'x', loss: mullerBrown.loss, lossAndGradient: mullerBrown.lossAndGradient }, box, [0, 0], [0.5, 0]), /dimension 3/);
  assert.throws(() => minimaxGridPath(new Float64Array(4), 2, 2, 0, 9), /to: node 9/);
});

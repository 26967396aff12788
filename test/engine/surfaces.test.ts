import assert from 'node:assert/strict';
import { test } from 'node:test';
import { minimize } from '../../src/engine/minimize';
import { Random } from '../../src/engine/random';
import { getSurface, mullerBrown, randomPointInBox, SURFACES, himmelblau } from '../../src/engine/surfaces';
import { InvalidInputError } from '../../src/engine/errors';
import { close, hessian } from './helpers';

const surfaces = Object.values(SURFACES);

test('there are at least four surfaces, three of them with more than two minima', () => {
  assert.ok(surfaces.length >= 4);
  assert.ok(surfaces.filter((s) => s.minima.length > 2).length >= 3);
  for (const s of surfaces) {
    assert.equal(getSurface(s.name), s);
    assert.ok(s.box.xmax > s.box.xmin && s.box.ymax > s.box.ymin, s.name);
  }
});

test('analytic gradients match central finite differences at seeded random points', () => {
  const random = new Random('surface-gradients');
  for (const s of surfaces) {
    for (let k = 0; k < 20; k++) {
      const [x, y] = randomPointInBox(s.box, random);
      const h = 1e-6;
      const fdx = (s.value(x + h, y) - s.value(x - h, y)) / (2 * h);
      const fdy = (s.value(x, y + h) - s.value(x, y - h)) / (2 * h);
      const [gx, gy] = s.gradient(x, y);
      const scale = 1 + Math.hypot(gx, gy);
      close(gx, fdx, 1e-5 * scale, `${s.name} d/dx at (${x}, ${y})`);
      close(gy, fdy, 1e-5 * scale, `${s.name} d/dy at (${x}, ${y})`);
    }
  }
});

test('listed minima are minima: zero gradient, positive definite Hessian, listed energy', () => {
  for (const s of surfaces) {
    for (const m of s.minima) {
      const [gx, gy] = s.gradient(m.x, m.y);
      const [[a, b], [, d]] = hessian(s, m.x, m.y);
      const scale = Math.abs(a) + Math.abs(d);
      assert.ok(Math.hypot(gx, gy) < 1e-4 * scale, `${s.name} gradient ${gx},${gy} at listed minimum`);
      assert.ok(a > 0 && a * d - b * b > 0, `${s.name} Hessian at (${m.x}, ${m.y}) is not positive definite`);
      close(s.value(m.x, m.y), m.energy, 1e-5 * (1 + Math.abs(m.energy)), `${s.name} energy`);
    }
  }
});

test('Müller-Brown minima agree with the literature (Müller & Brown 1979)', () => {
  const literature = [
    [-0.558, 1.442, -146.7],
    [0.623, 0.028, -108.17],
    [-0.05, 0.467, -80.77],
  ];
  literature.forEach(([x, y, e], i) => {
    close(mullerBrown.minima[i].x, x, 1e-3, 'x');
    close(mullerBrown.minima[i].y, y, 1e-3, 'y');
    close(mullerBrown.minima[i].energy, e, 1e-2, 'energy');
  });
  // Himmelblau's (3, 2) is exact.
  close(himmelblau.value(3, 2), 0, 0, 'himmelblau(3, 2)');
});

test('descent from seeded random starts ends at a listed minimum (each surface, every minimum reached)', async () => {
  for (const s of surfaces) {
    const random = new Random(`starts/${s.name}`);
    const reached = new Set<number>();
    for (let k = 0; k < 24; k++) {
      const result = await minimize(s, randomPointInBox(s.box, random), { tolerance: 1e-3, maxSteps: 5000 });
      if (!result.converged) continue;
      const i = s.minima.findIndex((m) => Math.hypot(m.x - result.point[0], m.y - result.point[1]) < 1e-3);
      assert.ok(i >= 0, `${s.name}: descent ended at (${result.point[0]}, ${result.point[1]}), not a listed minimum`);
      reached.add(i);
    }
    assert.equal(reached.size, s.minima.length, `${s.name}: reached ${[...reached]} of ${s.minima.length} minima`);
  }
});

test('surfaces as Energy: batched loss and gradient, and unknown names rejected', async () => {
  const points = [Float32Array.of(3, 2), Float32Array.of(0, 0)];
  const { losses, gradients } = await himmelblau.lossAndGradient(points);
  assert.deepEqual(losses, [0, 121 + 49]);
  assert.deepEqual(Array.from(gradients[1]), [-14, -22]); // 4x(x^2+y-11)+2(x+y^2-7), 2(...)+4y(...) at 0
  assert.deepEqual(await himmelblau.loss(points), losses);
  assert.throws(() => getSurface('nope'), InvalidInputError);
  assert.throws(() => mullerBrown.minimum(7), /no index 7/);
});

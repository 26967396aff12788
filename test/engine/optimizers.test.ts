import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { createOptimizer } from '../../src/engine/neb/optimizers';
import { closeVector } from './helpers';

const v = (...xs: number[]) => Float32Array.from(xs);

test('SGD with momentum and weight decay, two steps by hand (torch conventions)', () => {
  const sgd = createOptimizer({ name: 'sgd', momentum: 0.9, weightDecay: 0.1 });
  const pivots = [v(0, 0), v(1, 2), v(5, 5)];
  const g = v(0.5, -1);
  // step 1: grad = g + 0.1 p = (0.6, -0.8); buffer = grad; p = (1, 2) - 0.1 (0.6, -0.8)
  sgd.step(pivots, [null, g, null], 0.1);
  closeVector(pivots[1], [0.94, 2.08], 1e-6);
  // step 2: grad = (0.594, -0.792); buffer = 0.9 (0.6, -0.8) + grad = (1.134, -1.512)
  sgd.step(pivots, [null, g, null], 0.1);
  closeVector(pivots[1], [0.8266, 2.2312], 1e-6);
  assert.deepEqual(Array.from(pivots[0]), [0, 0], 'endpoints (null gradient) do not move');
  assert.deepEqual(Array.from(pivots[2]), [5, 5]);
});

test('Adam, two steps by hand (bias-corrected)', () => {
  const adam = createOptimizer({ name: 'adam', weightDecay: 0 });
  const pivots = [v(0), v(1, 1), v(0)];
  // step 1: m^ = g, v^ = g^2 -> p -= 0.01 * sign(g)
  adam.step(pivots, [null, v(2, -0.5), null], 0.01);
  closeVector(pivots[1], [0.99, 1.01], 1e-7);
  // step 2 with g = (-2, -0.5): m = (-0.02, -0.095), v = 0.001999 (4, 0.25)
  // m^ = m / 0.19 = (-0.105263, -0.5), sqrt(v^) = (2, 0.5) -> p -= 0.01 (-0.0526316, -1)
  adam.step(pivots, [null, v(-2, -0.5), null], 0.01);
  closeVector(pivots[1], [0.99 + 0.000526316, 1.02], 1e-6);
});

test('state follows inserted pivots: a new pivot inherits the interpolated momentum', () => {
  const sgd = createOptimizer({ name: 'sgd', momentum: 0.9, weightDecay: 0 });
  const pivots = [v(0), v(10), v(20), v(30)];
  sgd.step(pivots, [null, v(1), v(3), null], 1); // buffers: pivot 1 -> 1, pivot 2 -> 3
  closeVector(pivots[1], [9], 0);
  closeVector(pivots[2], [17], 0);
  // Insert between pivots 1 and 2 at a quarter: buffer 0.75 * 1 + 0.25 * 3 = 1.5.
  sgd.remap([
    { left: 0, right: 0, alpha: 0 },
    { left: 1, right: 1, alpha: 0 },
    { left: 1, right: 2, alpha: 0.25 },
    { left: 2, right: 2, alpha: 0 },
    { left: 3, right: 3, alpha: 0 },
  ]);
  const next = [v(0), v(9), v(11), v(17), v(30)];
  const zero = v(0);
  sgd.step(next, [null, zero, zero, zero, null], 1); // moves by -0.9 * buffer
  closeVector(next[1], [9 - 0.9], 1e-6);
  closeVector(next[2], [11 - 0.9 * 1.5], 1e-6);
  closeVector(next[3], [17 - 0.9 * 3], 1e-6);
});

test('bad optimizer configs name the field', () => {
  // @ts-expect-error unknown name on purpose
  assert.throws(() => createOptimizer({ name: 'lbfgs' }), /optimizer.name: unknown optimizer "lbfgs"/);
  assert.throws(() => createOptimizer({ momentum: 1 }), /optimizer.momentum/);
  assert.throws(() => createOptimizer({ weightDecay: -1 }), /optimizer.weightDecay/);
  assert.throws(() => createOptimizer({ name: 'adam', epsilon: 0 }), /optimizer.epsilon/);
});

test('FIRE, first steps by hand (ase/optimize/fire.py update equations)', () => {
  const fire = createOptimizer({ name: 'fire', Nmin: 0 });
  const pivots = [v(0, 0), v(1, 1), v(5, 5)];
  const g = v(3, 4); // force F = (-3, -4), |F| = 5
  // step 1: v = dt F = (-0.3, -0.4); dr = dt v = (-0.03, -0.04)
  fire.step(pivots, [null, g, null], 123);
  closeVector(pivots[1], [0.97, 0.96], 1e-7);
  // step 2: F.v = 2.5 > 0: v = 0.9 v + 0.1 |v| F / |F| = (-0.3, -0.4); Nsteps 0 > Nmin 0 is false,
  // Nsteps = 1; v += 0.1 F = (-0.6, -0.8); dr = (-0.06, -0.08)
  fire.step(pivots, [null, g, null], 123);
  closeVector(pivots[1], [0.91, 0.88], 1e-6);
  // step 3: downhill again: v = 0.9 (-0.6, -0.8) + 0.1 * 1 * (-0.6, -0.8) = (-0.6, -0.8); Nsteps 1 > 0:
  // dt = 0.11, a = 0.099; v += 0.11 F = (-0.93, -1.24); dr = 0.11 v = (-0.1023, -0.1364)
  fire.step(pivots, [null, g, null], 123);
  closeVector(pivots[1], [0.8077, 0.7436], 1e-6);
  // step 4, the force turns: F.v < 0: v = 0, a = astart, dt = 0.055; v = 0.055 (3, 4); dr = 0.055 v
  fire.step(pivots, [null, v(-3, -4), null], 123);
  closeVector(pivots[1], [0.8077 + 0.009075, 0.7436 + 0.0121], 1e-6);
  assert.deepEqual(Array.from(pivots[0]), [0, 0], 'endpoints do not move');
});

test('FIRE cuts the step of the whole band to maxstep', () => {
  const fire = createOptimizer({ name: 'fire' });
  const pivots = [v(0), v(0, 0), v(0, 0), v(0)];
  // v = 0.1 F per pivot, dr = 0.01 F: |dr| over the band = 0.01 * sqrt(500^2 + 0) = 5 -> cut to 0.2
  fire.step(pivots, [null, v(300, 400), v(0, 0), null], 1);
  closeVector(pivots[1], [-0.12, -0.16], 1e-7);
  closeVector(pivots[2], [0, 0], 0);
});

test('FIRE matches ASE 3.22 FIRE step by step on a quadratic (peer run in the same test)', (t) => {
  const python = '/usr/bin/python3';
  const script = [
    'import json, numpy as np',
    'from ase import Atoms',
    'from ase.calculators.calculator import Calculator, all_changes',
    'from ase.optimize import FIRE',
    'k = np.array([1.0, 7.0, 30.0])',
    'class Q(Calculator):',
    '    implemented_properties = ["energy", "forces"]',
    '    def calculate(self, atoms=None, properties=None, system_changes=all_changes):',
    '        Calculator.calculate(self, atoms, properties, system_changes)',
    '        x = self.atoms.positions[0]',
    '        self.results = {"energy": 0.5 * float(np.sum(k * x * x)), "forces": np.array([-k * x])}',
    'atoms = Atoms("H", positions=[[1.0, -0.5, 0.25]])',
    'atoms.calc = Q()',
    'opt = FIRE(atoms, logfile=None)',
    'out = []',
    'for _ in range(40):',
    '    opt.step()',
    '    out.append(atoms.positions[0].tolist())',
    'print(json.dumps(out))',
  ].join('\n');
  const run = spawnSync(python, ['-c', script], { encoding: 'utf8' });
  if (run.error || run.status !== 0) {
    t.skip(`ASE not available through ${python}: ${run.error?.message ?? run.stderr.trim().split('\n').at(-1)}`);
    return;
  }
  const expected = JSON.parse(run.stdout) as number[][];
  const k = [1, 7, 30];
  const fire = createOptimizer({ name: 'fire' });
  const pivots = [v(0, 0, 0), v(1, -0.5, 0.25), v(0, 0, 0)];
  for (const position of expected) {
    const gradient = Float32Array.from(pivots[1], (x, d) => k[d] * x);
    fire.step(pivots, [null, gradient, null], 1);
    closeVector(pivots[1], position, 2e-6);
  }
});

test('stepAlong: forces times a factor, moved into other vectors, the FIRE and SGD steps by hand', () => {
  // The hand-computed FIRE steps above, given as forces F/2 with factor 2 (gradient -2 x F/2 = g).
  const fire = createOptimizer({ name: 'fire', Nmin: 0 });
  const start = [v(0, 0), v(1, 1), v(5, 5)];
  let from = start;
  const expected = [[0.97, 0.96], [0.91, 0.88], [0.8077, 0.7436]];
  for (const [x, y] of expected) {
    const into = [new Float32Array(2), new Float32Array(2), new Float32Array(2)];
    assert.equal(fire.stepAlong(from, [null, v(-1.5, -2), null], 2, 123, into), true);
    closeVector(into[1], [x, y], 1e-6);
    assert.deepEqual(Array.from(into[2]), [5, 5], 'endpoints are copied');
    from = into;
  }
  assert.deepEqual(Array.from(start[1]), [1, 1], 'the input band is unchanged');
  // SGD without momentum: p - lr * (-factor * F) = (1, 1) + 0.1 * 3 * (1, -2)
  const sgd = createOptimizer({ name: 'sgd', momentum: 0, weightDecay: 0 });
  const into = [new Float32Array(2), new Float32Array(2), new Float32Array(2)];
  sgd.stepAlong(start, [null, v(1, -2), null], 3, 0.1, into);
  closeVector(into[1], [1.3, 0.4], 1e-6);
  // A move past float32's range is reported (the caller then names the pivot).
  assert.equal(sgd.stepAlong(start, [null, v(1e38, 0), null], 1e10, 1, into), false);
});

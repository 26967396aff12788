import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InvalidInputError } from '../../src/engine/errors';
import type { CycleOverride } from '../../src/engine/autoneb/config';
import { PRESETS, resolveAutoNebConfig } from '../../src/engine/autoneb/config';

test('the paper preset is the authors\' published schedule (torch_autoneb cifar10-resnet20.yaml)', () => {
  const cycles = resolveAutoNebConfig('paper');
  assert.equal(cycles.length, 14);
  const equal3 = { strategy: 'equal', count: 3 };
  const highest = { strategy: 'highest', count: 2, threshold: 0.1 };
  // [steps, learning rate, insertion] per cycle, written out from the YAML.
  const expected: Array<[number, number, object | null]> = [
    [1000, 0.1, equal3],
    [1000, 0.1, highest],
    [1000, 0.1, highest],
    [1000, 0.1, highest],
    [2000, 0.1, null],
    [2000, 0.1, null],
    [1000, 0.01, null],
    [1000, 0.01, null],
    [1000, 0.01, null],
    [1000, 0.01, null],
    [1000, 0.001, null],
    [1000, 0.001, null],
    [1000, 0.001, null],
    [1000, 0.001, null],
  ];
  cycles.forEach((c, i) => {
    assert.deepEqual([c.steps, c.learningRate, c.insertion], expected[i], `cycle ${i + 1}`);
    assert.equal(c.method, 'string');
    assert.equal(c.climbing, false);
    assert.equal(c.evaluationPoints, 9);
    assert.deepEqual([c.optimizer.name, c.optimizer.momentum, c.optimizer.weightDecay], ['sgd', 0.9, 1e-4]);
  });
  assert.deepEqual(resolveAutoNebConfig({ preset: 'paper' }), cycles);
  assert.ok(cycles.every((c) => c.stop === null && !c.endpointsOnce && !c.keepOptimizer && !c.relativeUnits), 'no stopping rule: every step of every cycle');
});

test('the default (no config) is the convergence-driven preset adaptive: FIRE, stop rule, climbing from cycle 2', () => {
  const cycles = resolveAutoNebConfig();
  assert.deepEqual(cycles, resolveAutoNebConfig('adaptive'));
  assert.ok(cycles.every((c) => c.optimizer.name === 'fire' && c.stop !== null && c.endpointsOnce && c.relativeUnits));
  assert.deepEqual(cycles.map((c) => c.climbing), [false, true, true, true, true, true]);
  assert.deepEqual(cycles[0].insertion, { strategy: 'equal', count: 3 });
  assert.deepEqual(cycles[1].insertion, { strategy: 'highest', count: 2, threshold: 0.2 });
  assert.ok(cycles[1].stop!.force < cycles[0].stop!.force, 'the climbing cycles converge tighter than the first relaxation');
});

test('adaptive on a stochastic energy: SGD with momentum in relative units, the same schedule; a caller\'s base still wins', () => {
  const deterministic = resolveAutoNebConfig('adaptive');
  const cycles = resolveAutoNebConfig('adaptive', { stochastic: true });
  assert.equal(cycles.length, deterministic.length);
  cycles.forEach((c, i) => {
    assert.deepEqual([c.optimizer.name, c.optimizer.momentum, c.optimizer.weightDecay, c.learningRate, c.anneal], ['sgd', 0.9, 0, 0.006, 0.1], `cycle ${i + 1}`);
    assert.equal(deterministic[i].anneal, null);
    // Everything else is the deterministic preset's: climbing, insertion, stop rule, units.
    assert.deepEqual({ ...c, optimizer: null, learningRate: null, anneal: null }, { ...deterministic[i], optimizer: null, learningRate: null }, `cycle ${i + 1}`);
  });
  const fire = resolveAutoNebConfig({ preset: 'adaptive', base: { optimizer: { name: 'fire' } } }, { stochastic: true });
  assert.ok(fire.every((c) => c.optimizer.name === 'fire'));
  // Presets without stochastic settings, and a caller's own cycles over them, are the same either way.
  for (const preset of ['paper', 'small', 'tiny', 'surface'] as const) assert.deepEqual(resolveAutoNebConfig(preset, { stochastic: true }), resolveAutoNebConfig(preset));
});

test('new settings (stop rule, FIRE parameters, flags) are validated with the field named', () => {
  const bad = (config: object, pattern: RegExp) =>
    assert.throws(() => resolveAutoNebConfig(config), (e: Error) => e instanceof InvalidInputError && pattern.test(e.message), JSON.stringify(config));
  bad({ cycles: [{ stop: { force: 0 } }] }, /config.cycles\[0\].stop.force: must be in \(0, 1\)/);
  bad({ cycles: [{ stop: { force: 1e-3, window: 2.5 } }] }, /config.cycles\[0\].stop.window: must be an integer >= 0/);
  bad({ cycles: [{ insertion: { strategy: 'equal' } }, { stop: { saddle: -1 } }] }, /config.cycles\[1\].stop.saddle: must be in \(0, 1\)/);
  bad({ base: { anneal: 1 } }, /config.base.anneal: must be in \(0, 1\)/);
  bad({ base: { anneal: '0.1' } }, /config.base.anneal: must be in \(0, 1\)/);
  bad({ base: { stop: { tolerance: 1 } } }, /config.base.stop.tolerance: unknown setting/);
  bad({ base: { optimizer: { name: 'fire', dt: 0 } } }, /config.base.optimizer.dt: must be a finite number > 0/);
  bad({ base: { optimizer: { dtmax: 0.05 } } }, /config.(base|cycles\[0\]).optimizer.dtmax: must be >= dt/);
  bad({ base: { optimizer: { Nmin: -1 } } }, /optimizer.Nmin: must be an integer >= 0/);
  bad({ base: { optimizer: { finc: 0.9 } } }, /optimizer.finc: must be a finite number >= 1/);
  bad({ base: { optimizer: { fa: 1.5 } } }, /optimizer.fa: must be in \(0, 1\]/);
  bad({ base: { optimizer: { maxstep: Infinity } } }, /optimizer.maxstep: must be a finite number > 0/);
  bad({ base: { optimizer: { name: 'lbfgs' } } }, /optimizer.name: unknown optimizer "lbfgs"; known: sgd, adam, fire/);
  bad({ base: { endpointsOnce: 'yes' } }, /config.(base|cycles\[0\]).endpointsOnce: must be a boolean/);
  bad({ base: { keepOptimizer: 1 } }, /keepOptimizer: must be a boolean/);
  bad({ preset: 'adaptiv' }, /config.preset: unknown preset "adaptiv"; known: paper, small, tiny, surface, adaptive/);
  // `stop: null` switches the rule off; a partial stop merges over the previous cycle's.
  const cycles = resolveAutoNebConfig({ cycles: [{ insertion: { strategy: 'equal' }, stop: { force: 0.5 } }, { stop: { window: 7 } }, { stop: null }] });
  assert.deepEqual(cycles.map((c) => c.stop), [{ force: 0.5, window: 20, saddle: 1e-3 }, { force: 0.5, window: 7, saddle: 1e-3 }, null]);
});

test('presets resolve and are valid; small/tiny are shorter; surface uses Adam', () => {
  for (const name of Object.keys(PRESETS) as Array<keyof typeof PRESETS>) assert.ok(resolveAutoNebConfig(name).length > 0);
  assert.equal(resolveAutoNebConfig('small')[0].steps, 100);
  assert.equal(resolveAutoNebConfig('tiny').length, 4);
  const surface = resolveAutoNebConfig('surface');
  assert.equal(surface[13].optimizer.name, 'adam');
  assert.equal(surface[13].learningRate, 0.0001);
});

test('merging is cumulative: {} repeats the previous cycle, settings persist until changed', () => {
  const cycles = resolveAutoNebConfig({
    preset: 'paper',
    base: { climbing: true, optimizer: { momentum: 0.5 } },
    cycles: [
      { insertion: { strategy: 'equal', count: 1 }, steps: 10, learningRate: 0.5 },
      {},
      { insertion: { strategy: 'highest' }, optimizer: { weightDecay: 0 } },
      { insertion: { count: 4 }, method: 'improved-tangent', springConstant: 3 },
      { insertion: null, learningRate: 0.05 },
    ],
  });
  assert.deepEqual(cycles.map((c) => c.steps), [10, 10, 10, 10, 10]);
  assert.deepEqual(cycles.map((c) => c.learningRate), [0.5, 0.5, 0.5, 0.5, 0.05]);
  assert.deepEqual(cycles[1].insertion, { strategy: 'equal', count: 1 });
  // A new strategy starts from its own defaults (not the previous strategy's count).
  assert.deepEqual(cycles[2].insertion, { strategy: 'highest', count: 2, threshold: 0.1 });
  assert.deepEqual(cycles[3].insertion, { strategy: 'highest', count: 4, threshold: 0.1 });
  assert.equal(cycles[4].insertion, null);
  assert.deepEqual(cycles.map((c) => c.method), ['string', 'string', 'string', 'improved-tangent', 'improved-tangent']);
  assert.ok(cycles.every((c) => c.climbing && c.optimizer.momentum === 0.5));
  assert.deepEqual(cycles.map((c) => c.optimizer.weightDecay), [1e-4, 1e-4, 0, 0, 0]);
});

test('bad configs throw an error naming the field', () => {
  const bad = (cycles: CycleOverride[], pattern: RegExp) =>
    assert.throws(() => resolveAutoNebConfig({ cycles }), (e: Error) => e instanceof InvalidInputError && pattern.test(e.message), String(pattern));
  // @ts-expect-error unknown strategy on purpose
  bad([{ insertion: { strategy: 'random' } }], /cycles\[0\]\.insertion\.strategy: unknown insertion strategy "random"/);
  bad([{ steps: -1 }], /cycles\[0\]\.steps: must be an integer >= 0, got -1/);
  bad([{}, { steps: 1.5 }], /cycles\[1\]\.steps/);
  bad([{ learningRate: 0 }], /learningRate: must be a finite number > 0, got 0/);
  bad([{ learningRate: NaN }], /learningRate/);
  bad([{ insertion: { strategy: 'highest', threshold: 1.5 } }], /insertion\.threshold: must be in \[0, 1\]/);
  bad([{ insertion: { strategy: 'highest', threshold: -0.1 } }], /insertion\.threshold/);
  bad([{ insertion: { strategy: 'equal', count: 0 } }], /insertion\.count: must be an integer >= 1, got 0/);
  bad([{ insertion: { strategy: 'equal', threshold: 0.1 } as never }], /insertion\.threshold: unknown setting/);
  bad([{ insertion: { count: 2 } }], /insertion\.strategy: missing/);
  bad([{ evaluationPoints: 0 }], /evaluationPoints/);
  // @ts-expect-error unknown method on purpose
  bad([{ method: 'spline' }], /method: unknown NEB method "spline"/);
  bad([{ method: 'improved-tangent', springConstant: 0 }], /springConstant/);
  // @ts-expect-error unknown key on purpose
  bad([{ stepz: 5 }], /cycles\[0\]\.stepz: unknown setting/);
  // @ts-expect-error unknown optimizer on purpose
  bad([{ optimizer: { name: 'rmsprop' } }], /optimizer\.name: unknown optimizer/);
  bad([{ optimizer: { momentum: -0.1 } }], /optimizer\.momentum/);
  assert.throws(() => resolveAutoNebConfig({ cycles: [] }), /config\.cycles: must be a non-empty list/);
  // @ts-expect-error unknown preset on purpose
  assert.throws(() => resolveAutoNebConfig('huge'), /config\.preset: unknown preset "huge"/);
  // @ts-expect-error unknown top-level key on purpose
  assert.throws(() => resolveAutoNebConfig({ cycle: [] }), /config\.cycle: unknown setting/);
});

const refused = (config: Parameters<typeof resolveAutoNebConfig>[0], pattern: RegExp) =>
  assert.throws(() => resolveAutoNebConfig(config), (e: Error) => e instanceof InvalidInputError && pattern.test(e.message), String(pattern));

test('every base field is validated, also where the cycles would hide it', () => {
  refused({ base: { learningRate: -1 } }, /^config\.base\.learningRate: must be a finite number > 0, got -1$/);
  refused({ preset: 'tiny', base: { steps: -3 } }, /^config\.base\.steps: must be an integer >= 0, got -3$/);
  refused({ preset: 'surface', base: { optimizer: { weightDecay: -1 } } }, /^config\.base\.optimizer\.weightDecay: must be a finite number >= 0/);
  refused({ base: { evaluationPoints: 0 } }, /^config\.base\.evaluationPoints: must be an integer >= 1/);
  // @ts-expect-error unknown field on purpose
  refused({ base: { lr: 0.1 } }, /^config\.base\.lr: unknown setting/);
});

test('a base field holds for every cycle: it replaces a value the preset sets once; a preset schedule refuses it', () => {
  // tiny sets steps (20) in its first cycle only: base.steps takes its place in all four.
  const tiny = resolveAutoNebConfig({ preset: 'tiny', base: { steps: 5, evaluationPoints: 2 } });
  assert.deepEqual(tiny.map((c) => [c.steps, c.evaluationPoints, c.learningRate]), [[5, 2, 0.1], [5, 2, 0.1], [5, 2, 0.01], [5, 2, 0.001]]);
  assert.deepEqual(tiny.map((c) => c.insertion?.strategy ?? null), ['equal', 'highest', null, null]);
  // Fields the paper's cycles never set: applied to all 14, the schedule untouched.
  const paper = resolveAutoNebConfig({ preset: 'paper', base: { climbing: true, optimizer: { momentum: 0.5 } } });
  assert.equal(paper.length, 14);
  assert.ok(paper.every((c) => c.climbing && c.optimizer.momentum === 0.5 && c.optimizer.weightDecay === 1e-4));
  assert.deepEqual(paper.map((c) => c.learningRate), resolveAutoNebConfig('paper').map((c) => c.learningRate));
  // The paper changes the learning rate in cycles 1, 7 and 11, steps in 1, 5, 7, insertion in 1, 2, 5.
  refused({ preset: 'paper', base: { learningRate: 0.05 } }, /^config\.base\.learningRate: preset "paper" changes learningRate from cycle to cycle \(cycles 1, 7, 11\)/);
  refused({ preset: 'paper', base: { steps: 10 } }, /^config\.base\.steps: .*\(cycles 1, 5, 7\)/);
  refused({ preset: 'tiny', base: { insertion: null } }, /^config\.base\.insertion: .*\(cycles 1, 2, 3\)/);
});

test('with the caller\'s own cycles, a field set in base and in a cycle is refused', () => {
  refused({ base: { steps: 5 }, cycles: [{}, { steps: 10 }] }, /^config\.base\.steps: config\.cycles\[1\] sets steps too/);
  refused({ base: { optimizer: { momentum: 0.5 } }, cycles: [{ optimizer: { momentum: 0.8 } }] }, /^config\.base\.optimizer\.momentum: config\.cycles\[0\] sets optimizer\.momentum too/);
  // Different optimizer fields do not collide.
  const cycles = resolveAutoNebConfig({ preset: 'paper', base: { optimizer: { momentum: 0.5 } }, cycles: [{ steps: 3 }, { optimizer: { weightDecay: 0 } }] });
  assert.deepEqual(cycles.map((c) => [c.steps, c.optimizer.momentum, c.optimizer.weightDecay]), [[3, 0.5, 1e-4], [3, 0.5, 0]]);
});

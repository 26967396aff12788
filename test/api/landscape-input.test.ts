// Validation of landscape definitions, without a database.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FieldError } from '../../src/engine/errors';
import { DATA_KINDS } from '../../src/engine/neural/specs';
import { DATASET_NAMES } from '../../src/store/specs';
import { parseLandscapeInput, type LandscapeInputData } from '../../src/runs/bridge/landscape-input';

const mlp: LandscapeInputData = { name: 'mlp', architecture: { kind: 'mlp', widths: [100] }, dataset: { name: 'mnist' } };

function rejects(input: LandscapeInputData, field: string, pattern?: RegExp): void {
  assert.throws(
    () => parseLandscapeInput(input),
    (err: unknown) => {
      assert.ok(err instanceof FieldError, String(err));
      assert.equal(err.field, field);
      assert.ok(err.message.startsWith(`${field}: `), err.message);
      if (pattern) assert.match(err.message, pattern);
      return true;
    },
  );
}

test("defaults are the paper's training configuration", () => {
  const d = parseLandscapeInput(mlp);
  assert.deepEqual(d.training, { steps: 64000, batchSize: 128, learningRate: 0.1, momentum: 0.9, weightDecay: 1e-4, milestones: [32000, 48000] });
  assert.equal(d.autonebPreset, 'paper');
  assert.deepEqual(d.architecture, { kind: 'mlp', widths: [100] });
  assert.deepEqual(d.dataset, { name: 'mnist' });
});

test('milestones default to 1/2 and 3/4 of a shorter training', () => {
  assert.deepEqual(parseLandscapeInput({ ...mlp, training: { steps: 1000 } }).training.milestones, [500, 750]);
});

test('a surface stores its name and takes no data set', () => {
  const d = parseLandscapeInput({ name: ' mb ', architecture: { kind: 'surface', surface: 'muller-brown' } });
  assert.deepEqual(d.architecture, { kind: 'surface', name: 'muller-brown' });
  assert.equal(d.dataset, null);
  assert.equal(d.name, 'mb');
  rejects({ name: 'mb', architecture: { kind: 'surface', surface: 'muller-brown' }, dataset: { name: 'mnist' } }, 'input.dataset');
});

test('each bad field is named', () => {
  rejects({ ...mlp, name: '   ' }, 'input.name', /empty/);
  rejects({ ...mlp, architecture: { kind: 'transformer' } }, 'input.architecture.kind', /unknown architecture kind "transformer"; expected one of mlp, cnn, resnet, surface/);
  rejects({ ...mlp, architecture: { kind: 'mlp', widths: [100, -5] } }, 'input.architecture.widths[1]', /positive integer/);
  rejects({ ...mlp, architecture: { kind: 'mlp' } }, 'input.architecture.widths', /required/);
  rejects({ ...mlp, architecture: { kind: 'mlp', widths: [10], depth: 20 } }, 'input.architecture.depth', /not used by kind "mlp"/);
  rejects({ ...mlp, architecture: { kind: 'resnet', depth: 21 } }, 'input.architecture.depth', /6n\+2/);
  rejects({ ...mlp, architecture: { kind: 'surface', surface: 'nowhere' } }, 'input.architecture.surface', /unknown surface/);
  rejects({ ...mlp, dataset: { name: 'imagenet' } }, 'input.dataset.name', /unknown data set "imagenet"/);
  rejects({ ...mlp, dataset: null }, 'input.dataset', /required/);
  rejects({ ...mlp, dataset: { name: 'mnist', trainSize: 0 } }, 'input.dataset.trainSize');
  rejects({ ...mlp, dataset: { name: 'mnist', features: 4 } }, 'input.dataset.features', /synthetic/);
  rejects({ ...mlp, training: { learningRate: -0.1 } }, 'input.training.learningRate');
  rejects({ ...mlp, training: { momentum: 1 } }, 'input.training.momentum');
  rejects({ ...mlp, training: { steps: 100, milestones: [50, 40] } }, 'input.training.milestones[1]');
  rejects({ ...mlp, training: { steps: 100, milestones: [100] } }, 'input.training.milestones[0]');
  rejects({ ...mlp, autonebPreset: 'fast' }, 'input.autonebPreset', /unknown AutoNEB preset/);
});

test("a data set's own fields are named as the user wrote them (one vocabulary down to the engine)", () => {
  rejects({ ...mlp, dataset: { name: 'mnist-idx' } }, 'input.dataset.dir', /directory path/);
  rejects({ ...mlp, dataset: { name: 'cifar10' }, architecture: { kind: 'cnn' } }, 'input.dataset.dir', /directory path/);
  assert.deepEqual(parseLandscapeInput({ ...mlp, dataset: { name: 'mnist-idx', dir: '/data/mnist' } }).dataset, { name: 'mnist-idx', dir: '/data/mnist' });
});

test('resnet depths 20, 32, 44, 56, 110 are accepted', () => {
  for (const depth of [20, 32, 44, 56, 110]) {
    assert.deepEqual(parseLandscapeInput({ ...mlp, architecture: { kind: 'resnet', depth } }).architecture, { kind: 'resnet', depth });
  }
});

test('the API knows the data sets the engine loads, by the same names', () => {
  assert.deepEqual([...DATASET_NAMES].sort(), [...DATA_KINDS].sort());
});

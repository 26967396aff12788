import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidInputError } from '../../../src/engine/errors';
import { createModel, initialParameters, parameterLayout, validateModelSpec } from '../../../src/engine/neural/models';

function trainableCount(spec: Parameters<typeof parameterLayout>[0]): number {
  return parameterLayout(spec)
    .entries.filter((e) => e.trainable)
    .reduce((s, e) => s + e.size, 0);
}

test('ResNet-20/32/44/56 (option A) have the published parameter counts of the PyTorch CIFAR ResNets', () => {
  // akamaster/pytorch_resnet_cifar10: 0.27M, 0.46M, 0.66M, 0.85M (exact counts from torchsummary).
  assert.equal(trainableCount({ kind: 'resnet', depth: 20, classes: 10 }), 269722);
  assert.equal(trainableCount({ kind: 'resnet', depth: 32, classes: 10 }), 464154);
  assert.equal(trainableCount({ kind: 'resnet', depth: 44, classes: 10 }), 658586);
  assert.equal(trainableCount({ kind: 'resnet', depth: 56, classes: 10 }), 853018);
  // Option B adds two 1x1 projections with BatchNorm: 16*32 + 2*32 + 32*64 + 2*64.
  assert.equal(trainableCount({ kind: 'resnet', depth: 20, classes: 10, shortcut: 'B' }), 269722 + 512 + 64 + 2048 + 128);
});

test('layout: PyTorch names, shapes and consecutive offsets; BatchNorm running statistics are coordinates', () => {
  const mlp = parameterLayout({ kind: 'mlp', widths: [784, 100, 10] });
  assert.deepEqual(
    mlp.entries.map((e) => [e.name, e.shape, e.offset]),
    [
      ['layers.0.weight', [100, 784], 0],
      ['layers.0.bias', [100], 78400],
      ['layers.1.weight', [10, 100], 78500],
      ['layers.1.bias', [10], 79500],
    ],
  );
  assert.equal(mlp.dimension, 79510);
  const resnet = parameterLayout({ kind: 'resnet', depth: 20, classes: 10 });
  const names = resnet.entries.map((e) => e.name);
  for (const name of ['conv1.weight', 'bn1.running_var', 'layer2.0.conv1.weight', 'layer3.2.bn2.running_mean', 'linear.weight', 'linear.bias']) {
    assert.ok(names.includes(name), name);
  }
  assert.deepEqual(resnet.entries.find((e) => e.name === 'layer2.0.conv1.weight')?.shape, [32, 16, 3, 3]);
  assert.equal(resnet.entries.find((e) => e.name === 'bn1.running_mean')?.trainable, false);
  let offset = 0;
  for (const e of resnet.entries) {
    assert.equal(e.offset, offset);
    offset += e.size;
  }
  assert.equal(resnet.dimension, offset);
});

test('initialisation: seeded, PyTorch defaults (uniform +-1/sqrt(fan_in)) and He-normal for ResNet convs', () => {
  const mlp = createModel({ kind: 'mlp', widths: [400, 300, 10] });
  const a = initialParameters(mlp, 1);
  assert.deepEqual(a, initialParameters(mlp, 1));
  assert.notDeepEqual(a, initialParameters(mlp, 2));
  const w = a.subarray(0, 120000);
  const bound = 1 / Math.sqrt(400);
  assert.ok(w.every((v) => Math.abs(v) <= bound));
  const variance = w.reduce((s, v) => s + v * v, 0) / w.length;
  assert.ok(Math.abs(variance - (bound * bound) / 3) < 0.02 * (bound * bound) / 3);

  const resnet = createModel({ kind: 'resnet', depth: 20, classes: 10 });
  const p = initialParameters(resnet, 1);
  const conv = resnet.layout.entries.find((e) => e.name === 'layer3.0.conv2.weight')!;
  const v = p.subarray(conv.offset, conv.offset + conv.size);
  const std = Math.sqrt(v.reduce((s, x) => s + x * x, 0) / v.length);
  assert.ok(Math.abs(std - Math.sqrt(2 / (64 * 9))) < 0.02 * Math.sqrt(2 / (64 * 9)));
  const bn = resnet.layout.entries.filter((e) => e.name.startsWith('bn1.'));
  assert.deepEqual(
    bn.map((e) => [e.name, p[e.offset]]),
    [
      ['bn1.weight', 1],
      ['bn1.bias', 0],
      ['bn1.running_mean', 0],
      ['bn1.running_var', 1],
    ],
  );
});

test('spec validation names the offending field', () => {
  const cases: [unknown, string][] = [
    [null, 'model'],
    [{ kind: 'vgg' }, 'model.kind'],
    [{ kind: 'mlp', widths: [784] }, 'model.widths'],
    [{ kind: 'mlp', widths: [784, -3, 10] }, 'model.widths[1]'],
    [{ kind: 'cnn', input: [28, 28], classes: 10 }, 'model.input'],
    [{ kind: 'cnn', input: [28, 28, 1], classes: 0 }, 'model.classes'],
    [{ kind: 'cnn', input: [28, 28, 1], classes: 10, kernel: 4 }, 'model.kernel'],
    [{ kind: 'resnet', depth: 21, classes: 10 }, 'model.depth'],
    [{ kind: 'resnet', depth: 20, classes: 10, shortcut: 'C' }, 'model.shortcut'],
  ];
  for (const [spec, field] of cases) {
    assert.throws(
      () => validateModelSpec(spec),
      (e: unknown) => e instanceof InvalidInputError && e.field === field && e.message.startsWith(`${field}:`),
      `${JSON.stringify(spec)} should fail on ${field}`,
    );
  }
  assert.deepEqual(validateModelSpec({ kind: 'resnet', depth: 20, classes: 10 }), { kind: 'resnet', depth: 20, classes: 10, shortcut: 'A', input: [32, 32, 3], width: 16 });
  // Specs survive JSON (they are stored and sent to worker threads).
  const spec = validateModelSpec({ kind: 'cnn', input: [32, 32, 3], classes: 10 });
  assert.deepEqual(JSON.parse(JSON.stringify(spec)), spec);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { InvalidInputError } from '../../../src/engine/errors';
import { BatchSampler, clearDatasetCache, DataFileError, loadDataset, makeBatch, sampleIndices, validateDataSpec } from '../../../src/engine/neural/data';
import { Random } from '../../../src/engine/random';

function idx(dims: number[], data: Uint8Array, magicRank = dims.length): Buffer {
  const header = Buffer.alloc(4 + 4 * dims.length);
  header.writeUInt32BE(0x800 + magicRank, 0);
  dims.forEach((d, i) => header.writeUInt32BE(d, 4 + 4 * i));
  return Buffer.concat([header, Buffer.from(data)]);
}

/** Fake MNIST: n images of r x c whose pixel k of image i is (i * 7 + k) % 256, label i % 10. */
function writeFakeMnist(dir: string, n: number, r: number, c: number, gz = false): void {
  const images = Uint8Array.from({ length: n * r * c }, (_, k) => (Math.floor(k / (r * c)) * 7 + (k % (r * c))) % 256);
  const labels = Uint8Array.from({ length: n }, (_, i) => i % 10);
  const write = (name: string, b: Buffer) => (gz ? writeFileSync(join(dir, `${name}.gz`), gzipSync(b)) : writeFileSync(join(dir, name), b));
  write('train-images-idx3-ubyte', idx([n, r, c], images));
  write('train-labels-idx1-ubyte', idx([n], labels));
  write('t10k-images-idx3-ubyte', idx([n, r, c], images));
  write('t10k-labels-idx1-ubyte', idx([n], labels));
}

function withTempDir(fn: (dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'neb-neural-data-'));
  try {
    fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function throwsDataFileError(fn: () => unknown, file: string, detail: RegExp): void {
  assert.throws(fn, (e: unknown) => e instanceof DataFileError && e.file === file && e.message.startsWith(file) && detail.test(e.message));
}

test('bundled MNIST: fixed split of 8004 train / 1996 test (last fifth of each digit), values in [0, 1]', () => {
  const data = loadDataset({ kind: 'mnist', normalize: false });
  assert.equal(data.train.count, 8004);
  assert.equal(data.test.count, 1996);
  assert.deepEqual(data.shape, [28, 28, 1]);
  // Package counts per digit: 1001 1127 991 1032 980 863 1014 1070 944 978.
  const perDigit = [1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978];
  const testCounts = new Array(10).fill(0);
  data.test.labels.forEach((l) => testCounts[l]++);
  assert.deepEqual(testCounts, perDigit.map((n) => Math.floor(n / 5)));
  assert.ok(data.train.images.every((v) => v >= 0 && v <= 1));
  const normalised = loadDataset({ kind: 'mnist' });
  const batch = makeBatch(normalised, 'train', Array.from({ length: normalised.train.count }, (_, i) => i));
  const mean = batch.x.reduce((s, v) => s + v, 0) / batch.x.length;
  const variance = batch.x.reduce((s, v) => s + (v - mean) ** 2, 0) / batch.x.length;
  assert.ok(Math.abs(mean) < 1e-4 && Math.abs(variance - 1) < 1e-3, `mean ${mean} variance ${variance}`);
});

test('MNIST IDX files (plain and .gz) are read as written', () => {
  for (const gz of [false, true]) {
    withTempDir((dir) => {
      writeFakeMnist(dir, 12, 4, 5, gz);
      const data = loadDataset({ kind: 'mnist-idx', dir, normalize: false });
      assert.deepEqual(data.shape, [4, 5, 1]);
      assert.equal(data.train.count, 12);
      const batch = makeBatch(data, 'test', [3]);
      assert.deepEqual(Array.from(batch.labels), [3]);
      assert.deepEqual(Array.from(batch.x), Array.from({ length: 20 }, (_, k) => Math.fround(((3 * 7 + k) % 256) / 255)));
    });
  }
});

test('MNIST directory errors name the file and what was expected', () => {
  withTempDir((dir) => {
    const missingDir = join(dir, 'nope');
    throwsDataFileError(() => loadDataset({ kind: 'mnist-idx', dir: missingDir }), missingDir, /does not exist.*train-images-idx3-ubyte/);
    throwsDataFileError(() => loadDataset({ kind: 'mnist-idx', dir }), join(dir, 'train-images-idx3-ubyte'), /missing.*MNIST images in IDX format/);
    writeFakeMnist(dir, 10, 4, 4);
    writeFileSync(join(dir, 'train-labels-idx1-ubyte'), idx([10], new Uint8Array(10), 3));
    throwsDataFileError(() => loadDataset({ kind: 'mnist-idx', dir }), join(dir, 'train-labels-idx1-ubyte'), /magic number 0x00000803; expected .*magic 0x00000801/);
    writeFileSync(join(dir, 'train-labels-idx1-ubyte'), idx([10], new Uint8Array(9)));
    throwsDataFileError(() => loadDataset({ kind: 'mnist-idx', dir }), join(dir, 'train-labels-idx1-ubyte'), /17 bytes; expected 18/);
    writeFileSync(join(dir, 'train-labels-idx1-ubyte'), idx([9], new Uint8Array(9)));
    throwsDataFileError(() => loadDataset({ kind: 'mnist-idx', dir }), join(dir, 'train-labels-idx1-ubyte'), /9 labels; expected 10/);
    writeFileSync(join(dir, 'train-labels-idx1-ubyte'), idx([10], new Uint8Array(10).fill(12)));
    throwsDataFileError(() => loadDataset({ kind: 'mnist-idx', dir }), join(dir, 'train-labels-idx1-ubyte'), /label 12 at index 0; expected 0..9/);
  });
});

/** A CIFAR record: label bytes then R, G, B planes; pixel p of plane c is (label + 3p + c) % 256. */
function cifarRecord(labels: number[]): Buffer {
  const label = labels[labels.length - 1];
  const pixels = Buffer.alloc(3072);
  for (let c = 0; c < 3; c++) for (let p = 0; p < 1024; p++) pixels[c * 1024 + p] = (label + 3 * p + c) % 256;
  return Buffer.concat([Buffer.from(labels), pixels]);
}

test('CIFAR-10 and CIFAR-100 binary files: planes become NHWC, fine labels, subfolder found', () => {
  withTempDir((dir) => {
    const sub = join(dir, 'cifar-10-batches-bin');
    mkdirSync(sub);
    for (let i = 1; i <= 5; i++) writeFileSync(join(sub, `data_batch_${i}.bin`), Buffer.concat([cifarRecord([i]), cifarRecord([9])]));
    writeFileSync(join(sub, 'test_batch.bin'), cifarRecord([4]));
    const data = loadDataset({ kind: 'cifar10', dir, normalize: false });
    assert.equal(data.train.count, 10);
    assert.equal(data.test.count, 1);
    const batch = makeBatch(data, 'test', [0]);
    assert.equal(batch.labels[0], 4);
    // HWC: value at (row, col, channel) = (4 + 3 * (row * 32 + col) + channel) % 256.
    for (const [r, c, ch] of [
      [0, 0, 0],
      [0, 1, 2],
      [5, 7, 1],
      [31, 31, 2],
    ]) {
      assert.equal(batch.x[(r * 32 + c) * 3 + ch], Math.fround(((4 + 3 * (r * 32 + c) + ch) % 256) / 255));
    }
  });
  withTempDir((dir) => {
    writeFileSync(join(dir, 'train.bin'), Buffer.concat([cifarRecord([3, 77]), cifarRecord([1, 99])]));
    writeFileSync(join(dir, 'test.bin'), cifarRecord([0, 5]));
    const data = loadDataset({ kind: 'cifar100', dir, normalize: false });
    assert.equal(data.classes, 100);
    assert.deepEqual(Array.from(data.train.labels), [77, 99]);
  });
});

test('CIFAR directory errors name the file and what was expected', () => {
  withTempDir((dir) => {
    throwsDataFileError(() => loadDataset({ kind: 'cifar10', dir }), join(dir, 'data_batch_1.bin'), /missing.*CIFAR-10 binary batch/);
    for (let i = 1; i <= 5; i++) writeFileSync(join(dir, `data_batch_${i}.bin`), cifarRecord([1]));
    throwsDataFileError(() => loadDataset({ kind: 'cifar10', dir }), join(dir, 'test_batch.bin'), /missing/);
    writeFileSync(join(dir, 'test_batch.bin'), cifarRecord([1]).subarray(0, 3000));
    throwsDataFileError(() => loadDataset({ kind: 'cifar10', dir }), join(dir, 'test_batch.bin'), /3000 bytes is not a positive multiple of 3073/);
    writeFileSync(join(dir, 'data_batch_3.bin'), cifarRecord([10]));
    throwsDataFileError(() => loadDataset({ kind: 'cifar10', dir }), join(dir, 'data_batch_3.bin'), /label 10 in record 0; expected 0..9/);
  });
});

test('synthetic blobs are seeded; batches are seeded; augmentation pads with black, crops and flips', () => {
  const spec = { kind: 'synthetic', classes: 3, shape: [1, 1, 4], trainSize: 30, testSize: 9, seed: 1 } as const;
  const a = loadDataset({ ...spec });
  clearDatasetCache();
  assert.deepEqual(loadDataset({ ...spec }).train.images, a.train.images);
  assert.notDeepEqual(loadDataset({ ...spec, seed: 2 }).train.images, a.train.images);
  assert.deepEqual(sampleIndices(new Random(5), 100, 10), sampleIndices(new Random(5), 100, 10));
  assert.equal(new Set(sampleIndices(new Random(5), 100, 100)).size, 100);
  const sampler = new BatchSampler(10, 3, new Random(1));
  const epoch = [...sampler.next(), ...sampler.next(), ...sampler.next()];
  assert.equal(new Set(epoch).size, 9);

  // Augmentation on an 8x8x1 image with values 1..64 and no normalisation: every output is the
  // image shifted by (dy, dx) in [-4, 4] with zeros outside, possibly mirrored.
  const image = new Float32Array(64).map((_, i) => i + 1);
  const dataset = {
    name: 'grid',
    shape: [8, 8, 1] as const,
    classes: 2,
    train: { images: image, labels: new Int32Array([0]), count: 1 },
    test: { images: image, labels: new Int32Array([0]), count: 1 },
    scale: 1,
    normalization: null,
    augment: true,
  };
  const random = new Random(3);
  const seen = new Set<string>();
  for (let k = 0; k < 200; k++) {
    const x = makeBatch(dataset, 'train', [0], random).x;
    let match: string | null = null;
    for (let dy = -4; dy <= 4 && !match; dy++)
      for (let dx = -4; dx <= 4 && !match; dx++)
        for (const flip of [false, true]) {
          const expected = Array.from({ length: 64 }, (_, i) => {
            const r = Math.floor(i / 8) + dy;
            const c = (flip ? 7 - (i % 8) : i % 8) + dx;
            return r >= 0 && r < 8 && c >= 0 && c < 8 ? image[r * 8 + c] : 0;
          });
          if (expected.every((v, i) => v === x[i])) match = `${dy},${dx},${flip}`;
        }
    assert.ok(match, 'augmented image is a padded crop (and flip) of the original');
    seen.add(match);
  }
  assert.ok(seen.size > 50, `crops and flips vary (${seen.size} distinct)`);
});

test('data spec validation names the offending field', () => {
  const cases: [unknown, string][] = [
    [{ kind: 'imagenet' }, 'data.kind'],
    [{ kind: 'cifar10' }, 'data.dir'],
    [{ kind: 'mnist', augment: 'yes' }, 'data.augment'],
    [{ kind: 'mnist', trainSize: 0 }, 'data.trainSize'],
    [{ kind: 'mnist', normalize: { mean: [0.1], std: [0] } }, 'data.normalize'],
    [{ kind: 'synthetic', classes: 3, shape: [1, 4], trainSize: 1, testSize: 1, seed: 1 }, 'data.shape'],
    [{ kind: 'synthetic', classes: 1, shape: [1, 1, 4], trainSize: 1, testSize: 1, seed: 1 }, 'data.classes'],
  ];
  for (const [spec, field] of cases) {
    assert.throws(
      () => validateDataSpec(spec),
      (e: unknown) => e instanceof InvalidInputError && e.field === field,
      `${JSON.stringify(spec)} should fail on ${field}`,
    );
  }
});

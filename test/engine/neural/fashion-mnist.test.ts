// Fashion-MNIST: the IDX loader on files the test writes, Debian's files when installed, and the
// error that names the package when they are not.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { clearDatasetCache, DataFileError, FASHION_MNIST_DIR, loadDataset, makeBatch, validateDataSpec } from '../../../src/engine/neural/data';
import { InvalidInputError } from '../../../src/engine/errors';

function idx(dims: number[], data: Uint8Array): Buffer {
  const header = Buffer.alloc(4 + 4 * dims.length);
  header.writeUInt32BE(0x800 + dims.length, 0);
  dims.forEach((d, i) => header.writeUInt32BE(d, 4 + 4 * i));
  return Buffer.concat([header, Buffer.from(data)]);
}

/** n gzipped images of 3x3 whose pixel k of image i is 10 i + k, label (i * 3) % 10; the test set reversed. */
function writeFashion(dir: string, n: number): void {
  const images = Uint8Array.from({ length: n * 9 }, (_, j) => 10 * Math.floor(j / 9) + (j % 9));
  const labels = Uint8Array.from({ length: n }, (_, i) => (i * 3) % 10);
  const reversed = (a: Uint8Array, size: number) => Uint8Array.from({ length: a.length }, (_, j) => a[(n - 1 - Math.floor(j / size)) * size + (j % size)]);
  const write = (name: string, b: Buffer) => writeFileSync(join(dir, `${name}.gz`), gzipSync(b));
  write('train-images-idx3-ubyte', idx([n, 3, 3], images));
  write('train-labels-idx1-ubyte', idx([n], labels));
  write('t10k-images-idx3-ubyte', idx([n, 3, 3], reversed(images, 9)));
  write('t10k-labels-idx1-ubyte', idx([n], reversed(labels, 1)));
}

test('fashion-mnist reads gzipped IDX files from `dir` as written', () => {
  const dir = mkdtempSync(join(tmpdir(), 'neb-fashion-'));
  try {
    writeFashion(dir, 7);
    const data = loadDataset({ kind: 'fashion-mnist', dir, normalize: false });
    assert.equal(data.name, 'fashion-mnist');
    assert.deepEqual(data.shape, [3, 3, 1]);
    assert.equal(data.classes, 10);
    assert.equal(data.train.count, 7);
    assert.deepEqual(Array.from(data.train.labels), [0, 3, 6, 9, 2, 5, 8]);
    assert.deepEqual(Array.from(data.test.labels), [8, 5, 2, 9, 6, 3, 0]);
    const batch = makeBatch(data, 'test', [1]);
    // Test image 1 is training image 5: pixels 50..58.
    assert.deepEqual(Array.from(batch.x), Array.from({ length: 9 }, (_, k) => Math.fround((50 + k) / 255)));
    // Default normalisation: the mean and std of the training pixels (0..68 minus gaps), computed here.
    const pixels = Array.from({ length: 63 }, (_, j) => (10 * Math.floor(j / 9) + (j % 9)) / 255);
    const mean = pixels.reduce((s, v) => s + v, 0) / pixels.length;
    const std = Math.sqrt(pixels.reduce((s, v) => s + (v - mean) ** 2, 0) / pixels.length);
    const normalised = loadDataset({ kind: 'fashion-mnist', dir });
    assert.ok(Math.abs(normalised.normalization!.mean[0] - mean) < 1e-12);
    assert.ok(Math.abs(normalised.normalization!.std[0] - std) < 1e-9);
  } finally {
    clearDatasetCache();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('fashion-mnist without its files names the Debian package', () => {
  const dir = mkdtempSync(join(tmpdir(), 'neb-fashion-empty-'));
  try {
    for (const where of [dir, join(dir, 'absent')]) {
      assert.throws(
        () => loadDataset({ kind: 'fashion-mnist', dir: where }),
        (e: unknown) => e instanceof DataFileError && e.file === where && /install the Debian package dataset-fashion-mnist/.test(e.message),
      );
    }
    assert.throws(() => validateDataSpec({ kind: 'fashion-mnist', dir: '' }), (e: unknown) => e instanceof InvalidInputError && e.field === 'data.dir');
    assert.deepEqual(validateDataSpec({ kind: 'fashion-mnist' }), { kind: 'fashion-mnist' });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("Debian's Fashion-MNIST: 60000 train / 10000 test 28x28, labels 0..9, 6000 per class, first labels 9", (t) => {
  if (!existsSync(join(FASHION_MNIST_DIR, 'train-images-idx3-ubyte.gz'))) return t.skip(`${FASHION_MNIST_DIR} absent (Debian package dataset-fashion-mnist not installed)`);
  try {
    const data = loadDataset({ kind: 'fashion-mnist', normalize: false });
    assert.deepEqual(data.shape, [28, 28, 1]);
    assert.equal(data.train.count, 60000);
    assert.equal(data.test.count, 10000);
    const counts = new Array(10).fill(0);
    data.train.labels.forEach((l) => counts[l]++);
    assert.deepEqual(counts, new Array(10).fill(6000));
    assert.ok(data.test.labels.every((l) => l >= 0 && l <= 9));
    // The first training and test images are both ankle boots (class 9) in the published files.
    assert.equal(data.train.labels[0], 9);
    assert.equal(data.test.labels[0], 9);
    assert.deepEqual(Array.from(data.test.labels.subarray(0, 5)), [9, 2, 1, 1, 6]);
  } finally {
    clearDatasetCache();
  }
});

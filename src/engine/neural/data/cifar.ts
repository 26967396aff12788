/**
 * CIFAR-10 / CIFAR-100 "binary version" (https://www.cs.toronto.edu/~kriz/cifar.html): records of
 * label byte(s) + 3072 bytes (1024 red, 1024 green, 1024 blue, rows of 32), converted to NHWC.
 */
import { DataFileError, type Dataset, type Split } from './dataset';
import { readDataFile, resolveDataDir } from './files';

const PIXELS = 32 * 32;

interface Variant {
  name: 'cifar10' | 'cifar100';
  sub: string;
  trainFiles: string[];
  testFiles: string[];
  /** Label bytes per record; the last one is the label used (CIFAR-100: coarse, then fine). */
  labelBytes: number;
  classes: number;
  perFile: string;
}

const VARIANTS: Record<'cifar10' | 'cifar100', Variant> = {
  cifar10: {
    name: 'cifar10',
    sub: 'cifar-10-batches-bin',
    trainFiles: [1, 2, 3, 4, 5].map((i) => `data_batch_${i}.bin`),
    testFiles: ['test_batch.bin'],
    labelBytes: 1,
    classes: 10,
    perFile: 'CIFAR-10 binary batch: records of 1 label byte (0-9) + 3072 pixel bytes',
  },
  cifar100: {
    name: 'cifar100',
    sub: 'cifar-100-binary',
    trainFiles: ['train.bin'],
    testFiles: ['test.bin'],
    labelBytes: 2,
    classes: 100,
    perFile: 'CIFAR-100 binary file: records of 2 label bytes (coarse 0-19, fine 0-99) + 3072 pixel bytes',
  },
};

function readSplit(dir: string, files: string[], v: Variant): Split {
  const record = v.labelBytes + 3 * PIXELS;
  const buffers = files.map((f) => {
    const buffer = readDataFile(dir, f, v.perFile);
    if (buffer.length === 0 || buffer.length % record !== 0) {
      throw new DataFileError(`${dir}/${f}`, `${buffer.length} bytes is not a positive multiple of ${record}; expected ${v.perFile}`);
    }
    return { f, buffer };
  });
  const count = buffers.reduce((n, b) => n + b.buffer.length / record, 0);
  const images = new Uint8Array(count * 3 * PIXELS);
  const labels = new Int32Array(count);
  let n = 0;
  for (const { f, buffer } of buffers) {
    for (let r = 0; r < buffer.length; r += record, n++) {
      const label = buffer[r + v.labelBytes - 1];
      if (label >= v.classes) throw new DataFileError(`${dir}/${f}`, `label ${label} in record ${r / record}; expected 0..${v.classes - 1}`);
      labels[n] = label;
      const base = r + v.labelBytes;
      const out = n * 3 * PIXELS;
      for (let p = 0; p < PIXELS; p++) {
        images[out + 3 * p] = buffer[base + p];
        images[out + 3 * p + 1] = buffer[base + PIXELS + p];
        images[out + 3 * p + 2] = buffer[base + 2 * PIXELS + p];
      }
    }
  }
  return { images, labels, count };
}

export function loadCifar(kind: 'cifar10' | 'cifar100', dir: string): Omit<Dataset, 'normalization' | 'augment'> {
  const v = VARIANTS[kind];
  const root = resolveDataDir(dir, v.sub, v.trainFiles[0]);
  return {
    name: kind,
    shape: [32, 32, 3],
    classes: v.classes,
    train: readSplit(root, v.trainFiles, v),
    test: readSplit(root, v.testFiles, v),
    scale: 1 / 255,
  };
}

/**
 * MNIST in the IDX format of LeCun et al. (big-endian header, unsigned bytes), and Fashion-MNIST
 * (Xiao et al. 2017), which uses the same four file names and format.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DataFileError, type Dataset, type Split } from './dataset';
import { readDataFile } from './files';

/** Where Debian's package `dataset-fashion-mnist` installs the gzipped IDX files. */
export const FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';
export const FASHION_MNIST_PACKAGE = 'dataset-fashion-mnist';

const FILES = {
  trainImages: 'train-images-idx3-ubyte',
  trainLabels: 'train-labels-idx1-ubyte',
  testImages: 't10k-images-idx3-ubyte',
  testLabels: 't10k-labels-idx1-ubyte',
};

/** Parses an IDX file of unsigned bytes with `rank` dimensions; returns dims and the data. */
export function parseIdx(buffer: Buffer, rank: number, file: string): { dims: number[]; data: Uint8Array } {
  const expected = `an IDX file of unsigned bytes with ${rank} dimension(s) (magic 0x0000080${rank})`;
  if (buffer.length < 4 + 4 * rank) throw new DataFileError(file, `only ${buffer.length} bytes; expected ${expected}`);
  const magic = buffer.readUInt32BE(0);
  if (magic !== 0x800 + rank) {
    throw new DataFileError(file, `magic number 0x${magic.toString(16).padStart(8, '0')}; expected ${expected}`);
  }
  const dims = Array.from({ length: rank }, (_, i) => buffer.readUInt32BE(4 + 4 * i));
  const header = 4 + 4 * rank;
  const size = dims.reduce((a, b) => a * b, 1);
  if (buffer.length !== header + size) {
    throw new DataFileError(file, `${buffer.length} bytes; expected ${header + size} for dimensions [${dims}]`);
  }
  return { dims, data: new Uint8Array(buffer.buffer, buffer.byteOffset + header, size) };
}

function readSplit(dir: string, imagesName: string, labelsName: string, what = 'MNIST'): { split: Split; rows: number; cols: number } {
  const images = parseIdx(readDataFile(dir, imagesName, `${what} images in IDX format (magic 0x00000803)`), 3, `${dir}/${imagesName}`);
  const labels = parseIdx(readDataFile(dir, labelsName, `${what} labels in IDX format (magic 0x00000801)`), 1, `${dir}/${labelsName}`);
  const [count, rows, cols] = images.dims;
  if (labels.dims[0] !== count) {
    throw new DataFileError(`${dir}/${labelsName}`, `${labels.dims[0]} labels; expected ${count}, one per image in ${imagesName}`);
  }
  const bad = labels.data.findIndex((l) => l > 9);
  if (bad >= 0) throw new DataFileError(`${dir}/${labelsName}`, `label ${labels.data[bad]} at index ${bad}; expected 0..9`);
  return { split: { images: images.data, labels: Int32Array.from(labels.data), count }, rows, cols };
}

export function loadMnistIdx(dir: string, name = 'mnist-idx', what = 'MNIST'): Omit<Dataset, 'normalization' | 'augment'> {
  const train = readSplit(dir, FILES.trainImages, FILES.trainLabels, what);
  const test = readSplit(dir, FILES.testImages, FILES.testLabels, what);
  if (train.rows !== test.rows || train.cols !== test.cols) {
    throw new DataFileError(`${dir}/${FILES.testImages}`, `images are ${test.rows}x${test.cols}; expected ${train.rows}x${train.cols} as in ${FILES.trainImages}`);
  }
  return { name, shape: [train.rows, train.cols, 1], classes: 10, train: train.split, test: test.split, scale: 1 / 255 };
}

/**
 * Fashion-MNIST from `dir` (default: Debian's directory). When none of its files is there, the
 * error says which package provides them; a partial or damaged copy gets the file's own error.
 */
export function loadFashionMnist(dir = FASHION_MNIST_DIR): Omit<Dataset, 'normalization' | 'augment'> {
  checkFashionMnistFiles(dir);
  return loadMnistIdx(dir, 'fashion-mnist', 'Fashion-MNIST');
}

/** Throws the DataFileError naming the Debian package when `dir` holds none of the files (cheap: no reading). */
export function checkFashionMnistFiles(dir = FASHION_MNIST_DIR): void {
  const present = Object.values(FILES).some((f) => existsSync(join(dir, f)) || existsSync(join(dir, `${f}.gz`)));
  if (!present) {
    throw new DataFileError(
      dir,
      `no Fashion-MNIST IDX files (${Object.values(FILES).join(', ')}, optionally .gz); install the Debian package ${FASHION_MNIST_PACKAGE} (apt-get install ${FASHION_MNIST_PACKAGE}) or give the directory holding them`,
    );
  }
}

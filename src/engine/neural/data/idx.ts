/** MNIST in the IDX format of LeCun et al. (big-endian header, unsigned bytes). */
import { DataFileError, type Dataset, type Split } from './dataset';
import { readDataFile } from './files';

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

function readSplit(dir: string, imagesName: string, labelsName: string): { split: Split; rows: number; cols: number } {
  const images = parseIdx(readDataFile(dir, imagesName, 'MNIST images in IDX format (magic 0x00000803)'), 3, `${dir}/${imagesName}`);
  const labels = parseIdx(readDataFile(dir, labelsName, 'MNIST labels in IDX format (magic 0x00000801)'), 1, `${dir}/${labelsName}`);
  const [count, rows, cols] = images.dims;
  if (labels.dims[0] !== count) {
    throw new DataFileError(`${dir}/${labelsName}`, `${labels.dims[0]} labels; expected ${count}, one per image in ${imagesName}`);
  }
  const bad = labels.data.findIndex((l) => l > 9);
  if (bad >= 0) throw new DataFileError(`${dir}/${labelsName}`, `label ${labels.data[bad]} at index ${bad}; expected 0..9`);
  return { split: { images: images.data, labels: Int32Array.from(labels.data), count }, rows, cols };
}

export function loadMnistIdx(dir: string): Omit<Dataset, 'normalization' | 'augment'> {
  const train = readSplit(dir, FILES.trainImages, FILES.trainLabels);
  const test = readSplit(dir, FILES.testImages, FILES.testLabels);
  if (train.rows !== test.rows || train.cols !== test.cols) {
    throw new DataFileError(`${dir}/${FILES.testImages}`, `images are ${test.rows}x${test.cols}; expected ${train.rows}x${train.cols} as in ${FILES.trainImages}`);
  }
  return { name: 'mnist-idx', shape: [train.rows, train.cols, 1], classes: 10, train: train.split, test: test.split, scale: 1 / 255 };
}

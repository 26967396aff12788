// `npm run experiment -- alignment`: how much of the barrier between two minima is permutation
// symmetry (issue 18). MLPs 784-w-w-10 on Fashion-MNIST (Debian's IDX files; the bundled MNIST
// when they are absent), `minima` minima per width; for every pair, Entezari's train-loss barrier
// (above the chord between the endpoint losses) on the straight line raw, after weight matching
// and after activation matching, and on the AutoNEB path (default preset) raw and to the weight-
// matched copy, with the evaluations AutoNEB spent. A control per width: a minimum against a known
// permutation of itself, whose aligned barrier must be 0. Runs on the engine in this process.
// `alignment-ci` is the same at a size a CI test runs in seconds.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { lossBarrier, Random, runAutoNEB, type AutoNebConfigInput, type LinePoint } from '../engine';
import { batchTensors, chunks, createModel, evaluateSplit, FASHION_MNIST_DIR, loadDataset, makeBatch, NeuralEnergy, trainMinimum, type DataSpec, type Dataset, type NeuralModel } from '../engine/neural';
import { initBackend } from '../engine/tfjs';
import { alignMinimum, applyPermutations, permutationSpec, randomPermutations, type AlignmentMethod } from '../engine/neural/alignment';
import { lerp } from '../engine/vector';
import { machineDescription } from './experiment';
import { alignmentSvg } from './plots';

export interface AlignmentExperimentOptions {
  widths?: number[];
  minima?: number;
  /**
   * Which pairs of a width's minima: `reference` aligns every other minimum to minimum 1 (as Git
   * Re-Basin aligns models to one reference; minima - 1 pairs), `all` every pair (default).
   */
  pairs?: 'reference' | 'all';
  /** SGD steps per minimum. */
  steps?: number;
  /** Training examples used for training and for the barriers (default 10000). */
  trainSize?: number;
  testSize?: number;
  /** Training examples whose activations are matched (default 1024). */
  activationExamples?: number;
  /** AutoNEB between each pair raw and aligned (default: the default preset). */
  autoneb?: AutoNebConfigInput;
  out: string;
  log?: (line: string) => void;
}

export const ALIGNMENT_PRESETS: Record<string, { description: string; options: Omit<AlignmentExperimentOptions, 'out' | 'log'> }> = {
  alignment: {
    description: 'MLPs 784-w-w-10, w in 32, 128, 512, 4 minima each (2000 SGD steps) on the first 10 000 / 2 000 Fashion-MNIST images, minima 2-4 aligned to minimum 1; AutoNEB with the default preset',
    options: { widths: [32, 128, 512], minima: 4, pairs: 'reference', steps: 2000, trainSize: 10000, testSize: 2000 },
  },
  'alignment-ci': {
    description: 'reduced form for CI: MLP 784-16-16-10, 2 minima (60 SGD steps) on the first 300 / 200 images; AutoNEB: 4 cycles of 5 steps (tiny)',
    options: { widths: [16], minima: 2, steps: 60, trainSize: 300, testSize: 200, activationExamples: 256, autoneb: { preset: 'tiny', base: { steps: 5, evaluationPoints: 2 } } },
  },
};

/** One path's barrier: Entezari's over its points (positions t), and what AutoNEB spent. */
export interface PathBarrier {
  barrier: number;
  points: LinePoint[];
  evaluations?: number;
  seconds?: number;
}

export interface PairResult {
  a: number;
  b: number;
  line: { raw: PathBarrier; weightMatching: PathBarrier; activationMatching: PathBarrier };
  autoneb: { raw: PathBarrier; aligned: PathBarrier };
}

export interface AlignmentRow {
  width: number;
  pairs: number;
  /** Means over pairs of Entezari's train-loss barrier on the straight line. */
  raw: number;
  weightMatching: number;
  activationMatching: number;
  /** Means over pairs on the AutoNEB path (raw, and to the weight-matched copy) and of its evaluations. */
  autonebRaw: number;
  autonebAligned: number;
  evaluationsRaw: number;
  evaluationsAligned: number;
  /** Mean seconds per alignment: wall and CPU (the process's, all threads). */
  secondsWeight: number;
  secondsActivation: number;
  cpuWeight: number;
  cpuActivation: number;
  minimumTrainLoss: number;
  minimumTestError: number;
  /** Minimum 1 against a known random permutation of itself: straight-line barrier raw and after weight matching (exactly the original back?). */
  control: { raw: number; aligned: number; exact: boolean };
  details: PairResult[];
}

export interface AlignmentExperimentResult {
  rows: AlignmentRow[];
  data: string;
  machine: string;
  seconds: number;
  markdown: string;
  figure: string;
}

const POINTS = 11;

const mean = (values: number[]) => values.reduce((s, v) => s + v, 0) / values.length;

function trainPoint(model: NeuralModel, dataset: Dataset, params: Float32Array, t: number): LinePoint {
  const m = evaluateSplit(model, params, dataset, 'train');
  return { t, trainLoss: m.loss, testLoss: 0, trainError: m.error, testError: null };
}

/** Entezari's barrier on points at the given positions of a path. */
function pathBarrier(points: LinePoint[]): PathBarrier {
  return { barrier: lossBarrier(points).value, points };
}

function straightLine(model: NeuralModel, dataset: Dataset, a: Float32Array, b: Float32Array): PathBarrier {
  return pathBarrier(Array.from({ length: POINTS }, (_, i) => trainPoint(model, dataset, lerp(a, b, i / (POINTS - 1)), i / (POINTS - 1))));
}

async function autonebPath(energy: NeuralEnergy, model: NeuralModel, dataset: Dataset, a: Float32Array, b: Float32Array, config: AutoNebConfigInput | undefined): Promise<PathBarrier> {
  const started = performance.now();
  const result = await runAutoNEB(energy, a, b, config);
  const t = result.cycles.at(-1)!.pivotPositions;
  // The final pivots on the same training examples as the straight line (AutoNEB itself saw mini-batches).
  const points = result.pivots.map((p, i) => trainPoint(model, dataset, p, t[i]));
  return { ...pathBarrier(points), evaluations: result.evaluations, seconds: (performance.now() - started) / 1000 };
}

export async function runAlignmentExperiment(options: AlignmentExperimentOptions): Promise<AlignmentExperimentResult> {
  const started = performance.now();
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const backend = await initBackend();
  const sizes = { trainSize: options.trainSize ?? 10000, testSize: options.testSize ?? 2000 };
  const data: DataSpec = existsSync(FASHION_MNIST_DIR) ? { kind: 'fashion-mnist', ...sizes } : { kind: 'mnist', ...sizes };
  const dataName = data.kind === 'fashion-mnist' ? 'Fashion-MNIST' : 'bundled MNIST';
  const dataset = loadDataset(data);
  log(`${dataName}: ${dataset.train.count} train / ${dataset.test.count} test; tfjs backend ${backend.name}`);
  const [examples] = chunks(Math.min(options.activationExamples ?? 1024, dataset.train.count), options.activationExamples ?? 1024);
  const batch = batchTensors(dataset, makeBatch(dataset, 'train', examples));
  const count = options.minima ?? 4;
  const rows: AlignmentRow[] = [];
  for (const width of options.widths ?? [32, 128, 512]) {
    const modelSpec = { kind: 'mlp' as const, widths: [784, width, width, 10] };
    const model = createModel(modelSpec);
    const steps = options.steps ?? 2000;
    const minima: Float32Array[] = [];
    const trainLosses: number[] = [];
    const testErrors: number[] = [];
    for (let seed = 1; seed <= count; seed++) {
      const result = await trainMinimum(model, dataset, { steps, batchSize: 128, lr: 0.05, momentum: 0.9, weightDecay: 1e-4, milestones: [Math.floor(steps * 0.6), Math.floor(steps * 0.85)], gamma: 0.1 }, seed);
      minima.push(result.params);
      trainLosses.push(evaluateSplit(model, result.params, dataset, 'train').loss);
      testErrors.push(evaluateSplit(model, result.params, dataset, 'test').error);
      log(`width ${width}: minimum ${seed} trained (${steps} steps)`);
    }
    const energy = new NeuralEnergy({ model: modelSpec, data, seed: 0, batchSize: Math.min(512, dataset.train.count) });
    const timing = { secondsWeight: [] as number[], secondsActivation: [] as number[], cpuWeight: [] as number[], cpuActivation: [] as number[] };
    const align = (moving: Float32Array, reference: Float32Array, method: AlignmentMethod) => {
      const cpu = process.cpuUsage();
      const result = alignMinimum(model, moving, reference, { method, seed: 0, examples: batch.x });
      const used = process.cpuUsage(cpu);
      const key = method === 'weight-matching' ? 'Weight' : 'Activation';
      timing[`seconds${key}`].push(result.seconds);
      timing[`cpu${key}`].push((used.user + used.system) / 1e6);
      return result.params;
    };
    const details: PairResult[] = [];
    const firsts = options.pairs === 'reference' ? 1 : minima.length;
    for (let i = 0; i < firsts; i++) {
      for (let j = i + 1; j < minima.length; j++) {
        const weight = align(minima[j], minima[i], 'weight-matching');
        const activation = align(minima[j], minima[i], 'activation-matching');
        const line = { raw: straightLine(model, dataset, minima[i], minima[j]), weightMatching: straightLine(model, dataset, minima[i], weight), activationMatching: straightLine(model, dataset, minima[i], activation) };
        const autoneb = { raw: await autonebPath(energy, model, dataset, minima[i], minima[j], options.autoneb), aligned: await autonebPath(energy, model, dataset, minima[i], weight, options.autoneb) };
        details.push({ a: i + 1, b: j + 1, line, autoneb });
        log(
          `width ${width}, minima ${i + 1}-${j + 1}: straight line ${line.raw.barrier.toFixed(3)} raw, ${line.weightMatching.barrier.toFixed(3)} WM, ${line.activationMatching.barrier.toFixed(3)} AM; ` +
            `AutoNEB ${autoneb.raw.barrier.toFixed(3)} raw (${autoneb.raw.evaluations} evaluations, ${autoneb.raw.seconds!.toFixed(0)} s), ${autoneb.aligned.barrier.toFixed(3)} aligned (${autoneb.aligned.evaluations}, ${autoneb.aligned.seconds!.toFixed(0)} s)`,
        );
      }
    }
    // Control: a known permutation of minimum 1 is the same function; weight matching must undo it.
    const spec = permutationSpec(model);
    const permuted = applyPermutations(model.layout, spec, minima[0], randomPermutations(spec, new Random(`control-${width}`)));
    const undone = alignMinimum(model, permuted, minima[0], { seed: 0 }).params;
    const control = { raw: straightLine(model, dataset, minima[0], permuted).barrier, aligned: straightLine(model, dataset, minima[0], undone).barrier, exact: undone.every((v, k) => v === minima[0][k]) };
    const over = (f: (p: PairResult) => PathBarrier) => mean(details.map((p) => f(p).barrier));
    const row: AlignmentRow = {
      width,
      pairs: details.length,
      raw: over((p) => p.line.raw),
      weightMatching: over((p) => p.line.weightMatching),
      activationMatching: over((p) => p.line.activationMatching),
      autonebRaw: over((p) => p.autoneb.raw),
      autonebAligned: over((p) => p.autoneb.aligned),
      evaluationsRaw: mean(details.map((p) => p.autoneb.raw.evaluations!)),
      evaluationsAligned: mean(details.map((p) => p.autoneb.aligned.evaluations!)),
      secondsWeight: mean(timing.secondsWeight),
      secondsActivation: mean(timing.secondsActivation),
      cpuWeight: mean(timing.cpuWeight),
      cpuActivation: mean(timing.cpuActivation),
      minimumTrainLoss: mean(trainLosses),
      minimumTestError: mean(testErrors),
      control,
      details,
    };
    rows.push(row);
    log(`width ${width}: straight line raw ${row.raw.toFixed(3)}, WM ${row.weightMatching.toFixed(3)}, AM ${row.activationMatching.toFixed(3)}; AutoNEB raw ${row.autonebRaw.toFixed(3)}, aligned ${row.autonebAligned.toFixed(3)}; control ${control.raw.toFixed(3)} -> ${control.aligned.toExponential(1)}`);
  }
  tf.dispose([batch.x, batch.labels]);
  const machine = machineDescription();
  const seconds = (performance.now() - started) / 1000;
  const markdown = alignmentTable(rows);
  mkdirSync(options.out, { recursive: true });
  const figure = join(options.out, 'alignment-barriers.svg');
  writeFileSync(
    figure,
    await alignmentSvg({
      title: `Barrier raw vs aligned, MLP 784-w-w-10 (${dataName})`,
      rows: rows.map((r) => ({ width: r.width, linearRaw: r.raw, linearAligned: r.weightMatching, autonebRaw: r.autonebRaw, autonebAligned: r.autonebAligned })),
    }),
  );
  writeFileSync(join(options.out, 'result.json'), `${JSON.stringify({ data: dataName, options: { ...options, log: undefined }, rows, machine, seconds }, null, 2)}\n`);
  writeFileSync(join(options.out, 'table.md'), `${markdown}\n`);
  return { rows, data: dataName, machine, seconds, markdown, figure };
}

const ratio = (value: number, raw: number) => `${value.toFixed(3)} (${(value / raw).toFixed(2)})`;

/** The report's table: barriers raw and aligned (ratio to raw), evaluations, alignment seconds. */
export function alignmentTable(rows: AlignmentRow[]): string {
  return [
    `| width | pairs | minima: train loss, test error | line raw | line WM (ratio) | line AM (ratio) | AutoNEB raw | AutoNEB WM (ratio) | AutoNEB evaluations raw / WM | control raw -> WM | s per alignment, wall (CPU), WM / AM |`,
    `|---|---|---|---|---|---|---|---|---|---|---|`,
    ...rows.map(
      (r) =>
        `| ${r.width} | ${r.pairs} | ${r.minimumTrainLoss.toFixed(3)}, ${(100 * r.minimumTestError).toFixed(1)} % | ${r.raw.toFixed(3)} | ${ratio(r.weightMatching, r.raw)} | ${ratio(r.activationMatching, r.raw)} | ` +
        `${r.autonebRaw.toFixed(3)} | ${ratio(r.autonebAligned, r.autonebRaw)} | ${r.evaluationsRaw.toFixed(0)} / ${r.evaluationsAligned.toFixed(0)} | ${r.control.raw.toFixed(3)} -> ${r.control.aligned.toExponential(1)}${r.control.exact ? ' (exact)' : ''} | ` +
        `${r.secondsWeight.toFixed(2)} (${r.cpuWeight.toFixed(2)}) / ${r.secondsActivation.toFixed(2)} (${r.cpuActivation.toFixed(2)}) |`,
    ),
  ].join('\n');
}

// `npm run experiment -- methods` (issue 19): the same pairs of minima connected three ways, by
// AutoNEB and by a Bezier curve and a polygonal chain with a trained bend point (Garipov et al.
// 2018). Per pair and method: the saddle's train loss and test error on the full data sets (an
// EVALUATE run), the evaluations and wall time the path cost, and the saddle's index
// (negativeCount of a CURVATURE run). Everything goes through the API of a server (its own, in
// this process, unless --url is given), as a researcher would do it.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ApiClient } from './client';
import { CliError, EXIT } from './errors';
import { machineDescription, runAndWait, startServer } from './experiment';
import { ComputeCurvatureDocument, FitCurveDocument, MethodPathDocument, type CreateLandscapeInput, type CurveConfigInput } from './graphql';
import { methodsSvg } from './plots';
import { progressMode, type ProgressMode } from './progress';
import { CONNECT, CREATE_LANDSCAPE, EVALUATE, MINIMA_PAGE, TRAIN } from './queries';
import { allPages } from './report';

export const METHODS = ['AUTONEB', 'BEZIER', 'POLYCHAIN'] as const;
export type MethodName = (typeof METHODS)[number];

export interface MethodsPreset {
  description: string;
  landscape: CreateLandscapeInput;
  minima: number;
  /** AutoNEB's schedule (AutonebConfigInput). */
  autoneb: Record<string, unknown>;
  /** The curves' training (CurveConfigInput); unset fields default from the landscape. */
  curve: CurveConfigInput;
  /** Eigenvalues at each end of the spectrum for the saddle's index. */
  k: number;
  /** Points per pivot segment of AutoNEB's evaluation on the full sets (a curve's 61 pivots are dense already: 0). */
  pointsPerSegment: number;
}

const FASHION_TRAINING = { steps: 3000, batchSize: 64, learningRate: 0.05, momentum: 0.9, weightDecay: 1e-4, milestones: [1800, 2550] };

export const METHOD_PRESETS: Record<string, MethodsPreset> = {
  methods: {
    description: '4 minima of an MLP 784-100-10 on Fashion-MNIST (3000 SGD steps, 3.2 epochs), each of the 6 pairs by AutoNEB (preset small: the published 14 cycles at a tenth of the steps), a Bezier curve and a polygonal chain (3 epochs, the minima\'s epochs)',
    landscape: { name: 'Fashion-MNIST MLP 784-100-10 (methods)', architecture: { kind: 'mlp', widths: [100] }, dataset: { name: 'fashion-mnist' }, training: FASHION_TRAINING, autonebPreset: 'small' },
    minima: 4,
    autoneb: { preset: 'small' },
    curve: {},
    k: 5,
    pointsPerSegment: 2,
  },
  'methods-ci': {
    description: 'reduced form for CI: 2 minima (one pair) of an MLP 784-8-10 on the first 1000 / 500 Fashion-MNIST images, AutoNEB tiny (4 cycles of 5 steps), curves of 2 epochs',
    landscape: {
      name: 'CI methods MLP 784-8-10',
      architecture: { kind: 'mlp', widths: [8] },
      dataset: { name: 'fashion-mnist', trainSize: 1000, testSize: 500 },
      training: { steps: 60, batchSize: 50, learningRate: 0.1, momentum: 0.9, weightDecay: 1e-4, milestones: [45] },
      autonebPreset: 'tiny',
    },
    minima: 2,
    autoneb: { preset: 'tiny', base: { steps: 5, evaluationPoints: 2 } },
    curve: { epochs: 2, points: 21 },
    k: 2,
    pointsPerSegment: 1,
  },
};

export interface MethodRow {
  pair: string;
  a: string;
  b: string;
  method: MethodName;
  pathId: string;
  /** The saddle's train loss and test error on the full sets (after the EVALUATE run). */
  saddleTrainLoss: number | null;
  saddleTestError: number | null;
  evaluations: number;
  /** Wall time of the CONNECT or CURVE run. */
  seconds: number;
  negativeCount: number | null;
  threshold: number | null;
}

export interface MethodsResult {
  preset: string;
  landscapeId: string;
  /** The minima, with their train loss and test error on the full sets. */
  minima: { id: string; seed: number | null; trainLoss: number | null; testError: number | null }[];
  rows: MethodRow[];
  /** Per method: means over the pairs, and the ratio of the mean saddle loss to AutoNEB's. */
  means: { method: MethodName; saddleTrainLoss: number; saddleTestError: number | null; evaluations: number; seconds: number; firstOrder: number; pairs: number; ratioToAutoneb: number }[];
  report: string;
  svgs: string[];
  table: string;
  machine: string;
  seconds: number;
}

export interface MethodsOptions {
  preset: string;
  url?: string;
  token?: string;
  out: string;
  dataDir?: string;
  json?: boolean;
  progress?: ProgressMode;
  log?: (line: string) => void;
}

const seconds = (run: { startedAt?: string | null; finishedAt?: string | null }) =>
  run.startedAt && run.finishedAt ? (Date.parse(run.finishedAt) - Date.parse(run.startedAt)) / 1000 : NaN;

export async function runMethodsExperiment(options: MethodsOptions): Promise<MethodsResult> {
  const preset = METHOD_PRESETS[options.preset];
  if (!preset) throw new CliError(`unknown methods preset ${JSON.stringify(options.preset)}; known: ${Object.keys(METHOD_PRESETS).join(', ')}`, EXIT.USAGE);
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const mode = options.progress ?? progressMode({ json: options.json });
  const out = resolve(options.out);
  mkdirSync(out, { recursive: true });
  const started = Date.now();
  const server = options.url ? null : await startServer(options.dataDir, join(out, 'server.log'));
  const client = new ApiClient(options.url ?? server!.url, server ? undefined : options.token);
  try {
    log(`experiment ${options.preset}: ${preset.description}`);
    const landscape = (await client.request(CREATE_LANDSCAPE, { input: preset.landscape })).createLandscape;
    await runAndWait(client, 'train', mode, async () => (await client.request(TRAIN, { landscapeId: landscape.id, count: preset.minima })).trainMinima);
    const minima = (await allPages(async (after) => (await client.request(MINIMA_PAGE, { id: landscape.id, after })).landscape.minima)).filter((m) => m.status === 'READY');
    minima.sort((x, y) => (x.seed ?? 0) - (y.seed ?? 0));
    const rows: MethodRow[] = [];
    for (let i = 0; i < minima.length; i++) {
      for (let j = i + 1; j < minima.length; j++) {
        const [a, b] = [minima[i], minima[j]];
        const pair = `${a.seed}-${b.seed}`;
        for (const method of METHODS) {
          const label = `${pair} ${method.toLowerCase()}`;
          const run =
            method === 'AUTONEB'
              ? await runAndWait(client, label, mode, async () => (await client.request(CONNECT, { a: a.id, b: b.id, config: preset.autoneb })).connectMinima)
              : await runAndWait(client, label, mode, async () => (await client.request(FitCurveDocument, { a: a.id, b: b.id, kind: method, config: preset.curve })).fitCurve);
          const pathId = (run.config as { pathId: string }).pathId;
          const points = method === 'AUTONEB' ? preset.pointsPerSegment : 0;
          await runAndWait(client, `${label} evaluate`, mode, async () => (await client.request(EVALUATE, { pathId, points })).evaluatePath);
          await runAndWait(client, `${label} curvature`, mode, async () => (await client.request(ComputeCurvatureDocument, { target: { pathId }, k: preset.k })).computeCurvature);
          const { path } = await client.request(MethodPathDocument, { id: pathId });
          const row: MethodRow = {
            pair,
            a: a.id,
            b: b.id,
            method,
            pathId,
            saddleTrainLoss: path.saddle?.trainLoss ?? null,
            saddleTestError: path.saddle?.testError ?? null,
            evaluations: path.evaluations,
            seconds: seconds(run),
            negativeCount: path.saddle?.curvature?.negativeCount ?? null,
            threshold: path.saddle?.curvature?.threshold ?? null,
          };
          rows.push(row);
          log(`${label}: ${JSON.stringify(row)}`);
        }
      }
    }
    const means = methodMeans(rows);
    const table = methodsTableMarkdown(rows, means);
    const figure = join(out, 'methods.svg');
    writeFileSync(figure, await methodsSvg({ title: 'Saddle train loss by pair and method (full training set)', rows: rows.filter((r) => r.saddleTrainLoss !== null).map((r) => ({ pair: r.pair, method: r.method, loss: r.saddleTrainLoss! })) }));
    const machine = machineDescription();
    const total = (Date.now() - started) / 1000;
    const report = join(out, 'report.md');
    writeFileSync(
      report,
      [
        '# AutoNEB, Bezier curves and polygonal chains on the same pairs',
        '',
        `Produced by \`npm run experiment -- ${options.preset}\` (${preset.description}).`,
        '',
        `Machine: ${machine}. Wall time: ${(total / 60).toFixed(1)} min.`,
        '',
        'Saddle: the highest point of the path, its train loss and test error on the full sets (EVALUATE); evaluations: gradient and loss evaluations the path cost (AutoNEB: every cycle; curves: the bend point\'s training, the dense profile and the perpendicular gradient); s: wall time of the CONNECT or CURVE run; index: negativeCount of the saddle\'s Hessian (1 = a first-order saddle).',
        '',
        table,
        '',
        '![saddle train loss by pair and method](methods.svg)',
        '',
      ].join('\n'),
    );
    const result: MethodsResult = {
      preset: options.preset,
      landscapeId: landscape.id,
      minima: minima.map((m) => ({ id: m.id, seed: m.seed ?? null, trainLoss: m.trainLoss ?? null, testError: m.testError ?? null })),
      rows, means, report, svgs: [figure], table, machine, seconds: total };
    writeFileSync(join(out, 'result.json'), `${JSON.stringify(result, null, 2)}\n`);
    return result;
  } finally {
    await client.close();
    await server?.close();
  }
}

const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;

/** Means over the pairs per method; the saddle loss's ratio to AutoNEB's mean (the goal: within a factor 2). */
export function methodMeans(rows: readonly MethodRow[]): MethodsResult['means'] {
  const of = (method: MethodName) => rows.filter((r) => r.method === method);
  const lossMean = (method: MethodName) => mean(of(method).filter((r) => r.saddleTrainLoss !== null).map((r) => r.saddleTrainLoss!));
  const autoneb = lossMean('AUTONEB');
  return METHODS.filter((m) => of(m).length > 0).map((method) => {
    const mine = of(method);
    const errors = mine.filter((r) => r.saddleTestError !== null).map((r) => r.saddleTestError!);
    return {
      method,
      saddleTrainLoss: lossMean(method),
      saddleTestError: errors.length ? mean(errors) : null,
      evaluations: mean(mine.map((r) => r.evaluations)),
      seconds: mean(mine.map((r) => r.seconds)),
      firstOrder: mine.filter((r) => r.negativeCount === 1).length,
      pairs: mine.length,
      ratioToAutoneb: lossMean(method) / autoneb,
    };
  });
}

const fixed = (x: number | null, digits = 4) => (x === null || !Number.isFinite(x) ? '–' : x.toPrecision(digits));
const percent = (x: number | null) => (x === null ? '–' : `${(100 * x).toFixed(1)} %`);

export function methodsTableMarkdown(rows: readonly MethodRow[], means: MethodsResult['means']): string {
  return [
    '| pair | method | saddle train loss | saddle test error | evaluations | s | index |',
    '|---|---|---|---|---|---|---|',
    ...rows.map((r) => `| ${r.pair} | ${r.method} | ${fixed(r.saddleTrainLoss)} | ${percent(r.saddleTestError)} | ${r.evaluations} | ${fixed(r.seconds, 3)} | ${r.negativeCount ?? '–'} |`),
    '',
    '| method | mean saddle train loss (ratio to AutoNEB) | mean saddle test error | mean evaluations | mean s | first-order saddles (index 1) |',
    '|---|---|---|---|---|---|',
    ...means.map((m) => `| ${m.method} | ${fixed(m.saddleTrainLoss)} (${m.ratioToAutoneb.toFixed(2)}) | ${percent(m.saddleTestError)} | ${Math.round(m.evaluations)} | ${fixed(m.seconds, 3)} | ${m.firstOrder} of ${m.pairs} |`),
  ].join('\n');
}

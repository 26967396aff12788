// The paper's experiment at CPU scale (`npm run experiment -- <preset>`): trains minima, explores
// the landscape with AutoNEB until the spanning tree is complete (algorithm 3), evaluates every
// completed path on the full train and test sets, writes the report and prints Table 1.
// Without --url it serves its own neb-atlas, in this process, on a fresh data directory.
import 'reflect-metadata';
import { mkdtempSync, rmSync, appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { ApiClient } from './client';
import { CliError, EXIT } from './errors';
import { createProgress, progressMode, type ProgressMode } from './progress';
import { CREATE_LANDSCAPE, EVALUATE, EXPLORE, EXPLORE_RUNS, LANDSCAPE, MINIMA_PAGE, PATHS_PAGE, TRAIN } from './queries';
import { barrierSvg } from './plots';
import { allPages, fetchReportData, table1Markdown, writeReport } from './report';
import { widthRow, widthTableMarkdown, type WidthRow } from './width-sweep';
import type { CreateLandscapeInput } from './graphql';
import type { PathInfo, RunInfo } from './types';
import { waitForRun } from './wait';

interface CycleOverride {
  steps?: number;
  learningRate?: number;
  insertion?: { strategy: string; count?: number; threshold?: number } | null;
  evaluationPoints?: number;
}

export interface ExperimentPreset {
  description: string;
  landscape: CreateLandscapeInput;
  minima: number;
  autoneb: { preset: string; base?: CycleOverride; cycles?: CycleOverride[] };
  /** Points per pivot segment of the final evaluation on the full data sets. */
  pointsPerSegment: number;
}

/** The published AutoNEB schedule (14 cycles, lr 0.1 -> 0.01 -> 0.001) with `steps` per cycle. */
function schedule(steps: number): CycleOverride[] {
  const highest = { strategy: 'highest', count: 2, threshold: 0.1 };
  return [
    { insertion: { strategy: 'equal', count: 3 }, steps, learningRate: 0.1 },
    { insertion: highest },
    {},
    {},
    { insertion: null, steps: 2 * steps },
    {},
    { steps, learningRate: 0.01 },
    {},
    {},
    {},
    { learningRate: 0.001 },
    {},
    {},
    {},
  ];
}

const MNIST_TRAINING = { steps: 1000, batchSize: 64, learningRate: 0.05, momentum: 0.9, weightDecay: 1e-4, milestones: [600, 850] };

/**
 * About 9.6 epochs of Fashion-MNIST at batch 64 (the MNIST schedule stretched ninefold): 3.2
 * epochs left the MLP 784-100-10 and the CNN 8-16 short of their usual test errors (docs/data.md).
 */
const FASHION_TRAINING = { steps: 9000, batchSize: 64, learningRate: 0.05, momentum: 0.9, weightDecay: 1e-4, milestones: [5400, 7650] };

export const PRESETS: Record<string, ExperimentPreset> = {
  'mnist-mlp': {
    description: '6 minima of an MLP 784-100-10 on the bundled MNIST (8004 train / 1996 test), AutoNEB with the default convergence-driven preset (adaptive)',
    landscape: { name: 'MNIST MLP 784-100-10', architecture: { kind: 'mlp', widths: [100] }, dataset: { name: 'mnist' }, training: MNIST_TRAINING, autonebPreset: 'adaptive' },
    minima: 6,
    autoneb: { preset: 'adaptive' },
    pointsPerSegment: 4,
  },
  'mnist-mlp-paper': {
    description: '6 minima of an MLP 784-100-10 on the bundled MNIST (8004 train / 1996 test), AutoNEB with the published 14-cycle schedule at 40 steps per cycle (mnist-mlp before issue 16)',
    landscape: { name: 'MNIST MLP 784-100-10', architecture: { kind: 'mlp', widths: [100] }, dataset: { name: 'mnist' }, training: MNIST_TRAINING, autonebPreset: 'small' },
    minima: 6,
    autoneb: { preset: 'small', cycles: [{ ...schedule(40)[0], evaluationPoints: 4 }, ...schedule(40).slice(1)] },
    pointsPerSegment: 4,
  },
  'mnist-cnn': {
    description: '6 minima of the small CNN (conv 8, conv 16, fc) on the bundled MNIST, same AutoNEB schedule as mnist-mlp-paper',
    landscape: { name: 'MNIST CNN 8-16', architecture: { kind: 'cnn', channels: [8, 16] }, dataset: { name: 'mnist' }, training: MNIST_TRAINING, autonebPreset: 'small' },
    minima: 6,
    autoneb: { preset: 'small', cycles: [{ ...schedule(40)[0], evaluationPoints: 4 }, ...schedule(40).slice(1)] },
    pointsPerSegment: 4,
  },
  'fashion-mlp': {
    description: '6 minima of an MLP 784-100-10 on Fashion-MNIST (60000 train / 10000 test), 9000 SGD steps (9.6 epochs), AutoNEB with the default convergence-driven preset (adaptive)',
    landscape: { name: 'Fashion-MNIST MLP 784-100-10', architecture: { kind: 'mlp', widths: [100] }, dataset: { name: 'fashion-mnist' }, training: FASHION_TRAINING, autonebPreset: 'adaptive' },
    minima: 6,
    autoneb: { preset: 'adaptive' },
    // 70 000 examples per evaluated point: 2 points per segment keep the evaluation to minutes.
    pointsPerSegment: 2,
  },
  'fashion-cnn': {
    description: '5 minima of the small CNN (conv 8, conv 16, fc) on Fashion-MNIST, 9000 SGD steps (9.6 epochs), AutoNEB as fashion-mlp (adaptive)',
    landscape: { name: 'Fashion-MNIST CNN 8-16', architecture: { kind: 'cnn', channels: [8, 16] }, dataset: { name: 'fashion-mnist' }, training: FASHION_TRAINING, autonebPreset: 'adaptive' },
    minima: 5,
    autoneb: { preset: 'adaptive' },
    pointsPerSegment: 2,
  },
  ci: {
    description: 'reduced form for CI: 3 minima of an MLP 784-8-10 on the bundled MNIST, 40 training steps, 4 AutoNEB cycles of 5 steps',
    landscape: {
      name: 'CI MNIST MLP 784-8-10',
      architecture: { kind: 'mlp', widths: [8] },
      dataset: { name: 'mnist' },
      training: { steps: 40, batchSize: 32, learningRate: 0.05, momentum: 0.9, weightDecay: 1e-4, milestones: [30] },
      autonebPreset: 'tiny',
    },
    minima: 3,
    autoneb: { preset: 'tiny', base: { steps: 5, evaluationPoints: 2 } },
    pointsPerSegment: 2,
  },
};

/** Several landscapes on one server, one per width of an MLP 784-h-10, compared in one table and figure. */
export interface SweepPreset {
  description: string;
  widths: number[];
  preset(width: number): ExperimentPreset;
}

function widthPreset(width: number, minima: number, dataset: NonNullable<CreateLandscapeInput['dataset']>, training: NonNullable<CreateLandscapeInput['training']>, autoneb: ExperimentPreset['autoneb'], pointsPerSegment: number, label: string): ExperimentPreset {
  return {
    description: `${minima} minima of an MLP 784-${width}-10 on ${label}`,
    landscape: { name: `Width sweep MLP 784-${width}-10`, architecture: { kind: 'mlp', widths: [width] }, dataset, training, autonebPreset: autoneb.preset },
    minima,
    autoneb,
    pointsPerSegment,
  };
}

export const SWEEPS: Record<string, SweepPreset> = {
  'width-sweep': {
    description: 'MLPs 784-h-10 on Fashion-MNIST for h in 2, 3, 5, 10, 25, 100, 4 minima each, trained and connected as fashion-mlp; barrier against width',
    widths: [2, 3, 5, 10, 25, 100],
    preset: (h) =>
      widthPreset(h, 4, { name: 'fashion-mnist' }, FASHION_TRAINING, { preset: 'adaptive' }, 2, 'Fashion-MNIST'),
  },
  'width-sweep-ci': {
    description: 'reduced form for CI: MLPs 784-h-10 for h in 2 and 10 on the first 1000 / 500 Fashion-MNIST images, 3 minima each, 60 training steps, 4 AutoNEB cycles of 5 steps',
    widths: [2, 10],
    preset: (h) =>
      widthPreset(
        h,
        3,
        { name: 'fashion-mnist', trainSize: 1000, testSize: 500 },
        { steps: 60, batchSize: 32, learningRate: 0.05, momentum: 0.9, weightDecay: 1e-4, milestones: [45] },
        { preset: 'tiny', base: { steps: 5, evaluationPoints: 2 } },
        2,
        'the first 1000 / 500 Fashion-MNIST images',
      ),
  },
};

export interface ExperimentOptions {
  preset: string;
  /** The preset itself (a sweep's member); default PRESETS[preset]. */
  custom?: ExperimentPreset;
  url?: string;
  token?: string;
  out: string;
  /** Data directory of the server this experiment starts (kept); default: a temp dir, removed after. */
  dataDir?: string;
  /** Connections the exploration runs at once (give the server as many compute workers). */
  parallel?: number;
  /** Continue this landscape (an earlier, interrupted experiment): trains only missing minima, evaluates only unevaluated paths. */
  landscapeId?: string;
  json?: boolean;
  progress?: ProgressMode;
  log?: (line: string) => void;
}

export interface ExperimentResult {
  preset: string;
  landscapeId: string;
  url: string;
  dataDir: string | null;
  report: string;
  svgs: string[];
  table1: string;
  summary: unknown;
  components: number;
  paths: { total: number; completed: number; evaluated: number };
  seconds: { train: number; explore: number; evaluate: number; total: number };
  machine: string;
  /** Width sweeps: one row per width. */
  widths?: WidthRow[];
}

export function machineDescription(): string {
  const c = cpus();
  return `${c[0]?.model.trim() ?? 'unknown CPU'}, ${c.length} logical cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${process.platform}-${process.arch}`;
}

export async function runAndWait(client: ApiClient, label: string, mode: ProgressMode, start: () => Promise<RunInfo>): Promise<RunInfo> {
  const run = await start();
  const view = createProgress(mode, label);
  try {
    const done = await waitForRun(client, run.id, view);
    if (done.status !== 'SUCCEEDED') throw new CliError(`${label}: run ${done.id} ${done.status}${done.errorMessage ? `: ${done.errorMessage}` : ''}`, EXIT.RUN_FAILED);
    return done;
  } finally {
    view.stop();
  }
}

async function landscapeState(client: ApiClient, id: string): Promise<{ ready: number; activeExplore: RunInfo | null }> {
  const minima = await allPages(async (after) => (await client.request(MINIMA_PAGE, { id, after })).landscape.minima);
  const { landscape } = await client.request(
    EXPLORE_RUNS,
    { id },
  );
  const active = landscape.runs.edges.map((e) => e.node).find((r) => r.status === 'QUEUED' || r.status === 'RUNNING') ?? null;
  return { ready: minima.filter((m) => m.status === 'READY').length, activeExplore: active };
}

function allPaths(client: ApiClient, landscapeId: string): Promise<PathInfo[]> {
  return allPages(async (after) => (await client.request(PATHS_PAGE, { id: landscapeId, after })).landscape.paths);
}

export async function runExperiment(options: ExperimentOptions): Promise<ExperimentResult> {
  const sweep = options.custom ? undefined : SWEEPS[options.preset];
  if (sweep) return runSweep(options, sweep);
  const preset = options.custom ?? PRESETS[options.preset];
  if (!preset) throw new CliError(`unknown preset ${JSON.stringify(options.preset)}; known: ${[...Object.keys(PRESETS), ...Object.keys(SWEEPS)].join(', ')}`, EXIT.USAGE);
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const mode = options.progress ?? progressMode({ json: options.json });
  const out = resolve(options.out);
  mkdirSync(out, { recursive: true });
  const started = Date.now();
  let server: { url: string; close(): Promise<void>; dataDir: string; temporary: boolean } | null = null;
  try {
    if (!options.url) server = await startServer(options.dataDir, join(out, 'server.log'));
    const url = options.url ?? server!.url;
    const client = new ApiClient(url, server ? undefined : options.token);
    try {
      log(`experiment ${options.preset}: ${preset.description}`);
      log(`server ${url}${server ? ` (in this process, data in ${server.dataDir}, log in ${join(out, 'server.log')})` : ''}; machine: ${machineDescription()}`);
      const landscape = options.landscapeId
        ? (await client.request(LANDSCAPE, { id: options.landscapeId })).landscape
        : (await client.request(CREATE_LANDSCAPE, { input: preset.landscape })).createLandscape;
      log(`landscape ${landscape.id}${options.landscapeId ? ' (resumed)' : ''}`);
      const state = options.landscapeId ? await landscapeState(client, landscape.id) : { ready: 0, activeExplore: null };

      let t = Date.now();
      const missing = preset.minima - state.ready;
      if (missing > 0 && state.ready === 0 && (options.parallel ?? 1) > 1) {
        // One TRAIN run trains its minima one after another: split the seeds over parallel runs.
        const groups = Array.from({ length: Math.min(options.parallel!, missing) }, (_, g) => Array.from({ length: missing }, (_, i) => i + 1).filter((seed) => (seed - 1) % options.parallel! === g));
        await Promise.all(
          groups.map((seeds, g) =>
            runAndWait(client, `train ${g + 1}/${groups.length}`, mode, async () => (await client.request(TRAIN, { landscapeId: landscape.id, count: seeds.length, seeds })).trainMinima),
          ),
        );
      } else if (missing > 0) {
        await runAndWait(client, 'train', mode, async () => (await client.request(TRAIN, { landscapeId: landscape.id, count: missing })).trainMinima);
      }
      const trainSeconds = (Date.now() - t) / 1000;
      log(`trained ${Math.max(0, missing)} minima in ${trainSeconds.toFixed(0)} s`);

      t = Date.now();
      // A resumed landscape may still have its exploration going (the server resumes its steps).
      const explore = await runAndWait(client, 'explore', mode, async () =>
        state.activeExplore ?? (await client.request(EXPLORE, { landscapeId: landscape.id, parallel: options.parallel ?? 1, config: preset.autoneb })).exploreLandscape,
      );
      const exploreSeconds = (Date.now() - t) / 1000;
      log(`explored in ${exploreSeconds.toFixed(0)} s: ${JSON.stringify(explore.result?.stopReason ?? explore.progress)}`);

      t = Date.now();
      const paths = await allPaths(client, landscape.id);
      const completed = paths.filter((p) => p.status === 'COMPLETED');
      const pending = completed.filter((p) => !p.evaluatedProfile?.length);
      for (const [i, path] of pending.entries()) {
        await runAndWait(client, `evaluate ${i + 1}/${pending.length}`, mode, async () =>
          (await client.request(EVALUATE, { pathId: path.id, points: preset.pointsPerSegment })).evaluatePath,
        );
      }
      const evaluateSeconds = (Date.now() - t) / 1000;
      log(`evaluated ${pending.length} paths on the full data sets in ${evaluateSeconds.toFixed(0)} s`);

      const data = await fetchReportData(client, landscape.id);
      const totalSeconds = (Date.now() - started) / 1000;
      const machine = machineDescription();
      const preamble = [
        `Produced by \`npm run experiment -- ${options.preset}\` (${preset.description})${options.landscapeId ? `, resumed on landscape ${landscape.id}` : ''}.`,
        '',
        `Machine: ${machine}${options.url ? ` (where this command ran; the server at ${url} computed)` : ''}. Wall time: ${(totalSeconds / 60).toFixed(1)} min (training ${trainSeconds.toFixed(0)} s, exploration ${exploreSeconds.toFixed(0)} s, evaluation ${evaluateSeconds.toFixed(0)} s).`,
      ].join('\n');
      const files = await writeReport(data, out, { preamble });
      const table1 = table1Markdown(data);
      const result: ExperimentResult = {
        preset: options.preset,
        landscapeId: landscape.id,
        url,
        dataDir: server && !server.temporary ? server.dataDir : null,
        report: files.markdown,
        svgs: files.svgs,
        table1,
        summary: data.landscape.summary,
        components: data.tree.components.length,
        paths: { total: data.paths.length, completed: completed.length, evaluated: data.paths.filter((p) => p.evaluatedProfile?.length).length },
        seconds: { train: trainSeconds, explore: exploreSeconds, evaluate: evaluateSeconds, total: totalSeconds },
        machine,
      };
      writeFileSync(join(out, 'result.json'), `${JSON.stringify(result, null, 2)}\n`);
      if (data.tree.components.length !== 1) throw new CliError(`the spanning tree is not complete: ${data.tree.components.length} components (report in ${files.markdown})`, EXIT.RUN_FAILED);
      return result;
    } finally {
      await client.close();
    }
  } finally {
    await server?.close();
  }
}

/**
 * Each width as its own experiment (train, explore to algorithm 3's stop, evaluate, report in
 * out/h<width>/) on one server, then the table of barriers by width and the figure barrier vs width.
 */
async function runSweep(options: ExperimentOptions, sweep: SweepPreset): Promise<ExperimentResult> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const out = resolve(options.out);
  mkdirSync(out, { recursive: true });
  const started = Date.now();
  const server = options.url ? null : await startServer(options.dataDir, join(out, 'server.log'));
  const url = options.url ?? server!.url;
  const client = new ApiClient(url, server ? undefined : options.token);
  try {
    const rows: WidthRow[] = [];
    const parts: ExperimentResult[] = [];
    for (const width of sweep.widths) {
      const part = await runExperiment({ ...options, preset: `${options.preset} h=${width}`, custom: sweep.preset(width), url, token: server ? undefined : options.token, out: join(out, `h${width}`), landscapeId: undefined });
      parts.push(part);
      const data = await fetchReportData(client, part.landscapeId);
      rows.push(widthRow(width, data));
      log(`h = ${width}: ${JSON.stringify(rows.at(-1))}`);
    }
    const figure = join(out, 'barrier-vs-width.svg');
    writeFileSync(figure, await barrierSvg({ title: 'Barrier against width, MLP 784-h-10', rows: rows.map((r) => ({ width: r.width, autoneb: r.meanSaddleHeight, linear: r.meanLinearHeight })) }));
    const table = widthTableMarkdown(rows);
    const seconds = { train: 0, explore: 0, evaluate: 0, total: (Date.now() - started) / 1000 };
    for (const p of parts) for (const k of ['train', 'explore', 'evaluate'] as const) seconds[k] += p.seconds[k];
    const machine = machineDescription();
    const report = join(out, 'report.md');
    writeFileSync(
      report,
      [
        `# Width sweep`,
        '',
        `Produced by \`npm run experiment -- ${options.preset}\` (${sweep.description}).`,
        '',
        `Machine: ${machine}. Wall time: ${(seconds.total / 60).toFixed(1)} min (training ${seconds.train.toFixed(0)} s, exploration ${seconds.explore.toFixed(0)} s, evaluation ${seconds.evaluate.toFixed(0)} s).`,
        '',
        'Per width, over the evaluated paths: the highest train loss on the full training set along the AutoNEB path above the higher of its ends, the rise of the test error, the straight line\'s highest loss (mini-batch) above the higher minimum, and the fraction of paths whose maximum lies strictly inside the path by more than max(1e-5, 1e-3 x the higher end).',
        '',
        table,
        '',
        '![barrier against width](barrier-vs-width.svg)',
        '',
        ...parts.map((p, i) => `- h = ${sweep.widths[i]}: [report](h${sweep.widths[i]}/report.md), landscape ${p.landscapeId}`),
        '',
      ].join('\n'),
    );
    const result: ExperimentResult = {
      preset: options.preset,
      landscapeId: parts.at(-1)!.landscapeId,
      url,
      dataDir: server && !server.temporary ? server.dataDir : null,
      report,
      svgs: [figure, ...parts.flatMap((p) => p.svgs)],
      table1: table,
      summary: parts.map((p) => p.summary),
      components: Math.max(...parts.map((p) => p.components)),
      paths: { total: 0, completed: 0, evaluated: 0 },
      seconds,
      machine,
      widths: rows,
    };
    for (const p of parts) for (const k of ['total', 'completed', 'evaluated'] as const) result.paths[k] += p.paths[k];
    writeFileSync(join(out, 'result.json'), `${JSON.stringify(result, null, 2)}\n`);
    return result;
  } finally {
    await client.close();
    await server?.close();
  }
}

/** A neb-atlas server in this process on port 0; its log goes to a file. */
export async function startServer(dataDir: string | undefined, logFile: string): Promise<{ url: string; dataDir: string; temporary: boolean; close(): Promise<void> }> {
  const { configureEngine, startEngine } = await import('../runs/bridge/engine');
  const { loadConfig } = await import('../config');
  const { createApp } = await import('../http/app');
  const dir = dataDir ? resolve(dataDir) : mkdtempSync(join(tmpdir(), 'neb-atlas-experiment-'));
  const log = (message: string) => appendFileSync(logFile, `${new Date().toISOString()} ${message}\n`);
  // Its own server, on loopback, answers only this process: no tokens needed.
  const config = { ...loadConfig({ ...process.env, NEB_ATLAS_AUTH: 'off' }), dataDir: dir, databaseUrl: undefined, port: 0, host: '127.0.0.1', workers: 1 };
  configureEngine(config);
  const backend = await startEngine();
  log(`tfjs backend ${backend.name} (${backend.reason})`);
  // Its runs are the point: they keep the serving thread's priority (measured times stay comparable).
  const app = await createApp({ config, log, workerPriority: 0 });
  return {
    url: app.url,
    dataDir: dir,
    temporary: !dataDir,
    close: async () => {
      await app.close();
      if (!dataDir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

// Client commands that start, watch and stop runs: train, connect, evaluate, explore, status, cancel.
import type { Command } from 'commander';
import { CliError, EXIT } from './errors';
import { action, intListOption, intOption, jsonOption, numberOption, type CommandContext } from './options';
import { createProgress, progressMode } from './progress';
import { CANCEL, CONNECT, EVALUATE, EXPLORE, LANDSCAPE_STATUS, RUN, TRAIN } from './queries';
import { describeArchitecture } from './report';
import type { RunInfo } from './types';
import { describeProgress, waitForRun } from './wait';

/** A run as the status listing selects it: queued runs come without progress or error. */
function runLine(run: Pick<RunInfo, 'id' | 'kind' | 'status'> & Partial<Pick<RunInfo, 'progress' | 'errorMessage'>>): string {
  const { text } = describeProgress({ ...run, progress: run.progress ?? null });
  return `run ${run.id} ${run.kind} ${run.status}${run.errorMessage ? `: ${run.errorMessage}` : ` (${text})`}`;
}

/** Waits for a started run with a live progress view, unless --detach; exit 1 unless it SUCCEEDED. */
export async function follow(ctx: CommandContext, started: RunInfo, detach: boolean, label: string): Promise<RunInfo> {
  if (detach) {
    ctx.print({ run: started }, `run ${started.id} ${started.kind} ${started.status} (follow it with \`neb-atlas status ${started.id}\`)`);
    return started;
  }
  if (!ctx.options.json && !ctx.options.quiet) process.stderr.write(`${label}: run ${started.id}\n`);
  const view = createProgress(progressMode(ctx.options), label);
  const interrupted = () => {
    view.stop();
    process.stderr.write(`neb-atlas: stopped waiting; run ${started.id} goes on on the server (\`neb-atlas cancel ${started.id}\` stops it)\n`);
    process.exit(EXIT.INTERRUPTED);
  };
  process.once('SIGINT', interrupted);
  let run: RunInfo;
  try {
    run = await waitForRun(ctx.client, started.id, view);
  } finally {
    view.stop();
    process.removeListener('SIGINT', interrupted);
  }
  if (run.status !== 'SUCCEEDED') {
    if (ctx.options.json) process.stdout.write(`${JSON.stringify({ run }, null, 2)}\n`);
    throw new CliError(`run ${run.id} ${run.status}${run.errorMessage ? `: ${run.errorMessage}` : ''}`, EXIT.RUN_FAILED);
  }
  return run;
}

export function runCommands(program: Command): void {
  program
    .command('train')
    .description('train minima of a landscape (SGD from distinct seeds) and wait for them')
    .argument('<landscape>', 'landscape id')
    .option('-n, --count <n>', 'number of minima', intOption('--count', 1), 1)
    .option('--seeds <list>', 'comma-separated seeds (default: the lowest unused)', intListOption('--seeds'))
    .option('--steps <n>', 'SGD steps (overrides the landscape)', intOption('--steps', 1))
    .option('--batch-size <n>', 'batch size', intOption('--batch-size', 1))
    .option('--lr <x>', 'learning rate', numberOption('--lr'))
    .option('--detach', 'start the run and return at once', false)
    .action(
      action(async (ctx, landscapeId: string, o: { count: number; seeds?: number[]; steps?: number; batchSize?: number; lr?: number; detach: boolean }) => {
        const config = { steps: o.steps, batchSize: o.batchSize, learningRate: o.lr };
        const hasConfig = Object.values(config).some((v) => v !== undefined);
        const { trainMinima } = await ctx.client.request(TRAIN, { landscapeId, count: o.count, seeds: o.seeds ?? null, config: hasConfig ? config : null });
        const run = await follow(ctx, trainMinima, o.detach, 'train');
        if (o.detach) return;
        const ids = (run.config?.minimumIds as string[] | undefined) ?? [];
        ctx.print({ run, minimumIds: ids }, runLine(run));
      }),
    );

  program
    .command('connect')
    .description('connect two minima with AutoNEB and wait for the path')
    .argument('<a>', 'minimum id')
    .argument('<b>', 'minimum id')
    .option('--preset <name>', 'AutoNEB preset: paper, small, tiny, surface (default: the landscape\'s)')
    .option('--config <json>', 'AutonebConfigInput as JSON or @file (preset, base, cycles)', jsonOption('--config'))
    .option('--detach', 'start the run and return at once', false)
    .action(
      action(async (ctx, a: string, b: string, o: { preset?: string; config?: Record<string, unknown>; detach: boolean }) => {
        const config = o.config || o.preset ? { ...(o.config ?? {}), ...(o.preset ? { preset: o.preset } : {}) } : null;
        const { connectMinima } = await ctx.client.request(CONNECT, { a, b, config });
        const run = await follow(ctx, connectMinima, o.detach, 'connect');
        if (o.detach) return;
        const pathId = (run.config?.pathId as string | undefined) ?? null;
        const saddle = (run.progress ?? {}) as { saddleEnergy?: number };
        ctx.print({ run, pathId }, `path ${pathId} done: saddle energy ${saddle.saddleEnergy ?? '?'} (run ${run.id})`);
      }),
    );

  program
    .command('evaluate')
    .description("evaluate a completed path on the full train and test sets (its dense profile and saddle)")
    .argument('<path>', 'path id')
    .option('--points <n>', 'points per pivot segment', intOption('--points', 0))
    .option('--detach', 'start the run and return at once', false)
    .action(
      action(async (ctx, pathId: string, o: { points?: number; detach: boolean }) => {
        const { evaluatePath } = await ctx.client.request(EVALUATE, { pathId, points: o.points ?? null });
        const run = await follow(ctx, evaluatePath, o.detach, 'evaluate');
        if (!o.detach) ctx.print({ run }, runLine(run));
      }),
    );

  program
    .command('explore')
    .description("connect minima until the spanning tree is known (the paper's algorithm 3) and wait")
    .argument('<landscape>', 'landscape id')
    .option('--max-pairs <n>', 'stop after this many connections', intOption('--max-pairs', 1))
    .option('--parallel <n>', 'connections at once', intOption('--parallel', 1))
    .option('--tolerance <x>', 'saddle energy difference treated as equal', numberOption('--tolerance'))
    .option('--preset <name>', 'AutoNEB preset of the connections')
    .option('--config <json>', 'AutonebConfigInput as JSON or @file', jsonOption('--config'))
    .option('--detach', 'start the run and return at once', false)
    .action(
      action(async (ctx, landscapeId: string, o: { maxPairs?: number; parallel?: number; tolerance?: number; preset?: string; config?: Record<string, unknown>; detach: boolean }) => {
        const config = o.config || o.preset ? { ...(o.config ?? {}), ...(o.preset ? { preset: o.preset } : {}) } : null;
        const { exploreLandscape } = await ctx.client.request(EXPLORE, {
          landscapeId,
          maxPairs: o.maxPairs ?? null,
          parallel: o.parallel ?? null,
          tolerance: o.tolerance ?? null,
          config,
        });
        const run = await follow(ctx, exploreLandscape, o.detach, 'explore');
        if (o.detach) return;
        const result = run.result ?? {};
        ctx.print({ run }, `exploration done: ${result.stopReason ?? '?'}, ${result.pairsTried ?? '?'} pairs tried, ${(result.treeEdges as unknown[] | undefined)?.length ?? '?'} tree paths (run ${run.id})`);
      }),
    );

  program
    .command('status')
    .description('a run (by run id) or a landscape (by landscape id): state, progress, Table 1 summary')
    .argument('<id>', 'run or landscape id')
    .action(
      action(async (ctx, id: string) => {
        const run = await ctx.client.request(RUN, { id }).then(
          (r) => r.run,
          (err: unknown) => {
            if (err instanceof CliError && err.exitCode === EXIT.REJECTED) return null;
            throw err;
          },
        );
        if (run) return ctx.print({ run }, runLine(run));
        const { landscape } = await ctx.client.request(LANDSCAPE_STATUS, { id }).catch((err: unknown) => {
          if (err instanceof CliError && err.exitCode === EXIT.REJECTED) throw new CliError(`no run or landscape with id ${JSON.stringify(id)}`, EXIT.REJECTED);
          throw err;
        });
        ctx.print({ landscape }, () => {
          const s = landscape.summary;
          const runs = [...landscape.active.edges, ...landscape.queued.edges].map((e) => `  ${runLine(e.node)}`);
          return [
            `landscape ${landscape.id} "${landscape.name}": ${describeArchitecture(landscape)}${landscape.dataset ? ` on ${landscape.dataset.name}` : ''}`,
            `  ${landscape.minima.totalCount} minima, ${landscape.paths.totalCount} paths, spanning tree: ${landscape.spanningTree.edges.length} paths in ${landscape.spanningTree.components.length} component(s)`,
            `  minima: train loss ${s.minima.trainLoss ?? '–'}, test error ${s.minima.testError ?? '–'}; saddles: train loss ${s.saddles.trainLoss ?? '–'}, test error ${s.saddles.testError ?? '–'}`,
            runs.length ? `  active runs:\n${runs.join('\n')}` : '  no active runs',
          ].join('\n');
        });
      }),
    );

  program
    .command('cancel')
    .description('cancel a queued or running run (what it finished stays stored)')
    .argument('<run>', 'run id')
    .action(
      action(async (ctx, id: string) => {
        const { cancelRun } = await ctx.client.request(CANCEL, { id });
        ctx.print({ run: cancelRun }, runLine(cancelRun));
      }),
    );
}

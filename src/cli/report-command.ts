// Client commands `report` (Markdown + SVG report of a landscape) and `experiment` (the paper's
// experiment at CPU scale, see ./experiment.ts).
import type { Command } from 'commander';
import { CliError, EXIT } from './errors';
import { action, intOption } from './options';
import { PRESETS, runExperiment, SWEEPS } from './experiment';
import { METHOD_PRESETS, runMethodsExperiment } from './experiment-methods';
import { fetchReportData, table1Markdown, writeReport } from './report';

export function reportCommands(program: Command): void {
  program
    .command('report')
    .description('write a Markdown report (Table 1 summary, minima, saddles) with SVG plots (energy profiles, spanning tree)')
    .argument('<landscape>', 'landscape id')
    .option('-o, --output <dir>', 'directory to write report.md and the SVGs into', 'report')
    .action(
      action(async (ctx, landscapeId: string, o: { output: string }) => {
        const data = await fetchReportData(ctx.client, landscapeId);
        const files = await writeReport(data, o.output);
        ctx.print({ report: files.markdown, svgs: files.svgs, summary: data.landscape.summary }, `wrote ${files.markdown} and ${files.svgs.length} SVG figures\n\n${table1Markdown(data)}`);
      }),
    );

  program
    .command('experiment')
    .description(`the paper's experiment at CPU scale: train, explore until the spanning tree is complete, evaluate, report. Presets: ${[...Object.keys(PRESETS), ...Object.keys(SWEEPS), ...Object.keys(METHOD_PRESETS)].join(', ')}; alignment, alignment-ci (issue 18: barriers raw vs aligned, straight line and AutoNEB, engine only)`)
    .argument('<preset>', [...Object.entries(PRESETS), ...Object.entries(SWEEPS), ...Object.entries(METHOD_PRESETS)].map(([name, p]) => `${name}: ${p.description}`).join('; '))
    .option('-o, --out <dir>', 'directory of the report (default: experiments/<preset>)')
    .option('--data-dir <dir>', 'keep the data of the server it starts here (default: a temp dir, removed); ignored with --url')
    .option('--landscape <id>', 'continue this landscape of an earlier, interrupted run (with the same --data-dir)')
    .option('--parallel <n>', 'connections explored at once (default 1; the server needs as many compute workers)', intOption('--parallel', 1))
    .option('--own-server', 'start an own server even if --url or NEB_ATLAS_URL is set', false)
    .option('--steps <n>', 'alignment: SGD steps per minimum (default: the preset\'s)', intOption('--steps', 1))
    .option('--widths <list>', 'alignment: hidden widths, comma-separated (default: the preset\'s)')
    .option('--minima <n>', 'alignment: minima per width (default: the preset\'s)', intOption('--minima', 2))
    .option('--pairs <which>', 'alignment: "reference" (minima 2..n aligned to minimum 1) or "all" pairs (default: the preset\'s)')
    .action(async (preset: string, o: { out?: string; dataDir?: string; landscape?: string; parallel?: number; ownServer: boolean; steps?: number; widths?: string; minima?: number; pairs?: string }, command: Command) => {
      const globals = command.optsWithGlobals<{ url: string; token?: string; json: boolean; quiet: boolean }>();
      if (preset.startsWith('alignment')) {
        const { ALIGNMENT_PRESETS, runAlignmentExperiment } = await import('./experiment-alignment');
        const chosen = ALIGNMENT_PRESETS[preset];
        if (!chosen) throw new CliError(`unknown preset ${JSON.stringify(preset)}; known: ${Object.keys(ALIGNMENT_PRESETS).join(', ')}`, EXIT.USAGE);
        const widths = o.widths?.split(',').map(Number);
        if (widths?.some((w) => !Number.isInteger(w) || w < 1)) throw new CliError(`--widths must be positive integers separated by commas, got ${JSON.stringify(o.widths)}`, EXIT.USAGE);
        if (o.pairs !== undefined && o.pairs !== 'reference' && o.pairs !== 'all') throw new CliError(`--pairs must be "reference" or "all", got ${JSON.stringify(o.pairs)}`, EXIT.USAGE);
        const pairs = o.pairs as 'reference' | 'all' | undefined;
        const result = await runAlignmentExperiment({ ...chosen.options, out: o.out ?? `experiments/${preset}`, ...(o.steps ? { steps: o.steps } : {}), ...(widths ? { widths } : {}), ...(o.minima ? { minima: o.minima } : {}), ...(pairs ? { pairs } : {}) });
        process.stdout.write(
          globals.json
            ? `${JSON.stringify(result, null, 2)}\n`
            : `\n${result.data}, train-loss barrier above the chord (Entezari), mean over pairs:\n\n${result.markdown}\n\nfigure: ${result.figure}\nmachine: ${result.machine}\nwall time: ${(result.seconds / 60).toFixed(1)} min\n`,
        );
        return;
      }
      // Its own server unless a URL was given explicitly.
      const explicitUrl = !o.ownServer && (command.parent?.getOptionValueSource('url') === 'cli' || Boolean(process.env.NEB_ATLAS_URL));
      if (METHOD_PRESETS[preset]) {
        const result = await runMethodsExperiment({
          preset,
          url: explicitUrl ? globals.url : undefined,
          token: globals.token,
          out: o.out ?? `experiments/${preset}`,
          dataDir: o.dataDir,
          json: globals.json,
          progress: globals.json || globals.quiet ? 'none' : undefined,
        });
        process.stdout.write(globals.json ? `${JSON.stringify(result, null, 2)}\n` : `\n${result.table}\n\nreport: ${result.report}\nmachine: ${result.machine}\nwall time: ${(result.seconds / 60).toFixed(1)} min\n`);
        return;
      }
      const result = await runExperiment({
        preset,
        url: explicitUrl ? globals.url : undefined,
        token: globals.token,
        out: o.out ?? `experiments/${preset}`,
        dataDir: o.dataDir,
        landscapeId: o.landscape,
        parallel: o.parallel,
        json: globals.json,
        progress: globals.json || globals.quiet ? 'none' : undefined,
      });
      process.stdout.write(globals.json ? `${JSON.stringify(result, null, 2)}\n` : `\nTable 1 (${preset}):\n\n${result.table1}\n\nreport: ${result.report}\nmachine: ${result.machine}\nwall time: ${(result.seconds.total / 60).toFixed(1)} min\n`);
    });
}

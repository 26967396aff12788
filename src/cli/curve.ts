// Client command `curve`: a Bezier curve or polygonal chain between two minima (a CURVE run),
// then the stored path's saddle and cost.
import type { Command } from 'commander';
import { CliError, EXIT } from './errors';
import { action, intOption, jsonOption } from './options';
import { FitCurveDocument } from './graphql';
import { follow } from './runs';

export const FIT_CURVE = FitCurveDocument;

export function curveCommands(program: Command): void {
  program
    .command('curve')
    .description('fit a Bezier curve (or polygonal chain) between two minima of a network landscape and wait for the path')
    .argument('<a>', 'minimum id')
    .argument('<b>', 'minimum id')
    .option('--kind <kind>', 'bezier or polychain', 'bezier')
    .option('--epochs <n>', 'passes over the training set', intOption('--epochs', 1))
    .option('--config <json>', 'CurveConfigInput as JSON or @file (epochs, stepsPerEpoch, learningRate, momentum, weightDecay, points, seed)', jsonOption('--config'))
    .option('--detach', 'start the run and return at once', false)
    .action(
      action(async (ctx, a: string, b: string, o: { kind: string; epochs?: number; config?: Record<string, unknown>; detach: boolean }) => {
        const kind = o.kind.toUpperCase();
        if (kind !== 'BEZIER' && kind !== 'POLYCHAIN') throw new CliError(`--kind: expected bezier or polychain, got ${o.kind}`, EXIT.USAGE);
        const config = o.config || o.epochs ? { ...(o.config ?? {}), ...(o.epochs ? { epochs: o.epochs } : {}) } : null;
        const { fitCurve } = await ctx.client.request(FIT_CURVE, { a, b, kind, config });
        const run = await follow(ctx, fitCurve, o.detach, 'curve');
        if (o.detach) return;
        const pathId = (run.config?.pathId as string | undefined) ?? null;
        const p = (run.progress ?? {}) as { saddleEnergy?: number; evaluations?: number };
        ctx.print({ run, pathId }, `${kind.toLowerCase()} path ${pathId} done: saddle energy ${p.saddleEnergy ?? '?'}, ${p.evaluations ?? '?'} evaluations (run ${run.id})`);
      }),
    );
}

// Client command `curvature`: a CURVATURE run at a minimum or a path's saddle, then its spectrum
// and index ("index 1" = a first-order saddle).
import type { Command } from 'commander';
import { CliError, EXIT } from './errors';
import { action, intOption } from './options';
import { ComputeCurvatureDocument, MinimumCurvatureDocument, SaddleCurvatureDocument, type CurvatureFieldsFragment } from './graphql';
import { follow } from './runs';

export const COMPUTE_CURVATURE = ComputeCurvatureDocument;
export const MINIMUM_CURVATURE = MinimumCurvatureDocument;
export const SADDLE_CURVATURE = SaddleCurvatureDocument;

export type CurvatureInfo = CurvatureFieldsFragment;

const number = (x: number) => x.toPrecision(4);

/** What the index says about the point. */
export function indexLabel(c: CurvatureInfo, k: number): string {
  if (c.negativeCount === 0) return 'index 0: a minimum (no direction of negative curvature)';
  if (c.negativeCount === 1) return 'index 1: a first-order saddle';
  return `index ${c.negativeCount === k ? `>= ${k}` : c.negativeCount}: a higher-order saddle (not converged?)`;
}

/** The spectrum on one text line: the smallest and largest eigenvalues on a common axis. */
export function spectrumLine(c: CurvatureInfo, width = 60): string {
  const values = [...c.smallest, ...c.largest];
  const low = Math.min(...values, 0);
  const high = Math.max(...values, 0);
  const column = (x: number) => Math.round(((x - low) / (high - low || 1)) * (width - 1));
  const line = Array.from({ length: width }, () => '-');
  line[column(0)] = '0';
  for (const x of values) line[column(x)] = x < -c.threshold ? 'N' : '|';
  return `${number(low)} ${line.join('')} ${number(high)}`;
}

export function describeCurvature(c: CurvatureInfo, k: number): string {
  return [
    indexLabel(c, k),
    spectrumLine(c),
    `smallest ${c.smallest.map(number).join(' ')}`,
    `largest  ${c.largest.map(number).join(' ')}`,
    `trace ${c.trace === null ? '-' : number(c.trace)}  along the path ${c.tangentCurvature === null ? '-' : number(c.tangentCurvature)}  threshold ${c.threshold.toExponential(2)}  evaluations ${c.evaluations}`,
  ].join('\n');
}

export function curvatureCommands(program: Command): void {
  program
    .command('curvature')
    .description("Hessian spectrum and index at a minimum or at a path's saddle (index 1 = a first-order saddle)")
    .option('--minimum <id>', 'a READY minimum')
    .option('--path <id>', 'a path: its saddle')
    .option('-k <n>', 'eigenvalues at each end of the spectrum (1 to 20)', intOption('-k', 1), 5)
    .option('--detach', 'start the run and return at once', false)
    .action(
      action(async (ctx, o: { minimum?: string; path?: string; k: number; detach: boolean }) => {
        if (Boolean(o.minimum) === Boolean(o.path)) throw new CliError('give exactly one of --minimum and --path', EXIT.USAGE);
        const target = o.minimum ? { minimumId: o.minimum } : { pathId: o.path };
        const { computeCurvature } = await ctx.client.request(COMPUTE_CURVATURE, { target, k: o.k });
        const run = await follow(ctx, computeCurvature, o.detach, 'curvature');
        if (o.detach) return;
        const curvature = o.minimum
          ? (await ctx.client.request(MINIMUM_CURVATURE, { id: o.minimum })).minimum.curvature
          : (await ctx.client.request(SADDLE_CURVATURE, { id: o.path! })).path.saddle?.curvature;
        if (!curvature) throw new CliError(`run ${run.id} stored no curvature`, EXIT.SERVER_ERROR);
        ctx.print({ run, curvature }, () => describeCurvature(curvature, o.k));
      }),
    );
}

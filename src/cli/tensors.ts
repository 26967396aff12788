// Client commands for parameters as safetensors: `export` (a minimum, a path's pivots or its
// saddle) and `import` (a minimum trained elsewhere).
import { readFileSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { CliError, EXIT } from './errors';
import { action, intOption } from './options';
import { IMPORT_MINIMUM, MINIMUM } from './queries';

const WHAT = ['minimum', 'pivots', 'saddle'] as const;

export function exportRoute(what: string, id: string): string {
  const encoded = encodeURIComponent(id);
  switch (what) {
    case 'minimum':
      return `/tensors/minima/${encoded}`;
    case 'pivots':
      return `/tensors/paths/${encoded}/pivots`;
    case 'saddle':
      return `/tensors/paths/${encoded}/saddle`;
    default:
      throw new CliError(`export: expected one of ${WHAT.join(', ')}, got ${JSON.stringify(what)}`, EXIT.USAGE);
  }
}

/** The header of a safetensors file: tensor names, dtypes, shapes, and __metadata__. */
export function safetensorsHeader(bytes: Buffer): Record<string, unknown> {
  if (bytes.length < 8) throw new CliError('not a safetensors file: shorter than 8 bytes', EXIT.REJECTED);
  const length = Number(bytes.readBigUInt64LE(0));
  if (8 + length > bytes.length) throw new CliError(`not a safetensors file: header of ${length} bytes in a file of ${bytes.length}`, EXIT.REJECTED);
  try {
    return JSON.parse(bytes.subarray(8, 8 + length).toString('utf8')) as Record<string, unknown>;
  } catch {
    throw new CliError('not a safetensors file: its header is not JSON', EXIT.REJECTED);
  }
}

export function tensorCommands(program: Command): void {
  program
    .command('export')
    .description('download parameters as safetensors (PyTorch names and shapes)')
    .argument('<what>', `${WHAT.join(' | ')}`)
    .argument('<id>', 'minimum id (minimum) or path id (pivots, saddle)')
    .option('-o, --output <file>', 'file to write (default: <what>-<id>.safetensors)')
    .action(
      action(async (ctx, what: string, id: string, o: { output?: string }) => {
        const bytes = await ctx.client.download(exportRoute(what, id));
        const file = o.output ?? `${what}-${id}.safetensors`;
        writeFileSync(file, bytes);
        const header = safetensorsHeader(bytes);
        const tensors = Object.keys(header).filter((k) => k !== '__metadata__');
        ctx.print({ file, bytes: bytes.length, tensors: tensors.length, metadata: header.__metadata__ ?? {} }, `wrote ${file} (${bytes.length} bytes, ${tensors.length} tensors)`);
      }),
    );

  program
    .command('import')
    .description('import a minimum trained elsewhere (safetensors with the landscape\'s names and shapes); waits for its evaluation')
    .argument('<landscape>', 'landscape id')
    .argument('<file>', 'safetensors file')
    .option('--seed <n>', 'seed it was trained from, if known', intOption('--seed', 0))
    .option('--no-wait', 'return without waiting for its train/test metrics')
    .action(
      action(async (ctx, landscapeId: string, file: string, o: { seed?: number; wait: boolean }) => {
        let bytes: Buffer;
        try {
          bytes = readFileSync(file);
        } catch (err) {
          throw new CliError(`cannot read ${file}: ${(err as Error).message}`, EXIT.REJECTED);
        }
        const upload = await ctx.client.upload(bytes);
        let { importMinimum: minimum } = await ctx.client.request(IMPORT_MINIMUM, { landscapeId, uploadId: upload.uploadId, seed: o.seed ?? null });
        // The EVALUATE run that fills in its metrics is not returned; the minimum shows when it is done.
        for (let tries = 0; o.wait && minimum.trainLoss === null && tries < 600; tries++) {
          await new Promise((r) => setTimeout(r, 500));
          minimum = (await ctx.client.request(MINIMUM, { id: minimum.id })).minimum;
        }
        ctx.print({ minimum }, `${minimum.id}\timported minimum${minimum.trainLoss !== null ? `: train loss ${minimum.trainLoss}, test error ${minimum.testError}` : ' (evaluation pending)'}`);
      }),
    );
}

// Client commands on landscapes: `landscape create`, `landscape list`.
import type { Command } from 'commander';
import { action, intListOption, intOption, jsonOption, numberOption } from './options';
import { CREATE_LANDSCAPE, LANDSCAPES } from './queries';
import { allPages, describeArchitecture } from './report';
import type { CreateLandscapeInput } from './graphql';

interface CreateOptions {
  name?: string;
  kind?: string;
  widths?: number[];
  channels?: number[];
  depth?: number;
  surface?: string;
  dataset?: string;
  dataDir?: string;
  trainSize?: number;
  testSize?: number;
  steps?: number;
  batchSize?: number;
  lr?: number;
  momentum?: number;
  weightDecay?: number;
  milestones?: number[];
  autonebPreset?: string;
  input?: Record<string, unknown>;
}

const defined = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));

/** The CreateLandscapeInput the options describe (--input gives it whole; options override its fields). */
/** The mutation's input; its shape is checked by the server, which names a wrong field. */
export function createInput(o: CreateOptions): CreateLandscapeInput {
  const base = o.input ?? {};
  const baseKind = (base.architecture as { kind?: string } | undefined)?.kind;
  const architecture = defined({ kind: o.kind ?? (baseKind ? undefined : 'mlp'), widths: o.widths, channels: o.channels, depth: o.depth, surface: o.surface });
  const dataset = defined({ name: o.dataset, dir: o.dataDir, trainSize: o.trainSize, testSize: o.testSize });
  const training = defined({ steps: o.steps, batchSize: o.batchSize, learningRate: o.lr, momentum: o.momentum, weightDecay: o.weightDecay, milestones: o.milestones });
  const kind = (architecture.kind as string | undefined) ?? baseKind;
  return defined({
    ...base,
    name: o.name ?? base.name ?? `${kind ?? 'landscape'} ${new Date().toISOString()}`,
    architecture: { ...((base.architecture as object) ?? {}), ...architecture },
    // Neural landscapes default to the bundled MNIST.
    dataset: Object.keys(dataset).length || base.dataset ? { ...((base.dataset as object) ?? {}), ...dataset } : kind && kind !== 'surface' ? { name: 'mnist' } : undefined,
    training: Object.keys(training).length || base.training ? { ...((base.training as object) ?? {}), ...training } : undefined,
    autonebPreset: o.autonebPreset ?? base.autonebPreset,
  }) as unknown as CreateLandscapeInput;
}

export function landscapeCommands(program: Command): void {
  const landscape = program.command('landscape').description('create and list landscapes');
  landscape
    .command('create')
    .description('create a landscape (a model on a data set, or an analytic surface)')
    .option('--name <name>', 'display name')
    .option('--kind <kind>', 'mlp (default), cnn, resnet or surface')
    .option('--widths <list>', 'mlp: hidden layer widths, e.g. 100 or 64,32', intListOption('--widths'))
    .option('--channels <list>', 'cnn: channels per convolution; resnet: stage width', intListOption('--channels'))
    .option('--depth <n>', 'resnet: depth (6n+2)', intOption('--depth', 1))
    .option('--surface <name>', 'surface: its name (e.g. muller-brown)')
    .option('--dataset <name>', 'mnist (bundled, default), mnist-idx, fashion-mnist, cifar10, cifar100, synthetic')
    .option('--data-dir <dir>', 'directory of IDX or CIFAR files (fashion-mnist: default /usr/share/datasets/fashion-mnist)')
    .option('--train-size <n>', 'use only the first n training examples', intOption('--train-size', 1))
    .option('--test-size <n>', 'use only the first n test examples', intOption('--test-size', 1))
    .option('--steps <n>', 'training: SGD steps', intOption('--steps', 1))
    .option('--batch-size <n>', 'training: batch size', intOption('--batch-size', 1))
    .option('--lr <x>', 'training: learning rate', numberOption('--lr'))
    .option('--momentum <x>', 'training: momentum', numberOption('--momentum'))
    .option('--weight-decay <x>', 'training: weight decay', numberOption('--weight-decay'))
    .option('--milestones <list>', 'training: steps where the learning rate drops tenfold', intListOption('--milestones'))
    .option('--autoneb-preset <name>', 'AutoNEB schedule: paper, small, tiny, surface')
    .option('--input <json>', 'the whole CreateLandscapeInput as JSON or @file (options override it)', jsonOption('--input'))
    .action(
      action(async (ctx, o: CreateOptions) => {
        const { createLandscape: created } = await ctx.client.request(CREATE_LANDSCAPE, { input: createInput(o) });
        ctx.print({ landscape: created }, `${created.id}\tlandscape "${created.name}": ${describeArchitecture(created)}${created.dataset ? ` on ${created.dataset.name}` : ''}`);
      }),
    );
  landscape
    .command('list')
    .description('list landscapes, oldest first')
    .action(
      action(async (ctx) => {
        const items = await allPages(async (after) => (await ctx.client.request(LANDSCAPES, { after })).landscapes);
        ctx.print({ landscapes: items }, () =>
          items.length === 0 ? 'no landscapes' : items.map((l) => `${l.id}\t${l.name}\t${describeArchitecture(l)}\t${l.minima.totalCount} minima\t${l.paths.totalCount} paths`).join('\n'),
        );
      }),
    );
}

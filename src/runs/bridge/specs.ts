// The stored landscape specs (what users write: hidden widths, a data set name) translated into
// the engine's complete model and data specs (input shape and class count filled in from the
// data set). Used to validate a landscape when it is created and by workers to build it.
import { InvalidInputError } from '../../engine';
import { validateDataSpec, validateModelSpec, resolveTrainConfig, type DataSpec, type ModelSpec, type TrainConfig } from '../../engine/neural';
import type { ArchitectureSpec, DatasetSpec, TrainingConfig } from '../../store/specs';
import { InputError } from '../../store/errors';

/** Example shape [height, width, channels] and class count of each data set. */
export function datasetShape(dataset: DatasetSpec): { shape: [number, number, number]; classes: number } {
  switch (dataset.name) {
    case 'mnist':
    case 'mnist-idx':
      return { shape: [28, 28, 1], classes: 10 };
    case 'cifar10':
      return { shape: [32, 32, 3], classes: 10 };
    case 'cifar100':
      return { shape: [32, 32, 3], classes: 100 };
    case 'synthetic':
      return { shape: [1, 1, dataset.features ?? 2], classes: dataset.classes ?? 3 };
  }
}

export function engineDataSpec(dataset: DatasetSpec): DataSpec {
  const sizes = { ...(dataset.trainSize ? { trainSize: dataset.trainSize } : {}), ...(dataset.testSize ? { testSize: dataset.testSize } : {}) };
  switch (dataset.name) {
    case 'mnist':
      return { kind: 'mnist', ...sizes };
    case 'mnist-idx':
    case 'cifar10':
    case 'cifar100':
      // A missing dir reaches the engine's validation as such, and comes back on `dataset.dir`.
      return { kind: dataset.name, dir: dataset.dir as string, ...sizes };
    case 'synthetic': {
      const { shape, classes } = datasetShape(dataset);
      return { kind: 'synthetic', classes, shape, trainSize: dataset.trainSize ?? 512, testSize: dataset.testSize ?? 256, seed: dataset.seed ?? 0 };
    }
  }
}

export function engineModelSpec(architecture: Exclude<ArchitectureSpec, { kind: 'surface' }>, dataset: DatasetSpec): ModelSpec {
  const { shape, classes } = datasetShape(dataset);
  switch (architecture.kind) {
    case 'mlp':
      return { kind: 'mlp', widths: [shape[0] * shape[1] * shape[2], ...architecture.widths, classes] };
    case 'cnn':
      return { kind: 'cnn', input: shape, classes, ...(architecture.channels?.length ? { channels: architecture.channels } : {}) };
    case 'resnet':
      return { kind: 'resnet', depth: architecture.depth, classes, input: shape, ...(architecture.channels?.length ? { width: architecture.channels[0] } : {}) };
  }
}

export function engineTrainConfig(training: TrainingConfig): TrainConfig {
  return resolveTrainConfig({
    steps: training.steps,
    batchSize: training.batchSize,
    lr: training.learningRate,
    momentum: training.momentum,
    weightDecay: training.weightDecay,
    milestones: training.milestones,
    gamma: 0.1,
    progressEvery: Math.max(1, Math.min(100, Math.floor(training.steps / 20))),
  });
}

/**
 * Checks that the engine can build this landscape. The engine validates the data spec under the
 * API's own field names (one vocabulary), so its errors only need re-rooting at `field.dataset`;
 * model errors concern the architecture as a whole.
 */
export function validateEngineSpecs(architecture: ArchitectureSpec, dataset: DatasetSpec | null, field = 'input'): void {
  if (architecture.kind === 'surface') return;
  if (!dataset) throw new InputError(`${field}.dataset`, `a ${architecture.kind} landscape needs a data set`);
  try {
    validateDataSpec(engineDataSpec(dataset), 'dataset');
  } catch (err) {
    if (err instanceof InvalidInputError) throw err.within(field);
    throw err;
  }
  try {
    validateModelSpec(engineModelSpec(architecture, dataset));
  } catch (err) {
    if (err instanceof InvalidInputError) throw new InputError(`${field}.architecture`, err.message);
    throw err;
  }
}

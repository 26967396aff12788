/**
 * Model specs: JSON-serialisable descriptions of an architecture, stored with a landscape and sent
 * to worker threads. `validateModelSpec` checks a spec from outside (GraphQL, files) and names the
 * offending field.
 */
import { InvalidInputError } from '../../errors';
import { namedTable } from '../../strategies';

/** Fully connected network with ReLU between layers: widths[0] inputs, widths[last] classes. */
export interface MlpSpec {
  kind: 'mlp';
  widths: number[];
}

/**
 * Small CNN: for each entry of `channels` a 3x3 conv (padding 1) -> ReLU -> 2x2 max pool, then one
 * fully connected layer to `classes`. Default channels [16, 32].
 */
export interface CnnSpec {
  kind: 'cnn';
  /** Input image [height, width, channels], e.g. [28, 28, 1] or [32, 32, 3]. */
  input: [number, number, number];
  classes: number;
  channels?: number[];
  kernel?: number;
}

/**
 * ResNet for 32x32 images (He et al. 2016, section 4.2): depth = 6n + 2, stages of 16/32/64
 * channels. Shortcut 'A' (the paper's CIFAR choice: subsample + zero-pad channels, no parameters)
 * or 'B' (1x1 conv + BatchNorm projection).
 */
export interface ResNetSpec {
  kind: 'resnet';
  depth: 20 | 32 | 44 | 56 | 110 | number;
  classes: number;
  shortcut?: 'A' | 'B';
  /** Input image [height, width, channels]; default [32, 32, 3]. */
  input?: [number, number, number];
  /** Channels of the first stage (16 in the paper); later stages double it. */
  width?: number;
}

export type ModelSpec = MlpSpec | CnnSpec | ResNetSpec;
export type ModelKind = ModelSpec['kind'];
export const MODEL_KINDS: readonly ModelKind[] = ['mlp', 'cnn', 'resnet'];

function positiveInt(field: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new InvalidInputError(field, `expected a positive integer, got ${JSON.stringify(value)}`);
  }
  return value;
}

function positiveIntArray(field: string, value: unknown, minLength: number): number[] {
  if (!Array.isArray(value) || value.length < minLength) {
    throw new InvalidInputError(field, `expected an array of at least ${minLength} positive integers, got ${JSON.stringify(value)}`);
  }
  value.forEach((v, i) => positiveInt(`${field}[${i}]`, v));
  return value as number[];
}

function imageShape(field: string, value: unknown): [number, number, number] {
  const shape = positiveIntArray(field, value, 3);
  if (shape.length !== 3) throw new InvalidInputError(field, `expected [height, width, channels], got ${JSON.stringify(value)}`);
  return shape as [number, number, number];
}

type Fields = Record<string, unknown>;

function mlpSpec(s: Fields, field: string): MlpSpec {
  return { kind: 'mlp', widths: positiveIntArray(`${field}.widths`, s.widths, 2) };
}

function cnnSpec(s: Fields, field: string): CnnSpec {
  const input = imageShape(`${field}.input`, s.input);
  const channels = s.channels === undefined ? [16, 32] : positiveIntArray(`${field}.channels`, s.channels, 1);
  const kernel = s.kernel === undefined ? 3 : positiveInt(`${field}.kernel`, s.kernel);
  if (kernel % 2 !== 1) throw new InvalidInputError(`${field}.kernel`, `expected an odd size, got ${kernel}`);
  if (input[0] >> channels.length < 1 || input[1] >> channels.length < 1) {
    throw new InvalidInputError(`${field}.input`, `${input[0]}x${input[1]} is too small for ${channels.length} 2x2 poolings`);
  }
  return { kind: 'cnn', input, classes: positiveInt(`${field}.classes`, s.classes), channels, kernel };
}

function resnetSpec(s: Fields, field: string): ResNetSpec {
  const depth = positiveInt(`${field}.depth`, s.depth);
  if (depth < 8 || (depth - 2) % 6 !== 0) {
    throw new InvalidInputError(`${field}.depth`, `expected 6n + 2 (20, 32, 44, 56, ...), got ${depth}`);
  }
  const shortcut = s.shortcut ?? 'A';
  if (shortcut !== 'A' && shortcut !== 'B') {
    throw new InvalidInputError(`${field}.shortcut`, `expected 'A' or 'B', got ${JSON.stringify(shortcut)}`);
  }
  const input = s.input === undefined ? ([32, 32, 3] as [number, number, number]) : imageShape(`${field}.input`, s.input);
  if (input[0] % 4 !== 0 || input[1] % 4 !== 0) {
    throw new InvalidInputError(`${field}.input`, `height and width must be multiples of 4, got ${input[0]}x${input[1]}`);
  }
  const width = s.width === undefined ? 16 : positiveInt(`${field}.width`, s.width);
  if (shortcut === 'A' && width % 2 !== 0) {
    throw new InvalidInputError(`${field}.width`, `shortcut A zero-pads half the channels on each side: expected an even width, got ${width}`);
  }
  return { kind: 'resnet', depth, classes: positiveInt(`${field}.classes`, s.classes), shortcut, input, width };
}

/** Each model kind's spec check (the models themselves: ./index.ts). */
const MODEL_SPECS = namedTable<(s: Fields, field: string) => ModelSpec>('model kind', {
  mlp: mlpSpec,
  cnn: cnnSpec,
  resnet: resnetSpec,
} satisfies Record<ModelKind, (s: Fields, field: string) => ModelSpec>);

/** Checks an untrusted spec and returns it typed, with defaults filled in. */
export function validateModelSpec(spec: unknown, field = 'model'): ModelSpec {
  if (typeof spec !== 'object' || spec === null) throw new InvalidInputError(field, 'expected an object');
  const s = spec as Fields;
  return MODEL_SPECS.get(s.kind, `${field}.kind`)(s, field);
}

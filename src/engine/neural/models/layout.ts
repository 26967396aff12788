/**
 * Parameter layout: the ordered list of named tensors (PyTorch names and shapes) that make up a
 * model's flat parameter vector, with each tensor's offset. BatchNorm running statistics are
 * entries too (role 'running_mean' / 'running_var'): they are coordinates of a pivot, so the
 * elastic band interpolates them, but training does not move them by gradient.
 */
import type { Random } from '../../random';

export type ParameterRole = 'weight' | 'bias' | 'bn_weight' | 'bn_bias' | 'running_mean' | 'running_var';

/** How an entry is initialised (PyTorch conventions). */
export type Initialiser =
  /** PyTorch's default for Linear/Conv weights and biases: U(-1/sqrt(fanIn), 1/sqrt(fanIn)). */
  | { kind: 'uniform-fan-in'; fanIn: number }
  /** He et al. 2015 (kaiming_normal_, fan_in, ReLU gain): N(0, 2/fanIn). */
  | { kind: 'kaiming-normal'; fanIn: number }
  | { kind: 'constant'; value: number };

export interface ParameterEntry {
  readonly name: string;
  readonly shape: readonly number[];
  readonly offset: number;
  readonly size: number;
  readonly role: ParameterRole;
  /** False for BatchNorm running statistics (buffers in PyTorch). */
  readonly trainable: boolean;
  readonly init: Initialiser;
}

export interface ParameterLayout {
  readonly entries: readonly ParameterEntry[];
  readonly dimension: number;
}

export class LayoutBuilder {
  private readonly entries: ParameterEntry[] = [];
  private offset = 0;

  add(name: string, shape: number[], role: ParameterRole, init: Initialiser): void {
    const size = shape.reduce((a, b) => a * b, 1);
    const trainable = role !== 'running_mean' && role !== 'running_var';
    this.entries.push({ name, shape, offset: this.offset, size, role, trainable, init });
    this.offset += size;
  }

  /** Linear layer `prefix.weight` [out, in] and `prefix.bias` [out], PyTorch default init. */
  linear(prefix: string, inFeatures: number, outFeatures: number, weightInit?: Initialiser): void {
    const fanIn: Initialiser = { kind: 'uniform-fan-in', fanIn: inFeatures };
    this.add(`${prefix}.weight`, [outFeatures, inFeatures], 'weight', weightInit ?? fanIn);
    this.add(`${prefix}.bias`, [outFeatures], 'bias', fanIn);
  }

  /** Conv layer `prefix.weight` [out, in, k, k] (and `prefix.bias` [out] when `bias`). */
  conv(prefix: string, inChannels: number, outChannels: number, kernel: number, bias: boolean, weightInit?: 'kaiming-normal'): void {
    const fanIn = inChannels * kernel * kernel;
    const init: Initialiser = weightInit ? { kind: weightInit, fanIn } : { kind: 'uniform-fan-in', fanIn };
    this.add(`${prefix}.weight`, [outChannels, inChannels, kernel, kernel], 'weight', init);
    if (bias) this.add(`${prefix}.bias`, [outChannels], 'bias', { kind: 'uniform-fan-in', fanIn });
  }

  /** BatchNorm2d `prefix.{weight,bias,running_mean,running_var}`, PyTorch init (1, 0, 0, 1). */
  batchNorm(prefix: string, channels: number): void {
    this.add(`${prefix}.weight`, [channels], 'bn_weight', { kind: 'constant', value: 1 });
    this.add(`${prefix}.bias`, [channels], 'bn_bias', { kind: 'constant', value: 0 });
    this.add(`${prefix}.running_mean`, [channels], 'running_mean', { kind: 'constant', value: 0 });
    this.add(`${prefix}.running_var`, [channels], 'running_var', { kind: 'constant', value: 1 });
  }

  build(): ParameterLayout {
    return { entries: this.entries.slice(), dimension: this.offset };
  }
}

/** Draws a parameter vector from the layout's initialisers; each entry from its own stream. */
export function initialiseParameters(layout: ParameterLayout, random: Random): Float32Array {
  const out = new Float32Array(layout.dimension);
  for (const entry of layout.entries) {
    const stream = random.derive(entry.name);
    const view = out.subarray(entry.offset, entry.offset + entry.size);
    const init = entry.init;
    if (init.kind === 'constant') view.fill(init.value);
    else if (init.kind === 'uniform-fan-in') {
      const bound = 1 / Math.sqrt(init.fanIn);
      for (let i = 0; i < view.length; i++) view[i] = (2 * stream.uniform() - 1) * bound;
    } else {
      const std = Math.sqrt(2 / init.fanIn);
      for (let i = 0; i < view.length; i++) view[i] = stream.normal() * std;
    }
  }
  return out;
}

/** The entry with this name, or an error listing the known names' count. */
export function findEntry(layout: ParameterLayout, name: string): ParameterEntry {
  const entry = layout.entries.find((e) => e.name === name);
  if (!entry) throw new Error(`no parameter named ${name} in this layout (${layout.entries.length} entries)`);
  return entry;
}

/** A mask (1 for trainable coordinates, 0 for running statistics), used by SGD and weight decay. */
export function trainableMask(layout: ParameterLayout): Uint8Array {
  const mask = new Uint8Array(layout.dimension);
  for (const e of layout.entries) if (e.trainable) mask.fill(1, e.offset, e.offset + e.size);
  return mask;
}

/**
 * Permutation specs: which hidden units of an architecture can be permuted without changing the
 * function it computes, and where each permutation acts in the parameter tensors. A permutation
 * acts on an axis of a tensor through a run: element k of the permutation sits at axis position
 * `positions[k]`. An axis may hold several runs: a flattened convolution output holds one run per
 * spatial position (PyTorch flattens channel-major), and a ResNet stream widened by a parameter-free
 * shortcut (option A) holds the narrower stream's runs in its middle and a new permutation on the
 * zero-padded channels around them.
 */
import type { NeuralModel } from '../models';
import type { CnnSpec, MlpSpec, ResNetSpec } from '../models';

export interface AxisRun {
  readonly perm: string;
  readonly positions: Int32Array;
}

/**
 * A hidden activation (after its ReLU; ForwardMode.activations names it) and the runs acting on
 * its channel axis: what activation matching correlates.
 */
export interface ActivationSite {
  readonly name: string;
  readonly runs: readonly AxisRun[];
}

/** A parameter tensor (by PyTorch name) and, per axis, the runs acting on it (empty: fixed). */
export interface PermutedEntry {
  readonly name: string;
  readonly axes: readonly (readonly AxisRun[])[];
}

export interface PermutationSpec {
  /** Size of each permutation, by name, in the order the network computes them. */
  readonly sizes: ReadonlyMap<string, number>;
  readonly entries: readonly PermutedEntry[];
  /** Every activation a permutation acts on; a residual stream's permutation acts on several. */
  readonly sites: readonly ActivationSite[];
}

/** Permutation element k of each permutation, as an Int32Array of size n. */
export type Permutations = Map<string, Int32Array>;

function range(start: number, count: number, step = 1): Int32Array {
  return Int32Array.from({ length: count }, (_, k) => start + k * step);
}

class SpecBuilder {
  readonly sizes = new Map<string, number>();
  readonly entries: PermutedEntry[] = [];
  readonly sites: ActivationSite[] = [];

  /** A new permutation acting on a whole axis of n units. */
  perm(name: string, n: number): AxisRun[] {
    this.sizes.set(name, n);
    return [{ perm: name, positions: range(0, n) }];
  }

  entry(name: string, ...axes: (readonly AxisRun[])[]): void {
    this.entries.push({ name, axes });
  }

  batchNorm(prefix: string, units: readonly AxisRun[]): void {
    for (const part of ['weight', 'bias', 'running_mean', 'running_var']) this.entry(`${prefix}.${part}`, units);
  }

  site(name: string, runs: readonly AxisRun[]): void {
    this.sites.push({ name, runs });
  }

  build(): PermutationSpec {
    return { sizes: this.sizes, entries: this.entries, sites: this.sites };
  }
}

/** One permutation per hidden layer, `layers.i`, on its output units and the next layer's inputs. */
function mlpSpec(spec: MlpSpec): PermutationSpec {
  const b = new SpecBuilder();
  const layers = spec.widths.length - 1;
  let input: AxisRun[] = [];
  for (let i = 0; i < layers; i++) {
    const output = i + 1 < layers ? b.perm(`layers.${i}`, spec.widths[i + 1]) : [];
    b.entry(`layers.${i}.weight`, output, input);
    b.entry(`layers.${i}.bias`, output);
    if (output.length > 0) b.site(`layers.${i}`, output);
    input = output;
  }
  return b.build();
}

/** One permutation per convolution's output channels; the classifier reads them flattened (C, H, W). */
function cnnSpec(spec: CnnSpec): PermutationSpec {
  const b = new SpecBuilder();
  const channels = spec.channels ?? [16, 32];
  let [h, w] = spec.input;
  let input: AxisRun[] = [];
  channels.forEach((c, i) => {
    const output = b.perm(`convs.${i}`, c);
    b.entry(`convs.${i}.weight`, output, input, [], []);
    b.entry(`convs.${i}.bias`, output);
    b.site(`convs.${i}`, output);
    input = output;
    h = Math.floor(h / 2);
    w = Math.floor(w / 2);
  });
  const spatial = h * w;
  const last = channels.length - 1;
  const flattened = Array.from({ length: spatial }, (_, s) => ({ perm: `convs.${last}`, positions: range(s, channels[last], spatial) }));
  b.entry('fc.weight', [], flattened);
  b.entry('fc.bias', []);
  return b.build();
}

/**
 * Residual blocks add into a stream: every block of a stage shares the stream's permutation (its
 * conv2 and bn2 produce it, its conv1 and the next block read it); a block's inner channels
 * (conv1 -> bn1 -> conv2) have their own. A shortcut convolution (option B) starts a new stream
 * permutation; option A's zero-padding carries the old stream into the middle channels and adds a
 * permutation of the padded ones.
 */
function resnetSpec(spec: ResNetSpec): PermutationSpec {
  const b = new SpecBuilder();
  const blocksPerStage = (spec.depth - 2) / 6;
  const shortcut = spec.shortcut ?? 'A';
  const base = spec.width ?? 16;
  let stream = b.perm('conv1', base);
  b.entry('conv1.weight', stream, [], [], []);
  b.batchNorm('bn1', stream);
  b.site('conv1', stream);
  let c = base;
  for (let s = 0; s < 3; s++) {
    const outC = base << s;
    for (let k = 0; k < blocksPerStage; k++) {
      const prefix = `layer${s + 1}.${k}`;
      const project = (s > 0 && k === 0) || c !== outC;
      let out = stream;
      if (project && shortcut === 'B') {
        out = b.perm(`${prefix}.shortcut`, outC);
        b.entry(`${prefix}.shortcut.0.weight`, out, stream, [], []);
        b.batchNorm(`${prefix}.shortcut.1`, out);
      } else if (project) {
        const pad = (outC - c) / 2;
        out = stream.map((r) => ({ perm: r.perm, positions: r.positions.map((p) => p + pad) }));
        if (pad > 0) {
          b.sizes.set(`${prefix}.pad`, 2 * pad);
          out.push({ perm: `${prefix}.pad`, positions: Int32Array.from([...range(0, pad), ...range(pad + c, pad)]) });
        }
      }
      const inner = b.perm(`${prefix}.conv1`, outC);
      b.entry(`${prefix}.conv1.weight`, inner, stream, [], []);
      b.batchNorm(`${prefix}.bn1`, inner);
      b.site(`${prefix}.conv1`, inner);
      b.entry(`${prefix}.conv2.weight`, out, inner, [], []);
      b.batchNorm(`${prefix}.bn2`, out);
      b.site(prefix, out);
      stream = out;
      c = outC;
    }
  }
  b.entry('linear.weight', [], stream);
  b.entry('linear.bias', []);
  return b.build();
}

/** The permutation spec of a model (MLP, small CNN, ResNet with shortcut A or B). */
export function permutationSpec(model: NeuralModel): PermutationSpec {
  const spec = model.spec;
  switch (spec.kind) {
    case 'mlp':
      return mlpSpec(spec);
    case 'cnn':
      return cnnSpec(spec);
    case 'resnet':
      return resnetSpec(spec);
  }
}

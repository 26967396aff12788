import * as tf from '@tensorflow/tfjs';
import { LayoutBuilder } from './layout';
import type { NeuralModel } from './model';
import { batchNorm, conv2d, linear, param, type ForwardMode, type ParamTensors } from './ops';
import type { ResNetSpec } from './spec';
import { patchFloats, stackedBatchNorm, stackedConv2d } from './stacked-conv';

/**
 * CIFAR ResNet of He et al. 2016 (section 4.2), named like the widely used PyTorch port
 * (akamaster/pytorch_resnet_cifar10): `conv1`, `bn1`, `layer{s}.{b}.conv1|bn1|conv2|bn2`,
 * `layer{s}.{b}.shortcut.0|1` (option B only), `linear`. Convs have no bias and He-normal init.
 */
export function createResNet(spec: ResNetSpec): NeuralModel {
  const blocksPerStage = (spec.depth - 2) / 6;
  const shortcut = spec.shortcut ?? 'A';
  const base = spec.width ?? 16;
  const input = spec.input ?? [32, 32, 3];
  const builder = new LayoutBuilder();
  builder.conv('conv1', input[2], base, 3, false, 'kaiming-normal');
  builder.batchNorm('bn1', base);
  const blocks: { prefix: string; stride: number; inC: number; outC: number; project: boolean }[] = [];
  let c = base;
  for (let s = 0; s < 3; s++) {
    const outC = base << s;
    for (let b = 0; b < blocksPerStage; b++) {
      const stride = s > 0 && b === 0 ? 2 : 1;
      const prefix = `layer${s + 1}.${b}`;
      const project = stride !== 1 || c !== outC;
      builder.conv(`${prefix}.conv1`, c, outC, 3, false, 'kaiming-normal');
      builder.batchNorm(`${prefix}.bn1`, outC);
      builder.conv(`${prefix}.conv2`, outC, outC, 3, false, 'kaiming-normal');
      builder.batchNorm(`${prefix}.bn2`, outC);
      if (project && shortcut === 'B') {
        builder.conv(`${prefix}.shortcut.0`, c, outC, 1, false, 'kaiming-normal');
        builder.batchNorm(`${prefix}.shortcut.1`, outC);
      }
      blocks.push({ prefix, stride, inC: c, outC, project });
      c = outC;
    }
  }
  builder.linear('linear', c, spec.classes, { kind: 'kaiming-normal', fanIn: c });

  /** Option A's subsampling and channel padding; per example, so pivots folded into N change nothing. */
  function subsampleAndPad(block: (typeof blocks)[number], x: tf.Tensor4D): tf.Tensor4D {
    // x[:, :, ::2, ::2] zero-padded with (out - in) / 2 channels on each side. Written as
    // reshape + slice, whose gradients exist on every backend (strided slice's does not).
    const [n, h, w, ch] = x.shape;
    const sub = tf.reshape(tf.slice(tf.reshape(x, [n, h / 2, 2, w / 2, 2, ch]), [0, 0, 0, 0, 0, 0], [n, h / 2, 1, w / 2, 1, ch]), [n, h / 2, w / 2, ch]);
    const pad = (block.outC - block.inC) / 2;
    return tf.pad(sub, [[0, 0], [0, 0], [0, 0], [pad, pad]]) as tf.Tensor4D;
  }

  function shortcutPath(params: ParamTensors, block: (typeof blocks)[number], x: tf.Tensor4D, mode: ForwardMode): tf.Tensor4D {
    if (!block.project) return x;
    if (shortcut === 'B') {
      const y = conv2d(params, `${block.prefix}.shortcut.0`, x, block.stride, 0, false);
      return batchNorm(params, `${block.prefix}.shortcut.1`, y, mode);
    }
    return subsampleAndPad(block, x);
  }

  return {
    spec,
    name: `resnet${spec.depth}${shortcut === 'B' ? 'b' : ''}`,
    layout: builder.build(),
    inputShape: input,
    inputSize: input[0] * input[1] * input[2],
    classes: spec.classes,
    apply(params: ParamTensors, x: tf.Tensor, mode: ForwardMode): tf.Tensor2D {
      let y: tf.Tensor4D = tf.relu(batchNorm(params, 'bn1', conv2d(params, 'conv1', x as tf.Tensor4D, 1, 1, false), mode));
      mode.activations?.set('conv1', y);
      for (const block of blocks) {
        let r = tf.relu(batchNorm(params, `${block.prefix}.bn1`, conv2d(params, `${block.prefix}.conv1`, y, block.stride, 1, false), mode));
        mode.activations?.set(`${block.prefix}.conv1`, r);
        r = batchNorm(params, `${block.prefix}.bn2`, conv2d(params, `${block.prefix}.conv2`, r, 1, 1, false), mode);
        y = tf.relu(tf.add(r, shortcutPath(params, block, y, mode))) as tf.Tensor4D;
        mode.activations?.set(block.prefix, y);
      }
      return linear(params, 'linear', tf.mean(y, [1, 2]) as tf.Tensor2D);
    },
    /**
     * Pivots folded into the batch axis, [P*N, H, W, C]: every convolution one im2col and one
     * batched product (conv1's patches built once from the shared batch), BatchNorm with each
     * pivot's own batch statistics, the shortcut and pooling per example as they are.
     */
    applyStacked(params: ParamTensors, x: tf.Tensor, points: number): tf.Tensor3D {
      const p = (name: string) => param(params, name);
      const bn = (prefix: string, t: tf.Tensor4D) => stackedBatchNorm(t, p(`${prefix}.weight`), p(`${prefix}.bias`), points);
      let y: tf.Tensor4D = tf.relu(bn('bn1', stackedConv2d(x as tf.Tensor4D, p('conv1.weight'), points, 1, 1, true)));
      for (const block of blocks) {
        let r = tf.relu(bn(`${block.prefix}.bn1`, stackedConv2d(y, p(`${block.prefix}.conv1.weight`), points, block.stride, 1)));
        r = bn(`${block.prefix}.bn2`, stackedConv2d(r, p(`${block.prefix}.conv2.weight`), points, 1, 1));
        let s = y;
        if (block.project) {
          s = shortcut === 'B' ? bn(`${block.prefix}.shortcut.1`, stackedConv2d(y, p(`${block.prefix}.shortcut.0.weight`), points, block.stride, 0)) : subsampleAndPad(block, y);
        }
        y = tf.relu(tf.add(r, s)) as tf.Tensor4D;
      }
      const features = tf.reshape(tf.mean(y, [1, 2]), [points, -1, c]) as tf.Tensor3D;
      return tf.add(tf.matMul(features, p('linear.weight') as tf.Tensor3D, false, true), tf.reshape(p('linear.bias'), [points, 1, spec.classes])) as tf.Tensor3D;
    },
    stackedFloats(batch: number): { held: number; largest: number } {
      const each = [patchFloats(batch, input[0], input[1], input[2], 3, 1, 1)];
      let [h, w] = [input[0], input[1]];
      for (const block of blocks) {
        each.push(patchFloats(batch, h, w, block.inC, 3, block.stride, 1));
        [h, w] = [h / block.stride, w / block.stride];
        each.push(patchFloats(batch, h, w, block.outC, 3, 1, 1));
      }
      return { held: each.reduce((a, b) => a + b, 0), largest: Math.max(...each) };
    },
  };
}

import * as tf from '@tensorflow/tfjs';
import { LayoutBuilder } from './layout';
import type { NeuralModel } from './model';
import { batchNorm, conv2d, linear, type ForwardMode, type ParamTensors } from './ops';
import type { ResNetSpec } from './spec';

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

  function shortcutPath(params: ParamTensors, block: (typeof blocks)[number], x: tf.Tensor4D, mode: ForwardMode): tf.Tensor4D {
    if (!block.project) return x;
    if (shortcut === 'B') {
      const y = conv2d(params, `${block.prefix}.shortcut.0`, x, block.stride, 0, false);
      return batchNorm(params, `${block.prefix}.shortcut.1`, y, mode);
    }
    // Option A: x[:, :, ::2, ::2] zero-padded with (out - in) / 2 channels on each side. Written as
    // reshape + slice, whose gradients exist on every backend (strided slice's does not).
    const [n, h, w, ch] = x.shape;
    const sub = tf.reshape(tf.slice(tf.reshape(x, [n, h / 2, 2, w / 2, 2, ch]), [0, 0, 0, 0, 0, 0], [n, h / 2, 1, w / 2, 1, ch]), [n, h / 2, w / 2, ch]);
    const pad = (block.outC - block.inC) / 2;
    return tf.pad(sub, [[0, 0], [0, 0], [0, 0], [pad, pad]]) as tf.Tensor4D;
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
  };
}

/**
 * Alignment time (issue 18 goals: MLP 784-512-512-10 under 2 s, ResNet-20 under 10 s): weight
 * matching and activation matching of two independently initialised networks, wall and CPU time
 * (the process's, all threads: on a shared machine wall time mostly measures the neighbours).
 * Part of `npm run bench`; alone: `node dist/bench/alignment.js` (the server's default backend).
 * Trained minima take more sweeps: see `npm run experiment -- alignment`.
 */
import * as tf from '@tensorflow/tfjs';
import { createModel, initialParameters, type ModelSpec } from '../src/engine/neural/models';
import { alignMinimum, type AlignmentMethod } from '../src/engine/neural/alignment';
import { initBackend } from '../src/engine/tfjs/backend';
import { Random } from '../src/engine/random';

const CASES: { label: string; spec: ModelSpec; goal: number; examples: number }[] = [
  { label: 'MLP 784-512-512-10', spec: { kind: 'mlp', widths: [784, 512, 512, 10] }, goal: 2, examples: 1024 },
  { label: 'ResNet-20 (32x32x3)', spec: { kind: 'resnet', depth: 20, classes: 10 }, goal: 10, examples: 128 },
];

export async function alignmentSection(): Promise<void> {
  console.log(`\nAlignment of two independently initialised networks (${tf.getBackend()}); goal: MLP < 2 s, ResNet-20 < 10 s`);
  for (const { label, spec, goal, examples } of CASES) {
    const model = createModel(spec);
    const [reference, moving] = [initialParameters(model, 1), initialParameters(model, 2)];
    const random = new Random('bench-alignment');
    const shape = [examples, ...(model.inputShape ?? [model.inputSize])];
    const x = tf.tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => random.normal()), shape);
    for (const method of ['weight-matching', 'activation-matching'] as AlignmentMethod[]) {
      const cpu = process.cpuUsage();
      const aligned = alignMinimum(model, moving, reference, { method, seed: 0, examples: x });
      const used = process.cpuUsage(cpu);
      const cpuSeconds = (used.user + used.system) / 1e6;
      console.log(
        `  ${label} ${method.padEnd(19)} ${aligned.seconds.toFixed(2)} s wall (${(aligned.seconds / goal).toFixed(2)} of the goal), ` +
          `${cpuSeconds.toFixed(2)} s CPU (${(cpuSeconds / goal).toFixed(2)}), ${aligned.sweeps} sweep${aligned.sweeps > 1 ? 's' : ''}${method === 'activation-matching' ? `, ${examples} examples` : ''}`,
      );
    }
    x.dispose();
  }
}

if (require.main === module) {
  initBackend()
    .then((backend) => {
      console.log(`backend: ${backend.reason}`);
      return alignmentSection();
    })
    .catch((err) => {
      console.error(err);
      process.exitCode = 1;
    });
}

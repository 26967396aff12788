// A landscape over a neural network: the engine's NeuralEnergy (or its worker-thread pool) for
// AutoNEB, trainMinimum for minima, evaluate for full train/test metrics.
import {
  createModel,
  evaluate,
  loadDataset,
  NeuralEnergy,
  PooledNeuralEnergy,
  trainMinimum,
  type NeuralEnergyDescription,
} from '../../engine/neural';
import type { Energy, Vector } from '../../engine';
import type { Landscape } from '../../store/entities';
import { engineThreads } from './engine';
import { engineDataSpec, engineModelSpec, engineTrainConfig } from './specs';
import type { Metrics, ParameterTensor, Problem, TrainingProgress } from './problems';

export function buildNeuralProblem(landscape: Landscape): Problem {
  const architecture = landscape.architecture;
  if (architecture.kind === 'surface' || !landscape.dataset) throw new Error(`landscape ${landscape.id} is no neural landscape`);
  const model = createModel(engineModelSpec(architecture, landscape.dataset));
  const data = engineDataSpec(landscape.dataset);
  const dataset = loadDataset(data);
  const description: NeuralEnergyDescription = { model: model.spec, data, seed: `landscape:${landscape.id}` };
  const threads = engineThreads();
  const energy: Energy & { dispose?(): void } =
    threads > 1 ? new PooledNeuralEnergy(description, { size: threads }) : new NeuralEnergy(description);
  const layout: ParameterTensor[] = model.layout.entries.map((e) => ({ name: e.name, shape: [...e.shape], offset: e.offset, size: e.size }));

  return {
    dimension: model.layout.dimension,
    energy,
    layout,
    async trainMinimum(seed, training, options): Promise<Vector> {
      const trainConfig = engineTrainConfig(training);
      const result = await trainMinimum(model, dataset, trainConfig, seed, {
        signal: options.signal,
        onProgress: (p) => options.onProgress?.({ step: p.step, steps: trainConfig.steps, loss: p.loss, learningRate: p.lr } satisfies TrainingProgress),
      });
      return result.params;
    },
    async evaluate(point): Promise<Metrics> {
      const { train, test } = evaluate(model, dataset, point);
      return { trainLoss: train.loss, testLoss: test.loss, trainError: train.error, testError: test.error };
    },
    async evaluateMany(points): Promise<Metrics[]> {
      const out: Metrics[] = [];
      for (const point of points) {
        out.push(await this.evaluate(point));
        // Evaluating a dense profile takes a while: let other work (events, cancels) run between points.
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
      return out;
    },
    dispose(): void {
      energy.dispose?.();
    },
  };
}

/** Worker thread of PooledNeuralEnergy: its own tfjs backend and NeuralEnergy. */
import { parentPort, workerData } from 'node:worker_threads';
import { NonFiniteEnergyError } from '../../energy';
import { runKernel } from '../../neb/kernels';
import { NeuralEnergy } from '../neural-energy';
import { useBackend } from './backend';
import type { SharedView, WorkerError, WorkerInit, WorkerReply, WorkerRequest } from './protocol';

function viewOf({ buffer, byteOffset, length, float64 }: SharedView): Float32Array | Float64Array {
  return float64 ? new Float64Array(buffer, byteOffset, length) : new Float32Array(buffer, byteOffset, length);
}

function describe(e: unknown): WorkerError {
  const err = e instanceof Error ? e : new Error(String(e));
  const out: WorkerError = { name: err.name, message: err.message };
  if (err instanceof NonFiniteEnergyError) {
    const detail = err.message.replace(/^non-finite \w+ at point \d+:?\s*/, '');
    out.nonFinite = { what: err.what, pointIndex: err.pointIndex, detail };
  }
  return out;
}

async function main(): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error('pool worker must run in a worker thread');
  const init = workerData as WorkerInit;
  let energy: NeuralEnergy;
  try {
    await useBackend(init.backend);
    energy = new NeuralEnergy(init.description);
  } catch (e) {
    port.postMessage({ id: -1, ready: false, error: describe(e) } satisfies WorkerReply);
    return;
  }
  port.postMessage({ id: -1, ready: true, dimension: energy.dimension } satisfies WorkerReply);
  port.on('message', (request: WorkerRequest) => {
    try {
      if (request.op === 'lossAndGradient') {
        const gradients = Array.from({ length: request.count }, (_, i) => new Float32Array(request.gradients, (request.gradientsAt + i) * energy.dimension * 4, energy.dimension));
        const points = request.points.map(viewOf) as Float32Array[];
        const { losses } = energy.lossAndGradientAt(request.call, points, request.firstIndex, gradients);
        port.postMessage({ id: request.id, ok: true, losses } satisfies WorkerReply);
      } else if (request.op === 'kernels') {
        const t0 = performance.now();
        const results = request.tasks.map((task) => runKernel({ kernel: task.kernel, views: task.views.map(viewOf), scalars: task.scalars }));
        port.postMessage({ id: request.id, ok: true, losses: [], results, ms: performance.now() - t0 } satisfies WorkerReply);
      } else {
        port.postMessage({ id: request.id, ok: true, losses: energy.lossAt(request.points, request.firstIndex) } satisfies WorkerReply);
      }
    } catch (e) {
      port.postMessage({ id: request.id, ok: false, error: describe(e) } satisfies WorkerReply);
    }
  });
}

void main();

/**
 * The WebGPU rows of `npm run bench`: pivot gradients/s of the engine's NeuralEnergy (what AutoNEB
 * calls, 16 pivots a step, one shared batch) on the webgpu backend, where every model's pivots are
 * stacked (MLP, CNN, ResNet: one dispatch per group of pivots), against the CPU native path
 * (native-blas, else wasm) on the same energy in the same command. On a software adapter (Mesa
 * llvmpipe) the numbers only prove the path runs, and CNN and ResNet-20 run smaller (see
 * `software`) to stay short; on a hardware adapter at full size, with the ratio to the CPU.
 * `node dist/bench/webgpu.js` runs this section alone (scripts/device-check.sh does).
 */
import { initBackend, type BackendReport } from '../src/engine/tfjs/backend';
import type { DataSpec } from '../src/engine/neural/data';
import { stackedGroupLimit, stacksHere } from '../src/engine/neural/models';
import { NeuralEnergy, type NeuralEnergyDescription } from '../src/engine/neural/neural-energy';
import { energyRate, type Rate } from './native';

const PIVOTS = 16;
/** Where the CPU evaluates pivots one by one its rate per pivot does not depend on their number. */
const CPU_PIVOTS_ONE_BY_ONE = 4;

interface GpuNet {
  key: string;
  description: Omit<NeuralEnergyDescription, 'backend'>;
  /** Batch and pivots on a software adapter (default: as on hardware). */
  software?: { batchSize: number; pivots: number };
}

// Synthetic images: throughput does not depend on the pixels, and the device check carries no data set.
const mnistLike: DataSpec = { kind: 'synthetic', classes: 10, shape: [28, 28, 1], trainSize: 1024, testSize: 128, seed: 1 };
const cifarLike: DataSpec = { kind: 'synthetic', classes: 10, shape: [32, 32, 3], trainSize: 1024, testSize: 128, seed: 1 };

// The goal rows first: a device check cut short by its time limit still has them.
const NETS: GpuNet[] = [
  { key: 'ResNet-20', software: { batchSize: 4, pivots: 2 }, description: { model: { kind: 'resnet', depth: 20, classes: 10 }, data: cifarLike, batchSize: 128, seed: 'bench' } },
  { key: 'CNN 16-32', software: { batchSize: 16, pivots: 4 }, description: { model: { kind: 'cnn', input: [28, 28, 1], classes: 10, channels: [16, 32] }, data: mnistLike, batchSize: 128, seed: 'bench' } },
  { key: 'MLP 784-100-10', description: { model: { kind: 'mlp', widths: [784, 100, 10] }, data: mnistLike, batchSize: 256, seed: 'bench' } },
];

/** The rate and how the backend evaluated the pivots (stacked in groups of G, or one by one). */
async function rateOn(backend: string, description: NeuralEnergyDescription, pivots: number): Promise<{ rate: Rate; how: string; pivots: number } | string> {
  try {
    await initBackend({ choice: backend });
    const energy = new NeuralEnergy({ ...description, backend });
    const stacked = stacksHere(energy.model);
    const count = stacked ? pivots : Math.min(pivots, CPU_PIVOTS_ONE_BY_ONE);
    const group = Math.min(count, stackedGroupLimit(energy.model, description.batchSize ?? 512));
    const rate = await energyRate(energy, count);
    return { rate, pivots: count, how: stacked ? `stacked${group < count ? `, groups of ${group}` : ''}` : 'one by one' };
  } catch (err) {
    return `fails: ${(err as Error).message.split('\n')[0]}`;
  }
}

/** The CPU native path: native-blas when its binding loads, else fixed wasm. */
async function cpuChoice(): Promise<string> {
  try {
    await initBackend({ choice: 'native-blas' });
    return 'native-blas';
  } catch {
    return 'wasm';
  }
}

type Row = Awaited<ReturnType<typeof rateOn>>;
const show = (r: Row) => (typeof r === 'string' ? r : `${r.rate.wall.toFixed(2).padStart(9)} grads/s wall  (${r.pivots} pivots, ${r.how})`);

export async function webgpuSection(): Promise<void> {
  console.log('\n== WebGPU (Dawn; src/engine/tfjs/webgpu) ==');
  let report: BackendReport;
  try {
    report = await initBackend({ choice: 'webgpu' });
  } catch (err) {
    console.log(`webgpu row skipped: ${(err as Error).message}`);
    return;
  }
  const software = report.adapter?.software ?? true;
  console.log(`webgpu: ${report.reason}`);
  console.log(`NeuralEnergy.lossAndGradient, warm-up first; ${software ? 'software adapter: the numbers only prove the path runs (CNN at batch 16, 4 pivots; ResNet-20 at batch 4, 2 pivots)' : 'hardware adapter'}`);
  const cpu = await cpuChoice();
  for (const net of NETS) {
    const small = software ? net.software : undefined;
    const description = { ...net.description, batchSize: small?.batchSize ?? net.description.batchSize };
    const pivots = small?.pivots ?? PIVOTS;
    const key = `${net.key} (batch ${description.batchSize})`;
    const gpu = await rateOn('webgpu', description, pivots);
    const native = await rateOn(cpu, description, pivots);
    const ratio = typeof gpu !== 'string' && typeof native !== 'string' ? `  RATIO webgpu/${cpu}: ${(gpu.rate.wall / native.rate.wall).toFixed(2)}x wall${software ? ' (software adapter)' : ''}` : '';
    console.log(`${key.padEnd(28)} webgpu      ${show(gpu)}`);
    console.log(`${''.padEnd(28)} ${cpu.padEnd(11)} ${show(native)}${ratio}`);
  }
}

/** What auto chooses here, with every reason, and the adapter a forced webgpu gets. */
async function adapterReport(): Promise<void> {
  const auto = await initBackend();
  console.log(`auto: ${auto.reason}`);
  try {
    const forced = await initBackend({ choice: 'webgpu' });
    console.log(`forced webgpu: ${forced.adapter?.summary ?? forced.reason}`);
  } catch (err) {
    console.log(`forced webgpu: ${(err as Error).message}`);
  }
}

if (require.main === module) {
  (process.argv.includes('--adapter') ? adapterReport() : webgpuSection()).catch((err) => {
    console.error(err);
    process.exitCode = 1;
  });
}

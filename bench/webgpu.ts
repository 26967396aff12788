/**
 * The WebGPU rows of `npm run bench`: pivot gradients/s of the engine's NeuralEnergy (what AutoNEB
 * calls, 16 pivots a step, one shared batch) on the webgpu backend, against the CPU native path
 * (native-blas, else wasm) on the same energy in the same command. On a software adapter (Mesa
 * llvmpipe) the number only proves the path runs; the ResNet-20 row (the goal: 20x the
 * CPU native path) runs where Dawn finds a hardware adapter, or with BENCH_WEBGPU_ALL=1.
 * `node dist/bench/webgpu.js` runs this section alone (scripts/device-check.sh does).
 */
import { initBackend, type BackendReport } from '../src/engine/tfjs/backend';
import type { DataSpec } from '../src/engine/neural/data';
import { NeuralEnergy, type NeuralEnergyDescription } from '../src/engine/neural/neural-energy';
import { energyRate, type Rate } from './native';

const PIVOTS = 16;

interface GpuNet {
  key: string;
  description: Omit<NeuralEnergyDescription, 'backend'>;
  /** Measured on a software adapter too. */
  onSoftware: boolean;
}

// Synthetic images: throughput does not depend on the pixels, and the device check carries no data set.
const mnistLike: DataSpec = { kind: 'synthetic', classes: 10, shape: [28, 28, 1], trainSize: 1024, testSize: 128, seed: 1 };
const cifarLike: DataSpec = { kind: 'synthetic', classes: 10, shape: [32, 32, 3], trainSize: 1024, testSize: 128, seed: 1 };

const NETS: GpuNet[] = [
  { key: 'MLP 784-100-10 (batch 256)', onSoftware: true, description: { model: { kind: 'mlp', widths: [784, 100, 10] }, data: mnistLike, batchSize: 256, seed: 'bench' } },
  { key: 'CNN 16-32 (batch 128)', onSoftware: false, description: { model: { kind: 'cnn', input: [28, 28, 1], classes: 10, channels: [16, 32] }, data: mnistLike, batchSize: 128, seed: 'bench' } },
  { key: 'ResNet-20 (batch 128)', onSoftware: false, description: { model: { kind: 'resnet', depth: 20, classes: 10 }, data: cifarLike, batchSize: 128, seed: 'bench' } },
];

async function rateOn(backend: string, net: GpuNet): Promise<Rate | string> {
  try {
    await initBackend({ choice: backend });
    return await energyRate(new NeuralEnergy({ ...net.description, backend }), PIVOTS);
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

const show = (r: Rate | string) => (typeof r === 'string' ? r : `${r.wall.toFixed(1).padStart(8)} grads/s wall`);

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
  console.log(`${PIVOTS} pivots per step, NeuralEnergy.lossAndGradient, warm-up first; ${software ? 'software adapter: the numbers only prove the path runs' : 'hardware adapter'}`);
  const cpu = await cpuChoice();
  for (const net of NETS) {
    if (software && !net.onSoftware && process.env.BENCH_WEBGPU_ALL !== '1') {
      console.log(`${net.key.padEnd(28)} webgpu   skipped on a software adapter (BENCH_WEBGPU_ALL=1 runs it)`);
      continue;
    }
    const gpu = await rateOn('webgpu', net);
    const native = await rateOn(cpu, net);
    const ratio = typeof gpu !== 'string' && typeof native !== 'string' ? `  RATIO webgpu/${cpu}: ${(gpu.wall / native.wall).toFixed(2)}x wall` : '';
    console.log(`${net.key.padEnd(28)} webgpu   ${show(gpu)}`);
    console.log(`${''.padEnd(28)} ${cpu.padEnd(8)} ${show(native)}${ratio}`);
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

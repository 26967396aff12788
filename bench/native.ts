/**
 * The native-BLAS section of `npm run bench`: pivot gradients/s of the benchmark nets on plain
 * wasm (kernel fixes), on wasm + native BLAS (src/engine/native), and on PyTorch (a peer run of
 * bench/peer/torch_pivot_grads.py on the same workload, when a Python with torch exists), with
 * the ratio native / PyTorch; then throughput against the number of pivots and the width, and
 * the BLAS-thread choice (child processes: OpenBLAS reads its thread count once, at load).
 *
 * Rates are given per wall second and per CPU second of the measuring process (all its
 * threads): this machine is shared, and CPU time measures the work, not the neighbours.
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src/engine/backend';
import { NeuralEnergy, type NeuralEnergyDescription } from '../src/engine/neural-energy';
import { PooledNeuralEnergy } from '../src/engine/pool';
import type { Energy, Vector } from '../src/engine/energy';
import { registerWasmKernelFixes } from '../src/engine/kernels';
import { loadNativeBlas, registerNativeKernels, registerWasmExtras, unregisterNativeKernels, type NativeBlas } from '../src/engine/native';
import { Random } from '../src/engine/random';
import { mlp, smallCnn, type FlatModel } from './models';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 2);
const PIVOTS = 16;
const CORES = 2;

export interface Rate { wall: number; cpu: number }

function measure(evals: number, step: () => void): Rate {
  step();
  let n = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  do {
    step();
    n++;
  } while (performance.now() - t0 < SECONDS * 1000 || n < 2);
  const wall = (performance.now() - t0) / 1000;
  const { user, system } = process.cpuUsage(cpu0);
  return { wall: (n * evals) / wall, cpu: (n * evals) / ((user + system) / 1e6) };
}

function randomTensor(random: Random, shape: number[], scale: number): tf.Tensor {
  const values = new Float32Array(shape.reduce((a, b) => a * b, 1));
  for (let i = 0; i < values.length; i++) values[i] = random.normal() * scale;
  return tf.tensor(values, shape);
}

function labels(random: Random, batch: number): tf.Tensor2D {
  const l = new Int32Array(batch);
  for (let i = 0; i < batch; i++) l[i] = random.int(10);
  return tf.oneHot(tf.tensor1d(l, 'int32'), 10).toFloat() as tf.Tensor2D;
}

/** Gradient read back into host memory and released, as a NEB step needs it. */
function readBack(t: tf.Tensor): void {
  t.dataSync();
  t.dispose();
}

export interface NetRates { loop: Rate; batched: Rate | null }

function netRates(model: FlatModel, random: Random, pivots: number): NetRates {
  const thetas = randomTensor(random, [pivots, model.dimension], 0.05) as tf.Tensor2D;
  const each = tf.unstack(thetas) as tf.Tensor1D[];
  const grad = tf.grad((t: tf.Tensor) => model.loss(t as tf.Tensor1D));
  const loop = measure(pivots, () => {
    for (const theta of each) readBack(tf.tidy(() => grad(theta)));
  });
  let batched: Rate | null = null;
  if (model.batchedLoss) {
    const batchedGrad = tf.grad((t: tf.Tensor) => model.batchedLoss!(t as tf.Tensor2D));
    batched = measure(pivots, () => readBack(tf.tidy(() => batchedGrad(thetas))));
  }
  tf.dispose([thetas, ...each]);
  return { loop, batched };
}

const best = (r: NetRates): Rate => (r.batched && r.batched.wall > r.loop.wall ? r.batched : r.loop);
const fmt = (r: Rate | null) => (r ? `${r.wall.toFixed(0).padStart(5)} /${r.cpu.toFixed(0).padStart(5)}` : '    -  /   - ');

interface Net { key: string; build: (random: Random) => FlatModel; torchArgs: string[]; engine: Pick<NeuralEnergyDescription, 'model' | 'batchSize'> }

/** Pivot gradients/s of an engine Energy (what AutoNEB calls): `pivots` points per call. */
async function energyRate(energy: Energy, pivots: number): Promise<Rate> {
  const random = new Random('bench-engine');
  const points: Vector[] = Array.from({ length: pivots }, () => {
    const v = new Float32Array(energy.dimension);
    for (let i = 0; i < v.length; i++) v[i] = 0.05 * random.normal();
    return v;
  });
  await energy.lossAndGradient(points);
  let n = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  do {
    await energy.lossAndGradient(points);
    n++;
  } while (performance.now() - t0 < SECONDS * 1000 || n < 2);
  const wall = (performance.now() - t0) / 1000;
  const { user, system } = process.cpuUsage(cpu0);
  return { wall: (n * pivots) / wall, cpu: (n * pivots) / ((user + system) / 1e6) };
}

/**
 * The engine's own path on the bundled MNIST: NeuralEnergy in this thread (native kernels as
 * registered now), and the worker-thread pool (PooledNeuralEnergy, one native-BLAS backend per
 * thread), the two ways a worker can run AutoNEB's pivots.
 */
async function engineRates(net: Net, pivots: number, pool: number): Promise<{ single: Rate; pooled: Rate | string }> {
  const description: NeuralEnergyDescription = { ...net.engine, data: { kind: 'mnist-bundled' }, seed: 'bench', backend: 'native-blas' };
  const single = await energyRate(new NeuralEnergy(description), pivots);
  let pooled: Rate | string;
  const energy = new PooledNeuralEnergy(description, { size: pool });
  try {
    await energy.ready();
    pooled = await energyRate(energy, pivots);
  } catch (err) {
    pooled = `fails: ${(err as Error).message.split('\n')[0]}`;
  } finally {
    energy.dispose();
  }
  return { single, pooled };
}

function nets(): Net[] {
  const data = (random: Random) => randomTensor(random, [256, 784], 1) as tf.Tensor2D;
  return [
    { key: 'MLP 784-100-10', build: (r) => mlp([784, 100, 10], data(r), labels(r, 256)), torchArgs: ['mlp', '784', '100', '10'], engine: { model: { kind: 'mlp', widths: [784, 100, 10] }, batchSize: 256 } },
    { key: 'MLP 784-256-256-10', build: (r) => mlp([784, 256, 256, 10], data(r), labels(r, 256)), torchArgs: ['mlp', '784', '256', '256', '10'], engine: { model: { kind: 'mlp', widths: [784, 256, 256, 10] }, batchSize: 256 } },
    {
      key: 'CNN (batch 128)', build: (r) => smallCnn(randomTensor(r, [128, 28, 28, 1], 1) as tf.Tensor4D, labels(r, 128)), torchArgs: ['cnn'],
      engine: { model: { kind: 'cnn', input: [28, 28, 1], classes: 10, channels: [16, 32] }, batchSize: 128 },
    },
  ];
}

/** A Python that imports torch, or the reason there is none. */
export function findTorchPython(): string | { skipped: string } {
  const candidates = [process.env.NEB_ATLAS_PYTHON, 'python3', '/usr/bin/python3', 'python'].filter((c): c is string => Boolean(c));
  const reasons: string[] = [];
  for (const python of candidates) {
    const run = spawnSync(python, ['-c', 'import torch'], { encoding: 'utf8', timeout: 60_000 });
    if (run.status === 0) return python;
    reasons.push(`${python}: ${run.error ? run.error.message : (run.stderr || '').trim().split('\n').pop()}`);
  }
  return { skipped: `no Python with torch (${reasons.join('; ')}); set NEB_ATLAS_PYTHON or apt-get install python3-torch` };
}

function torchRates(python: string, args: string[], pivots: number): NetRates | string {
  const script = path.join(__dirname, '..', '..', 'bench', 'peer', 'torch_pivot_grads.py');
  const [net, ...sizes] = args;
  const run = spawnSync(python, [script, net, String(pivots), String(SECONDS), String(CORES), ...sizes], { encoding: 'utf8', timeout: 600_000 });
  if (run.status !== 0) return `torch run failed: ${(run.stderr || run.error?.message || '').trim().split('\n').pop()}`;
  const out = JSON.parse(run.stdout.trim().split('\n').pop() as string) as { loop: [number, number]; batched: [number, number] | null };
  const rate = (r: [number, number]) => ({ wall: r[0], cpu: r[1] });
  return { loop: rate(out.loop), batched: out.batched ? rate(out.batched) : null };
}

/** Child mode: one net on native BLAS with the BLAS threads of this process's environment. */
async function child(netKey: string): Promise<void> {
  await initBackend({ choice: 'native-blas' });
  const net = nets().find((n) => n.key === netKey);
  if (!net) throw new Error(`bench child: unknown net '${netKey}'`);
  console.log(JSON.stringify(best(netRates(net.build(new Random('bench-native')), new Random('threads'), PIVOTS))));
}

function threadRun(netKey: string, threads: number): Rate | string {
  const run = spawnSync(process.execPath, [__filename, '--child', netKey], {
    encoding: 'utf8', timeout: 600_000, env: { ...process.env, NEB_ATLAS_BLAS_THREADS: String(threads) },
  });
  if (run.status !== 0) return `failed: ${(run.stderr || '').trim().split('\n').pop()}`;
  return JSON.parse(run.stdout.trim().split('\n').pop() as string) as Rate;
}

export async function nativeSection(): Promise<void> {
  await initBackend({ choice: 'wasm' });
  registerWasmKernelFixes();
  registerWasmExtras();
  const blas: NativeBlas | string = loadNativeBlas((id) => require(id)); // eslint-disable-line @typescript-eslint/no-require-imports
  console.log('\n== Native BLAS path (src/engine/native) ==');
  if (typeof blas === 'string') {
    console.log(`native path skipped: ${blas} (install Debian libopenblas-dev, then npm install; see docs/native.md)`);
    return;
  }
  console.log(`native: ${blas.description}; rates are pivot gradients per wall second / per CPU second, ${PIVOTS} pivots, one shared batch`);
  const python = findTorchPython();
  console.log(typeof python === 'string' ? `PyTorch peer: ${python} (torch threads = ${CORES})` : `PyTorch peer skipped: ${python.skipped}`);
  console.log(`${'net'.padEnd(20)} ${'path'.padEnd(8)} ${'loop wall/cpu'.padEnd(14)} ${'batched wall/cpu'.padEnd(16)}`);
  for (const net of nets()) {
    const random = new Random('bench-native');
    const model = net.build(random);
    unregisterNativeKernels();
    const wasm = netRates(model, random, PIVOTS);
    registerNativeKernels(blas);
    const native = netRates(model, random, PIVOTS);
    const engine = await engineRates(net, PIVOTS, CORES);
    const torch = typeof python === 'string' ? torchRates(python, net.torchArgs, PIVOTS) : python.skipped;
    console.log(`${net.key.padEnd(20)} wasm     ${fmt(wasm.loop)}   ${fmt(wasm.batched)}`);
    console.log(`${''.padEnd(20)} native   ${fmt(native.loop)}   ${fmt(native.batched)}`);
    console.log(`${''.padEnd(20)} engine   ${fmt(engine.single)}   (NeuralEnergy on bundled MNIST, this thread)`);
    console.log(`${''.padEnd(20)} engine   ${typeof engine.pooled === 'string' ? engine.pooled.padEnd(14) : fmt(engine.pooled)}   (PooledNeuralEnergy, ${CORES} worker threads)`);
    if (typeof torch === 'string') {
      console.log(`${''.padEnd(20)} pytorch  skipped: ${torch}`);
      continue;
    }
    console.log(`${''.padEnd(20)} pytorch  ${fmt(torch.loop)}   ${fmt(torch.batched)}`);
    const n = best(native);
    const t = best(torch);
    const e = typeof engine.pooled === 'string' || engine.pooled.wall < engine.single.wall ? engine.single : engine.pooled;
    console.log(`${''.padEnd(20)} ratio native/PyTorch (best of loop, batched): ${(n.wall / t.wall).toFixed(2)}x wall, ` +
      `${(n.cpu / t.cpu).toFixed(2)}x per CPU second; native/wasm ${(n.wall / best(wasm).wall).toFixed(2)}x wall`);
    console.log(`${''.padEnd(20)} ratio engine/PyTorch (best engine path): ${(e.wall / t.wall).toFixed(2)}x wall, ${(e.cpu / t.cpu).toFixed(2)}x per CPU second`);
  }

  console.log('\nScaling on native (MLP, batched graph): cost per step should grow linearly in pivots and width');
  const random = new Random('bench-scaling');
  const x = randomTensor(random, [256, 784], 1) as tf.Tensor2D;
  const y = labels(random, 256);
  for (const pivots of [1, 4, 16, 64]) {
    const r = best(netRates(mlp([784, 100, 10], x, y), random, pivots));
    console.log(`  MLP 784-100-10, ${String(pivots).padStart(2)} pivots: ${r.wall.toFixed(0).padStart(5)} grads/s wall, ` +
      `${r.cpu.toFixed(0).padStart(5)} per CPU-s, ${(1000 * pivots / r.cpu).toFixed(1)} CPU-ms per step`);
  }
  for (const width of [50, 100, 200, 400]) {
    const model = mlp([784, width, 10], x, y);
    const r = best(netRates(model, random, PIVOTS));
    console.log(`  MLP 784-${width}-10, 16 pivots: ${r.wall.toFixed(0).padStart(5)} grads/s wall, ${r.cpu.toFixed(0).padStart(5)} per CPU-s, ` +
      `${((r.cpu * model.flopsPerGradient) / 1e9).toFixed(1)} GFLOP per CPU-s, ${(1000 / r.cpu).toFixed(2)} CPU-ms per gradient`);
  }
  tf.dispose([x, y]);

  console.log('\nBLAS threads (src/engine/native/binding.ts), separate processes, best of loop/batched:');
  for (const net of nets()) {
    const rates = [1, 2].map((threads) => threadRun(net.key, threads));
    console.log(`  ${net.key.padEnd(20)} ${rates.map((r, i) => `${i + 1} thread${i ? 's' : ''}: ${typeof r === 'string' ? r : fmt(r)}`).join('   ')}`);
  }
}

if (require.main === module) {
  const at = process.argv.indexOf('--child');
  (at >= 0 ? child(process.argv[at + 1]) : nativeSection()).catch((err) => {
    console.error(err);
    process.exitCode = 1;
  });
}

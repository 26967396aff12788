/**
 * The native-BLAS section of `npm run bench`: pivot gradients/s of the benchmark nets on the bench's
 * own flat-vector graphs (plain wasm and native kernels, for the kernels' sake), on the engine's
 * NeuralEnergy (what AutoNEB calls) in its thread configurations, and on PyTorch (a peer run of
 * bench/peer/torch_pivot_grads.py on the same workload, in four thread settings, when a Python
 * with torch exists), with the ratio of the best engine configuration to the best PyTorch setting;
 * then the engine's cost against the number of pivots and the width.
 *
 * Rates are given per wall second and per CPU second of the measuring process (all its
 * threads): this machine is shared, and CPU time measures the work, not the neighbours.
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src/engine/tfjs/backend';
import { NeuralEnergy, type NeuralEnergyDescription } from '../src/engine/neural/neural-energy';
import { PooledNeuralEnergy } from '../src/engine/neural/pool';
import type { Energy, Vector } from '../src/engine/energy';
import { registerWasmKernelFixes } from '../src/engine/tfjs/fixes';
import { loadNativeBlas, registerNativeKernels, registerWasmExtras, unregisterNativeKernels, type NativeBlas } from '../src/engine/tfjs/blas';
import { Random } from '../src/engine/random';
import { mlp, smallCnn, type FlatModel } from './models';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 2);
/** Seconds each engine and PyTorch configuration runs before it is measured. */
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP ?? 3);
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
  // Steady state, as in an AutoNEB run of minutes: a pool's worker threads take a few seconds to
  // compile their hot code (2-s measurements right after start-up gave it 0.8x its rate).
  const warm = performance.now();
  while (performance.now() - warm < WARMUP_SECONDS * 1000) (await energy.lossAndGradient(points)).release?.();
  let n = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  do {
    (await energy.lossAndGradient(points)).release?.(); // as a NEB step does once it has its forces
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
  const description: NeuralEnergyDescription = { ...net.engine, data: { kind: 'mnist' }, seed: 'bench', backend: 'native-blas' };
  const single = await energyRate(new NeuralEnergy(description), pivots);
  if (pool < 1) return { single, pooled: 'not measured' };
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

/**
 * The PyTorch configurations tried: its intra-op threads x the threads of the BLAS it calls
 * (Debian's torch uses the system OpenBLAS, which starts its own threads unless told not to).
 * Measured here they differ up to 4x (MLP 784-100-10: 1 torch thread + 2 BLAS threads ~950/s,
 * 2 + 2 ~280/s from oversubscription), so the peer is the best of them, not one arbitrary setting.
 */
const TORCH_CONFIGS: { label: string; threads: number; env: Record<string, string> }[] = [
  { label: 'torch 1 thread, BLAS default', threads: 1, env: {} },
  { label: 'torch 1 thread, BLAS 1', threads: 1, env: { OPENBLAS_NUM_THREADS: '1' } },
  { label: `torch ${CORES} threads, BLAS default`, threads: CORES, env: {} },
  { label: `torch ${CORES} threads, BLAS 1`, threads: CORES, env: { OPENBLAS_NUM_THREADS: '1' } },
];

interface TorchRun { label: string; rates: NetRates }

function torchRun(python: string, args: string[], pivots: number, config: (typeof TORCH_CONFIGS)[number]): TorchRun | string {
  const script = path.join(__dirname, '..', '..', 'bench', 'peer', 'torch_pivot_grads.py');
  const [net, ...sizes] = args;
  const env = { ...process.env, ...config.env };
  if (!('OPENBLAS_NUM_THREADS' in config.env)) delete env.OPENBLAS_NUM_THREADS;
  const run = spawnSync(python, [script, net, String(pivots), String(SECONDS), String(config.threads), ...sizes], {
    encoding: 'utf8', timeout: 600_000, env: { ...env, BENCH_WARMUP: String(WARMUP_SECONDS) },
  });
  if (run.status !== 0) return `torch run failed (${config.label}): ${(run.stderr || run.error?.message || '').trim().split('\n').pop()}`;
  const out = JSON.parse(run.stdout.trim().split('\n').pop() as string) as { loop: [number, number]; batched: [number, number] | null };
  const rate = (r: [number, number]) => ({ wall: r[0], cpu: r[1] });
  return { label: config.label, rates: { loop: rate(out.loop), batched: out.batched ? rate(out.batched) : null } };
}

/** Every configuration of TORCH_CONFIGS on one net; the failures' reasons if none ran. */
function torchRuns(python: string, args: string[], pivots: number): TorchRun[] | string {
  const runs = TORCH_CONFIGS.map((config) => torchRun(python, args, pivots, config));
  const ok = runs.filter((r): r is TorchRun => typeof r !== 'string');
  return ok.length > 0 ? ok : (runs as string[]).join('; ');
}

/** Child mode: the engine's rates on one net, with the BLAS threads of this process's environment. */
async function child(netKey: string, what: string): Promise<void> {
  await initBackend({ choice: 'native-blas' });
  const net = nets().find((n) => n.key === netKey);
  if (!net) throw new Error(`bench child: unknown net '${netKey}'`);
  if (what !== 'engine') throw new Error(`bench child: unknown measurement '${what}'`);
  console.log(JSON.stringify(await engineRates(net, PIVOTS, process.env.BENCH_POOL === '1' ? CORES : 0)));
}

function childRun<T>(netKey: string, what: string, threads: number, extraEnv: Record<string, string> = {}): T | string {
  const run = spawnSync(process.execPath, [__filename, '--child', netKey, what], {
    encoding: 'utf8', timeout: 600_000, env: { ...process.env, ...extraEnv, NEB_ATLAS_BLAS_THREADS: String(threads) },
  });
  if (run.status !== 0) return `failed: ${(run.stderr || '').trim().split('\n').pop()}`;
  return JSON.parse(run.stdout.trim().split('\n').pop() as string) as T;
}

interface EngineConfig { label: string; rate: Rate }

/**
 * The engine's ways to use the cores (src/engine/tfjs/blas/binding.ts and the pool): one thread with
 * 1 or 2 BLAS threads, and the pool of worker threads with 1 BLAS thread each. Child processes:
 * OpenBLAS reads its thread count once, when it is loaded.
 */
function engineConfigs(net: Net): EngineConfig[] | string {
  const one = childRun<{ single: Rate; pooled: Rate | string }>(net.key, 'engine', 1, { BENCH_POOL: '1' });
  const two = childRun<{ single: Rate; pooled: Rate | string }>(net.key, 'engine', CORES);
  if (typeof one === 'string') return one;
  const configs: EngineConfig[] = [{ label: 'one thread, 1 BLAS thread', rate: one.single }];
  if (typeof two !== 'string') configs.push({ label: `one thread, ${CORES} BLAS threads`, rate: two.single });
  if (typeof one.pooled !== 'string') configs.push({ label: `pool of ${CORES} threads, 1 BLAS thread each`, rate: one.pooled });
  return configs;
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
  console.log(typeof python === 'string' ? `PyTorch peer: ${python}, best of: ${TORCH_CONFIGS.map((c) => c.label).join('; ')}` : `PyTorch peer skipped: ${python.skipped}`);
  console.log(`${'net'.padEnd(20)} ${'path'.padEnd(8)} ${'loop wall/cpu'.padEnd(14)} ${'batched wall/cpu'.padEnd(16)}`);
  const pad = ''.padEnd(20);
  for (const net of nets()) {
    const random = new Random('bench-native');
    const model = net.build(random);
    unregisterNativeKernels();
    const wasm = netRates(model, random, PIVOTS);
    registerNativeKernels(blas);
    const native = netRates(model, random, PIVOTS);
    const engine = engineConfigs(net);
    const torch = typeof python === 'string' ? torchRuns(python, net.torchArgs, PIVOTS) : python.skipped;
    console.log(`${net.key.padEnd(20)} wasm     ${fmt(wasm.loop)}   ${fmt(wasm.batched)}   (bench graph, tfjs kernels)`);
    console.log(`${pad} native   ${fmt(native.loop)}   ${fmt(native.batched)}   (bench graph, native kernels)`);
    if (typeof engine === 'string') console.log(`${pad} engine   ${engine}`);
    else for (const c of engine) console.log(`${pad} engine   ${fmt(c.rate)}   ${''.padEnd(14)} (NeuralEnergy on bundled MNIST: ${c.label})`);
    if (typeof torch === 'string') {
      console.log(`${pad} pytorch  skipped: ${torch}`);
      continue;
    }
    for (const run of torch) console.log(`${pad} pytorch  ${fmt(run.rates.loop)}   ${fmt(run.rates.batched)}   (${run.label})`);
    const peer = torch.map((run) => ({ label: run.label, rate: best(run.rates) })).reduce((a, b) => (b.rate.wall > a.rate.wall ? b : a));
    if (typeof engine !== 'string') {
      const e = engine.reduce((a, b) => (b.rate.wall > a.rate.wall ? b : a));
      console.log(`${pad} RATIO engine/PyTorch: ${(e.rate.wall / peer.rate.wall).toFixed(2)}x wall (${e.label} vs ${peer.label}, ` +
        `best of loop/batched), ${(e.rate.cpu / peer.rate.cpu).toFixed(2)}x per CPU second`);
    }
    const n = best(native);
    console.log(`${pad} ratio native bench graph/PyTorch: ${(n.wall / peer.rate.wall).toFixed(2)}x wall; native/wasm ${(n.wall / best(wasm).wall).toFixed(2)}x wall`);
  }

  console.log(`\nScaling of the engine (NeuralEnergy, MLP on bundled MNIST, batch 256, ${blas.threads} BLAS thread${blas.threads > 1 ? 's' : ''}): cost per step should grow linearly in pivots and width`);
  const mlpEnergy = (width: number) => new NeuralEnergy({ model: { kind: 'mlp', widths: [784, width, 10] }, batchSize: 256, data: { kind: 'mnist' }, seed: 'bench', backend: 'native-blas' });
  const flops = (width: number) => 2 * 256 * (2 * 784 * width + 3 * width * 10);
  for (const pivots of [1, 4, 16, 64]) {
    const r = await energyRate(mlpEnergy(100), pivots);
    console.log(`  MLP 784-100-10, ${String(pivots).padStart(2)} pivots: ${r.wall.toFixed(0).padStart(5)} grads/s wall, ` +
      `${r.cpu.toFixed(0).padStart(5)} per CPU-s, ${(1000 * pivots / r.cpu).toFixed(1)} CPU-ms per step`);
  }
  for (const width of [50, 100, 200, 400]) {
    const r = await energyRate(mlpEnergy(width), PIVOTS);
    console.log(`  MLP 784-${width}-10, 16 pivots: ${r.wall.toFixed(0).padStart(5)} grads/s wall, ${r.cpu.toFixed(0).padStart(5)} per CPU-s, ` +
      `${((r.cpu * flops(width)) / 1e9).toFixed(1)} GFLOP per CPU-s, ${(1000 / r.cpu).toFixed(2)} CPU-ms per gradient`);
  }
}

if (require.main === module) {
  const at = process.argv.indexOf('--child');
  (at >= 0 ? child(process.argv[at + 1], process.argv[at + 2]) : nativeSection()).catch((err) => {
    console.error(err);
    process.exitCode = 1;
  });
}

/**
 * `npm run bench`: pivot-gradient throughput on the wasm backend, stock kernels vs the kernel
 * fixes of src/engine/kernels, against a 2-D matMul roofline (same backend) and OpenBLAS sgemm.
 * One process: the fixes are registered / unregistered between measurements.
 */
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src/engine/tfjs/backend';
import { registerWasmKernelFixes, unregisterWasmKernelFixes } from '../src/engine/tfjs/fixes';
import { Random } from '../src/engine/random';
import { openBlasSgemm } from './blas';
import { mlp, smallCnn, type FlatModel } from './models';
import { nativeSection } from './native';
import { webgpuSection } from './webgpu';
import { nebStepShare } from './neb-step';
import { alignmentSection } from './alignment';
import { registerWasmExtras, unregisterWasmExtras } from '../src/engine/tfjs/blas';

const PIVOTS = 16;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 2);

function randomTensor(random: Random, shape: number[], scale: number): tf.Tensor {
  const values = new Float32Array(shape.reduce((a, b) => a * b, 1));
  for (let i = 0; i < values.length; i++) values[i] = random.normal() * scale;
  return tf.tensor(values, shape);
}

function oneHot(random: Random, batch: number, classes: number): tf.Tensor2D {
  const labels = new Int32Array(batch);
  for (let i = 0; i < batch; i++) labels[i] = random.int(classes);
  return tf.oneHot(tf.tensor1d(labels, 'int32'), classes).toFloat() as tf.Tensor2D;
}

/** CPU seconds of this process. Wasm runs on one thread here, so on a shared (loaded) machine
 * CPU time measures the work where wall time would measure the neighbours. */
function cpuSeconds(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
}

/** Runs `step` (evaluating `evals` pivot gradients) for ~SECONDS of CPU time; evals per CPU second. */
function rate(evals: number, step: () => void): number {
  step(); // warm-up: XNNPACK operators, kernel setup
  let n = 0;
  const start = cpuSeconds();
  do {
    step();
    n++;
  } while (cpuSeconds() - start < SECONDS || n < 2);
  return (n * evals) / (cpuSeconds() - start);
}

/** Reads a gradient back and frees it (leaked results grew the wasm heap every step: page faults). */
function release(t: tf.Tensor): void {
  t.dataSync();
  t.dispose();
}

/** The plain autodiff loop: one tf.grad per pivot, gradient read back as a Float32Array. */
function loopStep(model: FlatModel, pivots: tf.Tensor1D[]): () => void {
  const grad = tf.grad((theta: tf.Tensor) => model.loss(theta as tf.Tensor1D));
  return () => {
    for (const theta of pivots) release(tf.tidy(() => grad(theta)));
  };
}

/** All pivots in one rank-3 graph. */
function batchedStep(model: FlatModel, thetas: tf.Tensor2D): () => void {
  const batched = model.batchedLoss!;
  const grad = tf.grad((t: tf.Tensor) => batched(t as tf.Tensor2D));
  return () => {
    release(tf.tidy(() => grad(thetas)));
  };
}

function measure(step: () => void): number | string {
  try {
    return rate(PIVOTS, step);
  } catch (err) {
    return `fails: ${(err as Error).message.split('\n')[0]}`;
  }
}

const fmt = (x: number, digits = 1) => x.toFixed(digits).padStart(8);

function row(label: string, evalsPerSecond: number | string, flops: number, roofline: number, stock?: number | string): void {
  if (typeof evalsPerSecond === 'string') {
    console.log(`  ${label.padEnd(26)} ${evalsPerSecond}`);
    return;
  }
  const gflops = (evalsPerSecond * flops) / 1e9;
  const vsStock = typeof stock === 'number' ? `${(evalsPerSecond / stock).toFixed(1)}x stock` : '';
  console.log(`  ${label.padEnd(26)} ${fmt(evalsPerSecond)} grads/s ${fmt(gflops)} GFLOP/s ` +
    `${fmt((100 * gflops) / roofline, 0)}% of roofline  ${vsStock}`);
}

function matMulRoofline(n: number): number {
  const a = tf.randomNormal([n, n]) as tf.Tensor2D;
  const b = tf.randomNormal([n, n]) as tf.Tensor2D;
  const evalsPerSecond = rate(1, () => tf.tidy(() => tf.matMul(a, b)).dataSync());
  tf.dispose([a, b]);
  return (evalsPerSecond * 2 * n ** 3) / 1e9;
}

async function main(): Promise<void> {
  const report = await initBackend({ choice: 'wasm', kernelFixes: false });
  console.log(`backend: ${report.reason}`);
  console.log(`pivots per evaluation: ${PIVOTS}; ~${SECONDS} CPU-s per measurement; rates per CPU second ` +
    `(one wasm thread; wall time on a loaded machine would measure other processes)\n`);

  const roofline = matMulRoofline(1024);
  console.log(`roofline: wasm 2-D matMul 1024x1024: ${roofline.toFixed(1)} GFLOP/s`);
  for (const threads of [1, 2]) {
    const blas = openBlasSgemm(1024, threads);
    console.log(typeof blas === 'string'
      ? `OpenBLAS sgemm: skipped, ${blas}`
      : `OpenBLAS sgemm 1024 (${blas.library} via numpy, ${threads} thread${threads > 1 ? 's' : ''}): ` +
        `${blas.gflops.toFixed(1)} GFLOP/s (wasm matMul = ${((100 * roofline) / blas.gflops).toFixed(0)}% of it)`);
  }

  // Kernel level: the transposed products of backprop (784-256-256-10 layer 1, batch 256).
  const x = tf.randomNormal([256, 784]) as tf.Tensor2D;
  const dy = tf.randomNormal([256, 256]) as tf.Tensor2D;
  const w = tf.randomNormal([784, 256]) as tf.Tensor2D;
  const products: [string, () => tf.Tensor][] = [
    ['dW = x^T dy  [784x256]^T[256x256]', () => tf.matMul(x, dy, true, false)],
    ['dX = dy W^T  [256x256][784x256]^T', () => tf.matMul(dy, w, false, true)],
  ];
  console.log('\nBatchMatMul kernel, transposed products of backprop:');
  for (const [label, product] of products) {
    const flops = 2 * 256 * 784 * 256;
    unregisterWasmKernelFixes();
    unregisterWasmExtras();
    const stock = (rate(1, () => tf.tidy(product).dataSync()) * flops) / 1e9;
    registerWasmKernelFixes();
    registerWasmExtras();
    const fixed = (rate(1, () => tf.tidy(product).dataSync()) * flops) / 1e9;
    console.log(`  ${label}: stock ${stock.toFixed(1)} GFLOP/s, fixed ${fixed.toFixed(1)} GFLOP/s ` +
      `(${(fixed / stock).toFixed(1)}x, ${((100 * fixed) / roofline).toFixed(0)}% of roofline)`);
  }
  tf.dispose([x, dy, w]);

  const random = new Random('bench');
  const mnistLike = randomTensor(random, [256, 784], 1) as tf.Tensor2D;
  const labels256 = oneHot(random, 256, 10);
  const images = randomTensor(random, [128, 28, 28, 1], 1) as tf.Tensor4D;
  const labels128 = oneHot(random, 128, 10);
  const models = [
    mlp([784, 100, 10], mnistLike, labels256),
    mlp([784, 256, 256, 10], mnistLike, labels256),
    smallCnn(images, labels128),
  ];

  for (const model of models) {
    const thetas = randomTensor(random, [PIVOTS, model.dimension], 0.05) as tf.Tensor2D;
    const pivots = tf.unstack(thetas) as tf.Tensor1D[];
    const batchLabel = model === models[2] ? 128 : 256;
    console.log(`\n${model.name} (D = ${model.dimension}, batch ${batchLabel}, ` +
      `${(model.flopsPerGradient / 1e6).toFixed(0)} MFLOP per pivot gradient)`);
    unregisterWasmKernelFixes();
    unregisterWasmExtras();
    const stock = measure(loopStep(model, pivots));
    row('(a) stock wasm, loop', stock, model.flopsPerGradient, roofline);
    registerWasmKernelFixes();
    registerWasmExtras();
    const fixed = measure(loopStep(model, pivots));
    row('(b) fixed wasm, loop', fixed, model.flopsPerGradient, roofline, stock);
    if (model.batchedLoss) {
      const batched = measure(batchedStep(model, thetas));
      row('(b) fixed wasm, rank-3', batched, model.flopsPerGradient, roofline, stock);
    }
    tf.dispose([thetas, ...pivots]);
  }
  await nativeSection();
  await webgpuSection();
  console.log('\nAutoNEB step on MNIST MLP 784-100-10 with the pool (2 threads): share of the main thread outside gradient evaluation');
  const share = await nebStepShare();
  if (typeof share === 'string') console.log(`  ${share}`);
  await alignmentSection();
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});

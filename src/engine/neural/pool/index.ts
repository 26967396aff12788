/**
 * PooledNeuralEnergy: the pivots of each call split across worker_threads, each with its own tfjs
 * backend and NeuralEnergy built from the same serialisable description. Call k of the pool asks
 * every worker for call k's batch, so results equal the single-thread NeuralEnergy bit for bit on
 * the cpu and wasm backends (with native BLAS, stacked points agree within float rounding: see
 * neural-energy.ts).
 */
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { SHARE_ENV, Worker } from 'node:worker_threads';
import { NonFiniteEnergyError, type Energy, type LossAndGradient, type Vector } from '../../energy';
import { InvalidInputError } from '../../errors';
import { createModel } from '../models';
import { checkLength, type NeuralEnergyDescription } from '../neural-energy';
import { RecycledVectors } from '../../recycled-vectors';
import { currentBackend } from './backend';
import { runKernel, type KernelRunner, type KernelTask } from '../../neb/kernels';
import type { CallReply, CallResult, ReadyReply, SharedKernelTask, SharedView, WorkerError, WorkerInit, WorkerRequestBody } from './protocol';

export interface PoolOptions {
  /** Worker threads (default: number of cores). */
  size?: number;
}

/** Compiled worker entry; tests and the server run from dist/, where worker.js sits beside this file. */
const WORKER_FILE = join(__dirname, 'worker.js');

function rebuild(error: WorkerError): Error {
  if (error.nonFinite) return new NonFiniteEnergyError(error.nonFinite.what, error.nonFinite.pointIndex, error.nonFinite.detail);
  const e = new Error(error.message);
  e.name = error.name;
  return e;
}

interface Pending {
  resolve: (reply: CallResult) => void;
  reject: (e: Error) => void;
}

class PoolWorker {
  readonly thread: Worker;
  readonly ready: Promise<void>;
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private failure: Error | null = null;
  private points: SharedArrayBuffer | null = null;

  constructor(init: WorkerInit) {
    // SHARE_ENV: a thread that loads the BLAS first must be able to set OPENBLAS_NUM_THREADS in
    // the process environment, which OpenBLAS reads when it loads (tfjs/blas/binding.ts).
    this.thread = new Worker(WORKER_FILE, { workerData: init, env: SHARE_ENV });
    this.ready = new Promise<void>((resolve, reject) => {
      this.thread.on('message', (message: CallReply | ReadyReply) => {
        if ('ready' in message) {
          if (message.ready) resolve();
          else reject(rebuild(message.error));
          return;
        }
        const reply = message;
        const p = this.pending.get(reply.id);
        if (!p) return;
        this.pending.delete(reply.id);
        if (reply.ok) p.resolve(reply);
        else p.reject(rebuild(reply.error));
      });
      const fail = (e: Error) => {
        this.failure = e;
        reject(e);
        for (const p of this.pending.values()) p.reject(e);
        this.pending.clear();
      };
      this.thread.on('error', fail);
      this.thread.on('exit', (code) => fail(new Error(`pool worker exited (code ${code})`)));
    });
    this.ready.catch(() => undefined);
  }

  /** Shared memory for this worker's points, grown to `count` vectors when needed. */
  sharedPoints(count: number, dimension: number): SharedArrayBuffer {
    if (this.points === null || this.points.byteLength < count * dimension * 4) this.points = new SharedArrayBuffer(count * dimension * 4);
    return this.points;
  }

  request(message: WorkerRequestBody): Promise<CallResult> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      // Points are copied (not transferred): the caller keeps its pivots.
      this.thread.postMessage({ ...message, id });
    });
  }
}

/** A view of shared memory as the workers address it, or null for ordinary memory. */
function sharedView(view: Float32Array | Float64Array): SharedView | null {
  if (!(view.buffer instanceof SharedArrayBuffer)) return null;
  return { buffer: view.buffer, byteOffset: view.byteOffset, length: view.length, float64: view instanceof Float64Array };
}

/** Contiguous shares of n items over k workers: [first, count] per worker that gets any. */
function shares(n: number, k: number): { first: number; count: number }[] {
  const out: { first: number; count: number }[] = [];
  const used = Math.min(n, k);
  for (let w = 0, first = 0; w < used; w++) {
    const count = Math.floor(n / used) + (w < n % used ? 1 : 0);
    out.push({ first, count });
    first += count;
  }
  return out;
}

export class PooledNeuralEnergy implements Energy {
  readonly dimension: number;
  readonly name: string;
  readonly size: number;
  readonly checksFinite = true;
  /** A fresh mini-batch per lossAndGradient call: stopping rules judge moving windows. */
  readonly stochastic = true;
  /** Number of lossAndGradient calls so far (same meaning as NeuralEnergy.calls). */
  calls = 0;
  private readonly workers: PoolWorker[];
  private previous: Promise<unknown> = Promise.resolve();
  private readonly recycled = new RecycledVectors(true);

  constructor(
    readonly description: NeuralEnergyDescription,
    options: PoolOptions = {},
  ) {
    const size = options.size ?? availableParallelism();
    if (!Number.isInteger(size) || size < 1) throw new InvalidInputError('pool.size', `expected a positive integer, got ${JSON.stringify(size)}`);
    this.size = size;
    const model = createModel(description.model);
    this.dimension = model.layout.dimension;
    this.name = `${model.name} (pool of ${size})`;
    const init: WorkerInit = { description, backend: currentBackend(description.backend) };
    this.workers = Array.from({ length: size }, () => new PoolWorker(init));
  }

  /** Resolves when every worker has loaded its backend, model and data set. */
  async ready(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.ready));
  }

  async lossAndGradient(points: readonly Vector[]): Promise<LossAndGradient> {
    const call = this.calls++;
    // One call at a time: the shared memory of a worker holds one call's vectors.
    const result = this.previous.then(() => this.lossAndGradientOf(call, points));
    this.previous = result.catch(() => undefined);
    return result;
  }

  private async lossAndGradientOf(call: number, points: readonly Vector[]): Promise<LossAndGradient> {
    const d = this.dimension;
    points.forEach((p, i) => checkLength(p, d, i));
    await this.ready();
    // Points and gradients go through memory shared with the workers: copying them in messages
    // allocated tens of MB per call in every thread, and page faults on fresh memory serialise
    // across the threads of one process (they take its memory-map lock): the pool of 2 ran no
    // faster than one thread on MLP 784-256-256-10, while two processes ran 1.65x. Workers write
    // the gradients straight into the caller's result, which the caller may release for reuse.
    const { vectors: gradients, release } = this.recycled.take(points.length, d);
    const replies = await Promise.all(shares(points.length, this.size).map(({ first, count }, w) => {
      const worker = this.workers[w];
      const mine = points.slice(first, first + count);
      // Points already in shared memory (a NEB step's band in a shared NebWorkspace) are read in place.
      let refs = mine.map(sharedView);
      if (refs.some((r) => r === null)) {
        const shared = worker.sharedPoints(count, d);
        refs = mine.map((p, i) => {
          const view = new Float32Array(shared, i * d * 4, d);
          view.set(p);
          return sharedView(view);
        });
      }
      return worker.request({ op: 'lossAndGradient', call, firstIndex: first, count, points: refs as SharedView[], gradients: gradients[0].buffer as SharedArrayBuffer, gradientsAt: first });
    }));
    return { losses: replies.flatMap((r) => r.losses), gradients, release };
  }

  /**
   * Runs NEB step kernels in the workers, contiguous shares of the tasks each (the pivots' part
   * of a step, see neb/kernels.ts); only the tasks' scalars come back. Tasks on vectors outside
   * shared memory run on this thread.
   */
  readonly kernels: KernelRunner = { runKernels: (tasks) => this.runKernels(tasks) };
  /** Kernel tasks run in the workers so far, and the wall time of their phases in the slowest worker (ms). */
  kernelTasks = 0;
  kernelMs = 0;

  private async runKernels(tasks: readonly KernelTask[]): Promise<number[][]> {
    const shared: SharedKernelTask[] = [];
    for (const { kernel, views, scalars } of tasks) {
      const refs = views.map(sharedView);
      if (refs.some((r) => r === null)) return tasks.map(runKernel);
      shared.push({ kernel, views: refs as SharedView[], scalars });
    }
    await this.ready();
    const parts = await Promise.all(shares(tasks.length, this.size).map(({ first, count }, w) => this.workers[w].request({ op: 'kernels', tasks: shared.slice(first, first + count) })));
    this.kernelTasks += tasks.length;
    this.kernelMs += Math.max(...parts.map((p) => p.ms ?? 0));
    return parts.flatMap((p) => p.results ?? []);
  }

  async loss(points: readonly Vector[]): Promise<number[]> {
    await this.ready();
    const parts = await Promise.all(
      shares(points.length, this.size).map(({ first, count }, w) => this.workers[w].request({ op: 'loss', firstIndex: first, points: points.slice(first, first + count) })),
    );
    return parts.flatMap((p) => p.losses);
  }

  /** Terminates the worker threads. */
  dispose(): void {
    for (const w of this.workers) void w.thread.terminate();
  }
}

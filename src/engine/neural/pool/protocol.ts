/** Messages between PooledNeuralEnergy and its worker threads. */
import type { KernelName } from '../../neb/kernels';
import type { NeuralEnergyDescription } from '../neural-energy';
import type { WorkerBackend } from './backend';

export interface WorkerInit {
  description: NeuralEnergyDescription;
  backend: WorkerBackend;
}

/** A vector in shared memory: a Float32Array (or Float64Array) view of `buffer`. */
export interface SharedView {
  buffer: SharedArrayBuffer;
  byteOffset: number;
  length: number;
  float64: boolean;
}

/** A NEB step kernel (neb/kernels.ts) on vectors in shared memory. */
export interface SharedKernelTask {
  kernel: KernelName;
  views: SharedView[];
  scalars?: readonly number[];
}

/**
 * A lossAndGradient call's points and gradients live in memory shared with the worker, `count`
 * vectors of the energy's dimension each: the points (the caller's own when they are in shared
 * memory, else copies in the worker's buffer, reused from call to call), the gradients written from
 * vector `gradientsAt` of `gradients` (the caller's result). Nothing of them is copied or
 * allocated in the worker. `kernels` runs NEB step kernels and answers their scalars.
 */
export type WorkerRequestBody =
  | { op: 'lossAndGradient'; call: number; firstIndex: number; count: number; points: SharedView[]; gradients: SharedArrayBuffer; gradientsAt: number }
  | { op: 'loss'; firstIndex: number; points: Float32Array[] }
  | { op: 'kernels'; tasks: SharedKernelTask[] };
export type WorkerRequest = WorkerRequestBody & { id: number };

export interface WorkerError {
  name: string;
  message: string;
  /** Set for NonFiniteEnergyError, so the main thread can rethrow the same class. */
  nonFinite?: { what: 'loss' | 'gradient' | 'coordinate'; pointIndex: number; detail: string };
}

export interface CallResult {
  id: number;
  ok: true;
  losses: number[];
  /** The kernels' scalars, one array per task. */
  results?: number[][];
  /** Wall time the worker spent running them (ms). */
  ms?: number;
}
export type CallReply = CallResult | { id: number; ok: false; error: WorkerError };
export type ReadyReply = { id: -1; ready: true; dimension: number } | { id: -1; ready: false; error: WorkerError };
export type WorkerReply = CallReply | ReadyReply;

/** Messages between PooledNeuralEnergy and its worker threads. */
import type { NeuralEnergyDescription } from '../neural-energy';
import type { WorkerBackend } from './backend';

export interface WorkerInit {
  description: NeuralEnergyDescription;
  backend: WorkerBackend;
}

/**
 * A lossAndGradient call's points and gradients live in memory shared with the worker, `count`
 * vectors of the energy's dimension each: the points from the start of `points` (the worker's
 * own buffer, reused from call to call), the gradients written from vector `gradientsAt` of
 * `gradients` (the caller's result). Nothing of them is copied or allocated in the worker.
 */
export type WorkerRequestBody =
  | { op: 'lossAndGradient'; call: number; firstIndex: number; count: number; points: SharedArrayBuffer; gradients: SharedArrayBuffer; gradientsAt: number }
  | { op: 'loss'; firstIndex: number; points: Float32Array[] };
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
}
export type CallReply = CallResult | { id: number; ok: false; error: WorkerError };
export type ReadyReply = { id: -1; ready: true; dimension: number } | { id: -1; ready: false; error: WorkerError };
export type WorkerReply = CallReply | ReadyReply;

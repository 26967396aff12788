/** Messages between PooledNeuralEnergy and its worker threads. */
import type { NeuralEnergyDescription } from '../neural-energy';
import type { WorkerBackend } from './backend';

export interface WorkerInit {
  description: NeuralEnergyDescription;
  backend: WorkerBackend;
}

/**
 * A lossAndGradient call's points and gradients live in memory shared with the worker, `count`
 * vectors of the energy's dimension each, reused from call to call: no copy of them is made or
 * allocated per call in the worker (see SharedVectors in index.ts).
 */
export type WorkerRequestBody =
  | { op: 'lossAndGradient'; call: number; firstIndex: number; count: number; points: SharedArrayBuffer; gradients: SharedArrayBuffer }
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

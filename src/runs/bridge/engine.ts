// How this process runs the engine: its backend, and the threads a neural energy may use. Entry
// points (serve, worker, the experiment, createApp) pass the validated Config here once; the
// engine itself reads no environment.
import { availableParallelism } from 'node:os';
import { configureBlasThreads, initBackend, type BackendReport } from '../../engine/tfjs';
import type { Config } from '../../config';

export type EngineOptions = Pick<Config, 'backend' | 'threads' | 'blasThreads' | 'workers'>;

let options: EngineOptions = { backend: 'auto', workers: 1 };
let started: Promise<BackendReport> | undefined;

export function configureEngine(config: EngineOptions): void {
  options = { backend: config.backend, threads: config.threads, blasThreads: config.blasThreads, workers: config.workers };
}

/** The backend, initialised once per process before the first tensor. */
export function startEngine(): Promise<BackendReport> {
  started ??= (async () => {
    if (options.blasThreads !== undefined) configureBlasThreads(options.blasThreads);
    return initBackend({ choice: options.backend });
  })();
  return started;
}

/**
 * Worker threads per neural energy: the configured count, else one per core shared among the
 * process's compute slots. One per core, each with 1 BLAS thread and its share of a step's pivots,
 * measured best or equal on every benchmark net (docs/native.md).
 */
export function engineThreads(): number {
  if (options.threads !== undefined) return Math.min(options.threads, availableParallelism());
  return Math.max(1, Math.floor(availableParallelism() / Math.max(1, options.workers)));
}

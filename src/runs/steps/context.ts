import type { EntityManager } from '@mikro-orm/postgresql';
import type { Landscape, Run } from '../../store/entities';
import type { RunEvents } from '../events';
import type { Problem } from '../bridge/problems';
import type { JobQueue } from '../queue';

/** What a step handler gets: its own EntityManager, the run (RUNNING), the step to do. */
export interface StepContext {
  em: EntityManager;
  run: Run;
  step: number;
  /** Aborted when the run is cancelled or the worker shuts down. */
  signal: AbortSignal;
  events: RunEvents;
  problem(landscape: Landscape): Problem;
  queue: JobQueue;
  log(message: string): void;
}

/** `next`: the step to enqueue next, or null when the run is complete. */
export interface StepOutcome {
  next: number | null;
}

export type StepHandler = (ctx: StepContext) => Promise<StepOutcome>;

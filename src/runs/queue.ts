// The job queue: pg-boss on the same PostgreSQL as the data, so workers on any machine that
// reaches the database take work from it.
//
// A run is executed as a chain of short jobs, one per checkpointed step (an AutoNEB cycle, one
// minimum's training, an evaluation). Each job stores its result in one transaction and then
// enqueues the next step. Job ids are derived from (run, step), so enqueueing the same step twice
// is a no-op: a job that died after storing its step but before enqueueing the next one is
// retried by pg-boss (on expiry), finds its step stored, and only enqueues the successor. A dead
// worker therefore costs at most one step, and a step never runs twice to completion.
import { createHash } from 'node:crypto';
import PgBoss from 'pg-boss';

/**
 * Two queues: `compute` steps (training, AutoNEB cycles, evaluation) keep a worker's slot busy
 * computing; `coordination` steps (an exploration deciding which pairs to connect) mostly wait
 * for the compute runs they started, so they get their own slots and never starve those runs.
 */
export const QUEUES = { compute: 'neb-atlas-compute', coordination: 'neb-atlas-coordination' } as const;
export type QueueKind = keyof typeof QUEUES;

export interface RunStepJob {
  runId: string;
  /** Index of the step this job performs (cycles done, minima trained, ...). */
  step: number;
}

export interface QueueOptions {
  url: string;
  /** A step not finished within this time is considered dead and retried on another worker. */
  stepExpireSeconds: number;
  /** How often a dead step is retried before its run fails. */
  retryLimit: number;
  /** How often expired jobs are looked for (pg-boss maintenance). */
  maintenanceIntervalSeconds: number;
  /** Connections pg-boss may hold. */
  maxConnections: number;
}

export const DEFAULT_QUEUE_OPTIONS = {
  stepExpireSeconds: 15 * 60,
  retryLimit: 5,
  maintenanceIntervalSeconds: 30,
  maxConnections: 3,
} satisfies Partial<QueueOptions>;

/**
 * An exploration's coordination step waits for all the connections it starts, for hours on real
 * networks. pg-boss does not stop an expired handler, so a short expiry would start a second
 * coordinator beside the first (seen: duplicate connections of running pairs). It gets 23 hours
 * (pg-boss allows at most 24); compute steps keep the short, configurable expiry that brings dead
 * workers' steps back fast.
 */
export const COORDINATION_EXPIRE_SECONDS = 23 * 3600;

function expirySeconds(options: QueueOptions, queue: string): number {
  return queue === QUEUES.coordination ? COORDINATION_EXPIRE_SECONDS : options.stepExpireSeconds;
}

/** A UUID derived from (run, step): the same step always gets the same job id. */
export function stepJobId(runId: string, step: number): string {
  const hex = createHash('sha1').update(`neb-atlas:${runId}:${step}`).digest('hex');
  // Shaped as a version-5 UUID (name-based, SHA-1), which is what it is.
  const variant = ((parseInt(hex[16], 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

export class JobQueue {
  private constructor(
    readonly boss: PgBoss,
    readonly options: QueueOptions,
  ) {}

  static async open(options: QueueOptions, log: (message: string) => void = () => undefined): Promise<JobQueue> {
    const boss = new PgBoss({
      connectionString: options.url,
      max: options.maxConnections,
      application_name: 'neb-atlas-queue',
      maintenanceIntervalSeconds: options.maintenanceIntervalSeconds,
      // Completed jobs are history the runs table already holds.
      deleteAfterDays: 7,
    });
    boss.on('error', (err: Error) => log(`queue: ${err.message}`));
    await boss.start();
    for (const name of Object.values(QUEUES)) {
      await boss.createQueue(name, { name, expireInSeconds: expirySeconds(options, name), retryLimit: options.retryLimit, retryDelay: 1 });
    }
    return new JobQueue(boss, options);
  }

  /** Enqueues step `step` of a run; returns false when that step was already enqueued. */
  async enqueueStep(runId: string, step: number, queue: QueueKind): Promise<boolean> {
    const job: RunStepJob = { runId, step };
    const id = await this.boss.send(QUEUES[queue], job, {
      id: stepJobId(runId, step),
      expireInSeconds: expirySeconds(this.options, QUEUES[queue]),
      retryLimit: this.options.retryLimit,
      retryDelay: 1,
    });
    return id !== null;
  }

  async close(): Promise<void> {
    await this.boss.stop({ graceful: true, wait: true, timeout: 10_000 });
  }
}

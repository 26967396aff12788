// A worker takes run steps from the queue and executes them with the engine. Any number of
// workers, in any number of processes and machines, can share one database.
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import type PgBoss from 'pg-boss';
import type { MikroORM } from '@mikro-orm/postgresql';
import { TOPIC, type EventBus } from '../events';
import { Path, Run } from '../store/entities';
import { PathStatus, RunKind, RunStatus, TERMINAL_STATUSES } from '../store/enums';
import { abandonRecords } from './abandon';
import { LandscapeEventType } from '../events';
import { RunEvents, type RunCancelPayload } from './events';
import { ProblemCache } from './bridge/problems';
import { QUEUES, type JobQueue, type QueueKind, type RunStepJob } from './queue';
import type { StepHandler } from './steps/context';
import { alignStep } from './steps/align';
import { connectStep } from './steps/connect';
import { evaluateStep } from './steps/evaluate';
import { trainStep } from './steps/train';
import { exploreStep } from './steps/explore';
import { startEngine } from './bridge/engine';
import { curvatureStep } from './steps/curvature';
import { curveStep } from './steps/curve';

const STEP_HANDLERS: Record<RunKind, StepHandler> = {
  [RunKind.TRAIN]: trainStep,
  [RunKind.CONNECT]: connectStep,
  [RunKind.EVALUATE]: evaluateStep,
  [RunKind.EXPLORE]: exploreStep,
  [RunKind.CURVATURE]: curvatureStep,
  [RunKind.ALIGN]: alignStep,
  [RunKind.CURVE]: curveStep,
};


/** Why a step was aborted. */
const CANCELLED = 'run cancelled';
const SHUTDOWN = 'worker shutting down';

/** How often a running step re-reads its run's status (a safety net under the cancel events). */
const STATUS_POLL_MS = 1000;

export interface WorkerOptions {
  orm: MikroORM;
  queue: JobQueue;
  events: EventBus;
  /** Compute steps (training, AutoNEB cycles, evaluation) executed at once by this worker. */
  concurrency: number;
  /** Explorations coordinated at once (they mostly wait for the compute runs they start). */
  coordinationSlots?: number;
  pollingIntervalSeconds?: number;
  log?: (message: string) => void;
  id?: string;
}

export class RunWorker {
  readonly id: string;
  private readonly log: (message: string) => void;
  private readonly runEvents: RunEvents;
  private readonly problems = new ProblemCache();
  private readonly active = new Map<string, AbortController>();
  private readonly workIds: string[] = [];
  private cancelListener: { return?: () => unknown } | undefined;
  private stopping = false;

  constructor(private readonly options: WorkerOptions) {
    this.id = options.id ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
    this.log = options.log ?? (() => undefined);
    this.runEvents = new RunEvents(options.events, this.log);
  }

  async start(): Promise<void> {
    await startEngine();
    this.listenForCancels();
    const slots: Record<QueueKind, number> = { compute: this.options.concurrency, coordination: this.options.coordinationSlots ?? 2 };
    for (const kind of Object.keys(slots) as QueueKind[]) {
      for (let i = 0; i < slots[kind]; i++) {
        this.workIds.push(
          await this.options.queue.boss.work<RunStepJob>(
            QUEUES[kind],
            { includeMetadata: true, batchSize: 1, pollingIntervalSeconds: this.options.pollingIntervalSeconds ?? 0.5 },
            async (jobs) => {
              for (const job of jobs) await this.execute(job, kind);
            },
          ),
        );
      }
    }
  }

  /** Stops taking work; running steps are aborted and return to the queue for another worker. */
  async stop(): Promise<void> {
    this.stopping = true;
    for (const controller of this.active.values()) controller.abort(SHUTDOWN);
    await Promise.all(this.workIds.map((id) => this.options.queue.boss.offWork({ id }).catch(() => undefined)));
    this.cancelListener?.return?.();
    this.problems.clear();
  }

  private listenForCancels(): void {
    const events = this.options.events.pubSub.subscribe(TOPIC.RUN_CANCEL) as AsyncIterableIterator<RunCancelPayload>;
    this.cancelListener = events;
    void (async () => {
      for await (const { runId } of events) this.active.get(runId)?.abort(CANCELLED);
    })().catch((err: Error) => this.log(`cancel listener: ${err.message}`));
  }

  private async execute(job: PgBoss.JobWithMetadata<RunStepJob>, queue: QueueKind): Promise<void> {
    const { runId, step } = job.data;
    const em = this.options.orm.em.fork();
    const run = await em.findOne(Run, runId, { populate: ['landscape'] });
    if (!run || TERMINAL_STATUSES.includes(run.status)) return;

    if (job.retryCount > 0) run.resumeCount += 1;
    run.workerId = this.id;
    const starting = run.status === RunStatus.QUEUED;
    if (starting) {
      run.status = RunStatus.RUNNING;
      run.startedAt = new Date();
    }
    await em.flush();
    // Announced once, when the run starts: later steps would repeat the last cycle's event.
    if (starting) await this.runEvents.runProgress(run);

    const controller = new AbortController();
    this.active.set(runId, controller);
    const poll = setInterval(() => void this.checkCancelled(runId, controller), STATUS_POLL_MS);
    try {
      const outcome = await STEP_HANDLERS[run.kind]({
        em,
        run,
        step,
        signal: controller.signal,
        events: this.runEvents,
        problem: (landscape) => this.problems.get(landscape),
        queue: this.options.queue,
        log: this.log,
      });
      if (outcome.next === null) await this.succeed(em, run);
      else await this.options.queue.enqueueStep(runId, outcome.next, queue);
    } catch (err) {
      if (controller.signal.aborted && controller.signal.reason === CANCELLED) {
        await this.markCancelled(em, run);
        return;
      }
      if (this.stopping || (isTransient(err) && job.retryCount < this.options.queue.options.retryLimit)) {
        // Back to the queue: pg-boss retries the step, on this or another worker.
        this.log(`run ${runId} step ${step}: ${(err as Error).message}; will be retried`);
        throw err;
      }
      await this.fail(em, run, err);
    } finally {
      clearInterval(poll);
      this.active.delete(runId);
    }
  }

  private async checkCancelled(runId: string, controller: AbortController): Promise<void> {
    const rows = await this.options.orm.em.fork().getConnection().execute<{ status: string }[]>('select status from run where id = ?', [runId]).catch(() => []);
    if (rows[0]?.status === RunStatus.CANCELLED) controller.abort(CANCELLED);
  }

  private async succeed(em: RunEm, run: Run): Promise<void> {
    const updated = await em.nativeUpdate(Run, { id: run.id, status: RunStatus.RUNNING }, { status: RunStatus.SUCCEEDED, finishedAt: new Date() });
    if (updated === 0) return; // cancelled meanwhile
    await em.refresh(run);
    await this.runEvents.runProgress(run);
    await this.runEvents.landscape(LandscapeEventType.RUN_FINISHED, run.landscape.id, { runId: run.id, ...(await pathOf(em, run)) });
  }

  private async fail(em: RunEm, run: Run, err: unknown): Promise<void> {
    const reason = failureReason(err);
    this.log(`run ${run.id} failed: ${reason}`);
    await em.nativeUpdate(Run, { id: run.id, status: { $in: [RunStatus.QUEUED, RunStatus.RUNNING] } }, { status: RunStatus.FAILED, errorMessage: reason, finishedAt: new Date() });
    await abandonRecords(em, run.id, PathStatus.FAILED);
    await em.refresh(run);
    await this.runEvents.runProgress(run);
    await this.runEvents.landscape(LandscapeEventType.RUN_FINISHED, run.landscape.id, { runId: run.id, ...(await pathOf(em, run)) });
  }

  /** cancelRun already stored and announced CANCELLED (one terminal event); this only tidies up. */
  private async markCancelled(em: RunEm, run: Run): Promise<void> {
    await abandonRecords(em, run.id, PathStatus.CANCELLED);
  }
}

type RunEm = ReturnType<MikroORM['em']['fork']>;

async function pathOf(em: RunEm, run: Run): Promise<{ pathId?: string }> {
  if (run.kind !== RunKind.CONNECT && run.kind !== RunKind.CURVE) return {};
  const path = await em.findOne(Path, { run: run.id });
  return path ? { pathId: path.id } : {};
}

/** Errors of the database connection: the step is retried, not the run failed. */
export function isTransient(err: unknown): boolean {
  const e = err as { name?: string; code?: string; message?: string };
  if (e?.name === 'ConnectionException' || e?.name === 'DriverException') return true;
  if (e?.code && ['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', '57P01', '57P02', '57P03', '08006', '08003', '08001'].includes(e.code)) return true;
  return /Connection terminated|connection (is )?closed|Client has encountered a connection error/i.test(e?.message ?? '');
}

/** One line for the run's errorMessage: what went wrong, without a stack. */
export function failureReason(err: unknown): string {
  if (err instanceof Error) {
    if (err instanceof RangeError && /memory|allocation/i.test(err.message)) return `out of memory: ${err.message}`;
    // MikroORM prefixes database errors with the whole SQL statement and its values: keep only
    // PostgreSQL's own message, which is what a user can act on.
    const message = err.name.endsWith('Exception') && err.message.includes(' - ') ? err.message.slice(err.message.lastIndexOf(' - ') + 3) : err.message;
    return err.name && err.name !== 'Error' ? `${err.name}: ${message}` : message;
  }
  return String(err);
}

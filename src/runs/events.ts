// Events a worker publishes while runs go on. NOTIFY payloads are limited to 8000 bytes, so
// events carry ids and small records; subscribers read cycles and pivots from the database.
import { LandscapeEventType, TOPIC, type EventBus } from '../events';
import type { Run } from '../store/entities';
import type { RunKind, RunStatus } from '../store/enums';

export interface RunProgressPayload {
  runId: string;
  landscapeId: string;
  kind: RunKind;
  status: RunStatus;
  progress: Record<string, unknown> | null;
  errorMessage: string | null;
  /** Set when the event announces a stored AutoNEB cycle (pathId alone: a curve's epoch). */
  pathId?: string;
  cycleIndex?: number;
  at: string;
}

/** A run's state as a runProgress event (published on change, or sent first to a new subscriber). */
export function progressPayload(run: Run, at: Date, cycle?: { pathId: string; cycleIndex?: number }): RunProgressPayload {
  return {
    runId: run.id,
    landscapeId: run.landscape.id,
    kind: run.kind,
    status: run.status,
    progress: run.progress,
    errorMessage: run.errorMessage,
    ...cycle,
    at: at.toISOString(),
  };
}

export interface PathCyclePayload {
  pathId: string;
  runId: string;
  cycleIndex: number;
  at: string;
}

export interface RunCancelPayload {
  runId: string;
}

/** Publishes without failing the caller: the change is committed, an event lost is logged. */
export class RunEvents {
  constructor(
    private readonly bus: EventBus,
    private readonly log: (message: string) => void,
  ) {}

  private send(what: string, publishing: Promise<void>): Promise<void> {
    return publishing.catch((err: Error) => this.log(`event ${what} lost: ${err.message}`));
  }

  runProgress(run: Run, cycle?: { pathId: string; cycleIndex?: number }): Promise<void> {
    const payload = progressPayload(run, new Date(), cycle);
    return this.send('runProgress', this.bus.publish(TOPIC.RUN_PROGRESS, run.id, payload));
  }

  pathCycle(pathId: string, runId: string, cycleIndex: number): Promise<void> {
    const payload: PathCyclePayload = { pathId, runId, cycleIndex, at: new Date().toISOString() };
    return this.send('pathCycles', this.bus.publish(TOPIC.PATH_CYCLES, pathId, payload));
  }

  landscape(type: LandscapeEventType, landscapeId: string, ids: { minimumId?: string; pathId?: string; runId?: string }): Promise<void> {
    return this.send(
      'landscapeEvents',
      this.bus.publish(TOPIC.LANDSCAPE_EVENTS, { type, landscapeId, name: '', ...ids, at: new Date().toISOString() }),
    );
  }

  cancel(runId: string): Promise<void> {
    return this.send('runCancel', this.bus.publish(TOPIC.RUN_CANCEL, { runId } satisfies RunCancelPayload));
  }
}

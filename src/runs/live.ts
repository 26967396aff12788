// What the runProgress and pathCycles subscriptions send: first the stored state (a run's status
// and progress, a path's last stored cycle), then each change, ending when the run or path
// reaches a terminal state. Each starts listening before it reads the state, so no change falls
// between the two; a change that repeats what was last sent is dropped.
import type { EntityManager } from '@mikro-orm/postgresql';
import { TOPIC, topicName, type EventBus, type TopicEvent } from '../events';
import { progressPayload, type PathCyclePayload, type RunProgressPayload } from './events';
import { runConfig } from './configs';
import { Cycle, type Run } from '../store/entities';
import { PathStatus, RunKind, TERMINAL_STATUSES, type RunStatus } from '../store/enums';
import { findPath, findRun } from '../store/records';

const TERMINAL_PATH_STATUSES: readonly PathStatus[] = [PathStatus.COMPLETED, PathStatus.FAILED, PathStatus.CANCELLED];

const isTerminal = (status: RunStatus): boolean => TERMINAL_STATUSES.includes(status);

/** Reads with a fresh identity map: the operation's one would return what it saw first. */
async function withListener<T>(events: AsyncIterableIterator<TopicEvent>, read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (err) {
    await events.return?.();
    throw err;
  }
}

export async function runProgressStream(em: EntityManager, bus: EventBus, runId: string): Promise<AsyncGenerator<RunProgressPayload>> {
  const events = bus.listen([topicName(TOPIC.RUN_PROGRESS, runId)]);
  const state = await withListener(events, async () => {
    const fork = em.fork();
    return runState(fork, await findRun(fork, runId, 'runId'));
  });
  return followRun(events, state);
}

async function* followRun(events: AsyncIterableIterator<TopicEvent>, state: RunProgressPayload): AsyncGenerator<RunProgressPayload> {
  try {
    let last = state;
    yield state;
    if (isTerminal(state.status)) return;
    for await (const { detail } of events) {
      const event = detail as RunProgressPayload;
      if (repeats(last, event)) continue;
      last = event;
      yield event;
      if (isTerminal(event.status)) return;
    }
  } finally {
    await events.return?.();
  }
}

/** Same status, progress and error, and no new cycle: nothing a subscriber has not seen. */
function repeats(last: RunProgressPayload, event: RunProgressPayload): boolean {
  return (
    event.status === last.status &&
    event.errorMessage === last.errorMessage &&
    JSON.stringify(event.progress) === JSON.stringify(last.progress) &&
    (event.cycleIndex === undefined || event.cycleIndex === last.cycleIndex)
  );
}

/** The stored run as an event; a CONNECT (or CURVE) run's carries its path's latest cycle. */
async function runState(em: EntityManager, run: Run): Promise<RunProgressPayload> {
  const state = progressPayload(run, run.updatedAt);
  const pathId = run.kind === RunKind.CONNECT ? runConfig(run, RunKind.CONNECT).pathId : run.kind === RunKind.CURVE ? runConfig(run, RunKind.CURVE).pathId : undefined;
  if (!pathId) return state;
  const last = await lastCycle(em, pathId);
  return last ? { ...state, pathId, cycleIndex: last.index } : { ...state, pathId };
}

function lastCycle(em: EntityManager, pathId: string): Promise<Pick<Cycle, 'index' | 'createdAt'> | null> {
  return em.findOne(Cycle, { path: pathId }, { orderBy: { index: 'desc' }, fields: ['index', 'createdAt'] });
}

export async function pathCycleStream(em: EntityManager, bus: EventBus, pathId: string): Promise<AsyncGenerator<PathCyclePayload>> {
  // The path's CONNECT run announces its end; the path's own topic announces its cycles.
  const runId = (await findPath(em.fork(), pathId, 'pathId')).run?.id;
  const events = bus.listen([topicName(TOPIC.PATH_CYCLES, pathId), ...(runId ? [topicName(TOPIC.RUN_PROGRESS, runId)] : [])]);
  const { path, cycle } = await withListener(events, async () => {
    const fork = em.fork();
    const path = await findPath(fork, pathId, 'pathId');
    return { path, cycle: await lastCycle(fork, pathId) };
  });
  const state: PathCyclePayload | null = cycle && { pathId, runId: runId ?? '', cycleIndex: cycle.index, at: cycle.createdAt.toISOString() };
  // Nothing will announce the end of a path without a run, or of one that has ended.
  const ended = TERMINAL_PATH_STATUSES.includes(path.status) || !runId;
  return followPath(events, state, ended);
}

async function* followPath(events: AsyncIterableIterator<TopicEvent>, state: PathCyclePayload | null, ended: boolean): AsyncGenerator<PathCyclePayload> {
  try {
    let lastIndex = 0;
    if (state) {
      lastIndex = state.cycleIndex;
      yield state;
    }
    if (ended) return;
    for await (const { topic, detail } of events) {
      if (topic.startsWith(`${TOPIC.RUN_PROGRESS}:`)) {
        // Its run ended: so did the path (completed, failed or cancelled with it).
        if (isTerminal((detail as RunProgressPayload).status)) return;
        continue;
      }
      const event = detail as PathCyclePayload;
      if (event.cycleIndex <= lastIndex) continue;
      lastIndex = event.cycleIndex;
      yield event;
    }
  } finally {
    await events.return?.();
  }
}

// Read access to what workers store: minima, runs, paths with their cycles and pivots.
import type { EntityManager, FilterQuery } from '@mikro-orm/core';
import { Cycle, Minimum, Path, Pivot, Run } from './entities';
import type { RunKind, RunStatus } from './enums';
import { isId, NotFoundError } from './errors';
import { paginate, type Page, type PageArgs, type PageLimits, type PageRead } from './pagination';

async function findById<T extends object>(
  em: EntityManager,
  entity: new () => T,
  name: string,
  id: string,
  field: string,
): Promise<T> {
  const found = isId(id) ? await em.findOne(entity, { id } as FilterQuery<T>) : null;
  if (!found) throw new NotFoundError(name, id, field);
  return found;
}

export const findMinimum = (em: EntityManager, id: string, field = 'id') => findById(em, Minimum, 'minimum', id, field);
export const findPath = (em: EntityManager, id: string, field = 'id') => findById(em, Path, 'path', id, field);
export const findRun = (em: EntityManager, id: string, field = 'id') => findById(em, Run, 'run', id, field);

export interface RunFilter {
  landscapeId?: string;
  status?: RunStatus | null;
  kind?: RunKind | null;
  /** Only runs carrying every one of these tags. */
  tags?: readonly string[] | null;
}

export function listRuns(em: EntityManager, filter: RunFilter, args: PageArgs, limits: PageLimits, read?: PageRead): Promise<Page<Run>> {
  const where: FilterQuery<Run> = {};
  if (filter.landscapeId) where.landscape = filter.landscapeId;
  if (filter.status) where.status = filter.status;
  if (filter.kind) where.kind = filter.kind;
  if (filter.tags?.length) where.tags = { $contains: [...filter.tags] };
  return paginate(em, Run, where, args, limits, read);
}

export function listMinima(em: EntityManager, landscapeId: string, args: PageArgs, limits: PageLimits, read?: PageRead): Promise<Page<Minimum>> {
  return paginate(em, Minimum, { landscape: landscapeId }, args, limits, read);
}

export function listPaths(em: EntityManager, landscapeId: string, args: PageArgs, limits: PageLimits, read?: PageRead): Promise<Page<Path>> {
  return paginate(em, Path, { landscape: landscapeId }, args, limits, read);
}

/** A path's cycles in order (at most a few dozen: one per AutoNEB cycle). */
export function pathCycles(em: EntityManager, pathId: string): Promise<Cycle[]> {
  return em.find(Cycle, { path: pathId }, { orderBy: { index: 'asc' } });
}

/** A path's current pivots in chain order, without their parameter blobs. */
export function pathPivots(em: EntityManager, pathId: string): Promise<Pivot[]> {
  return em.find(Pivot, { path: pathId }, { orderBy: { index: 'asc' } });
}

/**
 * A stored cycle, read once per event however many subscribers receive it: cycles never change
 * once stored (unique path and index), so one read serves every subscriber for a few seconds.
 */
const recentCycles = new Map<string, { at: number; cycle: Promise<Cycle | null> }>();
const RECENT_CYCLE_MS = 30_000;

export function storedCycle(em: EntityManager, pathId: string, index: number): Promise<Cycle | null> {
  const now = Date.now();
  for (const [key, entry] of recentCycles) if (now - entry.at > RECENT_CYCLE_MS) recentCycles.delete(key);
  const key = `${pathId}:${index}`;
  let entry = recentCycles.get(key);
  if (!entry) {
    const cycle = em.fork().findOne(Cycle, { path: pathId, index });
    entry = { at: now, cycle };
    recentCycles.set(key, entry);
    // A failed read is not kept: the next subscriber tries again.
    cycle.then((found) => found ?? recentCycles.delete(key), () => recentCycles.delete(key));
  }
  return entry.cycle;
}

// A COMPLETED path's cycles and pivots never change again (an EVALUATE run writes only the
// path's own row), so they are read from the database once per process and then served from
// memory by path id. Paths still running are always read fresh.
import type { EntityManager } from '@mikro-orm/core';
import type { Cycle, Path, Pivot } from './entities';
import { PathStatus } from './enums';
import { pathCycles, pathPivots } from './records';

/** Completed paths kept (least recently used dropped first): a few MB at most on surfaces. */
export const COMPLETED_PATHS_CACHED = 500;

class Recent<T> {
  private readonly entries = new Map<string, Promise<T>>();

  constructor(private readonly size: number) {}

  get(key: string, read: () => Promise<T>): Promise<T> {
    let value = this.entries.get(key);
    if (value) {
      this.entries.delete(key); // re-inserted last: most recently used
    } else {
      value = read();
      // A failed read is not kept: the next request tries again.
      value.catch(() => this.entries.get(key) === value && this.entries.delete(key));
      if (this.entries.size >= this.size) this.entries.delete(this.entries.keys().next().value!);
    }
    this.entries.set(key, value);
    return value;
  }

  clear(): void {
    this.entries.clear();
  }
}

const cycles = new Recent<Cycle[]>(COMPLETED_PATHS_CACHED);
const pivots = new Recent<Pivot[]>(COMPLETED_PATHS_CACHED);

// Read in a fork of their own: the cached entities must not keep a request's identity map alive.
export function cyclesOf(em: EntityManager, path: Path): Promise<Cycle[]> {
  return path.status === PathStatus.COMPLETED ? cycles.get(path.id, () => pathCycles(em.fork(), path.id)) : pathCycles(em, path.id);
}

export function pivotsOf(em: EntityManager, path: Path): Promise<Pivot[]> {
  return path.status === PathStatus.COMPLETED ? pivots.get(path.id, () => pathPivots(em.fork(), path.id)) : pathPivots(em, path.id);
}

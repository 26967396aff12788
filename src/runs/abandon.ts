// What a run leaves unfinished when it fails or is cancelled: records it was still making get a
// final status, so none waits forever as PENDING/RUNNING paths or TRAINING minima. What the run
// finished (READY minima, stored cycles and pivots) stays as it is.
import type { EntityManager } from '@mikro-orm/postgresql';
import { Minimum, Path } from '../store/entities';
import { MinimumStatus, PathStatus } from '../store/enums';

export async function abandonRecords(em: EntityManager, runId: string, pathStatus: PathStatus.FAILED | PathStatus.CANCELLED): Promise<void> {
  await em.nativeUpdate(Path, { run: runId, status: { $in: [PathStatus.PENDING, PathStatus.RUNNING] } }, { status: pathStatus });
  // A minimum has no CANCELLED status: one that was never trained is FAILED either way.
  await em.nativeUpdate(Minimum, { run: runId, status: MinimumStatus.TRAINING }, { status: MinimumStatus.FAILED });
}

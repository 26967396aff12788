// Deleting a minimum (one imported by mistake, say). Refused while paths use it unless `cascade`,
// which deletes those paths with their cycles and pivots; refused outright while work that reads
// it is under way, so nothing half-written is left. Landscape averages, the spanning tree and
// suggestions are computed from the stored minima and paths, so they exclude it from then on.
import type { EntityManager } from '@mikro-orm/postgresql';
import { cancelRun, type RunServices } from './service';
import { Minimum, Path, Run } from '../store/entities';
import { PathStatus, RunKind, RunStatus } from '../store/enums';
import { DetailedInputError, InputError } from '../store/errors';
import { findMinimum } from '../store/records';

const ACTIVE = [RunStatus.QUEUED, RunStatus.RUNNING];
/** Paths listed by id in a refusal; more are counted. */
const NAMED_PATHS = 20;

export interface DeletedMinimum {
  minimum: Minimum;
  /** Ids of the paths deleted with it (cascade). */
  pathIds: string[];
}

export async function deleteMinimum(s: RunServices, id: string, cascade: boolean): Promise<DeletedMinimum> {
  const minimum = await findMinimum(s.em, id);
  const paths = await pathsUsing(s.em, minimum);
  if (paths.length > 0 && !cascade) {
    const named = paths.slice(0, NAMED_PATHS).map((p) => p.id);
    const more = paths.length > named.length ? ` and ${paths.length - named.length} more` : '';
    throw new DetailedInputError('id', `minimum ${minimum.id} is an end of ${paths.length} path${paths.length === 1 ? '' : 's'} (${named.join(', ')}${more}); delete with cascade: true to delete them too`, { pathIds: paths.map((p) => p.id) });
  }
  await refuseWhileInUse(s.em, minimum, paths);
  // Its own EVALUATE run (an import's metrics) has nothing left to do: stop it first.
  const run = minimum.run && (await s.em.findOne(Run, minimum.run.id));
  if (run && run.kind === RunKind.EVALUATE && ACTIVE.includes(run.status)) await cancelRun(s, run.id);
  // Cycles and pivots go with their paths (foreign keys cascade).
  await s.em.transactional(async (em) => {
    await em.nativeDelete(Path, { id: { $in: paths.map((p) => p.id) } });
    await em.nativeDelete(Minimum, { id: minimum.id });
  });
  return { minimum, pathIds: paths.map((p) => p.id) };
}

function pathsUsing(em: EntityManager, minimum: Minimum): Promise<Path[]> {
  return em.find(Path, { $or: [{ minimumA: minimum.id }, { minimumB: minimum.id }] }, { orderBy: { createdAt: 'asc', id: 'asc' } });
}

/** A minimum being trained, or read by a path or an exploration under way, must stay. */
async function refuseWhileInUse(em: EntityManager, minimum: Minimum, paths: Path[]): Promise<void> {
  if (minimum.run) {
    const run = await em.findOne(Run, minimum.run.id);
    if (run && run.kind === RunKind.TRAIN && ACTIVE.includes(run.status)) {
      throw new InputError('id', `minimum ${minimum.id} belongs to TRAIN run ${run.id}, which is ${run.status}: wait for it or cancel it first`);
    }
  }
  const busy = paths.find((p) => p.status === PathStatus.PENDING || p.status === PathStatus.RUNNING);
  if (busy) throw new InputError('id', `path ${busy.id} from this minimum is ${busy.status}: cancel its run (${busy.run?.id}) first`);
  const exploring = await em.findOne(Run, { landscape: minimum.landscape.id, kind: RunKind.EXPLORE, status: { $in: ACTIVE } });
  if (exploring) throw new InputError('id', `exploration run ${exploring.id} of this landscape is ${exploring.status} and may connect this minimum: cancel it first`);
}

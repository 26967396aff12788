// Starting a CURVATURE run (what the computeCurvature mutation calls): validates the target and k,
// stores the run with the point it will measure, enqueues its one step.
import { MAX_K } from '../engine/curvature';
import { Run } from '../store/entities';
import { MinimumStatus, RunKind } from '../store/enums';
import { InputError } from '../store/errors';
import { findMinimum, findPath } from '../store/records';
import type { RunServices } from './service';
import { storedConfig, type CurvatureRunConfig } from './configs';

export interface CurvatureTargetInput {
  minimumId?: string | null;
  pathId?: string | null;
}

/** Hutchinson probes per run (PyHessian's default). */
export const TRACE_PROBES = 100;

export async function computeCurvature(s: RunServices, target: CurvatureTargetInput, k?: number | null): Promise<Run> {
  const given = (['minimumId', 'pathId'] as const).filter((key) => target[key] !== undefined && target[key] !== null);
  if (given.length !== 1) throw new InputError('target', `give exactly one of minimumId and pathId, got ${given.length ? given.join(' and ') : 'neither'}`);
  const wanted = k ?? 5;
  if (!Number.isInteger(wanted) || wanted < 1 || wanted > MAX_K) throw new InputError('k', `must be an integer from 1 to ${MAX_K}, got ${wanted}`);
  let config: CurvatureRunConfig;
  let landscape;
  if (target.minimumId) {
    const minimum = await findMinimum(s.em, target.minimumId, 'target.minimumId');
    if (minimum.status !== MinimumStatus.READY) throw new InputError('target.minimumId', `minimum ${minimum.id} is ${minimum.status}, not READY`);
    landscape = minimum.landscape;
    config = { target: { minimumId: minimum.id }, k: wanted, seed: 0, traceProbes: TRACE_PROBES };
  } else {
    const path = await findPath(s.em, target.pathId!, 'target.pathId');
    if (path.saddleT === null) throw new InputError('target.pathId', `path ${path.id} has no saddle yet (${path.status}): wait for its first cycle`);
    landscape = path.landscape;
    config = { target: { pathId: path.id, t: path.saddleT }, k: wanted, seed: 0, traceProbes: TRACE_PROBES };
  }
  const run = s.em.create(Run, { landscape, kind: RunKind.CURVATURE, config: storedConfig(RunKind.CURVATURE, config) });
  await s.em.flush();
  await s.queue.enqueueStep(run.id, 0, 'compute');
  await s.events.runProgress(run);
  return run;
}

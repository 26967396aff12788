// Starting alignments (issue 18): checks that two minima can be aligned and creates the aligned
// copy a run will fill in. Used by alignMinimum, and by connectMinima / exploreLandscape with `align`.
import type { EntityManager } from '@mikro-orm/postgresql';
import { Landscape, Minimum, type Run } from '../store/entities';
import { AlignmentMethod, MinimumStatus } from '../store/enums';
import { InputError } from '../store/errors';
import type { AlignmentRecord } from './steps/align';
import type { AlignmentMethodName } from './bridge/problems';

export const ALIGNMENT_METHOD_NAMES: Record<AlignmentMethod, AlignmentMethodName> = {
  [AlignmentMethod.WEIGHT_MATCHING]: 'weight-matching',
  [AlignmentMethod.ACTIVATION_MATCHING]: 'activation-matching',
};

/** Seed of the random order in which weight matching visits the permutations. */
export const ALIGNMENT_SEED = 0;

function describe(landscape: Landscape): string {
  return JSON.stringify({ architecture: landscape.architecture, dataset: landscape.dataset });
}

/**
 * Throws a coded input error unless `moving` can be aligned to `reference`: both READY, distinct,
 * of one neural landscape; `fields` name the arguments the caller was given them as.
 */
export async function checkAlignable(
  em: EntityManager,
  moving: Minimum,
  reference: Minimum,
  method: AlignmentMethod,
  fields: { moving: string; reference: string; method: string },
): Promise<void> {
  if (!Object.values(AlignmentMethod).includes(method)) throw new InputError(fields.method, `expected one of ${Object.values(AlignmentMethod).join(', ')}, got ${JSON.stringify(method)}`);
  if (moving.id === reference.id) throw new InputError(fields.reference, 'must differ from the minimum to align');
  const [own, other] = [await em.findOneOrFail(Landscape, moving.landscape.id), await em.findOneOrFail(Landscape, reference.landscape.id)];
  if (own.id !== other.id) {
    if (JSON.stringify(own.architecture) !== JSON.stringify(other.architecture) || JSON.stringify(own.dataset) !== JSON.stringify(other.dataset)) {
      throw new InputError(fields.reference, `has another architecture than the minimum to align (${describe(other)} vs ${describe(own)})`);
    }
    throw new InputError(fields.reference, `belongs to another landscape (${other.id}) than the minimum to align (${own.id}): align minima of one landscape`);
  }
  if (own.architecture.kind === 'surface') {
    throw new InputError(fields.moving, `belongs to the analytic surface ${own.architecture.name}, which has no hidden units to permute: alignment applies to networks`);
  }
  for (const [m, field] of [[moving, fields.moving], [reference, fields.reference]] as const) {
    if (m.status !== MinimumStatus.READY) throw new InputError(field, `minimum ${m.id} is ${m.status}, not READY`);
  }
}

/** The aligned copy of `moving` (TRAINING until `run` computes it), in the caller's transaction. */
export function createAlignedCopy(em: EntityManager, moving: Minimum, reference: Minimum, method: AlignmentMethod, run: Run): Minimum {
  const alignment: AlignmentRecord = { method: ALIGNMENT_METHOD_NAMES[method], seed: ALIGNMENT_SEED };
  return em.create(Minimum, {
    landscape: moving.landscape,
    seed: moving.seed,
    status: MinimumStatus.TRAINING,
    run,
    alignedTo: reference,
    alignedFrom: moving,
    alignment: alignment as unknown as Record<string, unknown>,
  });
}

/**
 * Aligning one minimum to another by the permutation symmetry of hidden units: the aligned copy
 * computes the same function as the original, but lies as close as the method finds to the
 * reference, so the straight line between them (and AutoNEB's initial path) is shorter.
 */
import type * as tf from '@tensorflow/tfjs';
import { InvalidInputError } from '../../errors';
import { checkParameters, type NeuralModel } from '../models';
import { activationMatching } from './activation-matching';
import { applyPermutations } from './permute';
import { permutationSpec, type Permutations } from './spec';
import { weightMatching } from './weight-matching';

export * from './spec';
export * from './permute';
export { weightMatching, type MatchingResult, type WeightMatchingOptions } from './weight-matching';
export { activationMatching } from './activation-matching';

export const ALIGNMENT_METHODS = ['weight-matching', 'activation-matching'] as const;
export type AlignmentMethod = (typeof ALIGNMENT_METHODS)[number];

export interface AlignOptions {
  method?: AlignmentMethod;
  seed?: number | string;
  maxSweeps?: number;
  /** Training examples whose activations are matched (activation matching only). */
  examples?: tf.Tensor;
}

export interface Alignment {
  /** The moving minimum with its units permuted. */
  params: Float32Array;
  perms: Permutations;
  method: AlignmentMethod;
  sweeps: number;
  seconds: number;
}

/** `moving` permuted to match `reference` (both parameter vectors of `model`). */
export function alignMinimum(model: NeuralModel, moving: Float32Array, reference: Float32Array, options: AlignOptions = {}): Alignment {
  checkParameters(model, moving, 'minimum');
  checkParameters(model, reference, 'reference');
  const method = options.method ?? 'weight-matching';
  const started = performance.now();
  const spec = permutationSpec(model);
  let result;
  if (method === 'weight-matching') result = weightMatching(model.layout, spec, reference, moving, options);
  else if (method === 'activation-matching') {
    if (!options.examples) throw new InvalidInputError('examples', 'activation matching needs a batch of training examples');
    result = activationMatching(model, reference, moving, options.examples);
  } else throw new InvalidInputError('method', `expected one of ${ALIGNMENT_METHODS.join(', ')}, got ${JSON.stringify(method)}`);
  const params = applyPermutations(model.layout, spec, moving, result.perms);
  return { params, perms: result.perms, method, sweeps: result.sweeps, seconds: (performance.now() - started) / 1000 };
}

/**
 * The curvature report of one point (a minimum, or a path's saddle): Lanczos's extreme
 * eigenvalues, the index (negative count) with its threshold, Hutchinson's trace, and the
 * curvature along a given tangent. Done in stages whose results go into a small, serialisable
 * state, so an interrupted computation resumes from the last stored stage (or trace batch).
 */
import type { Vector } from '../energy';
import { InvalidInputError } from '../errors';
import { Random } from '../random';
import { HessianVectorProducts, type GradientSource } from './hessian-vector';
import { chooseStep } from './step';
import { negativeCount } from './index-count';
import { lanczos, MAX_K } from './lanczos';
import { curvatureAlong } from './tangent';
import { DEFAULT_TRACE_PROBES, estimate, hutchinsonTrace, type TraceState } from './trace';

export interface CurvatureOptions {
  /** Eigenvalues at each end of the spectrum (default 5, at most 20). */
  k?: number;
  seed?: number | string;
  /** Finite-difference step relative to ||θ||; default: chosen by a linearity test (step.ts). */
  relativeStep?: number;
  maxIterations?: number;
  tolerance?: number;
  /** Hutchinson probes (default 100; 0 skips the trace). */
  traceProbes?: number;
  /** A direction to measure the curvature along (the path's tangent at its saddle). */
  tangent?: Vector;
}

export interface CurvatureState {
  /** Gradient evaluations spent by finished stages and trace batches. */
  evaluations: number;
  step?: { relativeStep: number; nonlinearity: number | null };
  spectrum?: { largest: number[]; smallest: number[]; noise: number; iterations: number; converged: boolean };
  trace?: TraceState;
  tangentCurvature?: number;
}

export interface CurvatureResult {
  largest: number[];
  smallest: number[];
  trace: number | null;
  traceStandardError: number | null;
  tangentCurvature: number | null;
  negativeCount: number;
  threshold: number;
  /** Gradient evaluations (points) spent in all. */
  evaluations: number;
  noise: number;
  iterations: number;
  converged: boolean;
  relativeStep: number;
  /** Measured non-linearity of the products at that step (null when the step was given). */
  nonlinearity: number | null;
}

export function validateCurvatureOptions(options: CurvatureOptions): Required<Omit<CurvatureOptions, 'tangent' | 'maxIterations' | 'tolerance' | 'relativeStep'>> & { relativeStep?: number } {
  const k = options.k ?? 5;
  if (!Number.isInteger(k) || k < 1 || k > MAX_K) throw new InvalidInputError('k', `must be an integer from 1 to ${MAX_K}, got ${k}`);
  const traceProbes = options.traceProbes ?? DEFAULT_TRACE_PROBES;
  if (!Number.isInteger(traceProbes) || traceProbes < 0) throw new InvalidInputError('traceProbes', `must be a non-negative integer, got ${traceProbes}`);
  const relativeStep = options.relativeStep;
  if (relativeStep !== undefined && !(relativeStep > 0 && relativeStep < 1)) throw new InvalidInputError('relativeStep', `must be in (0, 1), got ${relativeStep}`);
  return { k, traceProbes, relativeStep, seed: options.seed ?? 0 };
}

export async function computeCurvature(
  source: GradientSource,
  theta: Vector,
  options: CurvatureOptions = {},
  resume: { state?: CurvatureState; onState?: (state: CurvatureState) => Promise<void> | void } = {},
): Promise<CurvatureResult> {
  const { k, traceProbes, relativeStep, seed } = validateCurvatureOptions(options);
  const random = new Random(seed);
  const state: CurvatureState = structuredClone(resume.state ?? { evaluations: 0 });
  const save = async () => resume.onState?.(structuredClone(state));
  if (!state.step) {
    if (relativeStep !== undefined) state.step = { relativeStep, nonlinearity: null };
    else {
      const choice = await chooseStep(source, theta, random.derive('step'));
      state.step = { relativeStep: choice.relativeStep, nonlinearity: choice.nonlinearity };
      state.evaluations += choice.evaluations;
    }
    await save();
  }
  const products = new HessianVectorProducts(source, theta, state.step.relativeStep);

  if (!state.spectrum) {
    const r = await lanczos(products, { k, maxIterations: options.maxIterations, tolerance: options.tolerance, random: random.derive('lanczos') });
    state.spectrum = { largest: r.largest, smallest: r.smallest, noise: r.noise, iterations: r.iterations, converged: r.converged };
    state.evaluations += takeEvaluations(products);
    await save();
  }
  if (options.tangent && state.tangentCurvature === undefined) {
    state.tangentCurvature = await curvatureAlong(products, options.tangent);
    state.evaluations += takeEvaluations(products);
    await save();
  }
  if (traceProbes > 0 && (state.trace?.probes ?? 0) < traceProbes) {
    await hutchinsonTrace(products, {
      probes: traceProbes,
      random: random.derive('trace'),
      from: state.trace,
      onBatch: async (trace) => {
        state.trace = trace;
        state.evaluations += takeEvaluations(products);
        await save();
      },
    });
  }
  const { largest, smallest, noise, iterations, converged } = state.spectrum;
  const trace = state.trace && traceProbes > 0 ? estimate(state.trace) : undefined;
  return {
    largest,
    smallest,
    trace: trace?.trace ?? null,
    traceStandardError: trace && Number.isFinite(trace.standardError) ? trace.standardError : null,
    tangentCurvature: state.tangentCurvature ?? null,
    ...negativeCount(largest, smallest, noise),
    evaluations: state.evaluations,
    noise,
    iterations,
    converged,
    relativeStep: state.step.relativeStep,
    nonlinearity: state.step.nonlinearity,
  };
}

function takeEvaluations(products: HessianVectorProducts): number {
  const n = products.evaluations;
  products.evaluations = 0;
  return n;
}

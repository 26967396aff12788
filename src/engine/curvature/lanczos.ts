/**
 * Lanczos with full reorthogonalisation for the k largest and k smallest eigenvalues of a Hessian
 * seen only through products. Full reorthogonalisation keeps the Krylov basis orthogonal in float64
 * (no ghost copies of converged eigenvalues), at the price of holding every basis vector: the
 * iteration count is capped so the basis fits in memory.
 *
 * The reorthogonalisation coefficients are a free noise gauge: for a symmetric H they vanish,
 * so what they remove measures the finite-difference products' asymmetry and noise.
 */
import { InvalidInputError } from '../errors';
import type { Random } from '../random';
import type { HessianVectorProducts } from './hessian-vector';
import { symmetricEigen } from './symmetric-eigen';

export const MAX_K = 20;

export interface LanczosOptions {
  /** Eigenvalues wanted at each end of the spectrum (1..20). */
  k: number;
  /** Krylov dimension at most (default min(D, max(60, 6k)), and what fits in ~1 GB). */
  maxIterations?: number;
  /** Stop when each wanted Ritz value's residual bound is below tolerance x the spectrum's scale (default 1e-4). */
  tolerance?: number;
  random: Random;
}

export interface LanczosResult {
  /** Descending, min(k, D) values. */
  largest: number[];
  /** Ascending, min(k, D) values. */
  smallest: number[];
  /** Residual bounds |β_m s_{m,i}| of `largest` and `smallest`, in the same order. */
  largestResiduals: number[];
  smallestResiduals: number[];
  /** Largest reorthogonalisation coefficient: the asymmetry/noise of the products. */
  noise: number;
  iterations: number;
  converged: boolean;
}

const BASIS_FLOATS = 1 << 27;

export async function lanczos(products: HessianVectorProducts, options: LanczosOptions): Promise<LanczosResult> {
  const { k, random } = options;
  if (!Number.isInteger(k) || k < 1 || k > MAX_K) throw new InvalidInputError('k', `must be an integer from 1 to ${MAX_K}, got ${k}`);
  const d = products.dimension;
  const cap = Math.max(1, Math.min(d, Math.floor(BASIS_FLOATS / d)));
  const maxIterations = Math.min(options.maxIterations ?? Math.max(60, 6 * k), cap);
  if (!Number.isInteger(maxIterations) || maxIterations < 1) throw new InvalidInputError('maxIterations', `must be a positive integer, got ${options.maxIterations}`);
  const tolerance = options.tolerance ?? 1e-4;
  const wanted = Math.min(k, d);

  const basis: Float64Array[] = [];
  const alpha: number[] = [];
  const beta: number[] = [];
  let noise = 0;
  let q = unitRandom(d, random, basis);
  let ritz: ReturnType<typeof ritzValues> | undefined;
  for (let j = 0; j < maxIterations; j++) {
    basis.push(q);
    const w = await products.applyOne(q);
    const a = dot(q, w);
    alpha.push(a);
    axpy(w, q, -a);
    if (j > 0) axpy(w, basis[j - 1], -beta[j - 1]);
    // Two passes of classical Gram-Schmidt against the whole basis; the first pass's coefficients
    // are zero for exact symmetric products.
    for (let pass = 0; pass < 2; pass++) {
      for (const b of basis) {
        const c = dot(b, w);
        if (pass === 0) noise = Math.max(noise, Math.abs(c));
        axpy(w, b, -c);
      }
    }
    let nextBeta = Math.sqrt(dot(w, w));
    const last = j + 1 === maxIterations;
    const scale = Math.max(...alpha.map(Math.abs), ...beta, 1e-300);
    if (!last && (j + 1 >= 2 * wanted || j + 1 === d) && ((j + 1) % 5 === 0 || nextBeta <= 1e-10 * scale)) {
      ritz = ritzValues(alpha, beta, nextBeta, wanted);
      if (ritz.worst <= tolerance * ritz.scale) return finish(ritz, noise, j + 1, true);
    }
    if (last) break;
    if (nextBeta <= 1e-10 * scale) {
      // An invariant subspace: continue from a fresh direction (T becomes block diagonal).
      nextBeta = 0;
      q = unitRandom(d, random, basis);
    } else {
      q = w.map((x) => x / nextBeta);
    }
    beta.push(nextBeta);
  }
  ritz = ritzValues(alpha, beta, 0, wanted, basis.length === d);
  return finish(ritz, noise, basis.length, ritz.worst <= tolerance * ritz.scale);
}

function finish(r: ReturnType<typeof ritzValues>, noise: number, iterations: number, converged: boolean): LanczosResult {
  return { largest: r.largest, smallest: r.smallest, largestResiduals: r.largestResiduals, smallestResiduals: r.smallestResiduals, noise, iterations, converged };
}

/**
 * Ritz values of the tridiagonal T (alpha on the diagonal, beta beside it) and their residual
 * bounds; `lastBeta` couples T to the next, unbuilt basis vector. With the whole space spanned
 * (`complete`) the residuals are zero.
 */
function ritzValues(alpha: number[], beta: number[], lastBeta: number, wanted: number, complete = false) {
  const m = alpha.length;
  const t = new Float64Array(m * m);
  for (let i = 0; i < m; i++) {
    t[i * m + i] = alpha[i];
    if (i + 1 < m) t[i * m + i + 1] = beta[i];
  }
  const { values, vectors } = symmetricEigen(t, m);
  const residual = (j: number) => (complete ? 0 : Math.abs(lastBeta * vectors[j][m - 1]));
  const n = Math.min(wanted, m);
  const low = Array.from({ length: n }, (_, i) => i);
  const high = Array.from({ length: n }, (_, i) => m - 1 - i);
  const largestResiduals = high.map(residual);
  const smallestResiduals = low.map(residual);
  return {
    largest: high.map((j) => values[j]),
    smallest: low.map((j) => values[j]),
    largestResiduals,
    smallestResiduals,
    worst: Math.max(...largestResiduals, ...smallestResiduals),
    scale: Math.max(Math.abs(values[0]), Math.abs(values[m - 1]), 1e-300),
  };
}

/** A random unit vector orthogonal to `basis` (normal entries, Gram-Schmidt twice). */
function unitRandom(d: number, random: Random, basis: Float64Array[]): Float64Array {
  for (let attempt = 0; attempt < 10; attempt++) {
    const v = new Float64Array(d);
    for (let i = 0; i < d; i++) v[i] = random.normal();
    for (let pass = 0; pass < 2; pass++) for (const b of basis) axpy(v, b, -dot(b, v));
    const n = Math.sqrt(dot(v, v));
    if (n > 1e-8) return v.map((x) => x / n);
  }
  throw new Error('lanczos: no direction left outside the Krylov basis');
}

export function dot(a: Float64Array, b: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i] * b[i];
  return sum;
}

/** y += c x */
function axpy(y: Float64Array, x: Float64Array, c: number): void {
  for (let i = 0; i < y.length; i++) y[i] += c * x[i];
}

/**
 * The optional native BLAS binding: npm package `nblas` (CBLAS bindings, built by node-gyp
 * against the system BLAS, `-lblas`; Debian `libopenblas-dev` makes that OpenBLAS). Only
 * `sgemm` is used. Where the package is not installed or did not build, loading fails with the
 * reason and the engine stays on wasm (see ../backend.ts).
 */

import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { isMainThread, threadId } from 'node:worker_threads';

export const NATIVE_BLAS_MODULE = 'nblas';

/** CBLAS transpose flags as nblas passes them through. */
export const NO_TRANS = 111;
export const TRANS = 112;

/** Row-major cblas_sgemm: C = alpha op(A) op(B) + beta C. Views may start anywhere in a buffer. */
export type Sgemm = (
  transA: number, transB: number, m: number, n: number, k: number, alpha: number,
  a: Float32Array, lda: number, b: Float32Array, ldb: number, beta: number, c: Float32Array, ldc: number,
) => void;

/** Row-major cblas_sgemv: y = alpha op(A) x + beta y. */
export type Sgemv = (
  trans: number, m: number, n: number, alpha: number, a: Float32Array, lda: number, x: Float32Array, incX: number, beta: number, y: Float32Array, incY: number,
) => void;

export interface NativeBlas {
  readonly sgemm: Sgemm;
  /** Matrix-vector products (sums along an axis); absent, they are sgemm with one column. */
  readonly sgemv?: Sgemv;
  /** Which module provided it and how many BLAS threads it runs. */
  readonly description: string;
  readonly threads: number;
}

/**
 * How the two cores are used: ONE BLAS thread per process by default; the other cores go to
 * pivots (the worker-thread pool, one per core by default: runs/bridge/neural-problem.ts), not to BLAS.
 *
 * A second OpenBLAS thread speeds up only the products, and the CNN's are too small to share;
 * whole pivots share well once the pool exchanges them through shared memory (pool/index.ts;
 * measurements in docs/native.md, "Threads").
 * Both at once (2 pool threads x 2 BLAS threads) oversubscribes the cores: OpenBLAS threads
 * spin while they wait.
 *
 * The variable must be in the process environment before OpenBLAS loads: a worker thread's
 * process.env is by default a private copy, so setting it there did nothing (OpenBLAS then ran
 * one thread per core in each of our threads, and they fought). The pool's threads therefore share the process environment (SHARE_ENV, pool/index.ts),
 * and whichever thread loads the binding first sets it here.
 * A caller's count (the server's NEB_ATLAS_BLAS_THREADS) or an exported OPENBLAS_NUM_THREADS overrides.
 */
export const DEFAULT_BLAS_THREADS = 1;

export type ModuleLoader = (moduleId: string) => unknown;

/**
 * nblas is a classic (not context-aware) addon: Node registers such an addon once per dlopen'ed
 * file, so after one thread loaded it, every other thread gets "Module did not self-register".
 * A worker thread therefore dlopens a private copy of the .node file (a distinct file is a distinct
 * library instance; the system BLAS underneath stays one shared, thread-safe library). The main
 * thread loads the package normally. This is what lets the worker-thread pool run native BLAS
 * on every core (see DEFAULT_BLAS_THREADS). The copy is removed right after loading.
 */
export function loadNblasForThisThread(): unknown {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  if (isMainThread) return require(NATIVE_BLAS_MODULE) as unknown;
  const root = dirname(require.resolve(`${NATIVE_BLAS_MODULE}/package.json`));
  const built = [join(root, 'build', 'Release', 'nblas.node'), join(root, 'dist', 'nblas.node')].find((f) => existsSync(f));
  if (!built) throw new Error(`${NATIVE_BLAS_MODULE} has no built addon (build/Release/nblas.node)`);
  const dir = mkdtempSync(join(tmpdir(), `neb-atlas-nblas-${process.pid}-${threadId}-`));
  try {
    const copy = join(dir, 'nblas.node');
    copyFileSync(built, copy);
    const module = { exports: {} as unknown };
    process.dlopen(module, copy);
    return module.exports;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

interface NblasModule {
  sgemm?: unknown;
  sgemv?: unknown;
}

/**
 * Sets the BLAS thread count for OpenBLAS, which reads OPENBLAS_NUM_THREADS from the process
 * environment when it loads. Without a count, a value the user exported for OpenBLAS stands,
 * else DEFAULT_BLAS_THREADS.
 */
export function configureBlasThreads(threads?: number): number {
  if (threads !== undefined) {
    if (!Number.isInteger(threads) || threads < 1) throw new Error(`blasThreads=${threads} is not a positive integer`);
    process.env.OPENBLAS_NUM_THREADS = String(threads);
    return threads;
  }
  const exported = Number(process.env.OPENBLAS_NUM_THREADS);
  if (Number.isInteger(exported) && exported >= 1) return exported;
  process.env.OPENBLAS_NUM_THREADS = String(DEFAULT_BLAS_THREADS);
  return DEFAULT_BLAS_THREADS;
}

/** A 2x3 by 3x2 product with a transposed operand, checked against the hand-computed answer. */
function selfCheck(sgemm: Sgemm): string | null {
  const a = new Float32Array([0, 1, 2, 3, 4, 5, 6]).subarray(1); // [[1,2,3],[4,5,6]], offset view
  const b = new Float32Array([1, 0, 1, 0, 1, 1]); // B^T = [[1,0,1],[0,1,1]] -> B = [[1,0],[0,1],[1,1]]
  const c = new Float32Array(4);
  sgemm(NO_TRANS, TRANS, 2, 2, 3, 1, a, 3, b, 3, 0, c, 2);
  const expected = [4, 5, 10, 11];
  return c.every((v, i) => v === expected[i]) ? null : `sgemm self-check gave [${Array.from(c)}], expected [${expected}]`;
}

/** Loads the binding; returns it, or the reason it cannot be used. */
export function loadNativeBlas(load: ModuleLoader): NativeBlas | string {
  let threads: number;
  try {
    threads = configureBlasThreads();
  } catch (err) {
    return (err as Error).message;
  }
  let module: NblasModule;
  try {
    module = load(NATIVE_BLAS_MODULE) as NblasModule;
  } catch (err) {
    const text = (err instanceof Error ? err.message : String(err)).split('\n')[0];
    return `${NATIVE_BLAS_MODULE} did not load: ${text}`;
  }
  if (typeof module?.sgemm !== 'function') return `${NATIVE_BLAS_MODULE} has no sgemm function`;
  const sgemm = module.sgemm as Sgemm;
  const failed = selfCheck(sgemm);
  if (failed !== null) return `${NATIVE_BLAS_MODULE}: ${failed}`;
  const sgemv = typeof module.sgemv === 'function' ? (module.sgemv as Sgemv) : undefined;
  return { sgemm, sgemv, threads, description: `${NATIVE_BLAS_MODULE} sgemm (system BLAS), ${threads} BLAS thread${threads > 1 ? 's' : ''}` };
}

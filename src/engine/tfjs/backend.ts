/**
 * Chooses the TensorFlow.js backend at start-up and reports the choice with its reason.
 *
 * Order (auto): @tensorflow/tfjs-node-gpu, @tensorflow/tfjs-node (both register backend
 * 'tensorflow', native libtensorflow), webgpu (Dawn, ./webgpu: only on a hardware adapter),
 * wasm (with the kernel fixes of ./fixes), cpu. The first whose module loads AND whose backend
 * initialises wins. `NEB_ATLAS_BACKEND` (auto, tensorflow-gpu, tensorflow, webgpu, native-blas,
 * wasm, cpu) forces one; a forced choice that fails is an error. A forced 'webgpu' also accepts a
 * software adapter (Mesa llvmpipe through Dawn's OpenGL path): correct, but slower than wasm.
 *
 * 'native-blas' is wasm plus the native kernel set of ./native (BatchMatMul and convolutions as
 * OpenBLAS sgemm through the optional npm package `nblas`). Auto uses it whenever wasm is chosen
 * and the binding loads; otherwise it stays on plain wasm and the report says why. An explicit
 * 'wasm' means plain wasm (the bench compares the two), an explicit 'native-blas' that cannot
 * load is an error.
 *
 * Modules are loaded through an injectable `require`-like function so tests can simulate native
 * modules that are missing, fail to load, or load fine.
 */
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { registerWasmKernelFixes } from './fixes';
import { dawnBindingPath, WEBGPU_MODULE, type WebGpuAdapterReport } from './webgpu/adapter';
import { prepareWebGpu } from './webgpu/backend';
import { probeHardwareAdapter } from './webgpu/probe';
import { webGpuKernelFixes } from './webgpu/fixes';
import { loadNativeBlas, loadNblasForThisThread, NATIVE_BLAS_MODULE, registerNativeKernels, registerWasmExtras, unregisterNativeKernels } from './blas';


export type BackendCandidate = 'tensorflow-gpu' | 'tensorflow' | 'webgpu' | 'wasm' | 'cpu';
/** wasm with the heavy kernels on native BLAS (./native); not a separate tfjs backend. */
export const NATIVE_BLAS = 'native-blas';
export type BackendName = BackendCandidate | typeof NATIVE_BLAS;
export type BackendChoice = 'auto' | BackendName;
export const BACKEND_CANDIDATES: readonly BackendCandidate[] = ['tensorflow-gpu', 'tensorflow', 'webgpu', 'wasm', 'cpu'];

/** A `require`-like loader: returns the module or throws. */
export type ModuleLoader = (moduleId: string) => unknown;

export interface BackendAttempt {
  readonly candidate: BackendCandidate;
  readonly ok: boolean;
  /** Why the candidate was not usable (missing module, load error, failed initialisation). */
  readonly error?: string;
}

export interface NativeBlasReport {
  /** True when the native kernel set is registered. */
  readonly ok: boolean;
  /** The binding in use (with its BLAS thread count), or why it is not used. */
  readonly reason: string;
  /** Kernels routed to native BLAS. */
  readonly kernels: readonly string[];
}

export interface BackendReport {
  /** The chosen candidate ('native-blas' = wasm with the native kernel set). */
  readonly name: BackendName;
  /** The tfjs backend name now active ('tensorflow', 'wasm' or 'cpu'). */
  readonly tfBackend: string;
  /** One line: what was chosen and why. */
  readonly reason: string;
  /** Every candidate tried, in order. */
  readonly attempts: readonly BackendAttempt[];
  /** Kernel fixes registered (wasm and webgpu). */
  readonly kernelFixes: readonly string[];
  /** The wasm binary in use: 'simd' or 'plain' (wasm only). */
  readonly wasmVariant?: 'simd' | 'plain';
  /** Whether the native BLAS kernel set is used, and why (wasm only). */
  readonly nativeBlas?: NativeBlasReport;
  /** The WebGPU adapter (webgpu only): vendor, architecture, Dawn backend, software or not. */
  readonly adapter?: WebGpuAdapterReport;
}

export interface InitBackendOptions {
  /** `auto` (the default), `native-blas` or one backend by name; entry points read it from NEB_ATLAS_BACKEND. */
  readonly choice?: string;
  /** Module loader (default Node's require). */
  readonly load?: ModuleLoader;
  /** Register the wasm kernel fixes when wasm is chosen (default true; false = stock wasm, no native BLAS). */
  readonly kernelFixes?: boolean;
}

/** An invalid NEB_ATLAS_BACKEND value or an explicitly chosen backend that cannot be used. */
export class BackendError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BackendError';
  }
}

const MODULES: Record<BackendCandidate, string | null> = {
  'tensorflow-gpu': '@tensorflow/tfjs-node-gpu',
  tensorflow: '@tensorflow/tfjs-node',
  webgpu: WEBGPU_MODULE,
  wasm: '@tensorflow/tfjs-backend-wasm',
  cpu: null,
};
const TF_NAMES: Record<BackendCandidate, string> = {
  'tensorflow-gpu': 'tensorflow', tensorflow: 'tensorflow', webgpu: 'webgpu', wasm: 'wasm', cpu: 'cpu',
};

/* eslint-disable @typescript-eslint/no-require-imports */
const nodeRequire: ModuleLoader = (id) => {
  if (id === NATIVE_BLAS_MODULE) return loadNblasForThisThread();
  // `webgpu`'s index is an ES module (Node 20 cannot require it): load its native binding.
  if (id === WEBGPU_MODULE) return require(dawnBindingPath((m) => require.resolve(m)));
  return require(id);
};
/* eslint-enable @typescript-eslint/no-require-imports */

function parseChoice(value: string, source: string): BackendChoice {
  const v = value.trim().toLowerCase();
  if (v === 'auto' || v === NATIVE_BLAS || (BACKEND_CANDIDATES as readonly string[]).includes(v)) return v as BackendChoice;
  throw new BackendError(`${source}='${value}' is not a backend; use one of auto, ${NATIVE_BLAS}, ${BACKEND_CANDIDATES.join(', ')}`);
}

function message(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.split('\n')[0];
}

/**
 * tf.setBackend reports a failed initialisation only through console.warn and `false`;
 * capture those lines (silencing them) so the reason ends up in the report.
 */
async function setBackendCapturingWarnings(tfName: string): Promise<{ ok: boolean; warnings: string[] }> {
  const warnings: string[] = [];
  const warn = console.warn;
  console.warn = (...args: unknown[]) => { warnings.push(args.map(String).join(' ')); };
  try {
    const ok = await tf.setBackend(tfName);
    return { ok: ok && tf.getBackend() === tfName, warnings };
  } finally {
    console.warn = warn;
  }
}

/** Where the .wasm binaries are, for setWasmPaths (Node reads them from disk by this prefix). */
function wasmBinaryFolder(): string | null {
  try {
    return path.join(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist') + path.sep;
  } catch {
    return null;
  }
}

interface WasmModule {
  setWasmPaths?(prefix: string): void;
}

/**
 * Prepares the wasm backend before its first initialisation: binaries from node_modules, and
 * no threads (Node 20: the threaded build starts its workers from blob: URLs, which Node's
 * Worker rejects with ERR_WORKER_PATH; tfjs disables threads in Node for the same reason).
 * SIMD is used when the runtime validates it (Node 20 does): the fastest variant that works.
 */
function prepareWasm(wasmModule: WasmModule): void {
  const registered = Boolean(tf.findBackendFactory('wasm'));
  const alreadyInitialised = tf.engine().registry['wasm'] !== undefined;
  if (!registered || alreadyInitialised) return;
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  const folder = wasmBinaryFolder();
  if (folder !== null && typeof wasmModule.setWasmPaths === 'function') wasmModule.setWasmPaths(folder);
}

async function tryCandidate(candidate: BackendCandidate, load: ModuleLoader, forced: boolean): Promise<string | WebGpuAdapterReport | null> {
  const moduleId = MODULES[candidate];
  const tfName = TF_NAMES[candidate];
  let adapter: WebGpuAdapterReport | undefined;
  if (candidate === 'webgpu') {
    const prepared = await prepareWebGpu(load, forced);
    if (typeof prepared === 'string') return prepared;
    adapter = prepared;
  } else if (moduleId !== null) {
    let loaded: unknown;
    try {
      loaded = load(moduleId);
    } catch (err) {
      return `${moduleId} did not load: ${message(err)}`;
    }
    if (candidate === 'wasm') prepareWasm(loaded as WasmModule);
  }
  if (!tf.findBackendFactory(tfName)) {
    return `${moduleId ?? 'tfjs'} registered no '${tfName}' backend (is a second copy of @tensorflow/tfjs-core installed?)`;
  }
  const { ok, warnings } = await setBackendCapturingWarnings(tfName);
  if (!ok) return `backend '${tfName}' failed to initialise${warnings.length ? `: ${warnings.map((w) => w.split('\n')[0]).join('; ')}` : ''}`;
  return adapter ?? null;
}

/**
 * Selects, initialises and reports the backend. Call once at start-up, before creating tensors.
 * Throws BackendError for an invalid choice or when an explicit choice cannot be used.
 */
export async function initBackend(options: InitBackendOptions = {}): Promise<BackendReport> {
  const load = options.load ?? nodeRequire;
  const choice = parseChoice(options.choice ?? 'auto', 'backend');
  const candidates = choice === 'auto' ? BACKEND_CANDIDATES : [choice === NATIVE_BLAS ? 'wasm' : choice];
  const attempts: BackendAttempt[] = [];
  unregisterNativeKernels(); // a previous initBackend in this process may have registered them
  for (const candidate of candidates) {
    // Unforced, Dawn is asked in a child process first (./webgpu/probe.ts says why).
    const probed = candidate === 'webgpu' && choice === 'auto' && load === nodeRequire ? probeHardwareAdapter() : null;
    const outcome = probed ?? (await tryCandidate(candidate, load, choice === candidate));
    const error = typeof outcome === 'string' ? outcome : null;
    const adapter = outcome !== null && typeof outcome === 'object' ? outcome : undefined;
    attempts.push(error === null ? { candidate, ok: true } : { candidate, ok: false, error });
    if (error !== null) continue;
    const fixes = candidate === 'wasm' && options.kernelFixes !== false;
    const kernelFixes = fixes ? [...registerWasmKernelFixes(), ...registerWasmExtras()] : candidate === 'webgpu' ? webGpuKernelFixes.kernels.map((k) => k.kernelName) : [];
    const nativeBlas = fixes && choice !== 'wasm' ? useNativeBlas(load) : undefined;
    if (choice === NATIVE_BLAS && !nativeBlas?.ok) {
      throw new BackendError(`backend '${NATIVE_BLAS}' is not usable: ` +
        (nativeBlas?.reason ?? 'it needs the wasm kernel fixes (kernelFixes: false was given)'));
    }
    const name: BackendName = nativeBlas?.ok ? NATIVE_BLAS : candidate;
    const failed = attempts.filter((a) => !a.ok).map((a) => `${a.candidate}: ${a.error}`);
    const why = choice === 'auto'
      ? `auto: first usable of ${BACKEND_CANDIDATES.join(', ')}${failed.length ? ` (${failed.join('; ')})` : ''}`
      : `chosen explicitly (${choice})`;
    const wasmVariant = candidate === 'wasm' ? ((await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) ? 'simd' : 'plain') : undefined;
    const details = wasmVariant
      ? [wasmVariant, kernelFixes.length ? 'kernel fixes' : 'stock kernels',
        ...(nativeBlas ? [nativeBlas.ok ? nativeBlas.reason : `native BLAS not used: ${nativeBlas.reason}`] : [])]
      : adapter ? [adapter.summary] : [];
    return {
      name,
      tfBackend: tf.getBackend(),
      reason: `${name}${details.length ? ` (${details.join(', ')})` : ''}: ${why}`,
      attempts,
      kernelFixes,
      ...(wasmVariant ? { wasmVariant } : {}),
      ...(nativeBlas ? { nativeBlas } : {}),
      ...(adapter ? { adapter } : {}),
    };
  }
  const last = attempts[attempts.length - 1];
  throw new BackendError(choice === 'auto'
    ? `no tfjs backend could be initialised: ${attempts.map((a) => `${a.candidate}: ${a.error}`).join('; ')}`
    : `backend '${choice}' is not usable: ${last.error}`);
}

/** Loads the optional BLAS binding and, when it works, routes the heavy wasm kernels to it. */
function useNativeBlas(load: ModuleLoader): NativeBlasReport {
  const blas = loadNativeBlas(load);
  if (typeof blas === 'string') return { ok: false, reason: blas, kernels: [] };
  return { ok: true, reason: blas.description, kernels: registerNativeKernels(blas) };
}

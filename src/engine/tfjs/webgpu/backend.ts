/**
 * Registers tfjs's 'webgpu' backend on an adapter chosen here. The stock factory asks for an
 * adapter with the default options (core feature level), which Dawn's OpenGL path on llvmpipe
 * cannot give, and it needs `navigator.gpu`, which Node 20 does not have: so `navigator.gpu` is
 * set to Dawn's GPU object before the package loads and the stock factory is replaced by one
 * that creates the device on the adapter already found (same limits as the stock factory asks).
 */
import * as tf from '@tensorflow/tfjs';
import { registerWebGpuKernelFixes } from './fixes';
import { watchWebGpuKernels } from './kernel-errors';
import { findAdapter, TFJS_WEBGPU_MODULE, WEBGPU_MODULE, type DawnBinding, type FoundAdapter, type WebGpuAdapterReport } from './adapter';

type Loader = (moduleId: string) => unknown;

interface TfjsWebGpuModule {
  WebGPUBackend: new (device: unknown, adapterInfo?: unknown) => tf.KernelBackend;
}

/** The device of the active webgpu backend (for error scopes), when it is active. */
export function activeWebGpuDevice(): GpuErrorScopes | null {
  if (tf.getBackend() !== 'webgpu') return null;
  return (tf.backend() as unknown as { device: GpuErrorScopes }).device;
}

export interface GpuErrorScopes {
  pushErrorScope(filter: 'validation' | 'out-of-memory' | 'internal'): void;
  popErrorScope(): Promise<{ message: string } | null>;
}

let current: WebGpuAdapterReport | null = null;

/** The adapter the registered 'webgpu' backend runs on (null before registration). */
export function webGpuAdapter(): WebGpuAdapterReport | null {
  return current;
}

function exposeGpu(gpu: unknown): void {
  const g = globalThis as { navigator?: object };
  if (g.navigator === undefined) g.navigator = {};
  Object.defineProperty(g.navigator, 'gpu', { value: gpu, configurable: true, writable: true });
}

const LIMITS = [
  'maxComputeWorkgroupStorageSize', 'maxComputeWorkgroupsPerDimension', 'maxStorageBufferBindingSize',
  'maxBufferSize', 'maxComputeWorkgroupSizeX', 'maxComputeInvocationsPerWorkgroup',
] as const;

function register(found: FoundAdapter, module: TfjsWebGpuModule): void {
  if (tf.findBackendFactory('webgpu')) tf.removeBackend('webgpu');
  tf.registerBackend('webgpu', async () => {
    const { adapter } = found;
    const requiredFeatures = adapter.features.has('timestamp-query') ? ['timestamp-query'] : [];
    const requiredLimits = Object.fromEntries(LIMITS.map((name) => [name, adapter.limits[name]]));
    const device = await adapter.requestDevice({ requiredFeatures, requiredLimits });
    return new module.WebGPUBackend(device, adapter.info);
  }, 3);
}

/**
 * Loads Dawn and the tfjs WebGPU package, finds an adapter (software only when `allowSoftware`)
 * and registers the backend on it. Returns the adapter, or why WebGPU cannot be used.
 */
export async function prepareWebGpu(load: Loader, allowSoftware: boolean): Promise<WebGpuAdapterReport | string> {
  // One device per process: a second initBackend keeps the backend already running.
  if (current !== null && tf.findBackend('webgpu') !== null && (allowSoftware || !current.software)) return current;
  let binding: DawnBinding;
  try {
    binding = load(WEBGPU_MODULE) as DawnBinding;
  } catch (err) {
    return `${WEBGPU_MODULE} (Dawn) did not load: ${(err instanceof Error ? err.message : String(err)).split('\n')[0]}`;
  }
  Object.assign(globalThis, binding.globals);
  const found = await findAdapter(binding, allowSoftware);
  if (typeof found === 'string') return found;
  exposeGpu(found.gpu);
  let module: TfjsWebGpuModule;
  try {
    module = load(TFJS_WEBGPU_MODULE) as TfjsWebGpuModule;
  } catch (err) {
    return `${TFJS_WEBGPU_MODULE} did not load: ${(err instanceof Error ? err.message : String(err)).split('\n')[0]}`;
  }
  if (typeof module.WebGPUBackend !== 'function') return `${TFJS_WEBGPU_MODULE} exports no WebGPUBackend`;
  register(found, module);
  if (current === null) {
    // Once per process (the package registers its kernels once, when loaded).
    registerWebGpuKernelFixes();
    watchWebGpuKernels();
  }
  current = found.report;
  return found.report;
}

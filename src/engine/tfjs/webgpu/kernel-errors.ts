/**
 * WebGPU reports a shader that fails to compile, or a dispatch that fails validation, not by
 * throwing but through error scopes and the device's 'uncapturederror' event, and the kernel's
 * output is then garbage (measured: tfjs's PadV2 at rank 6 gave a ResNet gradient off by 263x,
 * silently). So every webgpu kernel runs inside an error scope; the scopes are collected at each
 * readback (models/readback), and a failure becomes a WebGpuKernelError naming the kernel.
 */
import { getKernelsForBackend, type KernelConfig, type KernelFunc } from '@tensorflow/tfjs';
import { applyOverlay, removeOverlay, runBelow, type KernelOverlay } from '../overlay';

export class WebGpuKernelError extends Error {
  constructor(
    readonly kernelName: string,
    readonly detail: string,
  ) {
    super(`webgpu kernel ${kernelName} failed: ${detail}`);
    this.name = 'WebGpuKernelError';
  }
}

interface ScopedDevice {
  pushErrorScope(filter: 'validation' | 'out-of-memory' | 'internal'): void;
  popErrorScope(): Promise<{ message: string } | null>;
  addEventListener?(type: 'uncapturederror', listener: (event: { error: { message: string } }) => void): void;
}

const pending: Promise<void>[] = [];
const failures: { kernelName: string; message: string }[] = [];
const watchedDevices = new WeakSet<object>();

function firstLines(message: string): string {
  return message.split('\n').map((l) => l.trim()).filter(Boolean).slice(0, 3).join(' ');
}

/** The kernel beneath, inside a validation and an out-of-memory scope, popped without waiting. */
function scoped(kernelName: string): KernelConfig {
  const kernelFunc = ((args: Parameters<KernelFunc>[0]) => {
    const device = (args.backend as unknown as { device: ScopedDevice }).device;
    watchDevice(device);
    device.pushErrorScope('validation');
    device.pushErrorScope('out-of-memory');
    try {
      return runBelow('webgpu-errors', kernelName, args, 'it only watches');
    } finally {
      for (let k = 0; k < 2; k++) {
        pending.push(device.popErrorScope().then((error) => {
          if (error !== null) failures.push({ kernelName, message: error.message });
        }));
      }
    }
  }) as KernelFunc;
  return { kernelName, backendName: 'webgpu', kernelFunc };
}

/** Errors outside any kernel's scope (a submit of an invalid pipeline) still count. */
function watchDevice(device: ScopedDevice): void {
  if (watchedDevices.has(device) || device.addEventListener === undefined) return;
  watchedDevices.add(device);
  device.addEventListener('uncapturederror', (event) => failures.push({ kernelName: '(submit)', message: event.error.message }));
}

let overlay: KernelOverlay | undefined;

/** The error-scope layer over every kernel the webgpu package registered (built once). */
function errorScopes(): KernelOverlay {
  overlay ??= { name: 'webgpu-errors', backendName: 'webgpu', kernels: getKernelsForBackend('webgpu').map((k) => scoped(k.kernelName)) };
  return overlay;
}

/** Puts every webgpu kernel inside error scopes (the top overlay); returns how many. */
export function watchWebGpuKernels(): number {
  return applyOverlay(errorScopes()).length;
}

/** Takes the error scopes off (to change a layer beneath). */
export function unwatchWebGpuKernels(): void {
  removeOverlay(errorScopes());
}

/**
 * Waits for the error scopes of the kernels run so far; throws WebGpuKernelError for the first
 * failure (the kernel whose shader or dispatch failed; later ones usually follow from it).
 */
export async function checkWebGpuKernels(): Promise<void> {
  while (pending.length > 0) await Promise.all(pending.splice(0));
  if (failures.length === 0) return;
  const all = failures.splice(0);
  const first = all.find((f) => f.kernelName !== '(submit)') ?? all[0];
  throw new WebGpuKernelError(first.kernelName, `${firstLines(first.message)}${all.length > 1 ? ` (${all.length} GPU errors in all)` : ''}`);
}

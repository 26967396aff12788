/**
 * Kernel overlays: sets of kernels laid over a backend's own, in one stack with one fixed order.
 * Each layer remembers what it replaced, kernel by kernel, so its kernels can delegate the cases
 * they leave to what lies below (`runBelow`) and removing a layer restores exactly that. A layer
 * may only go on top: applying one beneath a layer already applied would silently overwrite the
 * upper layer's kernels, so it throws instead.
 */
import { getKernel, registerKernel, unregisterKernel, type KernelConfig, type KernelFunc } from '@tensorflow/tfjs';

export interface KernelOverlay {
  /** One of OVERLAY_ORDER. */
  readonly name: OverlayName;
  readonly backendName: string;
  readonly kernels: readonly KernelConfig[];
}

/** Bottom to top: the wasm kernel fixes, the wasm-only extras, the native BLAS kernels. */
export const OVERLAY_ORDER = ['wasm-fixes', 'wasm-extras', 'native-blas'] as const;
export type OverlayName = (typeof OVERLAY_ORDER)[number];

/** Per applied overlay, the kernel each of its kernels replaced (undefined: there was none). */
const applied = new Map<OverlayName, Map<string, KernelConfig | undefined>>();

export function overlayApplied(overlay: KernelOverlay): boolean {
  return overlay.kernels.every((k) => getKernel(k.kernelName, overlay.backendName)?.kernelFunc === k.kernelFunc);
}

/** Registers the overlay's kernels over what is there; returns their names. */
export function applyOverlay(overlay: KernelOverlay): string[] {
  if (overlayApplied(overlay)) return overlay.kernels.map((k) => k.kernelName);
  const rank = OVERLAY_ORDER.indexOf(overlay.name);
  const above = OVERLAY_ORDER.slice(rank + 1).filter((name) => applied.has(name));
  if (above.length > 0) throw new Error(`kernel overlay ${overlay.name} must go on before ${above.join(', ')} (remove those first)`);
  const replaced = new Map<string, KernelConfig | undefined>();
  for (const kernel of overlay.kernels) {
    const current = getKernel(kernel.kernelName, overlay.backendName);
    replaced.set(kernel.kernelName, current);
    if (current !== undefined) unregisterKernel(kernel.kernelName, overlay.backendName);
    registerKernel(kernel);
  }
  applied.set(overlay.name, replaced);
  return overlay.kernels.map((k) => k.kernelName);
}

/** Puts back what the overlay replaced (layers above it come off first). */
export function removeOverlay(overlay: KernelOverlay): void {
  const rank = OVERLAY_ORDER.indexOf(overlay.name);
  for (const name of OVERLAY_ORDER.slice(rank + 1).reverse()) if (applied.has(name)) removeByName(name, overlay.backendName);
  removeByName(overlay.name, overlay.backendName);
}

function removeByName(name: OverlayName, backendName: string): void {
  const replaced = applied.get(name);
  if (!replaced) return;
  for (const [kernelName, before] of replaced) {
    if (getKernel(kernelName, backendName) !== undefined) unregisterKernel(kernelName, backendName);
    if (before !== undefined) registerKernel(before);
  }
  applied.delete(name);
}

/** What the overlay's kernel of this name replaced, or undefined. */
export function kernelBelow(name: OverlayName, kernelName: string): KernelConfig | undefined {
  return applied.get(name)?.get(kernelName);
}

/** Runs the kernel beneath the overlay's own for a case that kernel leaves to it; throws if there is none. */
export function runBelow(name: OverlayName, kernelName: string, args: Parameters<KernelFunc>[0], why: string) {
  const below = kernelBelow(name, kernelName);
  if (below === undefined) throw new Error(`${name} kernel ${kernelName}: ${why}, and no kernel beneath it to fall back to`);
  return below.kernelFunc(args);
}

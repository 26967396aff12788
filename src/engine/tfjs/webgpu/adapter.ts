/**
 * Finding a WebGPU adapter through Dawn's Node binding (npm `webgpu`, whose `dawn.node` ships
 * inside the package). The package's index is an ES module, which Node 20's `require` cannot
 * load, so the native binding is loaded directly (same file the index loads).
 *
 * Hardware first: Dawn's default backend (Vulkan on Linux, through the GPU driver's ICD), core
 * feature level. Then, for a forced choice only, Dawn's OpenGL backend in compatibility mode,
 * which runs on Mesa's llvmpipe without a GPU (EGL_PLATFORM=surfaceless); Mesa's lavapipe
 * (Vulkan) is rejected by Dawn (a missing Vulkan feature), so the software path is OpenGL.
 */
import * as path from 'node:path';

export const WEBGPU_MODULE = 'webgpu';
export const TFJS_WEBGPU_MODULE = '@tensorflow/tfjs-backend-webgpu';

/** The parts of Dawn's binding used here (a subset of the WebGPU API). */
export interface DawnAdapterInfo {
  readonly vendor: string;
  readonly architecture: string;
  readonly device: string;
  readonly description: string;
  readonly isFallbackAdapter?: boolean;
}
export interface DawnAdapter {
  readonly info: DawnAdapterInfo;
  readonly limits: Record<string, number>;
  readonly features: { has(name: string): boolean };
  requestDevice(descriptor?: object): Promise<unknown>;
}
export interface DawnGpu {
  requestAdapter(options?: object): Promise<DawnAdapter | null>;
}
export interface DawnBinding {
  create(flags: string[]): DawnGpu;
  globals: Record<string, unknown>;
}

/** How an adapter was asked for. */
export interface AdapterRoute {
  /** 'default' (Dawn's choice: Vulkan on Linux) or 'opengl'. */
  readonly dawnBackend: 'default' | 'opengl';
  readonly featureLevel: 'core' | 'compatibility';
}

export interface WebGpuAdapterReport {
  readonly vendor: string;
  readonly architecture: string;
  readonly device: string;
  readonly description: string;
  /** Dawn's backend: 'vulkan', 'opengl', ... as far as the route and the description tell. */
  readonly backend: string;
  /** A CPU rasteriser (llvmpipe, lavapipe, SwiftShader) or Dawn's fallback adapter. */
  readonly software: boolean;
  readonly route: AdapterRoute;
  /** One line for the start-up report. */
  readonly summary: string;
}

export interface FoundAdapter {
  readonly gpu: DawnGpu;
  readonly adapter: DawnAdapter;
  readonly report: WebGpuAdapterReport;
  readonly binding: DawnBinding;
}

const SOFTWARE = /llvmpipe|lavapipe|softpipe|swiftshader|software/i;

/** Whether the adapter is a CPU rasteriser (name) or Dawn's fallback adapter. */
export function isSoftwareAdapter(info: DawnAdapterInfo): boolean {
  return info.isFallbackAdapter === true || SOFTWARE.test(`${info.vendor} ${info.architecture} ${info.device} ${info.description}`);
}

function backendOf(route: AdapterRoute, info: DawnAdapterInfo): string {
  if (route.dawnBackend === 'opengl') return 'opengl';
  const d = info.description.toLowerCase();
  if (d.includes('opengl')) return 'opengl';
  if (d.includes('metal')) return 'metal';
  if (d.includes('d3d') || d.includes('direct3d')) return 'd3d12';
  return process.platform === 'linux' ? 'vulkan' : 'default';
}

export function describeAdapter(info: DawnAdapterInfo, route: AdapterRoute): WebGpuAdapterReport {
  const software = isSoftwareAdapter(info);
  const backend = backendOf(route, info);
  const text = (s: string) => (s.trim() === '' ? '?' : s.trim());
  const summary = `${software ? 'software' : 'hardware'} adapter '${text(info.device)}' (vendor ${text(info.vendor)}, ` +
    `architecture ${text(info.architecture)}, ${backend}, ${route.featureLevel}${info.description ? `: ${info.description}` : ''})`;
  return {
    vendor: info.vendor, architecture: info.architecture, device: info.device, description: info.description,
    backend, software, route, summary,
  };
}

/** The file `webgpu`'s index loads: dist/<platform>-<arch>/dawn.node (macOS: universal). */
export function dawnBindingPath(resolvePackageJson: (id: string) => string): string {
  const root = path.dirname(resolvePackageJson(`${WEBGPU_MODULE}/package.json`));
  const arch = process.platform === 'darwin' ? 'universal' : process.arch;
  return path.join(root, 'dist', `${process.platform}-${arch}`, 'dawn.node');
}

/** Dawn on the OpenGL path needs an EGL platform without a display server. */
function ensureSurfacelessEgl(): void {
  if (process.env.EGL_PLATFORM === undefined && process.env.DISPLAY === undefined && process.env.WAYLAND_DISPLAY === undefined) {
    process.env.EGL_PLATFORM = 'surfaceless';
  }
}

export const HARDWARE_ROUTE: AdapterRoute = { dawnBackend: 'default', featureLevel: 'core' };
export const SOFTWARE_ROUTE: AdapterRoute = { dawnBackend: 'opengl', featureLevel: 'compatibility' };

/**
 * Asks Dawn for an adapter along each route in turn; returns the first found that is allowed
 * (hardware always; software only when `allowSoftware`), or a reason naming every route tried.
 */
export async function findAdapter(binding: DawnBinding, allowSoftware: boolean): Promise<FoundAdapter | string> {
  const routes = allowSoftware ? [HARDWARE_ROUTE, SOFTWARE_ROUTE] : [HARDWARE_ROUTE];
  const tried: string[] = [];
  for (const route of routes) {
    if (route.dawnBackend === 'opengl') ensureSurfacelessEgl();
    const name = `${route.dawnBackend}/${route.featureLevel}`;
    try {
      const gpu = binding.create(route.dawnBackend === 'default' ? [] : [`backend=${route.dawnBackend}`]);
      const adapter = await gpu.requestAdapter({
        powerPreference: 'high-performance',
        ...(route.featureLevel === 'compatibility' ? { featureLevel: 'compatibility' } : {}),
      });
      if (adapter === null) {
        tried.push(`${name}: no adapter`);
        continue;
      }
      const report = describeAdapter(adapter.info, route);
      if (report.software && !allowSoftware) {
        tried.push(`${name}: only ${report.summary}, used only when forced`);
        continue;
      }
      return { gpu, adapter, report, binding };
    } catch (err) {
      tried.push(`${name}: ${(err instanceof Error ? err.message : String(err)).split('\n')[0]}`);
    }
  }
  return `Dawn found no ${allowSoftware ? '' : 'hardware '}adapter (${tried.join('; ')})`;
}

/**
 * Choosing WebGPU: a hardware adapter is taken by auto, a software one (llvmpipe) only when
 * forced, and every reason it is not used ends up in the report. Dawn is simulated here (a fake
 * binding with given adapters), so these run on any machine; the real Dawn is in gradients.test.
 */
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { initBackend, type ModuleLoader } from '../../../../src/engine/tfjs/backend';
import { findAdapter, isSoftwareAdapter, type DawnAdapter, type DawnAdapterInfo, type DawnBinding } from '../../../../src/engine/tfjs/webgpu/adapter';

const LLVMPIPE: DawnAdapterInfo = { vendor: '', architecture: '', device: 'llvmpipe-llvm-15-0-6-256-bits-', description: 'OpenGL version 4.5 (Core Profile) Mesa 22.3.6' };
const H200: DawnAdapterInfo = { vendor: 'nvidia', architecture: 'hopper', device: 'NVIDIA H200', description: 'NVIDIA: 550.54.15' };

function adapter(info: DawnAdapterInfo): DawnAdapter {
  return { info, limits: {}, features: { has: () => false }, requestDevice: async () => ({}) };
}

/** A Dawn binding whose default (Vulkan) and OpenGL backends offer the given adapters. */
function fakeDawn(offers: { default?: DawnAdapterInfo; opengl?: DawnAdapterInfo }): { binding: DawnBinding; asked: string[] } {
  const asked: string[] = [];
  const binding: DawnBinding = {
    globals: {},
    create(flags) {
      const backend = flags.includes('backend=opengl') ? 'opengl' : 'default';
      return {
        async requestAdapter(options?: { featureLevel?: string }) {
          asked.push(`${backend}/${options?.featureLevel ?? 'core'}`);
          const info = offers[backend];
          return info ? adapter(info) : null;
        },
      };
    },
  };
  return { binding, asked };
}

function missing(id: string): never {
  throw Object.assign(new Error(`Cannot find module '${id}'`), { code: 'MODULE_NOT_FOUND' });
}

afterEach(async () => {
  await tf.setBackend('cpu');
});

test('software adapters are recognised by name (llvmpipe, lavapipe, SwiftShader) or as Dawn fallback adapters', () => {
  assert.equal(isSoftwareAdapter(LLVMPIPE), true);
  assert.equal(isSoftwareAdapter({ ...H200, device: 'llvmpipe (LLVM 15.0.6, 256 bits)' }), true);
  assert.equal(isSoftwareAdapter({ vendor: 'google', architecture: 'swiftshader', device: '', description: '' }), true);
  assert.equal(isSoftwareAdapter({ ...H200, isFallbackAdapter: true }), true);
  assert.equal(isSoftwareAdapter(H200), false);
});

test('a hardware adapter is preferred: found on the first route, the software route is not asked', async () => {
  const { binding, asked } = fakeDawn({ default: H200, opengl: LLVMPIPE });
  const found = await findAdapter(binding, true);
  assert.ok(typeof found !== 'string');
  assert.equal(found.report.software, false);
  assert.equal(found.report.backend, 'vulkan');
  assert.match(found.report.summary, /^hardware adapter 'NVIDIA H200' \(vendor nvidia, architecture hopper, vulkan, core/);
  assert.deepEqual(asked, ['default/core']);
});

test('a software adapter is taken only when allowed (forced), through OpenGL in compatibility mode', async () => {
  const { binding, asked } = fakeDawn({ opengl: LLVMPIPE });
  const refused = await findAdapter(binding, false);
  assert.equal(typeof refused, 'string');
  assert.match(refused as string, /Dawn found no hardware adapter \(default\/core: no adapter\)/);
  assert.deepEqual(asked, ['default/core'], 'auto does not even ask for the software route');

  const forced = await findAdapter(binding, true);
  assert.ok(typeof forced !== 'string');
  assert.equal(forced.report.software, true);
  assert.equal(forced.report.backend, 'opengl');
  assert.deepEqual(forced.report.route, { dawnBackend: 'opengl', featureLevel: 'compatibility' });
  assert.deepEqual(asked, ['default/core', 'default/core', 'opengl/compatibility']);
});

test('a software adapter on the default route is refused by auto with the reason', async () => {
  const found = await findAdapter(fakeDawn({ default: LLVMPIPE }).binding, false);
  assert.match(found as string, /default\/core: only software adapter 'llvmpipe-llvm-15-0-6-256-bits-'.*used only when forced/);
});

test('auto skips webgpu with the reason when Dawn finds only a software adapter, and goes on', async () => {
  const { binding } = fakeDawn({ opengl: LLVMPIPE });
  const load: ModuleLoader = (id) => (id === 'webgpu' ? binding : missing(id));
  const report = await initBackend({ load });
  assert.equal(report.name, 'cpu');
  const webgpu = report.attempts.find((a) => a.candidate === 'webgpu');
  assert.equal(webgpu?.ok, false);
  assert.match(webgpu?.error ?? '', /no hardware adapter/);
  assert.match(report.reason, /webgpu: Dawn found no hardware adapter/);
});

test('missing packages are reasons: no webgpu (Dawn), or Dawn without @tensorflow/tfjs-backend-webgpu', async () => {
  const none = await initBackend({ load: missing });
  assert.match(none.attempts.find((a) => a.candidate === 'webgpu')?.error ?? '', /^webgpu \(Dawn\) did not load: Cannot find module 'webgpu'/);

  const { binding } = fakeDawn({ default: H200 });
  const noTfjs = await initBackend({ load: (id) => (id === 'webgpu' ? binding : missing(id)) });
  assert.match(noTfjs.attempts.find((a) => a.candidate === 'webgpu')?.error ?? '',
    /^@tensorflow\/tfjs-backend-webgpu did not load: Cannot find module '@tensorflow\/tfjs-backend-webgpu'/);
});

test('a forced webgpu that Dawn cannot serve is an error naming the reason', async () => {
  const { binding } = fakeDawn({});
  await assert.rejects(initBackend({ choice: 'webgpu', load: (id) => (id === 'webgpu' ? binding : missing(id)) }),
    /backend 'webgpu' is not usable: Dawn found no adapter \(default\/core: no adapter; opengl\/compatibility: no adapter\)/);
});

test('auto asks Dawn in a child process, with the same verdict as asking in this process', async () => {
  const { probeHardwareAdapter } = await import('../../../../src/engine/tfjs/webgpu/probe');
  const { dawnBindingPath } = await import('../../../../src/engine/tfjs/webgpu/adapter');
  const probed = probeHardwareAdapter();
  let binding: DawnBinding | null = null;
  try {
    binding = require(dawnBindingPath((m) => require.resolve(m))) as DawnBinding; // eslint-disable-line @typescript-eslint/no-require-imports
  } catch {
    assert.match(String(probed), /did not load/, 'without Dawn the probe says it did not load');
    return;
  }
  Object.assign(globalThis, binding.globals);
  const here = await findAdapter(binding, false);
  if (typeof here === 'string') assert.equal(probed, here);
  else assert.equal(probed, null, 'a hardware adapter found here is found by the probe');
});

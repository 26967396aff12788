// The example analysis scripts (examples/analyze.py, examples/analyze.ts) against a running
// server holding a landscape with two minima and a completed path.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { decodeSafetensors } from '../../src/engine/safetensors';
import { startTestServer, type TestServer } from '../helpers/server';
import { cli, json, ROOT, run } from './helpers';

let server: TestServer;
let url: string;
let landscapeId: string;
let minimumId: string;

function hasPython(): boolean {
  try {
    execFileSync('python3', ['--version']);
    return true;
  } catch {
    return false;
  }
}

before(async () => {
  server = await startTestServer();
  url = server.app.url;
  const created = await cli(['--url', url, '--json', 'landscape', 'create', '--widths', '3', '--steps', '20', '--batch-size', '32', '--autoneb-preset', 'tiny']);
  landscapeId = json<{ landscape: { id: string } }>(created).landscape.id;
  const trained = json<{ minimumIds: string[] }>(await cli(['--url', url, '--json', 'train', landscapeId, '-n', '2']));
  minimumId = trained.minimumIds[0];
  const connected = await cli(['--url', url, '--json', 'connect', ...trained.minimumIds, '--config', '{"base":{"steps":2,"evaluationPoints":1}}']);
  assert.equal(connected.code, 0, connected.stderr);
});

after(async () => {
  await server?.close();
});

/** What the examples must find: the minimum's parameters as the engine's codec reads them. */
async function reference() {
  const res = await fetch(new URL(`/tensors/minima/${minimumId}`, url));
  const { tensors } = decodeSafetensors(new Uint8Array(await res.arrayBuffer()));
  let sum = 0;
  let count = 0;
  for (const t of tensors) {
    for (const v of t.data) sum += v;
    count += t.data.length;
  }
  return { sum, count, shapes: Object.fromEntries(tensors.map((t) => [t.name, [...t.shape]])) };
}

test('examples/analyze.py (standard library only) reads the summary and parses the safetensors by hand', async (t) => {
  if (!hasPython()) return t.skip('python3 is not installed');
  const res = await run('python3', [join(ROOT, 'examples', 'analyze.py'), '--url', url, '--landscape', landscapeId, '--json']);
  assert.equal(res.code, 0, res.stderr);
  const out = json<{
    landscape: string;
    summary: { minima: { count: number } };
    minimum: { id: string; parameters: number; sum: number; tensors: Record<string, number[]> };
    saddle: { parameters: number; t: number; distanceFromMinimumA: number };
  }>(res);
  const ref = await reference();
  assert.equal(out.landscape, landscapeId);
  assert.equal(out.summary.minima.count, 2);
  assert.equal(out.minimum.id, minimumId);
  // MLP 784-3-10: 784*3 + 3 + 3*10 + 10 parameters.
  assert.equal(out.minimum.parameters, 784 * 3 + 3 + 30 + 10);
  assert.equal(out.minimum.parameters, ref.count);
  assert.deepEqual(out.minimum.tensors, ref.shapes);
  assert.ok(Math.abs(out.minimum.sum - ref.sum) < 1e-4 * Math.max(1, Math.abs(ref.sum)), `${out.minimum.sum} vs ${ref.sum}`);
  assert.equal(out.saddle.parameters, ref.count);
  assert.ok(out.saddle.t >= 0 && out.saddle.t <= 1);
  assert.ok(out.saddle.distanceFromMinimumA >= 0);

  const text = await run('python3', [join(ROOT, 'examples', 'analyze.py'), '--url', url]);
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /Table 1 summary/);
});

test('dist/examples/analyze.js (TypeScript) reads the summary, the tree and decodes the downloads', async () => {
  const res = await run(process.execPath, [join(ROOT, 'dist', 'examples', 'analyze.js'), '--url', url, '--landscape', landscapeId, '--json']);
  assert.equal(res.code, 0, res.stderr);
  const out = json<{ summary: { minima: { count: number } }; spanningTree: { edges: unknown[]; components: string[][] }; minimum: { parameterCount: number; decoded: number }; saddle: { parameters: number } }>(res);
  const ref = await reference();
  assert.equal(out.summary.minima.count, 2);
  assert.equal(out.spanningTree.edges.length, 1);
  assert.equal(out.spanningTree.components.length, 1);
  assert.equal(out.minimum.decoded, ref.count);
  assert.equal(out.minimum.parameterCount, ref.count);
  assert.equal(out.saddle.parameters, ref.count);
});

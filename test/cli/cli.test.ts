// The neb-atlas client commands against a running server: create, train (tiny), connect,
// status, export/import, report (files written and well-formed), errors and exit codes.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DOMParser } from 'linkedom';
import { decodeSafetensors } from '../../src/engine/safetensors';
import { startTestServer, type TestServer } from '../helpers/server';
import { cli, json } from './helpers';

let server: TestServer;
let url: string;
let dir: string;
const state: { landscapeId?: string; minima?: string[]; pathId?: string; trainRun?: string } = {};

before(async () => {
  server = await startTestServer();
  url = server.app.url;
  dir = mkdtempSync(join(tmpdir(), 'neb-atlas-cli-'));
});

after(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A port nobody listens on (just released by a server of our own). */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

const oneLine = (stderr: string) => stderr.trim().split('\n').length === 1;

test('landscape create and list', async () => {
  const res = await cli(['--url', url, '--json', 'landscape', 'create', '--name', 'cli test', '--kind', 'mlp', '--widths', '4', '--steps', '30', '--batch-size', '32', '--lr', '0.05', '--autoneb-preset', 'tiny']);
  assert.equal(res.code, 0, res.stderr);
  const { landscape } = json<{ landscape: { id: string; architecture: { widths: number[] }; dataset: { name: string }; training: { steps: number; milestones: number[] } } }>(res);
  assert.deepEqual(landscape.architecture.widths, [4]);
  assert.equal(landscape.dataset.name, 'mnist');
  assert.equal(landscape.training.steps, 30);
  state.landscapeId = landscape.id;
  const list = await cli(['--url', url, 'landscape', 'list']);
  assert.equal(list.code, 0, list.stderr);
  assert.match(list.stdout, new RegExp(`^${landscape.id}\\tcli test\\tMLP in-4-out`, 'm'));
});

test('train waits for the run, shows progress lines when not a TTY, and prints the minima', async () => {
  const res = await cli(['--url', url, '--json', 'train', state.landscapeId!, '-n', '2']);
  assert.equal(res.code, 0, res.stderr);
  const out = json<{ run: { id: string; status: string }; minimumIds: string[] }>(res);
  assert.equal(out.run.status, 'SUCCEEDED');
  assert.equal(out.minimumIds.length, 2);
  state.minima = out.minimumIds;
  state.trainRun = out.run.id;
  // Without --json progress goes to stderr as plain lines (stderr is a pipe here).
  const text = await cli(['--url', url, 'train', state.landscapeId!, '--seeds', '7']);
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stderr, /^train: .*succeeded/m);
  assert.match(text.stdout, /^run \S+ TRAIN SUCCEEDED/);
  const { data } = await server.gql(`query($id: ID!) { minimum(id: $id) { status seed trainLoss } }`, { id: out.minimumIds[0] });
  assert.equal(data!.minimum.status, 'READY');
  assert.ok(data!.minimum.trainLoss > 0);
});

test('connect runs AutoNEB to a completed path; status reads runs and landscapes', async () => {
  const [a, b] = state.minima!;
  const res = await cli(['--url', url, '--json', 'connect', a, b, '--preset', 'tiny', '--config', '{"base":{"steps":3,"evaluationPoints":2}}']);
  assert.equal(res.code, 0, res.stderr);
  const out = json<{ run: { id: string; status: string }; pathId: string }>(res);
  state.pathId = out.pathId;
  const { data } = await server.gql(`query($id: ID!) { path(id: $id) { status cyclesDone minimumA { id } minimumB { id } } }`, { id: out.pathId });
  assert.deepEqual(data!.path, { status: 'COMPLETED', cyclesDone: 4, minimumA: { id: a }, minimumB: { id: b } });

  const run = await cli(['--url', url, '--json', 'status', out.run.id]);
  assert.equal(json<{ run: { kind: string; status: string } }>(run).run.kind, 'CONNECT');
  const landscape = await cli(['--url', url, 'status', state.landscapeId!]);
  assert.equal(landscape.code, 0, landscape.stderr);
  assert.match(landscape.stdout, /3 minima, 1 paths, spanning tree: 1 paths in 2 component\(s\)/);
});

test('evaluate fills in the saddle on the full data sets', async () => {
  const res = await cli(['--url', url, '--json', 'evaluate', state.pathId!, '--points', '2']);
  assert.equal(res.code, 0, res.stderr);
  const { data } = await server.gql(`query($id: ID!) { path(id: $id) { saddle { testLoss testError } evaluatedProfile { t } } }`, { id: state.pathId });
  assert.ok(data!.path.saddle.testLoss > 0);
  assert.ok(data!.path.evaluatedProfile.length >= 3);
});

test("curvature at the path's saddle: a sorted spectrum, the path's curvature inside it, the index line", async () => {
  const res = await cli(['--url', url, '--json', 'curvature', '--path', state.pathId!, '-k', '3']);
  assert.equal(res.code, 0, res.stderr);
  const { curvature: c } = json<{ curvature: { largest: number[]; smallest: number[]; tangentCurvature: number; negativeCount: number; threshold: number; evaluations: number } }>(res);
  assert.equal(c.largest.length, 3);
  assert.deepEqual([...c.largest].sort((a, b) => b - a), c.largest);
  assert.deepEqual([...c.smallest].sort((a, b) => a - b), c.smallest);
  // A Rayleigh quotient lies between the extreme eigenvalues.
  assert.ok(c.tangentCurvature >= c.smallest[0] - c.threshold && c.tangentCurvature <= c.largest[0] + c.threshold, JSON.stringify(c));
  assert.equal(c.negativeCount, c.smallest.filter((x) => x < -c.threshold).length);
  const text = await cli(['--url', url, 'curvature', '--path', state.pathId!, '-k', '3']);
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /^index (\d|>= 3): /);
  assert.match(text.stdout, /along the path -?\d/);
  const usage = await cli(['--url', url, 'curvature']);
  assert.equal(usage.code, 2);
  assert.match(usage.stderr, /exactly one of --minimum and --path/);
});

test('curve fits a polygonal chain between two minima and prints the stored path; a bad kind is a usage error', async () => {
  const config = JSON.stringify({ stepsPerEpoch: 4, points: 11 });
  const res = await cli(['--url', url, '--json', 'curve', state.minima![0], state.minima![1], '--kind', 'polychain', '--epochs', '2', '--config', config]);
  assert.equal(res.code, 0, res.stderr);
  const { run, pathId } = json<{ run: { kind: string; status: string; progress: { epoch: number; saddleEnergy: number } }; pathId: string }>(res);
  assert.deepEqual([run.kind, run.status, run.progress.epoch], ['CURVE', 'SUCCEEDED', 2]);
  const path = await server.gql('query($id: ID!) { path(id: $id) { method saddle { trainLoss } pivots { index } } }', { id: pathId });
  assert.equal(path.data!.path.method, 'POLYCHAIN');
  assert.equal(path.data!.path.pivots.length, 11);
  assert.equal(path.data!.path.saddle.trainLoss, run.progress.saddleEnergy);
  const usage = await cli(['--url', url, 'curve', state.minima![0], state.minima![1], '--kind', 'spline']);
  assert.equal(usage.code, 2);
  assert.match(usage.stderr, /bezier or polychain/);
});

test('export writes safetensors with the PyTorch names and shapes; import of it gives the same metrics', async () => {
  const file = join(dir, 'm.safetensors');
  const res = await cli(['--url', url, 'export', 'minimum', state.minima![0], '-o', file]);
  assert.equal(res.code, 0, res.stderr);
  const { tensors } = decodeSafetensors(readFileSync(file));
  // MLP 784-4-10: known layout.
  assert.deepEqual(tensors.map((t) => [t.name, t.shape]), [['layers.0.weight', [4, 784]], ['layers.0.bias', [4]], ['layers.1.weight', [10, 4]], ['layers.1.bias', [10]]]);
  const saddle = await cli(['--url', url, 'export', 'saddle', state.pathId!, '-o', join(dir, 's.safetensors')]);
  assert.equal(saddle.code, 0, saddle.stderr);
  assert.equal(decodeSafetensors(readFileSync(join(dir, 's.safetensors'))).tensors.length, 4);

  const imported = await cli(['--url', url, '--json', 'import', state.landscapeId!, file, '--seed', '99']);
  assert.equal(imported.code, 0, imported.stderr);
  const { minimum } = json<{ minimum: { seed: number; trainLoss: number; testError: number } }>(imported);
  const { data } = await server.gql(`query($id: ID!) { minimum(id: $id) { trainLoss testError } }`, { id: state.minima![0] });
  assert.equal(minimum.seed, 99);
  // The same parameters evaluated on the same data.
  assert.ok(Math.abs(minimum.trainLoss - data!.minimum.trainLoss) < 1e-6 * Math.max(1, data!.minimum.trainLoss), `${minimum.trainLoss} vs ${data!.minimum.trainLoss}`);
  assert.equal(minimum.testError, data!.minimum.testError);
});

test('report writes Markdown with Table 1, minima and saddle tables, and well-formed SVGs', async () => {
  const out = join(dir, 'report');
  const res = await cli(['--url', url, 'report', state.landscapeId!, '-o', out]);
  assert.equal(res.code, 0, res.stderr);
  const md = readFileSync(join(out, 'report.md'), 'utf8');
  for (const heading of ['## Table 1 summary', '## Minima', '## Saddles', '## Spanning tree', '## Energy profiles']) assert.ok(md.includes(heading), heading);
  // Table 1's minima mean is the mean of the minima's train losses (hand computation here).
  const { data } = await server.gql(`query($id: ID!) { landscape(id: $id) { minima(first: 100) { edges { node { trainLoss } } } } }`, { id: state.landscapeId });
  const losses: number[] = data!.landscape.minima.edges.map((e: { node: { trainLoss: number } }) => e.node.trainLoss);
  const mean = losses.reduce((s, v) => s + v, 0) / losses.length;
  const row = md.split('\n').find((l) => l.startsWith('| mnist '))!;
  assert.ok(row, md);
  const cells = row.split('|').map((c) => c.trim());
  assert.equal(Number(cells[3]), losses.length);
  assert.ok(Math.abs(Number(cells[4]) - mean) <= 1e-3 * mean, `${cells[4]} vs ${mean}`);
  assert.equal(md.match(/^\| M\d+ \|/gm)?.length, losses.length);
  assert.match(md, /^\| P1 \| `\w+` \| M\d – M\d \| COMPLETED \| yes \| 4 \|/m);

  for (const svg of ['path-1.svg', 'spanning-tree.svg']) {
    assert.ok(existsSync(join(out, svg)), svg);
    const text = readFileSync(join(out, svg), 'utf8');
    const doc = new DOMParser().parseFromString(text, 'image/svg+xml');
    const root = doc.documentElement;
    assert.equal(root.tagName.toLowerCase(), 'svg', svg);
    assert.equal(root.getAttribute('xmlns'), 'http://www.w3.org/2000/svg');
    assert.ok(root.querySelectorAll('path, line').length > 2, `${svg} draws something`);
  }
  const profile = readFileSync(join(out, 'path-1.svg'), 'utf8');
  assert.ok(profile.includes('linear interpolation') && profile.includes('AutoNEB path (full train set)'));
});

test('errors: one line and an exit code that says what happened', async () => {
  const missing = await cli(['--url', url, 'status', '00000000-0000-4000-8000-000000000000']);
  assert.equal(missing.code, 4);
  assert.ok(oneLine(missing.stderr) && /no run or landscape/.test(missing.stderr), missing.stderr);

  const bad = await cli(['--url', url, 'train', state.landscapeId!, '-n', '2', '--seeds', '1,1']);
  assert.equal(bad.code, 4);
  assert.ok(oneLine(bad.stderr) && /seeds/.test(bad.stderr), bad.stderr);

  const done = await cli(['--url', url, 'cancel', state.trainRun!]);
  assert.equal(done.code, 4);
  assert.match(done.stderr, /already SUCCEEDED/);

  const unreachable = await cli(['--url', `http://127.0.0.1:${await freePort()}/graphql`, 'landscape', 'list']);
  assert.equal(unreachable.code, 3);
  assert.ok(oneLine(unreachable.stderr) && /cannot reach the server/.test(unreachable.stderr), unreachable.stderr);

  const usage = await cli(['--url', url, 'train']);
  assert.equal(usage.code, 2);
  const unknown = await cli(['frobnicate']);
  assert.equal(unknown.code, 2);
  const badNumber = await cli(['--url', url, 'train', state.landscapeId!, '-n', 'two']);
  assert.equal(badNumber.code, 2);
  assert.match(badNumber.stderr, /--count: expected an integer/);
});

test('a run cancelled while the CLI waits exits 1', async () => {
  const waiting = cli(['--url', url, 'train', state.landscapeId!, '--steps', '1000000']);
  let runId: string | undefined;
  for (let i = 0; i < 200 && !runId; i++) {
    await new Promise((r) => setTimeout(r, 100));
    const { data } = await server.gql(`query($id: ID!) { landscape(id: $id) { runs(kind: TRAIN, status: RUNNING) { edges { node { id } } } } }`, { id: state.landscapeId });
    runId = data?.landscape.runs.edges[0]?.node.id;
  }
  assert.ok(runId, 'the training run started');
  const cancelled = await cli(['--url', url, '--json', 'cancel', runId]);
  assert.equal(cancelled.code, 0, cancelled.stderr);
  const res = await waiting;
  assert.equal(res.code, 1, res.stderr);
  assert.match(res.stderr.trim().split('\n').at(-1)!, new RegExp(`^neb-atlas: run ${runId} CANCELLED$`));
});

test('with authentication on: no token exits 6, --token and NEB_ATLAS_TOKEN work', async () => {
  const secured = await startTestServer({ auth: true });
  try {
    const denied = await cli(['--url', secured.app.url, 'landscape', 'list']);
    assert.equal(denied.code, 6, denied.stderr);
    assert.match(denied.stderr, /authentication required/);
    const viaOption = await cli(['--url', secured.app.url, '--token', secured.token!, 'landscape', 'list']);
    assert.equal(viaOption.code, 0, viaOption.stderr);
    const viaEnv = await cli(['--url', secured.app.url, '--json', 'landscape', 'create', '--kind', 'surface', '--surface', 'muller-brown'], { NEB_ATLAS_TOKEN: secured.token! });
    assert.equal(viaEnv.code, 0, viaEnv.stderr);
  } finally {
    await secured.close();
  }
});

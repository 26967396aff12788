// The Python client (clients/python, package neb_atlas) against a live server with
// authentication, run with Debian's /usr/bin/python3: queries and coded errors, following a run
// over graphql-ws until it ends, and minima and saddles in PyTorch giving the server's test
// error on the same data (Fashion-MNIST from /usr/share/datasets), in both directions.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { startTestServer, type TestServer } from '../helpers/server';
import { CONNECT, TRAIN, createLandscape, mutate, waitForRun } from '../runs/helpers';

const ROOT = join(__dirname, '..', '..', '..');
const PYTHON = '/usr/bin/python3';
const FASHION = '/usr/share/datasets/fashion-mnist';

/** Runs Python code with neb_atlas importable and the server's URL and token as NEB_* variables; parses its last line as JSON. */
function python<T = Record<string, unknown>>(code: string, env: Record<string, string> = {}): Promise<T> {
  return new Promise((resolve, reject) => {
    execFile(PYTHON, ['-c', code], { env: { ...process.env, PYTHONPATH: join(ROOT, 'clients', 'python'), ...env }, timeout: 120_000 }, (err, stdout, stderr) => {
      if (err) return reject(new Error(`python failed: ${err.message}\n${stderr}`));
      try {
        resolve(JSON.parse(stdout.trim().split('\n').at(-1)!) as T);
      } catch {
        reject(new Error(`python printed no JSON:\n${stdout}\n${stderr}`));
      }
    });
  });
}

function has(module: string): boolean {
  if (!existsSync(PYTHON)) return false;
  return spawnSync(PYTHON, ['-c', `import ${module}`]).status === 0;
}

const hasTorch = has('torch');
const hasWebsockets = has('websockets');
const hasData = existsSync(join(FASHION, 't10k-images-idx3-ubyte.gz'));

let server: TestServer;
let env: Record<string, string>;
let mlp: string;
let trainRun: string;

const PRELUDE = `
import json, os, sys
from neb_atlas import ApiError, Client
client = Client(os.environ["NEB_URL"], os.environ["NEB_TOKEN"])
`;

before(async () => {
  if (!existsSync(PYTHON)) return;
  server = await startTestServer({ auth: true });
  env = { NEB_URL: server.app.url, NEB_TOKEN: server.token! };
  if (!hasData) return;
  mlp = await createLandscape(server, {
    name: 'python-mlp',
    architecture: { kind: 'mlp', widths: [16] },
    dataset: { name: 'mnist-idx', dir: FASHION, trainSize: 512, testSize: 500 },
    training: { steps: 30, batchSize: 64 },
    autonebPreset: 'tiny',
  });
  trainRun = (await mutate<{ id: string }>(server, TRAIN, { l: mlp, n: 2 })).id;
});

after(async () => {
  await server?.close();
});

test('query returns data; errors carry the server code and field; a wrong token is refused', async (t) => {
  if (!existsSync(PYTHON)) return t.skip(`${PYTHON} is not installed`);
  const out = await python<{ kinds: string[]; missing: unknown[]; token: unknown[]; input: unknown[] }>(`${PRELUDE}
out = {"kinds": client.query("{ catalog { architectureKinds } }")["catalog"]["architectureKinds"]}
try:
    client.query("query($id: ID!) { landscape(id: $id) { id } }", id="no-such-id")
except ApiError as e:
    out["missing"] = [e.code, str(e)]
try:
    Client(os.environ["NEB_URL"], "wrong").query("{ catalog { architectureKinds } }")
except ApiError as e:
    out["token"] = [e.code, str(e)]
try:
    client.query("mutation($input: CreateLandscapeInput!) { createLandscape(input: $input) { id } }",
                 input={"name": "x", "architecture": {"kind": "mlp", "widths": [0]}, "dataset": {"name": "mnist"}})
except ApiError as e:
    out["input"] = [e.code, e.field]
print(json.dumps(out))`, env);
  assert.deepEqual(out.kinds, ['mlp', 'cnn', 'resnet', 'surface']);
  assert.equal(out.missing[0], 'NOT_FOUND');
  assert.match(String(out.missing[1]), /no-such-id/);
  assert.equal(out.token[0], 'UNAUTHENTICATED');
  assert.equal(out.input[0], 'BAD_USER_INPUT');
  assert.match(String(out.input[1]), /widths/);
});

test('follow_run yields a training run from its current state to SUCCEEDED and then ends', async (t) => {
  if (!existsSync(PYTHON)) return t.skip(`${PYTHON} is not installed`);
  if (!hasWebsockets) return t.skip('the websockets package is not installed for /usr/bin/python3');
  if (!hasData) return t.skip(`Fashion-MNIST is not in ${FASHION} (Debian's dataset-fashion-mnist)`);
  const out = await python<{ statuses: string[]; progress: number; again: string[] }>(`${PRELUDE}
events = list(client.follow_run(os.environ["RUN"]))
again = [e["status"] for e in client.follow_run(os.environ["RUN"])]
print(json.dumps({"statuses": [e["status"] for e in events], "progress": sum(1 for e in events if e.get("progress")), "again": again}))`, { ...env, RUN: trainRun });
  assert.equal(out.statuses.at(-1), 'SUCCEEDED', out.statuses.join(' '));
  assert.ok(out.statuses.slice(0, -1).every((s) => s === 'QUEUED' || s === 'RUNNING'), out.statuses.join(' '));
  assert.ok(out.progress >= 1, 'training progress arrived');
  // A run that had ended before the subscription: one event, its final state, and the iterator ends.
  assert.deepEqual(out.again, ['SUCCEEDED']);
  const run = await waitForRun(server, trainRun);
  assert.equal(run.status, 'SUCCEEDED');
});

interface Metrics { testLoss: number; testError: number }

async function minima(): Promise<{ id: string; testLoss: number; testError: number }[]> {
  const res = await server.gql('query($id: ID!) { landscape(id: $id) { minima(first: 10) { edges { node { id testLoss testError } } } } }', { id: mlp });
  return res.data!.landscape.minima.edges.map((e: { node: unknown }) => e.node);
}

test('a minimum loads into PyTorch with one call and gives the server\'s test error to the last digit', async (t) => {
  if (!existsSync(PYTHON)) return t.skip(`${PYTHON} is not installed`);
  if (!hasTorch) return t.skip('torch is not installed for /usr/bin/python3 (Debian: python3-torch)');
  if (!hasData) return t.skip(`Fashion-MNIST is not in ${FASHION} (Debian's dataset-fashion-mnist)`);
  await waitForRun(server, trainRun);
  const [minimum] = await minima();
  const out = await python<Metrics & { names: string[]; sequential: number }>(`${PRELUDE}
import torch
from neb_atlas.pytorch import evaluate, load_into
model = client.to_torch(os.environ["MINIMUM"])
images, labels = client.test_set(model_landscape := client.download_minimum(os.environ["MINIMUM"]).landscape_id)
loss, error = evaluate(model, images, labels)
# The same minimum in the nn.Sequential a user writes (normalising the inputs themselves).
seq = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(784, 16), torch.nn.ReLU(), torch.nn.Linear(16, 10))
load_into(seq, client.download_minimum(os.environ["MINIMUM"]))
with torch.no_grad():
    diff = float((seq(model.normalize(images[:50])) - model(images[:50])).abs().max())
print(json.dumps({"testLoss": loss, "testError": error, "names": list(model.state_dict()), "sequential": diff}))`, { ...env, MINIMUM: minimum.id });
  assert.deepEqual(out.names, ['layers.0.weight', 'layers.0.bias', 'layers.1.weight', 'layers.1.bias']);
  assert.equal(out.testError, minimum.testError);
  // Losses are float32 sums in another order: equal to ~7 digits.
  assert.ok(Math.abs(out.testLoss - minimum.testLoss) < 1e-5 * minimum.testLoss, `${out.testLoss} vs ${minimum.testLoss}`);
  assert.equal(out.sequential, 0);
});

test('a saddle loads into PyTorch with one call and gives the server\'s saddle test error', async (t) => {
  if (!existsSync(PYTHON)) return t.skip(`${PYTHON} is not installed`);
  if (!hasTorch) return t.skip('torch is not installed for /usr/bin/python3 (Debian: python3-torch)');
  if (!hasData) return t.skip(`Fashion-MNIST is not in ${FASHION} (Debian's dataset-fashion-mnist)`);
  await waitForRun(server, trainRun);
  const [a, b] = await minima();
  const connect = await mutate<{ id: string }>(server, CONNECT, { a: a.id, b: b.id, config: { base: { steps: 5, evaluationPoints: 2 } } });
  assert.equal((await waitForRun(server, connect.id, 120_000)).status, 'SUCCEEDED');
  const pathId = (await server.gql('query($id: ID!) { landscape(id: $id) { paths(first: 1) { edges { node { id } } } } }', { id: mlp })).data!.landscape.paths.edges[0].node.id;
  const evaluation = await mutate<{ id: string }>(server, 'mutation($id: ID!) { evaluatePath(pathId: $id, pointsPerSegment: 3) { id } }', { id: pathId });
  assert.equal((await waitForRun(server, evaluation.id, 120_000)).status, 'SUCCEEDED');
  const saddle = (await server.gql('query($id: ID!) { path(id: $id) { saddle { t testLoss testError } } }', { id: pathId })).data!.path.saddle;
  const out = await python<Metrics & { t: number }>(`${PRELUDE}
from neb_atlas.pytorch import evaluate
point = client.download_saddle(os.environ["PATH_ID"])
model = client.to_torch(point)
loss, error = evaluate(model, *client.test_set(point.landscape_id))
print(json.dumps({"testLoss": loss, "testError": error, "t": float(point.metadata["t"])}))`, { ...env, PATH_ID: pathId });
  assert.equal(out.t, saddle.t);
  assert.equal(out.testError, saddle.testError);
  assert.ok(Math.abs(out.testLoss - saddle.testLoss) < 1e-5 * saddle.testLoss, `${out.testLoss} vs ${saddle.testLoss}`);
});

for (const architecture of [{ kind: 'cnn', channels: [4] }, { kind: 'resnet', depth: 8, channels: [4, 8, 16] }]) {
  test(`upload_minimum: a ${architecture.kind} initialised in PyTorch gets the test error PyTorch computes`, async (t) => {
    if (!existsSync(PYTHON)) return t.skip(`${PYTHON} is not installed`);
    if (!hasTorch) return t.skip('torch is not installed for /usr/bin/python3 (Debian: python3-torch)');
    if (!hasWebsockets) return t.skip('the websockets package is not installed for /usr/bin/python3');
    if (!hasData) return t.skip(`Fashion-MNIST is not in ${FASHION} (Debian's dataset-fashion-mnist)`);
    const landscape = await createLandscape(server, {
      name: `python-${architecture.kind}`,
      architecture,
      dataset: { name: 'mnist-idx', dir: FASHION, trainSize: 256, testSize: 300 },
      training: { steps: 4, batchSize: 32 },
      autonebPreset: 'tiny',
    });
    const out = await python<Metrics & { server: Metrics & { id: string }; roundTrip: boolean }>(`${PRELUDE}
import torch
from neb_atlas.pytorch import build_model, evaluate
torch.manual_seed(1)
model = build_model(client.landscape(os.environ["LANDSCAPE"]))
for m in model.modules():  # running statistics other than PyTorch's 0 and 1, so a mix-up shows
    if isinstance(m, torch.nn.BatchNorm2d):
        m.running_mean.uniform_(-0.1, 0.1); m.running_var.uniform_(0.5, 1.5); m.weight.data.uniform_(0.5, 1.5)
model.eval()
loss, error = evaluate(model, *client.test_set(os.environ["LANDSCAPE"]))
minimum = client.upload_minimum(os.environ["LANDSCAPE"], model.state_dict())
back = client.to_torch(minimum["id"])
same = all(torch.equal(v, back.state_dict()[k]) for k, v in model.state_dict().items() if not k.endswith("num_batches_tracked"))
print(json.dumps({"testLoss": loss, "testError": error, "server": minimum, "roundTrip": same}))`, { ...env, LANDSCAPE: landscape });
    assert.ok(out.roundTrip, 'the downloaded minimum equals the uploaded state dict');
    assert.equal(out.server.testError, out.testError);
    assert.ok(Math.abs(out.server.testLoss - out.testLoss) < 1e-5 * out.testLoss, `${out.server.testLoss} vs ${out.testLoss}`);
  });
}

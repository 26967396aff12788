// The layers of the house (README "Layout"): the engine stands alone, only the bridge reaches its
// neural and tfjs parts, the main entry loads no TensorFlow.js, and no file imports itself in a loop.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { importLoops, imports, ROOT } from './helpers/imports';

const NEURAL_OR_TFJS = /^src\/engine\/(neural|tfjs)(\/|$)/;
/** Besides the engine itself: the bridge, and the CLI's experiment and the bench, which measure the engine directly. */
const MAY_IMPORT_NEURAL = [/^src\/engine\//, /^src\/runs\/bridge\//, /^src\/cli\/experiment\.ts$/, /^bench\//];

test('only runs/bridge (and the engine, the experiment, the bench) import engine/neural or engine/tfjs', () => {
  const offending = imports('src', 'bench')
    .filter((i) => i.target && NEURAL_OR_TFJS.test(i.target) && !MAY_IMPORT_NEURAL.some((allowed) => allowed.test(i.from)))
    .map((i) => `${i.from} -> ${i.spec}`);
  assert.deepEqual(offending, []);
});

test('nothing under src/engine imports from outside it', () => {
  const offending = imports('src/engine')
    .filter((i) => i.target && !i.target.startsWith('src/engine/'))
    .map((i) => `${i.from} -> ${i.spec}`);
  assert.deepEqual(offending, []);
});

test('the engine main entry loads no @tensorflow module', () => {
  const script = `require(${JSON.stringify(join(ROOT, 'dist', 'src', 'engine'))});
    const loaded = Object.keys(require.cache).filter((k) => k.includes('@tensorflow'));
    process.stdout.write(JSON.stringify(loaded));`;
  const run = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  assert.deepEqual(JSON.parse(run.stdout), []);
});

test('no import loop outside the ORM entities', () => {
  const loops = importLoops(imports('src')).filter((group) => !group.every((f) => f.startsWith('src/store/entities/')));
  assert.deepEqual(loops, []);
});

test('dependencies run one way: http -> api -> runs -> store -> engine', () => {
  const LAYERS = ['src/http/', 'src/api/', 'src/runs/', 'src/store/', 'src/engine/'];
  const rank = (file: string) => LAYERS.findIndex((prefix) => file.startsWith(prefix));
  const upward = imports('src')
    .filter((i) => i.target && rank(i.from) >= 0 && rank(i.target) >= 0 && rank(i.target) < rank(i.from))
    .map((i) => `${i.from} -> ${i.spec}`);
  assert.deepEqual(upward, []);
});

test("README's library example (examples/connect-surface.ts) runs without loading TensorFlow.js", () => {
  const script = `const Module = require('node:module');
    const load = Module._load;
    const loaded = [];
    Module._load = function (request, ...rest) { if (request.startsWith('@tensorflow')) loaded.push(request); return load.call(this, request, ...rest); };
    process.on('exit', () => { process.stderr.write('TFJS:' + JSON.stringify(loaded)); });
    require(${JSON.stringify(join(ROOT, 'dist', 'examples', 'connect-surface.js'))});`;
  const run = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, /saddle/i);
  assert.equal(run.stderr.slice(run.stderr.indexOf('TFJS:') + 5), '[]');
});

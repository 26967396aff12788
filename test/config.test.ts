// Configuration: every variable parsed once in src/config.ts, bad values stop the process at start
// with a message naming the variable, and README's table lists exactly these variables.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BACKEND_CHOICES, ConfigError, ENV, loadConfig } from '../src/config';
import { BACKEND_CANDIDATES, NATIVE_BLAS } from '../src/engine/tfjs/backend';

const ROOT = join(__dirname, '..', '..');

test('engine settings are parsed with the rest: backend, threads, BLAS threads', () => {
  const config = loadConfig({ NEB_ATLAS_BACKEND: 'WASM', NEB_ATLAS_THREADS: '3', NEB_ATLAS_BLAS_THREADS: '2', NEB_ATLAS_WORKERS: '2' });
  assert.equal(config.backend, 'wasm');
  assert.equal(config.threads, 3);
  assert.equal(config.blasThreads, 2);
  assert.equal(config.workers, 2);
  const defaults = loadConfig({});
  assert.equal(defaults.backend, 'auto');
  assert.equal(defaults.threads, undefined);
  assert.equal(defaults.blasThreads, undefined);
});

test('a bad value names its variable', () => {
  for (const [name, value] of [['NEB_ATLAS_THREADS', 'abc'], ['NEB_ATLAS_THREADS', '0'], ['NEB_ATLAS_BLAS_THREADS', '1.5'], ['NEB_ATLAS_BACKEND', 'gpu'], ['NEB_ATLAS_WORKERS', '-1']]) {
    assert.throws(() => loadConfig({ [name]: value }), (err: unknown) => err instanceof ConfigError && err.message.startsWith(`${name}="${value}"`), `${name}=${value}`);
  }
});

test('the backend names are the engine\'s', () => {
  assert.deepEqual([...BACKEND_CHOICES].sort(), ['auto', NATIVE_BLAS, ...BACKEND_CANDIDATES].sort());
});

test('NEB_ATLAS_THREADS=abc stops the server at start with a message naming it', () => {
  const run = spawnSync(process.execPath, [join(ROOT, 'dist', 'src', 'cli.js'), 'serve'], {
    env: { ...process.env, NEB_ATLAS_THREADS: 'abc', PORT: '0', NEB_ATLAS_DATA_DIR: join(ROOT, 'dist', 'never-created') },
    encoding: 'utf8',
    timeout: 30_000,
  });
  assert.notEqual(run.status, 0);
  assert.match(run.stderr, /NEB_ATLAS_THREADS="abc": expected an integer/);
  assert.doesNotMatch(run.stdout, /GraphQL at/);
});

test("README's Configuration table lists every variable config.ts reads, and no other", () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Configuration'), readme.indexOf('\n## ', readme.indexOf('## Configuration') + 5));
  const listed = [...section.matchAll(/^\| `([A-Z_]+)` \|/gm)].map((m) => m[1]).sort();
  assert.deepEqual(listed, Object.values(ENV).sort());
});

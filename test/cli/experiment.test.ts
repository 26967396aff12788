// `npm run experiment -- ci`: the reduced experiment preset end to end (its own server on a temp
// data directory: train, explore until the spanning tree is complete, evaluate, report).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestStorage } from '../helpers/server';
import { cli, json } from './helpers';

test('the ci preset completes the spanning tree and reports Table 1', async () => {
  const out = mkdtempSync(join(tmpdir(), 'neb-atlas-experiment-'));
  const storage = await createTestStorage();
  try {
    // The experiment serves itself; on a copy of the migrated template (no initdb) when embedded.
    const dataDir = storage.kind === 'embedded' ? ['--data-dir', storage.config.dataDir] : [];
    const res = await cli(['--json', 'experiment', 'ci', '--out', out, ...dataDir], {}, 180_000);
    assert.equal(res.code, 0, res.stderr);
    const result = json<{
      components: number;
      paths: { total: number; completed: number; evaluated: number };
      summary: { minima: { count: number }; saddles: { count: number; testLoss: number | null }; trainLossFactor: number };
      report: string;
      svgs: string[];
      table1: string;
    }>(res);
    assert.equal(result.components, 1);
    assert.equal(result.summary.minima.count, 3);
    // A spanning tree of 3 minima has 2 paths, each with its saddle on the full data sets.
    assert.equal(result.summary.saddles.count, 2);
    assert.ok(result.summary.saddles.testLoss! > 0);
    assert.ok(result.paths.completed >= 2);
    assert.equal(result.paths.evaluated, result.paths.completed);
    // A saddle is the highest point of a path through both minima: never below their mean.
    assert.ok(result.summary.trainLossFactor >= 1 - 1e-6, String(result.summary.trainLossFactor));
    assert.ok(existsSync(result.report));
    assert.ok(readFileSync(result.report, 'utf8').includes(result.table1));
    assert.ok(result.svgs.some((f) => f.endsWith('spanning-tree.svg')));
  } finally {
    rmSync(out, { recursive: true, force: true });
    await storage.dispose();
  }
});

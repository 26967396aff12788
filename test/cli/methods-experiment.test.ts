// `npm run experiment -- methods-ci` (issue 19): one pair of Fashion-MNIST minima connected by
// AutoNEB, a Bezier curve and a polygonal chain through the API; the table, the figure, and the
// facts every row must satisfy (a saddle is never below the higher minimum; a curve's cost is
// its configured training plus its profile).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FASHION_MNIST_DIR } from '../../src/engine/neural/data';
import { methodMeans, type MethodRow } from '../../src/cli/experiment-methods';
import { createTestStorage } from '../helpers/server';
import { cli, json } from './helpers';

const row = (pair: string, method: MethodRow['method'], loss: number, negativeCount: number): MethodRow => ({
  pair, a: 'a', b: 'b', method, pathId: `${pair}-${method}`, saddleTrainLoss: loss, saddleTestError: 0.1, evaluations: 100, seconds: 1, negativeCount, threshold: 1e-3,
});

test('methods table: means per method and the ratio of the saddle loss to AutoNEB\'s', () => {
  const means = methodMeans([row('1-2', 'AUTONEB', 1, 1), row('1-3', 'AUTONEB', 3, 1), row('1-2', 'BEZIER', 2, 0), row('1-3', 'BEZIER', 4, 1)]);
  assert.deepEqual(means.map((m) => [m.method, m.saddleTrainLoss, m.ratioToAutoneb, m.firstOrder, m.pairs]), [['AUTONEB', 2, 1, 2, 2], ['BEZIER', 3, 1.5, 1, 2]]);
});

test('the methods-ci preset: one pair by AutoNEB, Bezier and polygonal chain, each evaluated and its saddle\'s index measured', async (t) => {
  if (!existsSync(join(FASHION_MNIST_DIR, 'train-images-idx3-ubyte.gz'))) return t.skip(`${FASHION_MNIST_DIR} absent (Debian package dataset-fashion-mnist not installed)`);
  const out = mkdtempSync(join(tmpdir(), 'neb-atlas-methods-'));
  const storage = await createTestStorage();
  try {
    const dataDir = storage.kind === 'embedded' ? ['--data-dir', storage.config.dataDir] : [];
    const res = await cli(['--json', 'experiment', 'methods-ci', '--out', out, ...dataDir], {}, 300_000);
    assert.equal(res.code, 0, res.stderr);
    const result = json<{ rows: MethodRow[]; minima: { id: string; trainLoss: number }[]; report: string; svgs: string[]; table: string; seconds: number }>(res);
    t.diagnostic(`methods-ci: ${result.seconds.toFixed(0)} s`);
    assert.deepEqual(result.rows.map((r) => r.method), ['AUTONEB', 'BEZIER', 'POLYCHAIN']);
    const higher = Math.max(...result.minima.map((m) => m.trainLoss));
    for (const r of result.rows) {
      // The saddle is the highest point of a path through both minima, on the same full training set.
      assert.ok(r.saddleTrainLoss! >= higher - 1e-6, `${r.method}: saddle ${r.saddleTrainLoss} vs minima up to ${higher}`);
      assert.ok(r.saddleTestError! >= 0 && r.saddleTestError! <= 1);
      assert.ok(Number.isInteger(r.negativeCount) && r.negativeCount! >= 0 && r.seconds > 0);
    }
    // A curve: 2 epochs of 1000 / 50 mini-batches, 21 profile points, 19 interior gradients.
    for (const r of result.rows.filter((r) => r.method !== 'AUTONEB')) assert.equal(r.evaluations, 2 * 20 + 21 + 19);
    assert.ok(result.rows[0].evaluations > 0);
    const svg = readFileSync(result.svgs[0], 'utf8');
    assert.match(svg, /^<\?xml/);
    assert.match(svg, /polygonal chain/);
    assert.equal((svg.match(/<circle/g) ?? []).length, 3, 'one dot per method');
    assert.ok(readFileSync(result.report, 'utf8').includes(result.table));
  } finally {
    rmSync(out, { recursive: true, force: true });
    await storage.dispose();
  }
});

// The width sweep: its statistics on hand-made paths (known answers), and the `width-sweep-ci`
// preset end to end on Debian's Fashion-MNIST (one landscape per width, table and figure).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FASHION_MNIST_DIR } from '../../src/engine/neural/data';
import { pathBarrier, widthRow } from '../../src/cli/width-sweep';
import type { MinimumInfo, PathInfo } from '../../src/cli/types';
import { createTestStorage } from '../helpers/server';
import { cli, json } from './helpers';

const minimum = (id: string, trainLoss: number, testError: number): MinimumInfo => ({ id, seed: 1, status: 'READY', parameterCount: 10, trainLoss, testLoss: 0, trainError: 0, testError });

function path(id: string, a: string, b: string, losses: number[], errors: number[], linearBarrier: number): PathInfo {
  return {
    id,
    status: 'COMPLETED',
    cyclesDone: 1,
    length: 1,
    linearBarrier,
    minimumA: { id: a },
    minimumB: { id: b },
    saddle: null,
    linearProfile: null,
    evaluatedProfile: losses.map((trainLoss, i) => ({ t: i / (losses.length - 1), trainLoss, testLoss: 0, trainError: 0, testError: errors[i] })),
  };
}

test('barrier statistics: height above the higher end, interior maxima only, linear barrier above the higher minimum', () => {
  const minima = [minimum('a', 0.2, 0.1), minimum('b', 0.3, 0.12), minimum('c', 0.25, 0.11)];
  const paths = [
    // A real barrier: 0.5 inside, 0.2 above the higher end 0.3; test error 15 % vs 12 % (fractions in the API).
    path('ab', 'a', 'b', [0.2, 0.5, 0.3], [0.1, 0.15, 0.12], 1.3),
    // Monotone: the maximum is an end, no barrier, height 0.
    path('bc', 'b', 'c', [0.3, 0.28, 0.25], [0.12, 0.115, 0.11], 0.9),
    // Inside but within the tolerance (1e-3 x 0.25): no barrier, height 1e-4.
    path('ac', 'a', 'c', [0.2, 0.2501, 0.25], [0.1, 0.11, 0.11], 0.65),
    // Not evaluated on the full data: left out.
    { ...path('x', 'a', 'b', [0], [0], 1), evaluatedProfile: null },
  ];
  const losses = new Map(minima.map((m) => [m.id, m.trainLoss] as const));
  assert.equal(pathBarrier(paths[0], losses)!.barrier, true);
  assert.equal(pathBarrier(paths[1], losses)!.barrier, false);
  assert.equal(pathBarrier(paths[2], losses)!.barrier, false);
  assert.equal(pathBarrier(paths[3], losses), null);
  const row = widthRow(3, { minima, paths });
  assert.equal(row.width, 3);
  assert.equal(row.minima, 3);
  assert.equal(row.paths, 3);
  assert.ok(Math.abs(row.minimaTestError! - 11) < 1e-9);
  assert.ok(Math.abs(row.meanSaddleHeight - (0.2 + 0 + 0.0001) / 3) < 1e-12);
  assert.ok(Math.abs(row.meanTestErrorRise! - (3 + 0 + 0) / 3) < 1e-9);
  assert.ok(Math.abs(row.meanLinearHeight! - (1.0 + 0.6 + 0.4) / 3) < 1e-12);
  assert.ok(Math.abs(row.barrierFraction - 1 / 3) < 1e-12);
});

test('the width-sweep-ci preset: one explored and evaluated landscape per width, the table and the barrier-vs-width figure', async (t) => {
  if (!existsSync(join(FASHION_MNIST_DIR, 'train-images-idx3-ubyte.gz'))) return t.skip(`${FASHION_MNIST_DIR} absent (Debian package dataset-fashion-mnist not installed)`);
  const out = mkdtempSync(join(tmpdir(), 'neb-atlas-width-sweep-'));
  const storage = await createTestStorage();
  try {
    const dataDir = storage.kind === 'embedded' ? ['--data-dir', storage.config.dataDir] : [];
    const res = await cli(['--json', 'experiment', 'width-sweep-ci', '--out', out, ...dataDir], {}, 480_000);
    assert.equal(res.code, 0, res.stderr);
    const result = json<{ widths: { width: number; minima: number; paths: number; meanSaddleHeight: number; meanLinearHeight: number | null; barrierFraction: number }[]; report: string; svgs: string[]; table1: string; components: number }>(res);
    assert.deepEqual(result.widths.map((r) => r.width), [2, 10]);
    assert.equal(result.components, 1);
    for (const row of result.widths) {
      assert.equal(row.minima, 3);
      // A spanning tree of 3 minima: at least its 2 paths evaluated on the full (limited) data.
      assert.ok(row.paths >= 2, JSON.stringify(row));
      // The highest point of a path through both ends is never below the higher end.
      assert.ok(row.meanSaddleHeight >= 0);
      assert.ok(row.barrierFraction >= 0 && row.barrierFraction <= 1);
      assert.ok(row.meanLinearHeight !== null);
    }
    const figure = result.svgs.find((f) => f.endsWith('barrier-vs-width.svg'))!;
    const svg = readFileSync(figure, 'utf8');
    assert.match(svg, /^<\?xml/);
    assert.match(svg, /hidden units h \(log scale\)/);
    assert.ok(readFileSync(result.report, 'utf8').includes(result.table1));
    for (const h of [2, 10]) assert.ok(existsSync(join(out, `h${h}`, 'report.md')));
  } finally {
    rmSync(out, { recursive: true, force: true });
    await storage.dispose();
  }
});

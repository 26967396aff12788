// `npm run experiment -- alignment-ci` end to end (the `alignment` experiment at CI size): the
// report's numbers are re-derived from the points it returns and checked against what must hold
// whatever the training did (an aligned copy computes its original's function; a known
// permutation of a minimum is undone exactly, so its aligned barrier is 0).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AlignmentExperimentResult, PathBarrier } from '../../src/cli/experiment-alignment';
import { cli, json } from './helpers';

/** Entezari's barrier by hand: the highest loss above the chord between the two ends. */
function byHand(points: PathBarrier['points']): number {
  const [a, b] = [points[0].trainLoss, points.at(-1)!.trainLoss];
  return Math.max(...points.map((p) => p.trainLoss - ((1 - p.t) * a + p.t * b)));
}

const close = (x: number, y: number, tolerance: number, what: string) => assert.ok(Math.abs(x - y) <= tolerance, `${what}: ${x} vs ${y}`);

test('the alignment-ci experiment: straight-line and AutoNEB barriers raw vs aligned, evaluations, control, table and figure', async () => {
  const out = mkdtempSync(join(tmpdir(), 'neb-atlas-alignment-'));
  try {
    const res = await cli(['--json', 'experiment', 'alignment-ci', '--out', out], {}, 120_000);
    assert.equal(res.code, 0, res.stderr);
    const result = json<AlignmentExperimentResult>(res);
    assert.equal(result.rows.length, 1);
    const [row] = result.rows;
    assert.equal(row.width, 16);
    assert.equal(row.pairs, 1);
    const [pair] = row.details;
    const paths = { ...pair.line, autonebRaw: pair.autoneb.raw, autonebAligned: pair.autoneb.aligned };
    for (const [name, path] of Object.entries(paths)) {
      assert.equal(path.points[0].t, 0, name);
      assert.equal(path.points.at(-1)!.t, 1, name);
      assert.ok(path.points.every((p, i) => i === 0 || p.t > path.points[i - 1].t), `${name}: positions increase`);
      close(path.barrier, byHand(path.points), 1e-12, `${name} barrier`);
      assert.ok(path.barrier >= 0, name);
      // Every path starts at minimum 1 and ends at minimum 2 or a permuted copy of it: same losses.
      close(path.points[0].trainLoss, pair.line.raw.points[0].trainLoss, 1e-6, `${name} start`);
      close(path.points.at(-1)!.trainLoss, pair.line.raw.points.at(-1)!.trainLoss, 1e-5, `${name} end`);
    }
    assert.equal(pair.line.raw.points.length, 11);
    // The minima's mean train loss is the mean of the pair's two ends.
    close(row.minimumTrainLoss, (pair.line.raw.points[0].trainLoss + pair.line.raw.points[10].trainLoss) / 2, 1e-6, 'minima train loss');
    close(row.raw, pair.line.raw.barrier, 0, 'row raw');
    close(row.weightMatching, pair.line.weightMatching.barrier, 0, 'row WM');
    close(row.autonebRaw, pair.autoneb.raw.barrier, 0, 'row AutoNEB raw');
    close(row.autonebAligned, pair.autoneb.aligned.barrier, 0, 'row AutoNEB aligned');
    // The published direction: weight matching lowers the straight-line barrier.
    assert.ok(row.weightMatching < row.raw, `aligned ${row.weightMatching} vs raw ${row.raw}`);
    for (const path of [pair.autoneb.raw, pair.autoneb.aligned]) {
      assert.ok(Number.isInteger(path.evaluations) && path.evaluations! > 0, `evaluations ${path.evaluations}`);
      // tiny: 4 cycles; the first inserts 3 pivots between the 2 ends.
      assert.ok(path.points.length >= 5, `${path.points.length} pivots`);
    }
    assert.equal(row.evaluationsRaw, pair.autoneb.raw.evaluations);
    assert.equal(row.evaluationsAligned, pair.autoneb.aligned.evaluations);
    // Control: a permutation of the same minimum has a real straight-line barrier, undone exactly.
    assert.ok(row.control.raw > 0.05, `control raw ${row.control.raw}`);
    assert.equal(row.control.exact, true);
    assert.ok(Math.abs(row.control.aligned) < 1e-5, `control aligned ${row.control.aligned}`);
    assert.ok(row.secondsWeight > 0 && row.cpuWeight >= 0);
    assert.match(result.markdown, new RegExp(`\\| 16 \\| 1 \\| .* \\| ${row.raw.toFixed(3)} \\| ${row.weightMatching.toFixed(3)} \\(`));
    assert.equal(readFileSync(join(out, 'table.md'), 'utf8').trim(), result.markdown);
    assert.ok(existsSync(result.figure));
    const svg = readFileSync(result.figure, 'utf8');
    assert.match(svg, /^<\?xml/);
    for (const label of ['straight line, raw', 'straight line, aligned', 'AutoNEB, raw', 'AutoNEB, aligned']) assert.ok(svg.includes(label), label);
    // Four series, each a line through its one point and a dot.
    assert.equal((svg.match(/<circle/g) ?? []).length, 4);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

test('alignment --pairs reference aligns minima 2..n to minimum 1; bad --pairs and --widths are named', async () => {
  const out = mkdtempSync(join(tmpdir(), 'neb-atlas-alignment-'));
  try {
    const res = await cli(['--json', 'experiment', 'alignment-ci', '--out', out, '--minima', '3', '--pairs', 'reference', '--steps', '20'], {}, 120_000);
    assert.equal(res.code, 0, res.stderr);
    const [row] = json<AlignmentExperimentResult>(res).rows;
    assert.deepEqual(row.details.map((p) => [p.a, p.b]), [[1, 2], [1, 3]]);
    assert.equal(row.pairs, 2);
    close(row.raw, (row.details[0].line.raw.barrier + row.details[1].line.raw.barrier) / 2, 1e-12, 'mean over the two pairs');
    for (const [flag, value] of [['--pairs', 'some'], ['--widths', '16,x']]) {
      const bad = await cli(['experiment', 'alignment-ci', '--out', out, flag, value]);
      assert.equal(bad.code, 2, bad.stderr);
      assert.match(bad.stderr, new RegExp(`${flag} must be`));
    }
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

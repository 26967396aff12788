import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { CycleRecord } from '../../src/engine/autoneb/run';
import { runAutoNEB } from '../../src/engine/autoneb/run';
import type { Energy, Vector } from '../../src/engine/energy';
import { mullerBrown, wolfeQuapp } from '../../src/engine/surfaces';
import { FunctionEnergy } from './helpers';

/**
 * The fixed schedules stay bit for bit what they were before the convergence-driven preset came:
 * the digests in paper-records.json were written by the code of commit c0cfe9c (before issue 16)
 * with `PAPER_RECORDS=write node --test dist/test/engine/paper-preset.test.js`.
 */
const FIXTURE = join(__dirname, '../../../test/engine/paper-records.json');

/**
 * A curved double well where SGD at the paper's learning rate 0.1 is stable (the analytic
 * surfaces' gradients of ~100-1000 make it diverge): minima (+-1, 0), saddle (0, 0.5).
 */
const doubleWell = new FunctionEnergy(
  'curved-double-well',
  2,
  ([x, y]) => (x * x - 1) ** 2 + 0.5 * (y - 0.5 * (1 - x * x)) ** 2,
  ([x, y]) => {
    const bend = y - 0.5 * (1 - x * x);
    return [4 * x * (x * x - 1) + bend * x, bend];
  },
);
const wellEnds = [Float32Array.of(-1, 0), Float32Array.of(1, 0)];

const cases: Array<[string, Energy, Vector[]]> = [
  ['paper', doubleWell, wellEnds],
  ['small', doubleWell, wellEnds],
  ['tiny', doubleWell, wellEnds],
  ['surface', mullerBrown, [mullerBrown.minimum(0), mullerBrown.minimum(1)]],
  ['surface', wolfeQuapp, [wolfeQuapp.minimum(0), wolfeQuapp.minimum(1)]],
];

/** SHA-256 of what a cycle record held before issue 16 (every number as its float64 bytes). */
function digest(record: CycleRecord): string {
  const hash = createHash('sha256');
  const numbers = (values: ArrayLike<number>) => hash.update(Buffer.from(Float64Array.from(values).buffer));
  numbers([record.cycle, record.steps, record.learningRate, record.pivotsInserted, ...record.insertedAt]);
  for (const pivot of record.pivots) hash.update(Buffer.from(pivot.buffer, pivot.byteOffset, pivot.byteLength));
  numbers(record.pivotEnergies);
  numbers(record.pivotPositions);
  numbers(record.profile.t);
  numbers(record.profile.energy);
  numbers([record.maxEnergy, record.saddle.energy, record.saddle.t, record.saddle.index, ...record.saddle.point, record.maxPerpendicularGradient]);
  return hash.digest('hex');
}

const expected: Record<string, string[]> = process.env.PAPER_RECORDS === 'write' ? {} : JSON.parse(readFileSync(FIXTURE, 'utf8'));

for (const [preset, energy, [start, end]] of cases) {
  const key = `${preset} ${energy.name}`;
  test(`preset ${key}: every cycle record equals the one before issue 16, bit for bit`, async () => {
    const result = await runAutoNEB(energy, start, end, preset as 'paper');
    const digests = result.cycles.map(digest);
    if (process.env.PAPER_RECORDS === 'write') {
      expected[key] = digests;
      writeFileSync(FIXTURE, `${JSON.stringify(expected, null, 2)}\n`);
      return;
    }
    assert.equal(result.cycles.length, expected[key].length);
    assert.deepEqual(digests, expected[key]);
  });
}

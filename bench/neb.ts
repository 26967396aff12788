/**
 * `npm run bench:neb`: evaluations to tolerance and wall time of AutoNEB presets on the analytic
 * surfaces, beside ASE 3.22 (Debian's python3-ase: improved tangent + climbing image, 7 images,
 * FIRE and its ODE optimiser NEBOptimizer, stop at fmax 0.1) run in the same command.
 *
 * Evaluations: every point passed to the energy (ASE: every image whose forces it computed,
 * endpoints included once). Error of the saddle: |reported - exact| / barrier, exact = the
 * Newton-refined maximum of the grid's exact minimum-energy path, barrier above the lower end.
 */
import { spawnSync } from 'node:child_process';
import { runAutoNEB } from '../src/engine/autoneb/run';
import type { AutoNebConfigInput } from '../src/engine/autoneb/config';
import { exactGridPath } from '../src/engine/exact-path';
import type { AnalyticSurface } from '../src/engine/surfaces';
import { curvedValley, mullerBrown, wolfeQuapp } from '../src/engine/surfaces';
import { newtonCriticalPoint, TransformedSurface } from '../test/engine/helpers';

const PYTHON = '/usr/bin/python3';
const GOAL = 1e-3;

interface Case {
  readonly surface: AnalyticSurface;
  readonly from: number;
  readonly to: number;
}

const CASES: Case[] = [
  { surface: mullerBrown, from: 0, to: 1 },
  { surface: wolfeQuapp, from: 0, to: 1 },
  { surface: curvedValley, from: 0, to: 1 },
];

const RUNS: Array<[string, AutoNebConfigInput | undefined]> = [
  ['adaptive (default)', undefined],
  ['surface', { preset: 'surface' }],
  ['surface + climbing', { preset: 'surface', base: { climbing: true } }],
];

async function reference({ surface, from, to }: Case) {
  const grid = await exactGridPath(surface, surface.box, surface.minimum(from), surface.minimum(to), { resolution: 401 });
  const saddle = newtonCriticalPoint(surface, grid.saddle[0], grid.saddle[1]);
  const barrier = saddle.energy - Math.min(surface.minima[from].energy, surface.minima[to].energy);
  return { saddle, barrier };
}

interface Row {
  readonly system: string;
  readonly evaluations: number;
  readonly error: number;
  readonly seconds: number;
  readonly note: string;
}

function aseRuns({ surface, from, to }: Case): Array<Omit<Row, 'error'> & { saddle: number }> | string {
  const a = surface.minima[from];
  const b = surface.minima[to];
  const run = spawnSync(PYTHON, [`${__dirname}/../../bench/peer/ase_neb.py`, surface.name, `${a.x},${a.y}`, `${b.x},${b.y}`], { encoding: 'utf8' });
  if (run.error || run.status !== 0) return `ASE skipped: ${PYTHON} with ase not available (${run.error?.message ?? run.stderr.trim().split('\n').at(-1)})`;
  return JSON.parse(run.stdout);
}

async function main(): Promise<void> {
  for (const c of CASES) {
    const { saddle, barrier } = await reference(c);
    console.log(`\n${c.surface.name} ${c.from} -> ${c.to}: exact saddle ${saddle.energy.toFixed(6)}, barrier ${barrier.toFixed(4)}`);
    const rows: Row[] = [];
    const start = c.surface.minimum(c.from);
    const end = c.surface.minimum(c.to);
    for (const [name, config] of RUNS) {
      const t0 = performance.now();
      const result = await runAutoNEB(c.surface, start, end, config);
      const seconds = (performance.now() - t0) / 1000;
      rows.push({ system: `neb-atlas ${name}`, evaluations: result.evaluations, error: Math.abs(result.saddle.energy - saddle.energy) / barrier, seconds, note: `${result.stopReason}, ${result.cycles.length} cycles, ${result.pivots.length} pivots` });
    }
    const scaledSurface = new TransformedSurface(c.surface, 1e-4);
    const scaled = await runAutoNEB(scaledSurface, scaledSurface.minimum(c.from), scaledSurface.minimum(c.to));
    rows.push({ system: 'neb-atlas adaptive, energy x 1e-4', evaluations: scaled.evaluations, error: Math.abs(scaled.saddle.energy / 1e-4 - saddle.energy) / barrier, seconds: NaN, note: `${scaled.stopReason}, ${scaled.cycles.length} cycles` });
    const ase = aseRuns(c);
    if (typeof ase === 'string') console.log(ase);
    else rows.push(...ase.map((r) => ({ ...r, error: Math.abs(r.saddle - saddle.energy) / barrier })));
    const aseFire = rows.find((r) => r.system.startsWith('ASE FIRE'));
    console.log('system'.padEnd(40), 'evaluations'.padStart(11), 'saddle error/barrier'.padStart(21), 'wall s'.padStart(8), ' ratio to ASE FIRE', ' note');
    for (const r of rows) {
      const ratio = aseFire ? (r.evaluations / aseFire.evaluations).toFixed(2) : '-';
      const flag = r.error <= GOAL ? '' : ' (saddle off by more than 0.1 %)';
      console.log(r.system.padEnd(40), String(r.evaluations).padStart(11), r.error.toExponential(2).padStart(21), (Number.isNaN(r.seconds) ? '-' : r.seconds.toFixed(3)).padStart(8), ratio.padStart(18), ` ${r.note}${flag}`);
    }
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});

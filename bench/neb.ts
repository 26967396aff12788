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
import type { Energy, LossAndGradient, Vector } from '../src/engine/energy';
import { exactGridPath } from '../src/engine/exact-path';
import type { AnalyticSurface } from '../src/engine/surfaces';
import { curvedValley, mullerBrown, wolfeQuapp } from '../src/engine/surfaces';
import { newtonCriticalPoint } from '../test/engine/helpers';

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

/** The surface with its energy multiplied by `factor` (the scale-invariance check). */
class ScaledEnergy implements Energy {
  readonly dimension: number;
  readonly name: string;
  constructor(private readonly inner: Energy, private readonly factor: number) {
    this.dimension = inner.dimension;
    this.name = `${inner.name} x ${factor}`;
  }
  async lossAndGradient(points: readonly Vector[]): Promise<LossAndGradient> {
    const { losses, gradients } = await this.inner.lossAndGradient(points);
    return { losses: losses.map((l) => l * this.factor), gradients: gradients.map((g) => g.map((x) => x * this.factor)) };
  }
  async loss(points: readonly Vector[]): Promise<number[]> {
    return (await this.inner.loss(points)).map((l) => l * this.factor);
  }
}

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

function aseRuns({ surface, from, to }: Case): Row[] | string {
  const a = surface.minima[from];
  const b = surface.minima[to];
  const run = spawnSync(PYTHON, [`${__dirname}/../../bench/peer/ase_neb.py`, surface.name, `${a.x},${a.y}`, `${b.x},${b.y}`], { encoding: 'utf8' });
  if (run.error || run.status !== 0) return `ASE skipped: ${PYTHON} with ase not available (${run.error?.message ?? run.stderr.trim().split('\n').at(-1)})`;
  return JSON.parse(run.stdout) as Row[];
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
    const scaled = await runAutoNEB(new ScaledEnergy(c.surface, 1e-4), start, end);
    rows.push({ system: 'neb-atlas adaptive, energy x 1e-4', evaluations: scaled.evaluations, error: Math.abs(scaled.saddle.energy / 1e-4 - saddle.energy) / barrier, seconds: NaN, note: `${scaled.stopReason}, ${scaled.cycles.length} cycles` });
    const ase = aseRuns(c);
    if (typeof ase === 'string') console.log(ase);
    else rows.push(...ase.map((r) => ({ ...r, error: Math.abs(r.error - saddle.energy) / barrier })));
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

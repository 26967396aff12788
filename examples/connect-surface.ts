/**
 * Connects two minima of a user-written energy with AutoNEB and prints the saddle.
 *
 *   npx tsc -p . ; node dist/examples/connect-surface.js
 *
 * The energy is a bent double well: a valley along the parabola y = 1 - x^2 with minima at
 * (-1, 0) and (1, 0). The straight line between them climbs to energy 6 at the origin; the
 * minimum-energy path follows the valley over the saddle (0, 1), of energy exactly 1.
 */
import type { Energy, LossAndGradient, Vector } from '../src/engine';
import { minimize, runAutoNEB } from '../src/engine';

class BentDoubleWell implements Energy {
  readonly dimension = 2;
  readonly name = 'bent-double-well';

  private value(x: number, y: number): number {
    return (x * x - 1) ** 2 + 5 * (y - 1 + x * x) ** 2;
  }

  async lossAndGradient(points: readonly Vector[]): Promise<LossAndGradient> {
    return {
      losses: points.map(([x, y]) => this.value(x, y)),
      gradients: points.map(([x, y]) => {
        const valley = 10 * (y - 1 + x * x);
        return Float32Array.of(4 * x * (x * x - 1) + 2 * x * valley, valley);
      }),
    };
  }

  async loss(points: readonly Vector[]): Promise<number[]> {
    return points.map(([x, y]) => this.value(x, y));
  }
}

async function main(): Promise<void> {
  const energy = new BentDoubleWell();
  // Minima by gradient descent from rough guesses.
  const left = await minimize(energy, Float32Array.of(-0.8, 0.3));
  const right = await minimize(energy, Float32Array.of(0.9, -0.2));
  console.log(`minima: (${[...left.point].map((v) => v.toFixed(4))}) and (${[...right.point].map((v) => v.toFixed(4))})`);

  const result = await runAutoNEB(energy, left.point, right.point, { preset: 'surface', base: { climbing: true } }, {
    onCycle: (r) =>
      console.log(
        `cycle ${String(r.cycle).padStart(2)}  steps ${r.steps}  lr ${r.learningRate}  pivots ${r.pivots.length} (+${r.pivotsInserted})` +
          `  max energy ${r.maxEnergy.toFixed(6)}  max |grad perp| ${r.maxPerpendicularGradient.toExponential(2)}`,
      ),
  });

  const { saddle } = result;
  console.log(`saddle: energy ${saddle.energy.toFixed(6)} at t = ${saddle.t.toFixed(4)}, point (${[...saddle.point].map((v) => v.toFixed(4))})`);
  console.log('exact:  energy 1.000000 at (0, 1)');
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});

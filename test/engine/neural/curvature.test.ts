import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { chooseStep, computeCurvature, HessianVectorProducts, lanczos, powerIteration, symmetricEigen } from '../../../src/engine/curvature';
import { createModel, initialParameters } from '../../../src/engine/neural/models';
import { fixedBatchGradients } from '../../../src/engine/neural/curvature-source';
import { NeuralEnergy, type NeuralEnergyDescription } from '../../../src/engine/neural/neural-energy';
import { Random } from '../../../src/engine/random';
import { batchLoss64, mlp64 } from './reference';

/**
 * A ReLU MLP 8-16-3 (D = 195) on Gaussian blobs, one fixed batch of 64: small enough to form its
 * Hessian column by column and diagonalise it (Jacobi, itself checked in test/engine/curvature).
 */
const description: NeuralEnergyDescription = {
  model: { kind: 'mlp', widths: [8, 16, 3] },
  data: { kind: 'synthetic', classes: 3, shape: [1, 1, 8], trainSize: 256, testSize: 32, seed: 4, spread: 1 },
  seed: 2,
  batchSize: 64,
};

test.before(async () => {
  await tf.setBackend('cpu');
});

/**
 * A point part-way to a minimum: SGD from a random start on the batches of calls 1, 2, ...; the
 * curvature is measured on the batch of call 0, as for a minimum trained elsewhere.
 */
async function trainedPoint(energy: NeuralEnergy, steps: number): Promise<Float32Array> {
  const theta = initialParameters(createModel(description.model), 11);
  for (let s = 0; s < steps; s++) {
    const g = energy.lossAndGradientAt(s + 1, [theta]).gradients[0];
    for (let i = 0; i < theta.length; i++) theta[i] -= 0.3 * g[i];
  }
  return theta;
}

test('Hessian-vector products at the default step agree with float64 second differences of the loss', async (t) => {
  const energy = new NeuralEnergy(description);
  const model = createModel(description.model);
  const theta = await trainedPoint(energy, 50);
  const batch = energy.batchOfCall(0);
  const logitsOf = (p: Float64Array, n: number) => mlp64(p, model.layout.entries, 2, Float64Array.from(batch.x.subarray(n * 8, n * 8 + 8)));
  const f = (p: Float64Array) => batchLoss64(p, logitsOf, batch.labels);
  const random = new Random(5);
  const unit = () => {
    const x = Float64Array.from({ length: energy.dimension }, () => random.normal());
    const n = Math.hypot(...x);
    return x.map((y) => y / n);
  };
  const u = unit();
  const v = unit();
  // u^T H v by a float64 mixed second difference, small enough to cross no ReLU kink.
  const a = 1e-5;
  const at = (su: number, sv: number) => f(Float64Array.from(theta, (x, i) => x + su * a * u[i] + sv * a * v[i]));
  const exact = (at(1, 1) - at(1, -1) - at(-1, 1) + at(-1, -1)) / (4 * a * a);
  const errors: Record<string, number> = {};
  for (const step of [1e-2, 1e-3, 1e-4]) {
    const hv = await new HessianVectorProducts(fixedBatchGradients(energy), theta, step).applyOne(v);
    errors[step] = Math.abs(u.reduce((s, x, i) => s + x * hv[i], 0) - exact) / Math.abs(exact);
  }
  t.diagnostic(`u^T H v = ${exact.toPrecision(6)}; relative error by step: ${Object.entries(errors).map(([s, e]) => `${s}: ${e.toExponential(1)}`).join(', ')}`);
  assert.ok(errors[1e-3] < 5e-3, `default step error ${errors[1e-3]}`);
});

for (const [label, steps] of [
  ['a random start', 0],
  ['after 300 SGD steps', 300],
] as const) {
  test(`MLP (D = 195) at ${label}: Lanczos within 2% of the dense finite-difference Hessian, top value within 5% of power iteration`, async (t) => {
    const energy = new NeuralEnergy(description);
    const theta = await trainedPoint(energy, steps);
    const source = fixedBatchGradients(energy);
    const d = energy.dimension;

    // Dense Hessian, column i = (g(θ + h e_i) - g(θ - h e_i)) / 2h, symmetrised. A step along one
    // coordinate (a hidden unit's bias moves all its pre-activations) crosses ReLU kinks at the
    // default step (columns then differ from their transposes by 60%), so the reference uses 1e-4.
    const step = await chooseStep(source, theta, new Random(7));
    const products = new HessianVectorProducts(source, theta, Math.min(step.relativeStep, 1e-4));
    const columns = await products.apply(Array.from({ length: d }, (_, i) => Float64Array.from({ length: d }, (_, j) => (i === j ? 1 : 0))));
    const dense = new Float64Array(d * d);
    for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) dense[i * d + j] = (columns[i][j] + columns[j][i]) / 2;
    const exact = symmetricEigen(dense, d).values;
    const scale = Math.max(Math.abs(exact[0]), Math.abs(exact[d - 1]));
    let asymmetry = 0;
    for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) asymmetry = Math.max(asymmetry, Math.abs(columns[i][j] - columns[j][i]));
    assert.ok(asymmetry < 1e-3 * scale, `the dense reference is symmetric to ${asymmetry / scale} of its scale`);

    const r = await lanczos(new HessianVectorProducts(source, theta, step.relativeStep), { k: 5, random: new Random(1) });
    const power = await powerIteration(new HessianVectorProducts(source, theta, step.relativeStep), new Random(2));
    t.diagnostic(
      `dense top ${exact.slice(-5).reverse().map((x) => x.toPrecision(4)).join(' ')} bottom ${exact.slice(0, 5).map((x) => x.toPrecision(4)).join(' ')} | ` +
        `lanczos (${r.iterations} it) top ${r.largest.map((x) => x.toPrecision(4)).join(' ')} bottom ${r.smallest.map((x) => x.toPrecision(4)).join(' ')} | ` +
        `power ${power.eigenvalue.toPrecision(4)} (${power.iterations} it) | step ${step.relativeStep} (non-linearity ${step.nonlinearity.toExponential(1)}), dense asymmetry ${(asymmetry / scale).toExponential(1)}`,
    );
    r.largest.forEach((v, i) => assert.ok(Math.abs(v - exact[d - 1 - i]) <= 0.02 * Math.abs(exact[d - 1 - i]), `largest[${i}] ${v} vs ${exact[d - 1 - i]}`));
    // The bottom of the spectrum sits near zero: 2% of each value, or of the spectrum's scale for values below it.
    r.smallest.forEach((v, i) => assert.ok(Math.abs(v - exact[i]) <= 0.02 * Math.max(Math.abs(exact[i]), 0.01 * scale), `smallest[${i}] ${v} vs ${exact[i]}`));
    // Power iteration finds the eigenvalue of largest magnitude; at a random start the bottom one
    // rivals the top one in size and it need not settle, so the check is made near a minimum.
    if (steps > 0) assert.ok(Math.abs(r.largest[0] - power.eigenvalue) <= 0.05 * Math.abs(power.eigenvalue), `power ${power.eigenvalue} vs ${r.largest[0]}`);

    const report = await computeCurvature(source, theta, { k: 5, traceProbes: 100, seed: 3 });
    const trace = exact.reduce((s, x) => s + x, 0);
    t.diagnostic(`trace dense ${trace.toPrecision(5)} hutchinson ${report.trace!.toPrecision(5)} +- ${report.traceStandardError!.toPrecision(2)}; negative ${report.negativeCount} (threshold ${report.threshold.toExponential(2)}), dense below -threshold: ${exact.filter((x) => x < -report.threshold).length}`);
    assert.ok(Math.abs(report.trace! - trace) <= 4 * report.traceStandardError!, 'Hutchinson within 4 standard errors');
    assert.equal(report.negativeCount, Math.min(5, exact.filter((x) => x < -report.threshold).length));
  });
}

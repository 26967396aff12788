import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeProgress } from '../../src/cli/wait';

test('CONNECT progress line: evaluations, force relative to its scale, and the stop reason', () => {
  const running = describeProgress({ kind: 'CONNECT', status: 'RUNNING', progress: { cycle: 1, cycles: 6, pivots: 5, saddleEnergy: -40.5, evaluations: 104, maxForce: 4.4, forceScale: 200 } } as never);
  assert.equal(running.text, 'cycle 1/6, 5 pivots, saddle -40.50, 104 evaluations, force 0.022 of scale');
  assert.equal(running.fraction, 1 / 6);
  // Stopped by the rule after cycle 2 of 6: done, though 4 cycles were never run.
  const done = describeProgress({ kind: 'CONNECT', status: 'SUCCEEDED', progress: { cycle: 2, cycles: 6, pivots: 6, saddleEnergy: -40.665, evaluations: 284, stopReason: 'converged' } } as never);
  assert.equal(done.text, 'cycle 2/6, 6 pivots, saddle -40.66, 284 evaluations, stopped: converged');
  assert.equal(done.fraction, 1);
});

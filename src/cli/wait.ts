// Waiting for a run: the runProgress subscription feeds the progress view; a slow poll of the run
// covers events that cannot arrive (subscribed after the run ended, a dropped connection).
import type { ApiClient } from './client';
import { CliError, EXIT } from './errors';
import { RUN, RUN_PROGRESS } from './queries';
import type { ProgressView } from './progress';
import { TERMINAL, type RunInfo } from './types';

const POLL_MS = 2000;
/** Failed polls in a row after which waiting gives up (the server is gone). */
const MAX_POLL_FAILURES = 5;

/** Fraction done (null when unknown) and a short text for a run's latest progress record. */
export function describeProgress(run: Pick<RunInfo, 'kind' | 'status' | 'progress'>): { fraction: number | null; text: string } {
  const p = (run.progress ?? {}) as Record<string, number | string | Record<string, unknown> | undefined>;
  const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
  const fmt = (v: unknown, digits = 4) => (num(v) === undefined ? '?' : num(v)!.toPrecision(digits));
  if (run.status === 'QUEUED') return { fraction: 0, text: 'queued' };
  switch (run.kind) {
    case 'TRAIN': {
      const minimum = num(p.minimum) ?? 1;
      const minima = num(p.minima) ?? 1;
      const step = num(p.step);
      const steps = num(p.steps);
      if (step !== undefined && steps) {
        return { fraction: (minimum - 1 + step / steps) / minima, text: `minimum ${minimum}/${minima} (seed ${p.seed}) step ${step}/${steps} loss ${fmt(p.loss)}` };
      }
      const testError = num(p.testError) === undefined ? '' : `, test error ${fmt(p.testError, 3)}`;
      if (num(p.trainLoss) !== undefined) return { fraction: minimum / minima, text: `minimum ${minimum}/${minima} trained: train loss ${fmt(p.trainLoss)}${testError}` };
      return { fraction: null, text: 'training' };
    }
    case 'CONNECT': {
      const cycle = num(p.cycle);
      const cycles = num(p.cycles);
      if (cycle === undefined || !cycles) return { fraction: null, text: 'connecting' };
      // The stopping rule may end the run before its last cycle: say so, and what it cost.
      const evaluations = num(p.evaluations) === undefined ? '' : `, ${num(p.evaluations)} evaluations`;
      const force = num(p.maxForce) !== undefined && num(p.forceScale) ? `, force ${fmt(num(p.maxForce)! / num(p.forceScale)!, 2)} of scale` : '';
      const stopped = typeof p.stopReason === 'string' ? `, stopped: ${p.stopReason}` : '';
      return { fraction: p.stopReason ? 1 : cycle / cycles, text: `cycle ${cycle}/${cycles}, ${p.pivots} pivots, saddle ${fmt(p.saddleEnergy)}${evaluations}${force}${stopped}` };
    }
    case 'EXPLORE': {
      const last = p.last as Record<string, unknown> | undefined;
      const what = last ? ` (last: ${last.kind}${last.outcome ? ` ${last.outcome}` : ''}${last.reason ? `, ${last.reason}` : ''})` : '';
      return { fraction: null, text: p.stopReason ? `stopped: ${p.stopReason}` : `${num(p.decisions) ?? 0} decisions${what}` };
    }
    case 'EVALUATE': {
      const saddle = p.saddle as Record<string, number> | undefined;
      if (saddle) return { fraction: 1, text: `saddle at t=${fmt(saddle.t, 3)}: train loss ${fmt(saddle.trainLoss)}` };
      if (num(p.trainLoss) !== undefined) return { fraction: 1, text: `train loss ${fmt(p.trainLoss)}` };
      return { fraction: null, text: 'evaluating on the full data sets' };
    }
    case 'CURVATURE': {
      if (p.stage === 'done') return { fraction: 1, text: `index ${p.negativeCount}, ${p.evaluations} gradient evaluations` };
      if (p.stage === 'trace') return { fraction: null, text: `trace: ${p.traceProbes} probes, ${p.evaluations} gradient evaluations` };
      return { fraction: null, text: p.stage ? `${p.stage} done, ${p.evaluations} gradient evaluations` : 'Lanczos' };
    }
    default:
      return { fraction: null, text: String(run.status).toLowerCase() };
  }
}

/** Resolves with the run once it is SUCCEEDED, FAILED or CANCELLED. */
export async function waitForRun(client: ApiClient, runId: string, view: ProgressView): Promise<RunInfo> {
  return new Promise<RunInfo>((resolve, reject) => {
    let done = false;
    let timer: NodeJS.Timeout | undefined;
    let unsubscribe: () => void = () => undefined;
    // Progress records travel in events; the stored run may lag behind them (training writes
    // its progress only with each minimum), so a poll shows only when events are quiet.
    let lastEvent = 0;
    let failures = 0;
    const finish = (run: RunInfo | null, err?: Error) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      unsubscribe();
      if (err) reject(err);
      else resolve(run!);
    };
    const show = (run: Pick<RunInfo, 'kind' | 'status' | 'progress'>) => {
      const { fraction, text } = describeProgress(run);
      view.update(fraction, `${run.status.toLowerCase()}: ${text}`);
    };
    const poll = async () => {
      if (done) return;
      try {
        const { run } = await client.request(RUN, { id: runId });
        if (done) return;
        if (TERMINAL.includes(run.status)) {
          show(run);
          return finish(run);
        }
        if (Date.now() - lastEvent > 3 * POLL_MS) show(run);
        failures = 0;
      } catch (err) {
        if (!(err instanceof CliError && err.exitCode === EXIT.UNREACHABLE) || ++failures >= MAX_POLL_FAILURES) return finish(null, err as Error);
      }
      timer = setTimeout(() => void poll(), POLL_MS);
    };
    unsubscribe = client.subscribe(
      RUN_PROGRESS,
      { runId },
      ({ runProgress }) => {
        lastEvent = Date.now();
        show(runProgress);
        // Re-read the whole run (result, timestamps) at the end.
        if (TERMINAL.includes(runProgress.status)) {
          clearTimeout(timer);
          void poll();
        }
      },
      () => undefined, // the poll carries on without the subscription
    );
    void poll();
  });
}

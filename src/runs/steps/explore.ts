// EXPLORE runs: the paper's algorithm 3 (src/engine/landscape/explore) deciding which pairs to
// connect; each connection is a CONNECT run of its own (a child of this run), computed by the
// compute workers. This step only decides and waits, on the coordination queue.
import { setTimeout as sleep } from 'node:timers/promises';
import { explore, type ExploreDecision, type PathRecord, type PathResult } from '../../engine';
import { Minimum, Path, Run } from '../../store/entities';
import { MinimumStatus, PathMethod, PathStatus, RunStatus } from '../../store/enums';
import { connectMinima } from '../service';
import { runConfig, type ExploreRunConfig } from '../configs';
import { RunKind } from '../../store/enums';
import type { StepContext, StepOutcome } from './context';


/** How often a waiting exploration looks at the runs it started. */
const WAIT_POLL_MS = 300;

export async function exploreStep(ctx: StepContext): Promise<StepOutcome> {
  const { em, run } = ctx;
  const config = runConfig(run, RunKind.EXPLORE);
  const landscapeId = run.landscape.id;
  // Aligned copies compute the same functions as their originals: not minima of their own.
  const minima = await em.find(Minimum, { landscape: landscapeId, status: MinimumStatus.READY, alignedFrom: null }, { orderBy: { createdAt: 'asc', id: 'asc' } });
  // On a resumed step, paths this exploration started and that are still running are not
  // "known": the driver asks for them again and `connect` then waits for the running one.
  // Curves are a comparison, not part of the tree AutoNEB's exploration builds (docs/curvature.md).
  const finished = await em.find(Path, { landscape: landscapeId, method: PathMethod.AUTONEB, status: { $in: [PathStatus.COMPLETED, PathStatus.FAILED] } }, { orderBy: { createdAt: 'asc', id: 'asc' } });
  const ready = new Set(minima.map((m) => m.id));
  const decisions: ExploreDecision[] = [];
  // One runProgress event per decision, in order, each with its own count: decisions can come
  // several in one tick (a connect, then an ignored edge, then stop), so each event's progress is
  // fixed when the decision is made and the store-and-publish steps are chained, not raced.
  let reporting: Promise<void> = Promise.resolve();
  const report = (progress: Record<string, unknown>) => {
    reporting = reporting.then(async () => {
      run.progress = progress;
      await em.flush();
      await ctx.events.runProgress(run);
    });
  };
  const result = await explore({
    minima: minima.map((m) => ({ id: m.id, trainLoss: m.trainLoss, testLoss: m.testLoss, trainError: m.trainError, testError: m.testError })),
    // Only paths between minima the driver knows (as src/store/analysis.ts does): it rejects others.
    knownPaths: finished.filter((p) => ready.has(p.minimumA.id) && ready.has(p.minimumB.id)).map(pathRecord),
    maxPairs: config.maxPairs ?? undefined,
    parallel: config.parallel,
    tolerance: config.tolerance ?? undefined,
    signal: ctx.signal,
    connect: (a, b) => connectAndWait(ctx, config, a, b),
    onDecision: (decision) => {
      decisions.push(decision);
      // pairsTried / maxPairs: the part a client can show as a fraction (connections finished).
      const pairsTried = decisions.filter((d) => d.kind === 'connect').length;
      report({ decisions: decisions.length, pairsTried, maxPairs: config.maxPairs, last: describe(decision) });
    },
  });
  // A failed progress write fails the step here (and is retried if transient), never unhandled.
  await reporting;
  ctx.signal.throwIfAborted();
  run.result = {
    stopReason: result.stopReason,
    pairsTried: result.pairsTried,
    treeEdges: result.tree.edges.map((e) => ({ pathId: e.pathId, a: e.a, b: e.b, weight: e.weight })),
    decisions: decisions.map(describe),
  };
  run.progress = { decisions: decisions.length, pairsTried: result.pairsTried, maxPairs: config.maxPairs, stopReason: result.stopReason };
  await em.flush();
  return { next: null };
}

/**
 * A finished path as the driver sees it. A FAILED path is finished without a saddle: its pair is
 * known (not tried again) but joins nothing. Marked unfinished it would count as a connection and
 * the driver would never join its minima's components by another pair.
 */
function pathRecord(path: Path): PathRecord {
  return {
    id: path.id,
    a: path.minimumA.id,
    b: path.minimumB.id,
    finished: true,
    saddle: path.status === PathStatus.COMPLETED ? measurements(path) : null,
  };
}

function measurements(path: Path) {
  return { trainLoss: path.saddleTrainLoss, testLoss: path.saddleTestLoss, trainError: path.saddleTrainError, testError: path.saddleTestError };
}

/** Starts a CONNECT run for the pair (or finds the one a previous try started) and waits for it. */
async function connectAndWait(ctx: StepContext, config: ExploreRunConfig, a: string, b: string): Promise<PathResult> {
  const em = ctx.em.fork();
  const running = await em.findOne(Path, {
    run: { parent: ctx.run.id, status: { $in: [RunStatus.QUEUED, RunStatus.RUNNING] } },
    $or: [{ minimumA: a, minimumB: b }, { minimumA: b, minimumB: a }],
  });
  const child =
    running?.run ??
    (await connectMinima({ em, queue: ctx.queue, events: ctx.events }, a, b, { preset: config.preset as never, cycles: config.cycles }, ctx.run, config.align));
  for (;;) {
    const status = await em.fork().findOneOrFail(Run, child.id, { fields: ['status', 'errorMessage'] });
    if (status.status === RunStatus.SUCCEEDED) break;
    if (status.status === RunStatus.FAILED || status.status === RunStatus.CANCELLED) {
      throw new Error(`connecting ${a} and ${b} ${status.status.toLowerCase()}${status.errorMessage ? `: ${status.errorMessage}` : ''}`);
    }
    if (ctx.signal.aborted) throw ctx.signal.reason;
    await sleep(WAIT_POLL_MS);
  }
  const path = await em.fork().findOneOrFail(Path, { run: child.id });
  return { id: path.id, saddle: measurements(path), linearBarrier: { trainLoss: path.linearBarrier } };
}

function describe(decision: ExploreDecision): Record<string, unknown> {
  switch (decision.kind) {
    case 'connect':
      return { step: decision.step, kind: decision.kind, reason: decision.reason, a: decision.a, b: decision.b, outcome: decision.outcome, weight: decision.weight, pathId: decision.path?.id ?? null, replaces: decision.replaces?.pathId ?? null, error: decision.error ?? null };
    case 'edge-ignored':
      return { step: decision.step, kind: decision.kind, pathId: decision.edge.pathId };
    case 'stop':
      return { step: decision.step, kind: decision.kind, reason: decision.reason };
  }
}

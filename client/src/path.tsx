// One path: the energy along it (dense profile, pivots, saddle, linear interpolation), the
// profile of every cycle overlaid and growing live over graphql-ws, the cycle table, downloads,
// and for analytic 2-D surfaces the surface with the path moving on it cycle by cycle.
import { useMutation, useQuery, useSubscription } from '@urql/preact';
import { useEffect, useMemo } from 'preact/hooks';
import { authenticatedUrl } from './api';
import { duration, num, pct, shortId, when } from './format';
import { PlotFigure } from './plot';
import {
  CANCEL_RUN, PATH, PATH_CYCLES, PATH_EXTRAS, SURFACE_GRID,
  type Cycle, type CycleEvent, type LinearConnectivity, type PathCyclesData, type PathData, type PathDetail, type PathExtrasData, type ProfilePoint, type SurfaceGridData,
} from './queries';
import { href } from './router';
import { SurfaceContour } from './surface';
import { SaddleCurvature } from './curvature';
import { Badge, Empty, ErrorBox, Loading, ProgressBar, Section, describeError, isActive } from './ui';

/** A cycle as stored (query) or as announced live (subscription, the same record). */
interface CycleView extends Cycle {
  live: boolean;
}

function merge(stored: Cycle[], events: CycleEvent[]): CycleView[] {
  const byIndex = new Map<number, CycleView>();
  for (const c of stored) byIndex.set(c.index, { ...c, live: false });
  for (const e of events) byIndex.set(e.cycle.index, { ...e.cycle, live: true });
  return [...byIndex.values()].sort((a, b) => a.index - b.index);
}

/** How a path was found, in words (fitted curves are not part of the spanning tree). */
const METHOD_LABELS: Record<string, string> = {
  AUTONEB: 'AutoNEB',
  BEZIER: 'Bezier curve (trained bend point; not in the spanning tree)',
  POLYCHAIN: 'polygonal chain (trained bend point; not in the spanning tree)',
};

export function PathView({ id }: { id: string }) {
  const [{ data, fetching, error }, refetch] = useQuery<PathData>({ query: PATH, variables: { id }, requestPolicy: 'cache-and-network' });
  const [extras, refetchExtras] = useQuery<PathExtrasData>({ query: PATH_EXTRAS, variables: { id }, requestPolicy: 'cache-and-network' });
  const [{ data: events, error: liveError }] = useSubscription<PathCyclesData, CycleEvent[]>(
    { query: PATH_CYCLES, variables: { pathId: id } },
    (prev = [], next) => [...prev.filter((e) => e.cycle.index !== next.pathCycles.cycle.index), next.pathCycles],
  );
  const liveCount = events?.length ?? 0;

  // Each cycle event also changes the path's record (status, saddle, pivots): re-read it.
  useEffect(() => {
    if (liveCount === 0) return;
    const timer = setTimeout(() => {
      refetch({ requestPolicy: 'network-only' });
      refetchExtras({ requestPolicy: 'network-only' });
    }, 250);
    return () => clearTimeout(timer);
  }, [liveCount]);

  // The run can end without a last cycle event (failure, cancel): poll slowly while it is active.
  const runActive = data?.path.run ? isActive(data.path.run.status) : false;
  useEffect(() => {
    if (!runActive) return;
    const timer = setInterval(() => refetch({ requestPolicy: 'network-only' }), 3000);
    return () => clearInterval(timer);
  }, [runActive]);

  const path = data?.path;
  const cycles = useMemo(() => merge(path?.cycles ?? [], events ?? []), [path?.cycles, events]);
  if (error && !path) return <ErrorBox error={error} what={`load path ${id}`} />;
  if (!path) return fetching ? <Loading what="the path" /> : <Empty>No path with id {id}.</Empty>;

  const latest = cycles[cycles.length - 1];
  const x = extras.data?.path;
  // The pivots after the latest cycle: the path moves on the contour map cycle by cycle.
  const coordinates = latest?.pivotCoordinates ?? null;
  const isSurface = path.landscape.architecture.kind === 'surface';

  return (
    <>
      <nav class="crumbs">
        <a href={href.landscapes()}>Landscapes</a> / <a href={href.landscape(path.landscape.id)}>{path.landscape.name}</a> / <span>path {shortId(path.id)}</span>
      </nav>
      <h1>
        Path seed {path.minimumA.seed} ↔ seed {path.minimumB.seed} <Badge status={path.status} />
      </h1>
      {error && <ErrorBox error={error} what="refresh the path" />}
      <PathFacts path={path} liveCount={liveCount} liveError={liveError ? describeError(liveError) : null} />

      <div class="two-col">
        <Section title="Energy along the path">
          {latest ? <EnergyProfile path={path} latest={latest} /> : <Empty>No cycle finished yet: the profile appears after the first cycle.</Empty>}
        </Section>
        <Section title="Profiles per cycle">
          {cycles.length ? <CycleProfiles cycles={cycles} /> : <Empty>Waiting for the first cycle…</Empty>}
        </Section>
      </div>

      {isSurface && (
        <Section title="Path on the energy surface">
          <PathOnSurface landscapeId={path.landscape.id} coordinates={coordinates} cycle={latest?.index ?? null} />
        </Section>
      )}

      <Section title={`Cycles (${cycles.length})`}>
        {cycles.length === 0 ? <Empty>No cycles yet.</Empty> : <CycleTable cycles={cycles} />}
      </Section>

      <Section title="Downloads (safetensors)">
        {extras.error && <ErrorBox error={extras.error} what="load the download links" />}
        <ul class="downloads" data-testid="downloads">
          <li>
            <a href={authenticatedUrl(x?.downloads.pivots ?? `/tensors/paths/${encodeURIComponent(id)}/pivots`)} download>
              all pivots
            </a>{' '}
            <span class="muted">(one tensor per pivot, PyTorch module names)</span>
          </li>
          <li>
            <a href={authenticatedUrl(x?.downloads.saddle ?? `/tensors/paths/${encodeURIComponent(id)}/saddle`)} download>
              saddle
            </a>
          </li>
          <li>
            <a href={authenticatedUrl(`/tensors/minima/${encodeURIComponent(path.minimumA.id)}`)} download>
              minimum A (seed {path.minimumA.seed})
            </a>
            ,{' '}
            <a href={authenticatedUrl(`/tensors/minima/${encodeURIComponent(path.minimumB.id)}`)} download>
              minimum B (seed {path.minimumB.seed})
            </a>
          </li>
        </ul>
      </Section>
    </>
  );
}

function PathFacts({ path, liveCount, liveError }: { path: PathDetail; liveCount: number; liveError: string | null }) {
  const [cancelState, cancel] = useMutation(CANCEL_RUN);
  const run = path.run;
  return (
    <div class="card facts-grid">
      <dl class="stats">
        <dt>saddle</dt>
        <dd data-testid="saddle">
          {path.saddle ? `t = ${num(path.saddle.t, 3)}, train loss ${num(path.saddle.trainLoss)}, test loss ${num(path.saddle.testLoss)}, test error ${pct(path.saddle.testError)}` : '–'}
        </dd>
        <dt>curvature at the saddle</dt>
        <dd>{path.saddle ? <SaddleCurvature pathId={path.id} curvature={path.saddle.curvature ?? null} /> : '–'}</dd>
        <dt>minimum A</dt>
        <dd>
          seed {path.minimumA.seed}: train loss {num(path.minimumA.trainLoss)}, test error {pct(path.minimumA.testError)}
        </dd>
        <dt>minimum B</dt>
        <dd>
          seed {path.minimumB.seed}: train loss {num(path.minimumB.trainLoss)}, test error {pct(path.minimumB.testError)}
        </dd>
        <dt>linear-interpolation barrier</dt>
        <dd>{num(path.linearBarrier)}</dd>
        {path.alignedMinimumB && (
          <>
            <dt>after alignment</dt>
            <dd data-testid="aligned-barrier">
              {num(path.alignedLinearBarrier ?? null)} (B permuted to match A: copy {shortId(path.alignedMinimumB.id)}; the pivots end there)
            </dd>
          </>
        )}
        {path.linearConnectivity && <LinearConnectivityFacts label="straight line (full sets)" lmc={path.linearConnectivity} />}
        {path.alignedLinearConnectivity && <LinearConnectivityFacts label="aligned straight line (full sets)" lmc={path.alignedLinearConnectivity} />}
        <dt>method</dt>
        <dd data-testid="path-method">{METHOD_LABELS[path.method]}</dd>
        <dt>{path.method === 'AUTONEB' ? 'AutoNEB' : 'cost'}</dt>
        <dd data-testid="path-evaluations">
          {path.method === 'AUTONEB'
            ? `${path.evaluations.toLocaleString('en-US')} evaluations over ${path.cyclesDone} cycles${path.stopReason ? `, stopped: ${path.stopReason}` : ''}`
            : `${path.evaluations.toLocaleString('en-US')} evaluations (bend point training, dense profile)`}
        </dd>
        <dt>length, pivots</dt>
        <dd>
          {num(path.length)}, {path.pivots.length} pivots
        </dd>
      </dl>
      <div>
        {run ? (
          <>
            <div class="run-line">
              {run.kind.toLowerCase()} run <span title={run.id}>{shortId(run.id)}</span> <Badge status={run.status} /> {duration(run.startedAt, run.finishedAt)}
              {isActive(run.status) && (
                <button class="link danger" disabled={cancelState.fetching} onClick={() => cancel({ id: run.id })}>
                  cancel
                </button>
              )}
            </div>
            <ProgressBar status={run.status} progress={run.progress} />
            {run.errorMessage && <div class="failure">{run.errorMessage}</div>}
          </>
        ) : (
          <span class="muted">no run</span>
        )}
        <p class={`live ${liveCount ? 'on' : ''}`} data-testid="live">
          <span class="dot" /> live: <span data-testid="live-count">{liveCount}</span> cycle update{liveCount === 1 ? '' : 's'} received since this page opened
        </p>
        {liveError && <ErrorBox error={liveError} what="subscribe to cycle updates" />}
      </div>
    </div>
  );
}

function LinearConnectivityFacts({ label, lmc }: { label: string; lmc: LinearConnectivity }) {
  return (
    <>
      <dt>{label}</dt>
      <dd data-testid="linear-connectivity">
        error barrier {lmc.errorBarrier ? `${pct(lmc.errorBarrier.value)} at α = ${num(lmc.errorBarrier.alpha, 2)}` : '–'}, loss barrier {num(lmc.lossBarrier.value)} at α ={' '}
        {num(lmc.lossBarrier.alpha, 2)}
        {lmc.batchNorm === 'RECOMPUTED' ? ' (BatchNorm statistics recomputed)' : ''}
      </dd>
    </>
  );
}

/** Size and x axis shared by the charts of energy along the path. */
const ALONG_THE_PATH = {
  width: 520,
  height: 320,
  marginLeft: 56,
  style: { fontSize: '11px' },
  x: { label: 'position along the path t →', domain: [0, 1] as [number, number] },
};

function EnergyProfile({ path, latest }: { path: PathDetail; latest: CycleView }) {
  const pivots = latest.pivotPositions.map((t, i) => ({ t, energy: latest.pivotEnergies[i] }));
  // The highest point of the latest dense profile (the path's saddle once that cycle is stored).
  const saddle = { t: latest.saddleT, energy: latest.maxEnergy };
  const evaluated = path.evaluatedProfile ?? [];
  // Before evaluatePath only the minima's and the saddle's test losses are known: joined by a line,
  // drawn only with the saddle's (a line between the minima alone would hide the barrier).
  const test =
    evaluated.length || path.saddle?.testLoss == null
      ? []
      : [
          { t: 0, loss: path.minimumA.testLoss },
          { t: path.saddle.t, loss: path.saddle.testLoss },
          { t: 1, loss: path.minimumB.testLoss },
        ].filter((d): d is { t: number; loss: number } => d.loss != null);
  const trainName = `train loss, cycle ${latest.index}`;
  const linearName = 'linear interpolation (train)';
  const alignedName = 'linear interpolation after alignment';
  const testName = 'test loss (minima, saddle)';
  const fullTrainName = 'train loss (full train set)';
  const fullTestName = 'test loss (full test set)';
  const train = latest.denseProfile.map((p) => ({ ...p, curve: trainName }));
  const straight = [
    ...(path.linearProfile ?? []).map((p) => ({ ...p, curve: linearName })),
    ...(path.alignedLinearProfile ?? []).map((p) => ({ ...p, curve: alignedName })),
  ];
  const aligned = (path.alignedLinearProfile ?? []).length > 0;
  const testCurve = test.length > 1 ? test.map((p) => ({ t: p.t, energy: p.loss, curve: testName })) : [];
  const fullCurves = evaluated.flatMap((p) => [
    { t: p.t, energy: p.trainLoss, curve: fullTrainName },
    { t: p.t, energy: p.testLoss, curve: fullTestName },
  ]);
  const names = [trainName, linearName, ...(aligned ? [alignedName] : []), ...(evaluated.length ? [fullTrainName, fullTestName] : test.length ? [testName] : [])];
  const colours = ['#2b6cb0', '#a0aec0', ...(aligned ? ['#d69e2e'] : []), ...(evaluated.length ? ['#805ad5', '#38a169'] : test.length ? ['#38a169'] : [])];
  return (
    <PlotFigure
      testId="energy-profile"
      label="energy along the path"
      deps={[latest, path.linearProfile, path.alignedLinearProfile, path.evaluatedProfile, path.saddle]}
      make={(Plot) =>
        Plot.plot({
          ...ALONG_THE_PATH,
          y: { label: '↑ loss', grid: true, nice: true },
          color: { legend: true, domain: names, range: colours },
          marks: [
            Plot.line(straight, { x: 't', y: 'energy', z: 'curve', stroke: 'curve', strokeWidth: 1.5, strokeDasharray: '5,4' }),
            Plot.line(testCurve, { x: 't', y: 'energy', stroke: 'curve', strokeWidth: 1.5, strokeDasharray: '2,3' }),
            Plot.line(fullCurves, { x: 't', y: 'energy', z: 'curve', stroke: 'curve', strokeWidth: 1.5 }),
            Plot.line(train, { x: 't', y: 'energy', stroke: 'curve', strokeWidth: 2 }),
            Plot.dot(pivots, { x: 't', y: 'energy', r: 3.5, fill: '#2b6cb0', stroke: 'white', title: (d: ProfilePoint) => `pivot at t = ${num(d.t, 3)}: ${num(d.energy)}` }),
            Plot.dot(testCurve, { x: 't', y: 'energy', r: 2.5, fill: 'curve' }),
            Plot.ruleX([saddle], { x: 't', stroke: '#e05a2b', strokeDasharray: '3,3' }),
            Plot.dot([saddle], { x: 't', y: 'energy', r: 6, symbol: 'triangle', fill: '#e05a2b', stroke: 'white' }),
            Plot.text([saddle], { x: 't', y: 'energy', text: (d: ProfilePoint) => `saddle ${num(d.energy, 3)}`, dy: -12, fill: '#c53030', fontWeight: 'bold' }),
          ],
        })
      }
    />
  );
}

function CycleProfiles({ cycles }: { cycles: CycleView[] }) {
  const points = cycles.flatMap((c) => c.denseProfile.map((p) => ({ ...p, cycle: c.index })));
  const last = cycles[cycles.length - 1].index;
  return (
    <PlotFigure
      testId="cycle-profiles"
      label="dense energy profile of every cycle"
      deps={[cycles]}
      make={(Plot) =>
        Plot.plot({
          ...ALONG_THE_PATH,
          y: { label: '↑ train loss', grid: true, nice: true },
          color: { type: 'linear', scheme: 'viridis', domain: [1, Math.max(2, last)], legend: true, label: 'cycle', ticks: Math.min(Math.max(1, last - 1), 8), tickFormat: 'd' },
          marks: [Plot.line(points, { x: 't', y: 'energy', z: 'cycle', stroke: 'cycle', strokeWidth: 1.4, strokeOpacity: 0.9 })],
        })
      }
    />
  );
}

function CycleTable({ cycles }: { cycles: CycleView[] }) {
  return (
    <table class="data" data-testid="cycle-table">
      <thead>
        <tr>
          <th class="num">Cycle</th>
          <th class="num">Steps</th>
          <th class="num">Evaluations</th>
          <th class="num" title="largest NEB force / the run's force scale (the stopping rule's measure)">Force</th>
          <th class="num">Learning rate</th>
          <th class="num">Pivots</th>
          <th class="num">Max pivot energy</th>
          <th class="num">Max dense energy</th>
          <th>Finished</th>
        </tr>
      </thead>
      <tbody>
        {cycles.map((c) => (
          <tr key={c.index} data-testid="cycle-row" class={c.live ? 'live-row' : ''}>
            <td class="num">{c.index}</td>
            <td class="num" title={c.stepsTaken !== null && c.stepsTaken < c.steps ? `stopped by the rule after ${c.stepsTaken} of ${c.steps}` : undefined}>
              {(c.stepsTaken ?? c.steps).toLocaleString('en-US')}
              {c.converged ? ' ✓' : ''}
            </td>
            <td class="num" data-testid="cycle-evaluations">{c.evaluations.toLocaleString('en-US')}</td>
            <td class="num">{c.maxForce !== null && c.forceScale ? num(c.maxForce / c.forceScale, 2) : '–'}</td>
            <td class="num">{num(c.learningRate)}</td>
            <td class="num">{c.pivotEnergies.length}</td>
            <td class="num">{num(Math.max(...c.pivotEnergies))}</td>
            <td class="num">{num(c.maxEnergy)}</td>
            <td>
              {when(c.createdAt)}
              {c.live ? ' (live)' : ''}
              {c.stopReason ? ` – run ${c.stopReason}` : ''}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function PathOnSurface({ landscapeId, coordinates, cycle }: { landscapeId: string; coordinates: number[][] | null; cycle: number | null }) {
  const [{ data, error, fetching }] = useQuery<SurfaceGridData>({ query: SURFACE_GRID, variables: { id: landscapeId } });
  if (error) return <ErrorBox error={error} what="load the surface grid" />;
  if (!data) return fetching ? <Loading what="the surface" /> : null;
  if (!data.landscape.surfaceGrid) return <Empty>This landscape has no surface grid.</Empty>;
  return (
    <>
      <SurfaceContour grid={data.landscape.surfaceGrid} path={coordinates} testId="path-surface" />
      <p class="muted">{coordinates ? `Pivots after cycle ${cycle ?? '–'} (red), minima (stars).` : 'Pivot coordinates appear after the first cycle.'}</p>
    </>
  );
}

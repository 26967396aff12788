// One landscape: its minima and paths, the Table 1 summary, the spanning tree as a graph, the
// disconnectivity tree, and the actions that start work (train minima, connect a pair, explore).
import { useMutation, useQuery, useSubscription } from '@urql/preact';
import { useEffect, useState } from 'preact/hooks';
import { authenticatedUrl } from './api';
import { TreeGraph } from './graph';
import { describeArchitecture } from './landscapes';
import { int, num, pct, shortId, when } from './format';
import { PlotFigure } from './plot';
import {
  ALIGN_MINIMUM, CONNECT_MINIMA, EXPLORE, LANDSCAPE, LANDSCAPE_ANALYSIS, LANDSCAPE_EVENTS, SURFACE_GRID, TRAIN_MINIMA,
  type LandscapeAnalysisData, type LandscapeData, type LandscapeDetail, type Means, type Minimum, type Run, type SaddleWeight, type Summary, type SurfaceGridData,
} from './queries';
import { href, navigate } from './router';
import { SurfaceContour } from './surface';
import { Badge, Empty, ErrorBox, Loading, ProgressBar, Section, describeError, isActive } from './ui';

const POLL_MS = 1500;

/** The minimum quantity a saddle weight compares with. */
const QUANTITY: Record<SaddleWeight, 'trainLoss' | 'testLoss' | 'testError'> = { TRAIN_LOSS: 'trainLoss', TEST_LOSS: 'testLoss', TEST_ERROR: 'testError' };

function anythingActive(l: LandscapeDetail): boolean {
  return (
    l.runs.edges.some((e) => isActive(e.node.status)) ||
    l.minima.edges.some((e) => e.node.status === 'TRAINING') ||
    l.paths.edges.some((e) => e.node.status === 'RUNNING' || e.node.status === 'PENDING')
  );
}

export function LandscapeView({ id }: { id: string }) {
  const [{ data, fetching, error }, refetch] = useQuery<LandscapeData>({ query: LANDSCAPE, variables: { id }, requestPolicy: 'cache-and-network' });
  const [weight, setWeight] = useState<SaddleWeight>('TRAIN_LOSS');
  const [analysis, refetchAnalysis] = useQuery<LandscapeAnalysisData>({ query: LANDSCAPE_ANALYSIS, variables: { id, weight }, requestPolicy: 'cache-and-network' });
  const landscape = data?.landscape;
  const active = landscape ? anythingActive(landscape) : false;
  const refresh = () => {
    refetch({ requestPolicy: 'network-only' });
    refetchAnalysis({ requestPolicy: 'network-only' });
  };

  // While work goes on, re-read the landscape (new minima, paths, run states) every POLL_MS.
  useEffect(() => {
    if (!active) return;
    const timer = setInterval(refresh, POLL_MS);
    return () => clearInterval(timer);
  }, [active, id, weight]);
  // Any event about this landscape (e.g. deleted elsewhere) triggers a re-read.
  useSubscription({ query: LANDSCAPE_EVENTS, variables: { landscapeId: id } }, () => {
    refresh();
    return null;
  });

  const [selected, setSelected] = useState<string[]>([]);
  const toggle = (minimumId: string) =>
    setSelected((s) => (s.includes(minimumId) ? s.filter((x) => x !== minimumId) : [...s.slice(-1), minimumId]));

  if (error && !landscape) return <ErrorBox error={error} what={`load landscape ${id}`} />;
  if (!landscape) return fetching ? <Loading what="the landscape" /> : <Empty>No landscape with id {id}.</Empty>;

  const minima = landscape.minima.edges.map((e) => e.node);
  const paths = landscape.paths.edges.map((e) => e.node);
  const runs = landscape.runs.edges.map((e) => e.node).reverse();
  const isSurface = landscape.architecture.kind === 'surface';
  const a = analysis.data?.landscape;

  return (
    <>
      <nav class="crumbs">
        <a href={href.landscapes()}>Landscapes</a> / <span>{landscape.name}</span>
      </nav>
      <h1 data-testid="landscape-name">{landscape.name}</h1>
      <p class="facts">
        <span>{describeArchitecture(landscape.architecture)}</span>
        {landscape.dataset && (
          <span>
            data set {landscape.dataset.name}
            {landscape.dataset.trainSize ? ` (${int(landscape.dataset.trainSize)} train / ${int(landscape.dataset.testSize)} test)` : ''}
          </span>
        )}
        <span>AutoNEB preset {landscape.autonebPreset}</span>
        {a?.dimension != null && <span>dimension {int(a.dimension)}</span>}
        <span>
          minima: SGD {int(landscape.training.steps)} steps, batch {landscape.training.batchSize}, lr {num(landscape.training.learningRate)}, momentum{' '}
          {num(landscape.training.momentum)}, weight decay {num(landscape.training.weightDecay)}
        </span>
        <span>created {when(landscape.createdAt)}</span>
      </p>
      {error && <ErrorBox error={error} what="refresh the landscape" />}

      <Actions landscapeId={id} selected={selected} minima={minima} onStarted={refresh} />

      <Section title={`Minima (${landscape.minima.totalCount})`}>
        <MinimaTable minima={minima} selected={selected} onToggle={toggle} />
      </Section>

      <Section title={`Paths (${landscape.paths.totalCount})`}>
        {paths.length === 0 ? (
          <Empty>No paths yet. Select two minima and connect them, or explore the landscape.</Empty>
        ) : (
          <table class="data" data-testid="paths-table">
            <thead>
              <tr>
                <th>Path</th>
                <th>Minima</th>
                <th>Status</th>
                <th class="num">Cycles</th>
                <th class="num">Saddle t</th>
                <th class="num">Saddle train loss</th>
                <th class="num">Saddle test loss</th>
                <th class="num">Saddle test error</th>
                <th class="num">Linear barrier</th>
                <th class="num">Length</th>
              </tr>
            </thead>
            <tbody>
              {paths.map((p) => (
                <tr key={p.id}>
                  <td>
                    <a href={href.path(p.id)} title={p.id} data-testid="path-link">
                      {shortId(p.id)}
                    </a>
                  </td>
                  <td>
                    seed {p.minimumA.seed} ↔ seed {p.minimumB.seed}
                    {p.method !== 'AUTONEB' && <span class="muted" data-testid="path-method"> ({p.method === 'BEZIER' ? 'Bezier curve' : 'polygonal chain'})</span>}
                  </td>
                  <td>
                    <Badge status={p.status} />
                  </td>
                  <td class="num">{p.cyclesDone}</td>
                  <td class="num">{num(p.saddle?.t, 3)}</td>
                  <td class="num">{num(p.saddle?.trainLoss)}</td>
                  <td class="num">{num(p.saddle?.testLoss)}</td>
                  <td class="num">{pct(p.saddle?.testError)}</td>
                  <td class="num">{num(p.linearBarrier)}</td>
                  <td class="num">{num(p.length)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Section>

      <Section
        title="Analysis"
        id="analysis"
        actions={
          <label class="inline">
            saddle weight{' '}
            <select value={weight} onChange={(e) => setWeight((e.target as HTMLSelectElement).value as SaddleWeight)} data-testid="weight">
              <option value="TRAIN_LOSS">train loss</option>
              <option value="TEST_LOSS">test loss</option>
              <option value="TEST_ERROR">test error</option>
            </select>
          </label>
        }
      >
        {analysis.error && <ErrorBox error={analysis.error} what="compute the analysis (summary, spanning tree, disconnectivity)" />}
        {!a && analysis.fetching && <Loading what="the analysis" />}
        {a && (
          <>
            <h3>Summary (Table 1)</h3>
            <SummaryTable summary={a.summary} />
            <div class="two-col">
              <div>
                <h3>Minimum spanning tree</h3>
                {minima.length === 0 ? (
                  <Empty>No minima yet.</Empty>
                ) : (
                  <TreeGraph
                    minima={minima}
                    edges={a.spanningTree.edges}
                    offTree={a.spanningTree.offTree}
                    energyOf={(m) => m[QUANTITY[weight]]}
                    selected={selected}
                    onToggle={toggle}
                    onOpenPath={(pathId) => navigate(href.path(pathId))}
                  />
                )}
                {a.spanningTree.components.length > 1 && (
                  <p class="muted">{a.spanningTree.components.length} components: some minima are not yet connected by any finished path.</p>
                )}
              </div>
              <div>
                <h3>Disconnectivity tree</h3>
                {a.disconnectivity.linkage.length === 0 ? (
                  <Empty>No merges yet: the tree needs finished paths.</Empty>
                ) : (
                  <Dendrogram leaves={a.disconnectivity.leaves} linkage={a.disconnectivity.linkage} minima={minima} quantity={QUANTITY[weight]} />
                )}
              </div>
            </div>
          </>
        )}
        {isSurface && <LandscapeSurface id={id} />}
      </Section>

      <Section title="Runs of this landscape" actions={<a href={href.runs()}>all runs →</a>}>
        {runs.length === 0 ? <Empty>No runs yet.</Empty> : <RunList runs={runs} />}
      </Section>
    </>
  );
}

function Actions({ landscapeId, selected, minima, onStarted }: { landscapeId: string; selected: string[]; minima: Minimum[]; onStarted: () => void }) {
  const [count, setCount] = useState('4');
  const [maxPairs, setMaxPairs] = useState('');
  const [train, trainMinima] = useMutation<{ trainMinima: Run }>(TRAIN_MINIMA);
  const [connect, connectMinima] = useMutation<{ connectMinima: Run }>(CONNECT_MINIMA);
  const [explore, exploreLandscape] = useMutation<{ exploreLandscape: Run }>(EXPLORE);
  const [alignment, alignMinimum] = useMutation<{ alignMinimum: Run }>(ALIGN_MINIMUM);
  const [align, setAlign] = useState(false);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const busy = train.fetching || connect.fetching || explore.fetching || alignment.fetching;

  const started = (what: string, res: { error?: import('@urql/core').CombinedError; data?: Record<string, Run> }) => {
    if (res.error) setMessage({ ok: false, text: `Could not ${what}: ${describeError(res.error)}` });
    else {
      const run = res.data && Object.values(res.data)[0];
      setMessage({ ok: true, text: `Started ${run?.kind.toLowerCase() ?? ''} run ${run ? shortId(run.id) : ''} (${run?.status.toLowerCase() ?? ''}).` });
      onStarted();
    }
  };
  const seeds = selected.map((id) => minima.find((m) => m.id === id)?.seed);

  return (
    <div class="toolbar card" data-testid="actions">
      <form
        class="inline"
        onSubmit={async (e) => {
          e.preventDefault();
          started('train minima', await trainMinima({ landscapeId, count: Number(count) }));
        }}
      >
        <label class="inline">
          minima to train <input type="number" min={1} max={100} value={count} onInput={(e) => setCount((e.target as HTMLInputElement).value)} class="narrow" data-testid="train-count" />
        </label>
        <button type="submit" disabled={busy} data-testid="train">
          Train minima
        </button>
      </form>
      <span class="sep" />
      <button
        disabled={busy || selected.length !== 2}
        title={selected.length === 2 ? '' : 'Select two minima (table checkboxes or graph nodes)'}
        data-testid="connect"
        onClick={async () => started('connect the minima', await connectMinima({ a: selected[0], b: selected[1], align }))}
      >
        Connect {selected.length === 2 ? `seed ${seeds[0]} ↔ seed ${seeds[1]}` : 'selected pair'}
      </button>
      <label class="inline" title="Permute the second minimum's hidden units to match the first (weight matching) before connecting">
        <input type="checkbox" checked={align} onChange={() => setAlign(!align)} data-testid="connect-align" /> align first
      </label>
      <button
        disabled={busy || selected.length !== 2}
        title={selected.length === 2 ? 'Store a copy of the second minimum with its hidden units permuted to match the first' : 'Select two minima (table checkboxes or graph nodes)'}
        data-testid="align"
        onClick={async () => started('align the minima', await alignMinimum({ minimumId: selected[1], referenceId: selected[0] }))}
      >
        Align {selected.length === 2 ? `seed ${seeds[1]} → seed ${seeds[0]}` : 'selected pair'}
      </button>
      <span class="sep" />
      <form
        class="inline"
        onSubmit={async (e) => {
          e.preventDefault();
          started('explore the landscape', await exploreLandscape({ landscapeId, maxPairs: maxPairs ? Number(maxPairs) : null }));
        }}
      >
        <label class="inline">
          max pairs <input type="number" min={1} value={maxPairs} placeholder="all" onInput={(e) => setMaxPairs((e.target as HTMLInputElement).value)} class="narrow" data-testid="max-pairs" />
        </label>
        <button type="submit" disabled={busy} data-testid="explore">
          Explore
        </button>
      </form>
      {message && (
        <span class={message.ok ? 'note ok' : 'note bad'} role="status" data-testid="action-message">
          {message.text} {message.ok && <a href={href.runs()}>runs →</a>}
        </span>
      )}
    </div>
  );
}

function MinimaTable({ minima, selected, onToggle }: { minima: Minimum[]; selected: string[]; onToggle: (id: string) => void }) {
  if (minima.length === 0) return <Empty>No minima yet. Train some with the button above.</Empty>;
  return (
    <table class="data" data-testid="minima-table">
      <thead>
        <tr>
          <th title="select two to connect">pair</th>
          <th>Minimum</th>
          <th class="num">Seed</th>
          <th>Status</th>
          <th class="num">Train loss</th>
          <th class="num">Test loss</th>
          <th class="num">Train error</th>
          <th class="num">Test error</th>
          <th class="num">Parameters</th>
          <th>safetensors</th>
        </tr>
      </thead>
      <tbody>
        {minima.map((m) => (
          <tr key={m.id} class={selected.includes(m.id) ? 'selected' : ''}>
            <td>
              <input type="checkbox" checked={selected.includes(m.id)} onChange={() => onToggle(m.id)} disabled={m.status !== 'READY'} aria-label={`select minimum seed ${m.seed}`} />
            </td>
            <td title={m.id}>
              {shortId(m.id)}
              {m.alignedFrom && (
                <span class="muted" data-testid="aligned-copy">
                  {' '}(copy of {shortId(m.alignedFrom.id)} aligned to {m.alignedTo ? shortId(m.alignedTo.id) : '–'})
                </span>
              )}
            </td>
            <td class="num">{m.seed}</td>
            <td>
              <Badge status={m.status} />
            </td>
            <td class="num">{num(m.trainLoss)}</td>
            <td class="num">{num(m.testLoss)}</td>
            <td class="num">{pct(m.trainError)}</td>
            <td class="num">{pct(m.testError)}</td>
            <td class="num">{int(m.parameterCount)}</td>
            <td>{m.status === 'READY' ? <a href={authenticatedUrl(`/tensors/minima/${encodeURIComponent(m.id)}`)} download>download</a> : '–'}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function MeansRow({ label, m }: { label: string; m: Means }) {
  return (
    <tr>
      <th scope="row">{label}</th>
      <td class="num">{m.count}</td>
      <td class="num">{num(m.trainLoss)}</td>
      <td class="num">{num(m.testLoss)}</td>
      <td class="num">{pct(m.trainError)}</td>
      <td class="num">{pct(m.testError)}</td>
    </tr>
  );
}

function SummaryTable({ summary: s }: { summary: Summary }) {
  return (
    <div class="summary">
      <table class="data compact" data-testid="summary-table">
        <thead>
          <tr>
            <th>Mean over</th>
            <th class="num">n</th>
            <th class="num">Train loss</th>
            <th class="num">Test loss</th>
            <th class="num">Train error</th>
            <th class="num">Test error</th>
          </tr>
        </thead>
        <tbody>
          <MeansRow label="minima" m={s.minima} />
          <MeansRow label="saddles (tree paths)" m={s.saddles} />
        </tbody>
      </table>
      <dl class="stats">
        <dt>train loss, saddle / minimum</dt>
        <dd>{s.trainLossFactor == null ? '–' : `× ${num(s.trainLossFactor, 3)}`}</dd>
        <dt>test error rise at saddles</dt>
        <dd>{s.testErrorRise == null ? '–' : `+${num(s.testErrorRise * 100, 3)} points`}</dd>
        <dt>linear-interpolation barrier, tree paths</dt>
        <dd>{num(s.linearBarrierTree)}</dd>
        <dt>linear-interpolation barrier, all paths</dt>
        <dd>{num(s.linearBarrierAll)}</dd>
      </dl>
    </div>
  );
}

interface DendroNode { x: number; y: number }

/**
 * Coordinates of a scipy-style linkage (rows [a, b, height, size]; leaves 0..n-1 = `leaves`):
 * leaves are ordered by a depth-first walk, a merge sits above the mean of its two children.
 * Drawing is Plot's; this only turns the merge list into positions.
 */
function dendrogram(leafEnergy: (number | null)[], linkage: number[][]) {
  const n = leafEnergy.length;
  const children = new Map<number, [number, number]>();
  const used = new Set<number>();
  linkage.forEach(([a, b], i) => {
    children.set(n + i, [a, b]);
    used.add(a).add(b);
  });
  const roots = [...Array(n + linkage.length).keys()].filter((k) => !used.has(k));
  const pos = new Map<number, DendroNode>();
  let nextX = 0;
  const place = (k: number): DendroNode => {
    const kids = children.get(k);
    if (!kids) {
      const p = { x: nextX++, y: leafEnergy[k] ?? NaN };
      pos.set(k, p);
      return p;
    }
    const [l, r] = kids.map(place);
    const p = { x: (l.x + r.x) / 2, y: linkage[k - n][2] };
    pos.set(k, p);
    return p;
  };
  roots.forEach(place);
  const segments: { x1: number; y1: number; x2: number; y2: number; energy: number }[] = [];
  linkage.forEach(([a, b, h]) => {
    for (const c of [a, b]) {
      const p = pos.get(c)!;
      segments.push({ x1: p.x, y1: Number.isNaN(p.y) ? h : p.y, x2: p.x, y2: h, energy: h });
    }
    segments.push({ x1: pos.get(a)!.x, y1: h, x2: pos.get(b)!.x, y2: h, energy: h });
  });
  return { pos, segments };
}

function Dendrogram({ leaves, linkage, minima, quantity }: { leaves: string[]; linkage: number[][]; minima: Minimum[]; quantity: 'trainLoss' | 'testLoss' | 'testError' }) {
  const byId = new Map(minima.map((m) => [m.id, m]));
  const energy = leaves.map((id) => byId.get(id)?.[quantity] ?? null);
  const { pos, segments } = dendrogram(energy, linkage);
  const leafMarks = leaves.map((id, k) => ({ ...pos.get(k)!, label: `seed ${byId.get(id)?.seed ?? shortId(id)}`, energy: energy[k] }));
  const label = { trainLoss: 'train loss', testLoss: 'test loss', testError: 'test error' }[quantity];
  return (
    <PlotFigure
      testId="disconnectivity"
      label="disconnectivity tree"
      deps={[leaves, linkage, quantity, minima]}
      make={(Plot) =>
        Plot.plot({
          width: 460,
          height: 340,
          marginLeft: 56,
          marginBottom: 36,
          style: { fontSize: '11px' },
          x: { axis: null, inset: 16 },
          y: { label: `↑ ${label}`, grid: true, nice: true },
          color: { type: 'linear', range: ['#2b6cb0', '#e05a2b'], label },
          marks: [
            Plot.link(segments, { x1: 'x1', y1: 'y1', x2: 'x2', y2: 'y2', stroke: 'energy', strokeWidth: 2 }),
            Plot.dot(leafMarks.filter((d) => d.energy !== null), { x: 'x', y: 'y', r: 4, fill: 'energy', stroke: 'white', title: (d: { label: string; energy: number }) => `${d.label}: ${num(d.energy)}` }),
            Plot.text(leafMarks, { x: 'x', y: 'y', text: 'label', dy: 12, fontSize: 10, fill: '#4a5568' }),
          ],
        })
      }
    />
  );
}

function LandscapeSurface({ id }: { id: string }) {
  const [{ data, error, fetching }] = useQuery<SurfaceGridData>({ query: SURFACE_GRID, variables: { id } });
  return (
    <>
      <h3>Energy surface</h3>
      {error && <ErrorBox error={error} what="load the surface grid" />}
      {fetching && !data && <Loading what="the surface" />}
      {data?.landscape.surfaceGrid && <SurfaceContour grid={data.landscape.surfaceGrid} />}
    </>
  );
}

export function RunList({ runs, showLandscape }: { runs: (Run & { landscape?: { id: string; name: string } })[]; showLandscape?: boolean }) {
  return (
    <table class="data" data-testid="runs-table">
      <thead>
        <tr>
          <th>Run</th>
          <th>Kind</th>
          {showLandscape && <th>Landscape</th>}
          <th>Status</th>
          <th class="progress-col">Progress</th>
          <th>Created</th>
        </tr>
      </thead>
      <tbody>
        {runs.map((r) => (
          <tr key={r.id}>
            <td title={r.id}>{shortId(r.id)}</td>
            <td>{r.kind.toLowerCase()}</td>
            {showLandscape && <td>{r.landscape ? <a href={href.landscape(r.landscape.id)}>{r.landscape.name}</a> : '–'}</td>}
            <td>
              <Badge status={r.status} />
            </td>
            <td>
              <ProgressBar status={r.status} progress={r.progress} />
              {r.status === 'FAILED' && r.errorMessage && <div class="failure">{r.errorMessage}</div>}
            </td>
            <td>{when(r.createdAt)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

// The curvature at a path's saddle: an "index" badge (1 = a first-order saddle: one direction of
// negative curvature, along the path) and a small plot of the spectrum's two ends on one axis.
import { useMutation } from '@urql/preact';
import { num } from './format';
import { PlotFigure } from './plot';
import { COMPUTE_CURVATURE, type Curvature } from './queries';

export function indexText(c: Curvature): string {
  if (c.negativeCount === 0) return 'index 0: a minimum';
  if (c.negativeCount === 1) return 'index 1: a first-order saddle';
  return `index ${c.negativeCount}: not a first-order saddle`;
}

export function IndexBadge({ curvature }: { curvature: Curvature }) {
  const kind = curvature.negativeCount === 1 ? 'saddle' : curvature.negativeCount === 0 ? 'minimum' : 'higher';
  return (
    <span class={`badge badge-index-${kind}`} data-testid="index-badge" title={`eigenvalues below -${curvature.threshold.toExponential(2)}: ${curvature.negativeCount}`}>
      index {curvature.negativeCount}
    </span>
  );
}

export function SpectrumPlot({ curvature }: { curvature: Curvature }) {
  const points = [
    ...curvature.smallest.map((value, i) => ({ value, end: 'smallest', rank: i + 1 })),
    ...curvature.largest.map((value, i) => ({ value, end: 'largest', rank: i + 1 })),
  ];
  return (
    <PlotFigure
      testId="spectrum"
      label="Hessian eigenvalues at the saddle"
      deps={[curvature]}
      make={(Plot) =>
        Plot.plot({
          width: 360,
          height: 80,
          marginLeft: 12,
          style: { fontSize: '10px' },
          x: { label: 'Hessian eigenvalue →' },
          y: { axis: null },
          marks: [
            Plot.ruleX([0], { stroke: '#a0aec0' }),
            Plot.ruleX([-curvature.threshold, curvature.threshold], { stroke: '#cbd5e0', strokeDasharray: '2,2' }),
            Plot.dot(points, { x: 'value', fill: (d: { value: number }) => (d.value < -curvature.threshold ? '#c53030' : '#2b6cb0'), r: 4, title: (d: { value: number; end: string; rank: number }) => `${d.end} #${d.rank}: ${num(d.value)}` }),
            ...(curvature.tangentCurvature === null ? [] : [Plot.tickX([curvature.tangentCurvature], { stroke: '#e05a2b', strokeWidth: 2 })]),
          ],
        })
      }
    />
  );
}

/** The saddle's curvature, or a button that starts a CURVATURE run. */
export function SaddleCurvature({ pathId, curvature }: { pathId: string; curvature: Curvature | null }) {
  const [state, compute] = useMutation(COMPUTE_CURVATURE);
  if (!curvature) {
    return (
      <span>
        <button class="link" disabled={state.fetching || Boolean(state.data)} onClick={() => compute({ target: { pathId }, k: 5 })}>
          {state.data ? 'computing…' : 'compute curvature'}
        </button>
        {state.error && <span class="failure"> {state.error.message}</span>}
      </span>
    );
  }
  return (
    <span data-testid="curvature">
      <IndexBadge curvature={curvature} /> {indexText(curvature)}; along the path {num(curvature.tangentCurvature)}, trace {num(curvature.trace)}, {curvature.evaluations} gradient evaluations
      <SpectrumPlot curvature={curvature} />
    </span>
  );
}

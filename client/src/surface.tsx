// An analytic 2-D surface as a filled contour map (Plot's contour mark), with its minima and,
// optionally, a path through its pivots: the paper's first figure.
import { num } from './format';
import { PlotFigure } from './plot';
import type { SurfaceGrid } from './queries';

/**
 * Energies above this level are drawn in the top colour: analytic surfaces such as Müller-Brown
 * grow by orders of magnitude towards the box edges and would flatten the basins' contours.
 */
function clipLevel(values: number[]): number {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  return sorted.length ? sorted[Math.floor(0.7 * (sorted.length - 1))] : 1;
}

export function SurfaceContour({ grid, path, testId = 'surface' }: { grid: SurfaceGrid; path?: number[][] | null; testId?: string }) {
  const { xs, ys, values } = grid;
  // values[j][i] is the energy at (xs[i], ys[j]) (row j = y, as in an image).
  const flat = values.flat();
  const top = clipLevel(flat);
  const clipped = flat.map((v) => (Number.isFinite(v) ? Math.min(v, top) : top));
  const dx = (xs[xs.length - 1] - xs[0]) / Math.max(1, xs.length - 1);
  const dy = (ys[ys.length - 1] - ys[0]) / Math.max(1, ys.length - 1);
  const pivots = (path ?? []).map(([x, y], index) => ({ x, y, index }));
  return (
    <PlotFigure
      testId={testId}
      label="energy surface with the path"
      deps={[grid, path]}
      make={(Plot) =>
        Plot.plot({
          width: 560,
          height: 440,
          marginLeft: 48,
          style: { fontSize: '11px' },
          x: { label: 'x', domain: [xs[0], xs[xs.length - 1]] },
          y: { label: 'y', domain: [ys[0], ys[ys.length - 1]] },
          color: { type: 'linear', scheme: 'ylgnbu', reverse: true, legend: true, label: `energy (clipped at ${num(top, 3)})` },
          marks: [
            Plot.contour(clipped, {
              width: xs.length,
              height: ys.length,
              // Grid values sit at cell centres for Plot: widen the extent by half a step.
              x1: xs[0] - dx / 2,
              x2: xs[xs.length - 1] + dx / 2,
              y1: ys[0] - dy / 2,
              y2: ys[ys.length - 1] + dy / 2,
              fill: Plot.identity,
              stroke: '#ffffff',
              strokeOpacity: 0.35,
              strokeWidth: 0.5,
              thresholds: 18,
            }),
            Plot.line(pivots, { x: 'x', y: 'y', stroke: '#c53030', strokeWidth: 2 }),
            Plot.dot(pivots, { x: 'x', y: 'y', r: 3, fill: '#c53030', stroke: 'white', title: (d: { index: number; x: number; y: number }) => `pivot ${d.index}: (${num(d.x)}, ${num(d.y)})` }),
            Plot.dot(grid.minima, { x: (d: number[]) => d[0], y: (d: number[]) => d[1], r: 5, symbol: 'star', fill: '#1a202c', stroke: 'white', title: () => 'minimum' }),
          ],
        })
      }
    />
  );
}

// A chart drawn by Observable Plot: `make` builds the figure from the Plot module; the element
// is replaced whenever `deps` change. Plot is imported on first use (keeps the first page small).
import { useEffect, useRef, useState } from 'preact/hooks';

type PlotModule = typeof import('@observablehq/plot');
let plotModule: Promise<PlotModule> | undefined;
export const loadPlot = () => (plotModule ??= import('@observablehq/plot'));

export function PlotFigure({ make, deps, testId, label }: { make: (Plot: PlotModule) => Element; deps: unknown[]; testId: string; label: string }) {
  const ref = useRef<HTMLDivElement>(null);
  const [failed, setFailed] = useState<string | null>(null);
  useEffect(() => {
    let cancelled = false;
    loadPlot()
      .then((Plot) => {
        if (cancelled || !ref.current) return;
        const figure = make(Plot);
        ref.current.replaceChildren(figure);
        setFailed(null);
      })
      .catch((err: Error) => !cancelled && setFailed(err.message));
    return () => {
      cancelled = true;
    };
  }, deps);
  return (
    <figure class="chart" data-testid={testId} aria-label={label}>
      {failed && <div class="state error">Could not draw the chart: {failed}</div>}
      <div ref={ref} />
    </figure>
  );
}

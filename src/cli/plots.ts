// SVG figures of a report, rendered in Node by Observable Plot on a linkedom document.
import { parseHTML } from 'linkedom';

type PlotModule = typeof import('@observablehq/plot');

// Plot is an ES module; tsc (CommonJS output) would turn `import()` into `require()`.
const importEsm = new Function('specifier', 'return import(specifier)') as (specifier: string) => Promise<PlotModule>;
let plotModule: Promise<PlotModule> | null = null;

async function plotLibrary(): Promise<{ Plot: PlotModule; document: never }> {
  plotModule ??= importEsm('@observablehq/plot');
  const { document } = parseHTML('<!doctype html><html><body></body></html>');
  // Plot's types name the DOM's Document, which this Node project has no lib for.
  return { Plot: await plotModule, document: document as never };
}

function serialize(element: unknown): string {
  let svg = (element as { outerHTML: string }).outerHTML;
  if (!svg.includes('xmlns=')) svg = svg.replace(/^<svg/, '<svg xmlns="http://www.w3.org/2000/svg"');
  return `<?xml version="1.0" encoding="UTF-8"?>\n${svg}\n`;
}

/** A title inside the SVG (Plot's own `title` option would wrap the SVG in an HTML <figure>). */
function heading(Plot: PlotModule, title: string) {
  return Plot.text([title], { frameAnchor: 'top-left', dy: -26, fontSize: 13, fontWeight: 'bold', textAnchor: 'start' });
}

function legend(Plot: PlotModule, label: string, color: string, dy: number) {
  return Plot.text([label], { frameAnchor: 'top-right', dy, fill: color, textAnchor: 'end' });
}

/** Log scale where every value is positive (losses), linear otherwise (analytic surfaces). */
function yScale(values: number[]): 'log' | 'linear' {
  return values.length > 0 && values.every((v) => v > 0) ? 'log' : 'linear';
}

export interface ProfileFigure {
  title: string;
  /** The AutoNEB path: energy against normalised arc length t. */
  path: { t: number; energy: number }[];
  /** What `path` is (full-data train loss after evaluatePath, or the mini-batch estimate). */
  pathLabel: string;
  /** The straight line between the same minima. */
  linear: { t: number; energy: number }[];
  saddle: { t: number; energy: number } | null;
}

/** Energy along a path beside the linear interpolation between its ends. */
export async function profileSvg(figure: ProfileFigure): Promise<string> {
  const { Plot, document } = await plotLibrary();
  const type = yScale([...figure.path, ...figure.linear].map((p) => p.energy));
  const svg = Plot.plot({
    document,
    width: 640,
    height: 380,
    marginRight: 20,
    marginTop: 40,
    x: { label: 'position along the path t', domain: [0, 1] },
    y: { label: 'train loss', type, grid: true },
    marks: [
      heading(Plot, figure.title),
      Plot.line(figure.linear, { x: 't', y: 'energy', stroke: '#d62728', strokeWidth: 2, strokeDasharray: '5,4' }),
      Plot.line(figure.path, { x: 't', y: 'energy', stroke: '#1f77b4', strokeWidth: 2 }),
      ...(figure.saddle ? [Plot.dot([figure.saddle], { x: 't', y: 'energy', fill: '#1f77b4', r: 4 }), Plot.text([figure.saddle], { x: 't', y: 'energy', text: () => 'saddle', dy: -10 })] : []),
      legend(Plot, `── AutoNEB path (${figure.pathLabel})`, '#1f77b4', -26),
      legend(Plot, '- - linear interpolation', '#d62728', -12),
    ],
  });
  return serialize(svg);
}

export interface TreeFigure {
  title: string;
  /** Leaf labels and energies (minima), in the order of the linkage's leaves. */
  leaves: { label: string; energy: number }[];
  /** scipy-style rows [nodeA, nodeB, height, size]; node i < n is leaf i, n + k is row k. */
  linkage: number[][];
}

/**
 * The minimum spanning tree as a disconnectivity graph: each minimum hangs at its own energy and
 * joins its neighbours at the saddle energy of the tree path that links them.
 */
export async function treeSvg(figure: TreeFigure): Promise<string> {
  const { Plot, document } = await plotLibrary();
  const n = figure.leaves.length;
  // Leaves ordered so that merged groups sit side by side.
  const order: number[] = [];
  const visit = (node: number): void => {
    if (node < n) order.push(node);
    else figure.linkage[node - n].slice(0, 2).forEach((child) => visit(child));
  };
  const roots = new Set<number>(Array.from({ length: n + figure.linkage.length }, (_, i) => i));
  figure.linkage.forEach(([a, b]) => (roots.delete(a), roots.delete(b)));
  [...roots].sort((x, y) => x - y).forEach(visit);
  const x = new Map<number, number>(order.map((leaf, i) => [leaf, i]));
  const y = new Map<number, number>(figure.leaves.map((leaf, i) => [i, leaf.energy]));
  const segments: { x1: number; y1: number; x2: number; y2: number }[] = [];
  figure.linkage.forEach(([a, b, height], k) => {
    for (const child of [a, b]) segments.push({ x1: x.get(child)!, y1: y.get(child)!, x2: x.get(child)!, y2: height });
    segments.push({ x1: x.get(a)!, y1: height, x2: x.get(b)!, y2: height });
    x.set(n + k, (x.get(a)! + x.get(b)!) / 2);
    y.set(n + k, height);
  });
  const leaves = figure.leaves.map((leaf, i) => ({ ...leaf, x: x.get(i)! }));
  const merges = figure.linkage.map(([, , height], k) => ({ x: x.get(n + k)!, energy: height }));
  const type = yScale([...leaves.map((l) => l.energy), ...merges.map((m) => m.energy)]);
  const svg = Plot.plot({
    document,
    width: Math.max(480, 60 * n + 120),
    height: 400,
    marginLeft: 60,
    marginTop: 40,
    x: { axis: null, domain: [-0.5, Math.max(0.5, n - 0.5)] },
    y: { label: 'train loss', type, grid: true },
    marks: [
      heading(Plot, figure.title),
      Plot.link(segments, { x1: 'x1', y1: 'y1', x2: 'x2', y2: 'y2', stroke: '#444', strokeWidth: 1.5 }),
      Plot.dot(leaves, { x: 'x', y: 'energy', fill: '#1f77b4', r: 4 }),
      Plot.text(leaves, { x: 'x', y: 'energy', text: 'label', dy: 12 }),
      Plot.dot(merges, { x: 'x', y: 'energy', fill: '#d62728', r: 3, symbol: 'diamond' }),
    ],
  });
  return serialize(svg);
}

export interface BarrierFigure {
  title: string;
  /** Per width: mean saddle height above the higher minimum (AutoNEB) and the straight line's. */
  rows: { width: number; autoneb: number; linear: number | null }[];
}

/** Barrier against network width, log x axis: the AutoNEB path beside the straight line. */
export async function barrierSvg(figure: BarrierFigure): Promise<string> {
  const { Plot, document } = await plotLibrary();
  const linear = figure.rows.filter((r) => r.linear !== null);
  const svg = Plot.plot({
    document,
    width: 640,
    height: 380,
    marginRight: 20,
    marginTop: 40,
    x: { label: 'hidden units h (log scale)', type: 'log', ticks: figure.rows.map((r) => r.width), tickFormat: (d: number) => String(d) },
    y: { label: 'train loss above the higher minimum', grid: true },
    marks: [
      heading(Plot, figure.title),
      Plot.ruleY([0]),
      Plot.line(linear, { x: 'width', y: 'linear', stroke: '#d62728', strokeWidth: 2, strokeDasharray: '5,4' }),
      Plot.dot(linear, { x: 'width', y: 'linear', fill: '#d62728', r: 3 }),
      Plot.line(figure.rows, { x: 'width', y: 'autoneb', stroke: '#1f77b4', strokeWidth: 2 }),
      Plot.dot(figure.rows, { x: 'width', y: 'autoneb', fill: '#1f77b4', r: 4 }),
      legend(Plot, '── AutoNEB saddle (full training set)', '#1f77b4', -26),
      legend(Plot, '- - straight line (mini-batch)', '#d62728', -12),
    ],
  });
  return serialize(svg);
}

export interface AlignmentFigure {
  title: string;
  /** Per width: mean barrier on the straight line and on the AutoNEB path, raw and aligned. */
  rows: { width: number; linearRaw: number; linearAligned: number; autonebRaw: number; autonebAligned: number }[];
}

/** Barrier against width, raw vs aligned (weight matching): straight line and AutoNEB. */
export async function alignmentSvg(figure: AlignmentFigure): Promise<string> {
  const { Plot, document } = await plotLibrary();
  const widths = figure.rows.map((r) => r.width);
  const series = [
    { key: 'linearRaw', label: '- - straight line, raw', color: '#d62728', dash: '5,4' },
    { key: 'linearAligned', label: '- - straight line, aligned', color: '#2ca02c', dash: '5,4' },
    { key: 'autonebRaw', label: '── AutoNEB, raw', color: '#1f77b4', dash: null },
    { key: 'autonebAligned', label: '── AutoNEB, aligned', color: '#9467bd', dash: null },
  ] as const;
  const svg = Plot.plot({
    document,
    width: 640,
    height: 400,
    marginRight: 20,
    marginTop: 68,
    // Padded so that a single width (the CI preset) still has a domain.
    x: { label: 'hidden units w (log scale)', type: 'log', domain: [Math.min(...widths) / 1.5, Math.max(...widths) * 1.5], ticks: widths, tickFormat: (d: number) => String(d) },
    y: { label: 'train-loss barrier above the chord (Entezari)', grid: true },
    marks: [
      heading(Plot, figure.title),
      Plot.ruleY([0]),
      ...series.flatMap((s) => [
        Plot.line(figure.rows, { x: 'width', y: s.key, stroke: s.color, strokeWidth: 2, ...(s.dash ? { strokeDasharray: s.dash } : {}) }),
        Plot.dot(figure.rows, { x: 'width', y: s.key, fill: s.color, r: 3 }),
      ]),
      ...series.map((s, i) => legend(Plot, s.label, s.color, -54 + 14 * i)),
    ],
  });
  return serialize(svg);
}

export interface MethodsFigure {
  title: string;
  /** Per pair and method: the saddle's train loss. */
  rows: { pair: string; method: string; loss: number }[];
}

const METHOD_COLORS: Record<string, string> = { AUTONEB: '#1f77b4', BEZIER: '#ff7f0e', POLYCHAIN: '#2ca02c' };

/** Saddle train loss per pair, one dot per method (issue 19's comparison). */
export async function methodsSvg(figure: MethodsFigure): Promise<string> {
  const { Plot, document } = await plotLibrary();
  const svg = Plot.plot({
    document,
    width: 640,
    height: 380,
    marginRight: 20,
    marginTop: 54,
    x: { label: 'pair of minima (seeds)', type: 'point', padding: 0.5 },
    y: { label: 'saddle train loss', grid: true, type: yScale(figure.rows.map((r) => r.loss)) },
    marks: [
      heading(Plot, figure.title),
      Plot.dot(figure.rows, { x: 'pair', y: 'loss', fill: (d: { method: string }) => METHOD_COLORS[d.method] ?? '#777', r: 5, dx: 0 }),
      legend(Plot, '● AutoNEB', METHOD_COLORS.AUTONEB, -40),
      legend(Plot, '● Bezier curve', METHOD_COLORS.BEZIER, -26),
      legend(Plot, '● polygonal chain', METHOD_COLORS.POLYCHAIN, -12),
    ],
  });
  return serialize(svg);
}

// The minimum spanning tree as a graph drawn and laid out by cytoscape: minima are nodes, tree
// paths are edges labelled with their saddle energy; nodes and edges are coloured by energy.
// Paths off the tree are drawn thin and dashed. Tapping an edge opens its path, tapping nodes
// selects a pair of minima.
import { useEffect, useRef } from 'preact/hooks';
import { num } from './format';
import type { Minimum, OffTreeEdge, TreeEdge } from './queries';

type Cytoscape = typeof import('cytoscape');
let cytoscapeModule: Promise<Cytoscape> | undefined;
const loadCytoscape = () => (cytoscapeModule ??= import('cytoscape').then((m) => (m.default ?? m) as Cytoscape));

export const LOW_COLOR = '#2b6cb0';
export const HIGH_COLOR = '#e05a2b';

export interface TreeGraphProps {
  minima: Minimum[];
  edges: TreeEdge[];
  offTree: OffTreeEdge[];
  /** Which minimum quantity colours the nodes (same unit as the edge weights). */
  energyOf: (m: Minimum) => number | null;
  selected: string[];
  onToggle: (minimumId: string) => void;
  onOpenPath: (pathId: string) => void;
}

export function TreeGraph({ minima, edges, offTree, energyOf, selected, onToggle, onOpenPath }: TreeGraphProps) {
  const ref = useRef<HTMLDivElement>(null);
  const handlers = useRef({ onToggle, onOpenPath });
  handlers.current = { onToggle, onOpenPath };
  const selectedRef = useRef(selected);
  selectedRef.current = selected;
  const cyRef = useRef<import('cytoscape').Core | null>(null);

  const energies = [...minima.map(energyOf), ...edges.map((e) => e.weight)].filter((x): x is number => x !== null && Number.isFinite(x));
  const lo = energies.length ? Math.min(...energies) : 0;
  const hi = energies.length ? Math.max(...energies) : 1;
  const top = hi > lo ? hi : lo + 1e-9;
  const key = JSON.stringify([minima.map((m) => [m.id, energyOf(m)]), edges, offTree.map((e) => e.path.id)]);

  useEffect(() => {
    let cancelled = false;
    loadCytoscape().then((cytoscape) => {
      if (cancelled || !ref.current) return;
      cyRef.current?.destroy();
      const ids = new Set(minima.map((m) => m.id));
      const ranked = minima.filter((m) => energyOf(m) !== null).sort((p, q) => energyOf(p)! - energyOf(q)!);
      const lowest = ranked[0]?.id;
      const cy = cytoscape({
        container: ref.current,
        elements: [
          ...minima.map((m) => ({
            data: { id: m.id, label: `seed ${m.seed}`, energy: energyOf(m) ?? lo },
          })),
          ...edges.filter((e) => ids.has(e.a) && ids.has(e.b)).map((e) => ({
            data: { id: `tree-${e.path.id}`, source: e.a, target: e.b, weight: e.weight, label: num(e.weight, 3), pathId: e.path.id },
            classes: 'tree',
          })),
          ...offTree.filter((e) => ids.has(e.a) && ids.has(e.b)).map((e) => ({
            data: { id: `off-${e.path.id}`, source: e.a, target: e.b, weight: e.weight, label: '', pathId: e.path.id },
            classes: 'off',
          })),
        ],
        style: [
          {
            selector: 'node',
            style: {
              'background-color': `mapData(energy, ${lo}, ${top}, ${LOW_COLOR}, ${HIGH_COLOR})`,
              label: 'data(label)',
              'font-size': 11,
              'font-family': 'system-ui, sans-serif',
              color: '#1a202c',
              'text-valign': 'bottom',
              'text-margin-y': 4,
              width: 18,
              height: 18,
              'border-width': 1,
              'border-color': '#2d3748',
            },
          },
          { selector: 'node.selected', style: { 'border-width': 4, 'border-color': '#d69e2e' } },
          {
            selector: 'edge.tree',
            style: {
              'line-color': `mapData(weight, ${lo}, ${top}, ${LOW_COLOR}, ${HIGH_COLOR})`,
              width: 3,
              label: 'data(label)',
              'font-size': 10,
              'font-family': 'system-ui, sans-serif',
              color: '#2d3748',
              'text-background-color': '#ffffff',
              'text-background-opacity': 0.85,
              'text-background-padding': '2px',
              'curve-style': 'bezier',
            },
          },
          { selector: 'edge.off', style: { 'line-color': '#a0aec0', 'line-style': 'dashed', width: 1, 'curve-style': 'bezier' } },
        ],
        // The spanning tree is a tree (forest): lay it out by levels from the lowest minimum.
        layout: { name: 'breadthfirst', roots: lowest ? [lowest] : undefined, directed: false, spacingFactor: 1.1, padding: 24, animate: false },
        wheelSensitivity: 0.3,
        // A few nodes would otherwise be zoomed up to fill the box, with huge labels.
        maxZoom: 1.4,
        minZoom: 0.2,
      });
      cy.on('tap', 'node', (ev) => handlers.current.onToggle(ev.target.id()));
      cy.on('tap', 'edge', (ev) => handlers.current.onOpenPath(ev.target.data('pathId')));
      for (const id of selectedRef.current) cy.getElementById(id).addClass('selected');
      cyRef.current = cy;
    });
    return () => {
      cancelled = true;
    };
  }, [key]);

  useEffect(() => () => cyRef.current?.destroy(), []);

  useEffect(() => {
    const cy = cyRef.current;
    if (!cy) return;
    cy.nodes().removeClass('selected');
    for (const id of selected) cy.getElementById(id).addClass('selected');
  }, [selected, key]);

  return (
    <figure class="chart" data-testid="spanning-tree">
      <div class="graph" ref={ref} />
      <figcaption class="legend">
        <span>{num(lo)}</span>
        <span class="ramp" style={{ background: `linear-gradient(to right, ${LOW_COLOR}, ${HIGH_COLOR})` }} />
        <span>{num(hi)}</span>
        <span class="muted">
          energy (nodes: minima, edges: saddles; dashed: paths off the tree). Click an edge to open its path, nodes to pick a pair.
        </span>
      </figcaption>
    </figure>
  );
}

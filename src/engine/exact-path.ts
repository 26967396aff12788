/**
 * The exact minimum-energy path of a 2-D energy, by dynamic programming on a dense grid: the
 * minimax ("bottleneck") path between two grid nodes on the 8-connected grid, found with
 * Dijkstra where a path's cost is the highest energy on it. Ground truth for AutoNEB tests and
 * the demo (the paper, section 3.1: "easy to construct ... by dynamic programming").
 *
 * Ties in the bottleneck (every path beyond the saddle shares it) are broken by the smallest
 * energy-weighted length, so the returned path follows valley floors instead of wandering.
 */
import type { Energy } from './energy';
import { NonFiniteEnergyError } from './energy';
import { InvalidInputError } from './errors';
import type { PlotBox } from './surfaces';

export interface GridPath {
  /** Highest energy on the path: the grid estimate of the saddle energy. */
  readonly saddleEnergy: number;
  /** Grid node of the saddle. */
  readonly saddle: readonly [number, number];
  /** Grid nodes from start to end. */
  readonly path: ReadonlyArray<readonly [number, number]>;
  readonly energies: readonly number[];
  /** Grid spacing in x and y. */
  readonly spacing: readonly [number, number];
}

export interface GridPathOptions {
  /** Grid nodes per axis, box edges included (default 401). */
  readonly resolution?: number;
}

/**
 * Minimax path on an nx * ny grid of values (row-major: index = iy * nx + ix) between two
 * node indices. Returns the node indices of the path and its bottleneck (highest value).
 */
export function minimaxGridPath(values: Float64Array, nx: number, ny: number, from: number, to: number): { nodes: number[]; bottleneck: number } {
  const size = nx * ny;
  if (values.length !== size) throw new InvalidInputError('values', `has ${values.length} entries, expected ${nx}*${ny}`);
  for (const [field, node] of [['from', from], ['to', to]] as const) {
    if (!Number.isInteger(node) || node < 0 || node >= size) throw new InvalidInputError(field, `node ${node} outside the grid`);
  }
  let low = Infinity;
  for (const v of values) low = Math.min(low, v);
  const key = new Float64Array(size).fill(Infinity);
  const tie = new Float64Array(size).fill(Infinity);
  const parent = new Int32Array(size).fill(-1);
  const done = new Uint8Array(size);
  const heap = new NodeHeap(key, tie);
  key[from] = values[from];
  tie[from] = 0;
  heap.push(from);
  while (heap.size > 0) {
    const u = heap.pop();
    if (done[u]) continue;
    done[u] = 1;
    if (u === to) break;
    const ux = u % nx;
    const uy = (u - ux) / nx;
    for (let dy = -1; dy <= 1; dy++) {
      for (let dx = -1; dx <= 1; dx++) {
        const vx = ux + dx;
        const vy = uy + dy;
        if ((dx === 0 && dy === 0) || vx < 0 || vy < 0 || vx >= nx || vy >= ny) continue;
        const v = vy * nx + vx;
        if (done[v]) continue;
        const k = Math.max(key[u], values[v]);
        const t = tie[u] + (values[v] - low + 1e-12) * (dx !== 0 && dy !== 0 ? Math.SQRT2 : 1);
        if (k < key[v] || (k === key[v] && t < tie[v])) {
          key[v] = k;
          tie[v] = t;
          parent[v] = u;
          heap.push(v);
        }
      }
    }
  }
  const nodes = [to];
  while (nodes[nodes.length - 1] !== from) nodes.push(parent[nodes[nodes.length - 1]]);
  nodes.reverse();
  return { nodes, bottleneck: key[to] };
}

/**
 * The exact (grid) minimum-energy path of a 2-D energy between two points in a box. The
 * endpoints snap to their nearest grid nodes; the energy is evaluated row by row with `loss`.
 */
export async function exactGridPath(
  energy: Energy,
  box: PlotBox,
  start: ArrayLike<number>,
  end: ArrayLike<number>,
  options: GridPathOptions = {},
): Promise<GridPath> {
  const n = options.resolution ?? 401;
  if (energy.dimension !== 2) throw new InvalidInputError('energy', `${energy.name} has dimension ${energy.dimension}; the grid path needs 2`);
  if (!Number.isInteger(n) || n < 3) throw new InvalidInputError('resolution', `must be an integer >= 3, got ${n}`);
  if (!(box.xmax > box.xmin && box.ymax > box.ymin)) throw new InvalidInputError('box', `empty box ${JSON.stringify(box)}`);
  const hx = (box.xmax - box.xmin) / (n - 1);
  const hy = (box.ymax - box.ymin) / (n - 1);
  const node = (p: ArrayLike<number>, field: string): number => {
    const ix = Math.round((p[0] - box.xmin) / hx);
    const iy = Math.round((p[1] - box.ymin) / hy);
    if (!(ix >= 0 && ix < n && iy >= 0 && iy < n)) throw new InvalidInputError(field, `(${p[0]}, ${p[1]}) lies outside the box`);
    return iy * n + ix;
  };
  const from = node(start, 'start');
  const to = node(end, 'end');

  const values = new Float64Array(n * n);
  for (let iy = 0; iy < n; iy++) {
    const row = Array.from({ length: n }, (_, ix) => Float32Array.of(box.xmin + ix * hx, box.ymin + iy * hy));
    const losses = await energy.loss(row);
    for (let ix = 0; ix < n; ix++) {
      if (!Number.isFinite(losses[ix])) throw new NonFiniteEnergyError('loss', iy * n + ix, `grid node (${row[ix][0]}, ${row[ix][1]})`);
      values[iy * n + ix] = losses[ix];
    }
  }

  const { nodes, bottleneck } = minimaxGridPath(values, n, n, from, to);
  const coordinates = (i: number): [number, number] => [box.xmin + (i % n) * hx, box.ymin + Math.floor(i / n) * hy];
  const saddleNode = nodes.find((i) => values[i] === bottleneck) ?? from;
  return {
    saddleEnergy: bottleneck,
    saddle: coordinates(saddleNode),
    path: nodes.map(coordinates),
    energies: nodes.map((i) => values[i]),
    spacing: [hx, hy],
  };
}

/** Binary min-heap of node indices ordered by (key, tie); stale entries are skipped by the caller. */
class NodeHeap {
  private items: number[] = [];
  private keys: number[] = [];
  private ties: number[] = [];

  constructor(
    private readonly key: Float64Array,
    private readonly tie: Float64Array,
  ) {}

  get size(): number {
    return this.items.length;
  }

  push(node: number): void {
    this.items.push(node);
    this.keys.push(this.key[node]);
    this.ties.push(this.tie[node]);
    let i = this.items.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(i, p)) break;
      this.swap(i, p);
      i = p;
    }
  }

  pop(): number {
    const top = this.items[0];
    const last = this.items.length - 1;
    this.swap(0, last);
    this.items.pop();
    this.keys.pop();
    this.ties.pop();
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < this.items.length && this.less(l, m)) m = l;
      if (r < this.items.length && this.less(r, m)) m = r;
      if (m === i) break;
      this.swap(i, m);
      i = m;
    }
    return top;
  }

  private less(a: number, b: number): boolean {
    return this.keys[a] < this.keys[b] || (this.keys[a] === this.keys[b] && this.ties[a] < this.ties[b]);
  }

  private swap(a: number, b: number): void {
    [this.items[a], this.items[b]] = [this.items[b], this.items[a]];
    [this.keys[a], this.keys[b]] = [this.keys[b], this.keys[a]];
    [this.ties[a], this.ties[b]] = [this.ties[b], this.ties[a]];
  }
}

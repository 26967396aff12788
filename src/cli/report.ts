// `neb-atlas report LANDSCAPE`: a Markdown report of a landscape with the paper's Table 1 summary,
// a table of minima and one of saddles, and SVG figures (energy profiles, the spanning tree).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ApiClient } from './client';
import { profileSvg, treeSvg } from './plots';
import { DISCONNECTIVITY, MINIMA_PAGE, PATH_CYCLES, PATHS_PAGE, REPORT_LANDSCAPE } from './queries';
import type { LandscapeInfo, MinimumInfo, Page, PathInfo, SpanningTree, Summary } from './types';

export interface ReportData {
  landscape: LandscapeInfo & { summary: Summary };
  minima: MinimumInfo[];
  paths: PathInfo[];
  tree: SpanningTree;
  disconnectivity: { leaves: string[]; linkage: number[][] };
  /** Last AutoNEB cycle's dense profile of paths not evaluated on the full data. */
  batchProfiles: Map<string, { t: number; energy: number }[]>;
}

export async function allPages<T>(fetchPage: (after: string | null) => Promise<Page<T>>): Promise<T[]> {
  const items: T[] = [];
  for (let after: string | null = null; ; ) {
    const page = await fetchPage(after);
    items.push(...page.edges.map((e) => e.node));
    if (!page.pageInfo.hasNextPage) return items;
    after = page.pageInfo.endCursor;
  }
}

export async function fetchReportData(client: ApiClient, landscapeId: string): Promise<ReportData> {
  const { landscape } = await client.request(REPORT_LANDSCAPE, { id: landscapeId });
  const minima = await allPages(async (after) => (await client.request(MINIMA_PAGE, { id: landscapeId, after })).landscape.minima);
  const paths = await allPages(async (after) => (await client.request(PATHS_PAGE, { id: landscapeId, after })).landscape.paths);
  const { landscape: trees } = await client.request(DISCONNECTIVITY, { id: landscapeId });
  const batchProfiles = new Map<string, { t: number; energy: number }[]>();
  for (const path of paths) {
    if (path.evaluatedProfile?.length || path.cyclesDone === 0) continue;
    const { path: withCycles } = await client.request(PATH_CYCLES, { id: path.id });
    const last = withCycles.cycles.at(-1);
    if (last) batchProfiles.set(path.id, last.denseProfile);
  }
  return { landscape, minima, paths, tree: trees.spanningTree, disconnectivity: trees.disconnectivity, batchProfiles };
}

const num = (v: number | null | undefined, digits = 4): string => (v === null || v === undefined || !Number.isFinite(v) ? '–' : Number(v.toPrecision(digits)).toString());
const pct = (v: number | null | undefined, digits = 2): string => (v === null || v === undefined || !Number.isFinite(v) ? '–' : (100 * v).toFixed(digits));
const short = (id: string): string => id.slice(0, 8);

export function describeArchitecture(l: LandscapeInfo): string {
  const a = l.architecture;
  switch (a.kind) {
    case 'mlp':
      return `MLP ${['in', ...(a.widths ?? []), 'out'].join('-')}`;
    case 'cnn':
      return `CNN ${(a.channels ?? [16, 32]).join('-')}`;
    case 'resnet':
      return `ResNet${a.depth}`;
    default:
      return `surface ${a.surface}`;
  }
}

/** The paper's Table 1 row (train/test loss, test error, factor, rise) with the linear barrier beside the saddles. */
export function table1Markdown(data: Pick<ReportData, 'landscape'>): string {
  const { landscape: l } = data;
  const s = l.summary;
  const dataset = l.dataset ? `${l.dataset.name}${l.dataset.trainSize ? ` (${l.dataset.trainSize} train)` : ''}` : '–';
  return [
    '| Data | Architecture | Minima | Train loss: minima | saddles | factor | linear barrier (tree / all) | Test loss: minima | saddles | Train error %: minima | saddles | Test error %: minima | saddles | rise |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    `| ${dataset} | ${describeArchitecture(l)} | ${s.minima.count} | ${num(s.minima.trainLoss)} | ${num(s.saddles.trainLoss)} | ${num(s.trainLossFactor, 3)} | ${num(s.linearBarrierTree)} / ${num(s.linearBarrierAll)} | ${num(s.minima.testLoss)} | ${num(s.saddles.testLoss)} | ${pct(s.minima.trainError)} | ${pct(s.saddles.trainError)} | ${pct(s.minima.testError)} | ${pct(s.saddles.testError)} | ${pct(s.testErrorRise)} |`,
  ].join('\n');
}

export interface ReportFiles {
  markdown: string;
  svgs: string[];
}

/** Writes report.md and its SVG figures into `outDir`; returns the paths written. */
export async function writeReport(data: ReportData, outDir: string, extra: { preamble?: string } = {}): Promise<ReportFiles> {
  mkdirSync(outDir, { recursive: true });
  const { landscape: l, paths, tree } = data;
  // Named M1, M2, ... in seed order (imported minima without a seed first), the same on every report.
  const minima = [...data.minima].sort((x, y) => (x.seed ?? -1) - (y.seed ?? -1) || x.id.localeCompare(y.id));
  const label = new Map(minima.map((m, i) => [m.id, `M${i + 1}`]));
  const name = (id: string) => label.get(id) ?? short(id);
  const treePaths = new Set(tree.edges.map((e) => e.pathId));
  const svgs: string[] = [];
  const lines: string[] = [];
  lines.push(`# Landscape report: ${l.name}`, '');
  if (extra.preamble) lines.push(extra.preamble, '');
  const d = l.dataset;
  lines.push(
    `- Landscape \`${l.id}\`: ${describeArchitecture(l)}${d ? ` on ${d.name}${d.trainSize ? `, ${d.trainSize} training examples` : ''}${d.testSize ? `, ${d.testSize} test examples` : ''}` : ''}`,
    `- Training of minima: ${l.training.steps} SGD steps, batch ${l.training.batchSize}, learning rate ${l.training.learningRate} (x0.1 at ${l.training.milestones.join(', ') || 'never'}), momentum ${l.training.momentum}, weight decay ${l.training.weightDecay}`,
    `- AutoNEB preset of the landscape: \`${l.autonebPreset}\``,
    `- ${minima.length} minima, ${paths.length} paths (${paths.filter((p) => p.status === 'COMPLETED').length} completed), spanning tree of ${tree.edges.length} paths in ${tree.components.length} component(s)`,
    `- Written ${new Date().toISOString()}`,
    '',
  );

  lines.push('## Table 1 summary', '', table1Markdown(data), '');
  lines.push(
    'Means over the minima and over the saddles of the spanning-tree paths. Factor: mean saddle train loss / mean minimum train loss. ' +
      'Rise: mean saddle test error minus mean minimum test error (percentage points). Linear barrier: the highest train loss on the straight line ' +
      'between the two minima of a path, as measured when the path was started (mean over tree paths / over all completed paths).',
    '',
  );

  lines.push('## Minima', '', '| Minimum | Id | Seed | Status | Train loss | Test loss | Train error % | Test error % |', '|---|---|---:|---|---:|---:|---:|---:|');
  for (const m of minima) lines.push(`| ${name(m.id)} | \`${short(m.id)}\` | ${m.seed ?? '–'} | ${m.status} | ${num(m.trainLoss)} | ${num(m.testLoss)} | ${pct(m.trainError)} | ${pct(m.testError)} |`);
  lines.push('');

  lines.push(
    '## Saddles',
    '',
    'One row per path. Saddle values are on the full train and test sets when the path was evaluated (`evaluatePath`), otherwise the mini-batch estimate of AutoNEB (train loss only).',
    '',
    '| Path | Id | Ends | Status | Tree | Cycles | Saddle t | Train loss | Test loss | Train error % | Test error % | Linear barrier | Evaluated | Profile |',
    '|---|---|---|---|---|---:|---:|---:|---:|---:|---:|---:|---|---|',
  );
  for (const [i, p] of paths.entries()) {
    const s = p.saddle;
    const file = `path-${i + 1}.svg`;
    const evaluated = Boolean(p.evaluatedProfile?.length);
    const profile = evaluated ? p.evaluatedProfile!.map((q) => ({ t: q.t, energy: q.trainLoss })) : (data.batchProfiles.get(p.id) ?? []);
    let figure = '–';
    if (profile.length > 0) {
      const saddle = s && s.trainLoss !== null ? { t: s.t, energy: s.trainLoss } : null;
      const svg = await profileSvg({
        title: `Path P${i + 1}: ${name(p.minimumA.id)} – ${name(p.minimumB.id)}`,
        path: profile,
        pathLabel: evaluated ? 'full train set' : 'mini-batch estimate',
        linear: p.linearProfile ?? [],
        saddle,
      });
      writeFileSync(join(outDir, file), svg);
      svgs.push(join(outDir, file));
      figure = `[${file}](${file})`;
    }
    lines.push(
      `| P${i + 1} | \`${short(p.id)}\` | ${name(p.minimumA.id)} – ${name(p.minimumB.id)} | ${p.status} | ${treePaths.has(p.id) ? 'yes' : ''} | ${p.cyclesDone} | ${num(s?.t, 3)} | ${num(s?.trainLoss)} | ${num(s?.testLoss)} | ${pct(s?.trainError)} | ${pct(s?.testError)} | ${num(p.linearBarrier)} | ${evaluated ? 'full data' : 'batch'} | ${figure} |`,
    );
  }
  lines.push('');

  lines.push('## Spanning tree', '');
  const pathIndex = new Map(paths.map((p, i) => [p.id, `P${i + 1}`]));
  if (tree.edges.length === 0) lines.push('No completed paths yet.', '');
  else {
    lines.push('| Path | Ends | Saddle train loss |', '|---|---|---:|');
    for (const e of tree.edges) lines.push(`| ${pathIndex.get(e.pathId) ?? short(e.pathId)} | ${name(e.a)} – ${name(e.b)} | ${num(e.weight)} |`);
    lines.push('');
  }
  if (tree.offTree.length > 0) {
    lines.push('Paths outside the tree (bound: highest saddle on the tree chain between their ends):', '', '| Path | Ends | Saddle | Bound | Dominated |', '|---|---|---:|---:|---|');
    for (const e of tree.offTree) lines.push(`| ${pathIndex.get(e.pathId) ?? short(e.pathId)} | ${name(e.a)} – ${name(e.b)} | ${num(e.weight)} | ${num(e.bound)} | ${e.dominated ? 'yes' : 'no'} |`);
    lines.push('');
  }
  lines.push(`Components: ${tree.components.map((c) => `{${c.map(name).join(', ')}}`).join(', ') || '–'}`, '');
  const byId = new Map(minima.map((m) => [m.id, m]));
  const leaves = data.disconnectivity.leaves.map((id) => ({ label: name(id), energy: byId.get(id)?.trainLoss ?? NaN }));
  if (leaves.length > 0 && leaves.every((leaf) => Number.isFinite(leaf.energy))) {
    const svg = await treeSvg({ title: 'Spanning tree (disconnectivity graph)', leaves, linkage: data.disconnectivity.linkage });
    writeFileSync(join(outDir, 'spanning-tree.svg'), svg);
    svgs.push(join(outDir, 'spanning-tree.svg'));
    lines.push('![Spanning tree](spanning-tree.svg)', '', 'Each minimum hangs at its train loss; two groups join at the saddle train loss of the tree path that links them.', '');
  }
  if (svgs.length > 0 && paths.length > 0) {
    lines.push('## Energy profiles', '');
    paths.forEach((p, i) => {
      if (svgs.includes(join(outDir, `path-${i + 1}.svg`))) lines.push(`![Path P${i + 1}](path-${i + 1}.svg)`, '');
    });
  }
  const markdown = join(outDir, 'report.md');
  writeFileSync(markdown, lines.join('\n'));
  return { markdown, svgs };
}

// The width sweep: MLPs 784-h-10 on Fashion-MNIST, one landscape per width h, and per width the
// barriers between its minima (Ballard et al.: high barriers with very few hidden units, none
// with more; the paper's Fig. 1 context). Statistics are computed from each landscape's report.
import type { ReportData } from './report';
import type { PathInfo } from './types';

/**
 * A path "has a barrier" when its highest point on the full training set is strictly inside the
 * path (not at either end) and above the higher end by more than this. The evaluation is on the
 * full set (no sampling noise): what is left is float32 summation over 60 000 examples, well
 * below 1e-4 relative; the threshold is relative 1e-3 of the higher end, at least 1e-5.
 */
export function barrierTolerance(higherEnd: number): number {
  return Math.max(1e-5, 1e-3 * Math.abs(higherEnd));
}

export interface PathBarrier {
  pathId: string;
  /** Highest train loss along the evaluated path minus the higher of its two ends. */
  saddleHeight: number;
  /** Highest test error along the path minus the higher end's (percentage points). */
  testErrorRise: number | null;
  /** Highest train loss on the straight line (mini-batch, from exploration) minus the higher minimum's full-set train loss. */
  linearHeight: number | null;
  barrier: boolean;
}

/** Barrier of one path evaluated on the full data sets; null for a path without that evaluation. */
export function pathBarrier(path: PathInfo, minimumTrainLoss: Map<string, number | null>): PathBarrier | null {
  const profile = path.evaluatedProfile;
  if (!profile || profile.length < 2) return null;
  const ends = [profile[0], profile[profile.length - 1]];
  const higherEnd = Math.max(ends[0].trainLoss, ends[1].trainLoss);
  let top = 0;
  profile.forEach((p, i) => {
    if (p.trainLoss > profile[top].trainLoss) top = i;
  });
  const saddleHeight = profile[top].trainLoss - higherEnd;
  const errors = profile.map((p) => p.testError);
  // Errors are fractions in the API; the rise is told in percentage points.
  const testErrorRise = errors.every((e): e is number => e !== null) ? 100 * (Math.max(...errors) - Math.max(errors[0], errors[errors.length - 1])) : null;
  const a = minimumTrainLoss.get(path.minimumA.id);
  const b = minimumTrainLoss.get(path.minimumB.id);
  const linearHeight = path.linearBarrier !== null && a != null && b != null ? path.linearBarrier - Math.max(a, b) : null;
  const inside = top > 0 && top < profile.length - 1;
  return { pathId: path.id, saddleHeight, testErrorRise, linearHeight, barrier: inside && saddleHeight > barrierTolerance(higherEnd) };
}

export interface WidthRow {
  width: number;
  minima: number;
  /** Mean test error of the minima (%). */
  minimaTestError: number | null;
  paths: number;
  meanSaddleHeight: number;
  meanTestErrorRise: number | null;
  meanLinearHeight: number | null;
  barrierFraction: number;
}

const mean = (values: number[]) => values.reduce((s, v) => s + v, 0) / values.length;

/** One row of the sweep's table from the report data of the landscape of width `width`. */
export function widthRow(width: number, data: Pick<ReportData, 'minima' | 'paths'>): WidthRow {
  const losses = new Map(data.minima.map((m) => [m.id, m.trainLoss] as const));
  const barriers = data.paths.map((p) => pathBarrier(p, losses)).filter((b): b is PathBarrier => b !== null);
  const rises = barriers.map((b) => b.testErrorRise).filter((v): v is number => v !== null);
  const linear = barriers.map((b) => b.linearHeight).filter((v): v is number => v !== null);
  const errors = data.minima.map((m) => m.testError).filter((v): v is number => v !== null);
  return {
    width,
    minima: data.minima.length,
    minimaTestError: errors.length ? 100 * mean(errors) : null,
    paths: barriers.length,
    meanSaddleHeight: barriers.length ? mean(barriers.map((b) => b.saddleHeight)) : 0,
    meanTestErrorRise: rises.length ? mean(rises) : null,
    meanLinearHeight: linear.length ? mean(linear) : null,
    barrierFraction: barriers.length ? barriers.filter((b) => b.barrier).length / barriers.length : 0,
  };
}

const fmt = (v: number | null, digits = 4) => (v === null ? '–' : Number(v.toPrecision(digits)).toString());

export function widthTableMarkdown(rows: WidthRow[]): string {
  return [
    '| Hidden units h | Minima | Test error % (minima) | Paths evaluated | Saddle height above higher minimum (train loss) | Test error rise (points) | Linear barrier above higher minimum | Paths with a barrier |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...rows.map((r) => `| ${r.width} | ${r.minima} | ${fmt(r.minimaTestError, 3)} | ${r.paths} | ${fmt(r.meanSaddleHeight)} | ${fmt(r.meanTestErrorRise, 3)} | ${fmt(r.meanLinearHeight)} | ${(100 * r.barrierFraction).toFixed(0)} % |`),
  ].join('\n');
}

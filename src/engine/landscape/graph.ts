/**
 * Shared indexing of minima and paths: validation, the deterministic orders used everywhere
 * (ids by UTF-16 code units, never locale), and the set of known pairs.
 */
import { LandscapeInputError, type MinimumRecord, type PathRecord, type Quantity } from './types';

/** Orders ids by UTF-16 code units: the same on every machine and locale. */
export function compareIds(x: string, y: string): number {
  return x < y ? -1 : x > y ? 1 : 0;
}

/** A finite number, or null for missing, NaN and infinite values. */
export function finiteOrNull(value: number | null | undefined): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/** Key of an unordered pair of minima. */
export function pairKey(a: string, b: string): string {
  return a < b ? JSON.stringify([a, b]) : JSON.stringify([b, a]);
}

/**
 * Minimum order "lowest first": by the value of `key` ascending, minima without a value last,
 * ties by id. Every strategy that prefers low minima uses it.
 */
export function byEnergy(minima: readonly MinimumRecord[], key: Quantity): (x: string, y: string) => number {
  const energy = new Map(minima.map((m) => [m.id, finiteOrNull(m[key]) ?? Infinity]));
  return (x, y) => {
    const ex = energy.get(x) ?? Infinity;
    const ey = energy.get(y) ?? Infinity;
    return ex !== ey ? (ex < ey ? -1 : 1) : compareIds(x, y);
  };
}

/** Index of minimum ids; throws on empty or repeated ids. */
export function indexMinima(minima: readonly MinimumRecord[]): Map<string, number> {
  const index = new Map<string, number>();
  minima.forEach((m, i) => {
    if (typeof m.id !== 'string' || m.id === '') throw new LandscapeInputError(`minima[${i}].id`, 'must be a non-empty string');
    if (index.has(m.id)) throw new LandscapeInputError(`minima[${i}].id`, `repeated id "${m.id}"`);
    index.set(m.id, i);
  });
  return index;
}

/** Checks that every path joins two different known minima and that path ids are unique. */
export function validatePaths(paths: readonly PathRecord[], minimumIndex: ReadonlyMap<string, number>): void {
  const seen = new Set<string>();
  paths.forEach((p, i) => {
    if (typeof p.id !== 'string' || p.id === '') throw new LandscapeInputError(`paths[${i}].id`, 'must be a non-empty string');
    if (seen.has(p.id)) throw new LandscapeInputError(`paths[${i}].id`, `repeated id "${p.id}"`);
    seen.add(p.id);
    if (!minimumIndex.has(p.a)) throw new LandscapeInputError(`paths[${i}].a`, `unknown minimum "${p.a}"`);
    if (!minimumIndex.has(p.b)) throw new LandscapeInputError(`paths[${i}].b`, `unknown minimum "${p.b}"`);
    if (p.a === p.b) throw new LandscapeInputError(`paths[${i}].b`, `path "${p.id}" joins minimum "${p.a}" to itself`);
  });
}

/** Pairs for which some path is known (finished or not), plus extra pairs the caller counts as tried. */
export function knownPairs(paths: readonly PathRecord[], extra: Iterable<readonly [string, string]> = []): Set<string> {
  const known = new Set(paths.map((p) => pairKey(p.a, p.b)));
  for (const [a, b] of extra) known.add(pairKey(a, b));
  return known;
}

/** Groups ids by their set root; members lowest first, groups ordered by their lowest member. */
export function componentsOf(
  ids: readonly string[],
  rootOf: (id: string) => number,
  lowestFirst: (x: string, y: string) => number,
): string[][] {
  const groups = new Map<number, string[]>();
  for (const id of ids) {
    const root = rootOf(id);
    const group = groups.get(root);
    if (group) group.push(id);
    else groups.set(root, [id]);
  }
  return [...groups.values()].map((c) => c.sort(lowestFirst)).sort((x, y) => lowestFirst(x[0], y[0]));
}

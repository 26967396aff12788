/** Small hand-made landscapes shared by the landscape tests. Not a test file itself. */
import type { MinimumRecord, PathRecord } from '../../../src/engine/landscape';

export const minimum = (id: string, trainLoss: number | null): MinimumRecord => ({ id, trainLoss });

export const path = (id: string, a: string, b: string, trainLoss: number | null, extra: Partial<PathRecord> = {}): PathRecord => ({
  id,
  a,
  b,
  saddle: { trainLoss },
  ...extra,
});

/**
 * Four minima A < B < C < D (train loss 0.1 .. 0.4) and five paths:
 *   p1 A-B 1, p2 B-C 2, p4 C-D 3, p5 B-D 3 (ties p4), p3 A-C 5 (a bad local path).
 * Kruskal order (weight, id): p1 1, p2 2, p4 3, p5 3, p3 5.
 *   p1 joins A,B; p2 joins C; p4 joins D (p4 < p5 by id); p5: B..D already joined via p2, p4
 *   (highest 3 = its own weight: tied, not dominated); p3: A..C joined via p1, p2 (highest 2 < 5:
 *   dominated).
 */
export const chainMinima = [minimum('A', 0.1), minimum('B', 0.2), minimum('C', 0.3), minimum('D', 0.4)];
export const chainPaths = [path('p1', 'A', 'B', 1), path('p2', 'B', 'C', 2), path('p3', 'A', 'C', 5), path('p4', 'C', 'D', 3), path('p5', 'B', 'D', 3)];

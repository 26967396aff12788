// Shapes of the API's answers as the client commands read them.

export type RunStatus = 'QUEUED' | 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'CANCELLED';
export type RunKind = 'TRAIN' | 'CONNECT' | 'EXPLORE' | 'EVALUATE' | 'CURVATURE';

export interface RunInfo {
  id: string;
  kind: RunKind;
  status: RunStatus;
  config?: Record<string, unknown>;
  progress: Record<string, unknown> | null;
  errorMessage: string | null;
  result?: Record<string, unknown> | null;
  createdAt?: string;
  startedAt?: string | null;
  finishedAt?: string | null;
  landscape?: { id: string; name: string };
}

export const TERMINAL: readonly RunStatus[] = ['SUCCEEDED', 'FAILED', 'CANCELLED'];

export interface Means {
  trainLoss: number | null;
  testLoss: number | null;
  trainError: number | null;
  testError: number | null;
  count: number;
}

export interface Summary {
  minima: Means;
  saddles: Means;
  trainLossFactor: number | null;
  testErrorRise: number | null;
  linearBarrierTree: number | null;
  linearBarrierAll: number | null;
}

export interface LandscapeInfo {
  id: string;
  name: string;
  autonebPreset: string;
  createdAt: string;
  architecture: { kind: string; widths: number[] | null; depth: number | null; channels: number[] | null; surface: string | null };
  dataset: { name: string; trainSize: number | null; testSize: number | null } | null;
  training: { steps: number; batchSize: number; learningRate: number; momentum: number; weightDecay: number; milestones: number[] };
}

export interface MinimumInfo {
  id: string;
  /** Null for an imported minimum whose seed was not given. */
  seed: number | null;
  status: string;
  parameterCount: number | null;
  trainLoss: number | null;
  testLoss: number | null;
  trainError: number | null;
  testError: number | null;
}

export interface SaddleInfo {
  t: number;
  trainLoss: number | null;
  testLoss: number | null;
  trainError: number | null;
  testError: number | null;
}

export interface PathInfo {
  id: string;
  status: string;
  cyclesDone: number;
  length: number | null;
  linearBarrier: number | null;
  minimumA: { id: string };
  minimumB: { id: string };
  saddle: SaddleInfo | null;
  linearProfile: { t: number; energy: number }[] | null;
  evaluatedProfile: { t: number; trainLoss: number; testLoss: number; trainError: number | null; testError: number | null }[] | null;
}

export interface TreeEdge {
  pathId: string;
  a: string;
  b: string;
  weight: number;
}

export interface SpanningTree {
  edges: TreeEdge[];
  offTree: (TreeEdge & { bound: number; dominated: boolean })[];
  components: string[][];
}

export interface Page<T> {
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  edges: { node: T }[];
}

/**
 * The exploration driver: the paper's algorithm 3 ("choose pairs") as a pure async function.
 * It decides which pairs to connect; the caller's `connect` computes the paths (AutoNEB).
 *
 * 1. Connect the lowest minimum to every other minimum (more generally: join every component to
 *    the lowest minimum's, by its lowest untried pair) — reason `initial-star` /
 *    `connect-components`.
 * 2. Repeat: take out the highest tree edge, connect the two trees left by an untried pair
 *    (lowest minima first), keep the new path if it makes the tree lower — `split-highest-edge`.
 *    A tree edge across which every pair is known is ignored and the next-highest is taken.
 * Until every pair is known, `maxPairs` connections were made, or the tree edge weights lie within
 * `tolerance` of each other.
 *
 * The kept/ignored outcome is read off the minimum spanning tree recomputed with the new path:
 * in the sequential case this is exactly the paper's test "new saddle < removed edge" (the new
 * path closes a cycle whose highest edge is the removed one, since every higher tree edge on it
 * would have been exhausted), ties broken by path id as in Kruskal.
 *
 * The paper ignores an exhausted edge for good. Here an edge is looked at again once the tree
 * changed, because its two sides may then hold untried pairs; while the tree is unchanged its
 * sides and so its exhaustion stay the same, so the decisions are the paper's, and the loop
 * cannot stop before every pair inside a component is known.
 */
import { finiteOrNull, pairKey } from './graph';
import { spanningTree, type SpanningTree, type TreeEdge } from './spanning-tree';
import { landscapeGraph, pairStrategies, splitHighestEdges, type Pair, type PairSuggestion } from './suggest';
import {
  LandscapeInputError,
  type Measurements,
  type MinimumRecord,
  type PathRecord,
  type Quantity,
  type WeightKey,
} from './types';

/** What `connect` reports for a computed path. */
export interface PathResult {
  /** Id of the new path (e.g. the server's Path id); default `${a}~${b}`. */
  readonly id?: string;
  readonly saddle: Measurements | null;
  readonly linearBarrier?: Measurements | null;
}

export type Connect = (a: string, b: string, context: { readonly signal?: AbortSignal }) => Promise<PathResult>;

export type ExploreReason = 'initial-star' | 'connect-components' | 'split-highest-edge';
/** `kept`: the new path is in the spanning tree; `ignored`: it is not; `failed`: no usable saddle. */
export type ConnectOutcome = 'kept' | 'ignored' | 'failed';
export type StopReason = 'all-pairs-known' | 'max-pairs' | 'converged' | 'aborted';

export type ExploreDecision =
  | {
      readonly step: number;
      readonly kind: 'connect';
      readonly reason: ExploreReason;
      readonly a: string;
      readonly b: string;
      /** `split-highest-edge`: the tree edge taken out. */
      readonly replaces: TreeEdge | null;
      readonly outcome: ConnectOutcome;
      /** The new path (also for a failed one that returned a record without a usable saddle). */
      readonly path: PathRecord | null;
      readonly weight: number | null;
      readonly error?: string;
    }
  | { readonly step: number; readonly kind: 'edge-ignored'; readonly edge: TreeEdge }
  | { readonly step: number; readonly kind: 'stop'; readonly reason: StopReason };

export interface ExploreOptions {
  readonly minima: readonly MinimumRecord[];
  readonly knownPaths?: readonly PathRecord[];
  readonly connect: Connect;
  /** Most `connect` calls (default: unlimited). */
  readonly maxPairs?: number;
  /** Most `connect` calls at once (default 1: fully deterministic). */
  readonly parallel?: number;
  /** Stop once max - min of the tree edge weights is <= tolerance (default: never). */
  readonly tolerance?: number;
  readonly weightKey?: WeightKey;
  /** Value that ranks minima lowest first (default: the weight key). */
  readonly valueKey?: Quantity;
  readonly onDecision?: (decision: ExploreDecision) => void;
  /** Stops launching; running `connect`s get the signal and are awaited before `explore` returns. */
  readonly signal?: AbortSignal;
}

export interface ExploreResult {
  /** Known paths followed by the new ones, in completion order. */
  readonly paths: readonly PathRecord[];
  readonly newPaths: readonly PathRecord[];
  readonly tree: SpanningTree;
  readonly decisions: readonly ExploreDecision[];
  readonly stopReason: StopReason;
  /** Number of `connect` calls made. */
  readonly pairsTried: number;
  /** Pairs whose `connect` threw (not counting throws after abort); they are not tried again. */
  readonly failed: readonly Pair[];
}

/** A decision before it is numbered (Omit applied to each member of the union). */
type DecisionWithoutStep<D = ExploreDecision> = D extends unknown ? Omit<D, 'step'> : never;

interface Launched {
  readonly suggestion: PairSuggestion;
  readonly settled: Promise<{ key: string; result?: PathResult; error?: unknown }>;
}

function checkOptions(o: ExploreOptions): void {
  const maxPairs = o.maxPairs ?? Infinity;
  if (!(maxPairs === Infinity || (Number.isInteger(maxPairs) && maxPairs >= 0))) {
    throw new LandscapeInputError('maxPairs', `must be a non-negative integer, got ${maxPairs}`);
  }
  const parallel = o.parallel ?? 1;
  if (!Number.isInteger(parallel) || parallel < 1) throw new LandscapeInputError('parallel', `must be a positive integer, got ${parallel}`);
  if (o.tolerance !== undefined && !(o.tolerance >= 0)) throw new LandscapeInputError('tolerance', `must be >= 0, got ${o.tolerance}`);
  if (typeof o.connect !== 'function') throw new LandscapeInputError('connect', 'must be a function');
}

function converged(tree: SpanningTree, tolerance: number | undefined): boolean {
  if (tolerance === undefined || tree.edges.length === 0) return false;
  const weights = tree.edges.map((e) => e.weight);
  return Math.max(...weights) - Math.min(...weights) <= tolerance;
}

/** Runs algorithm 3 until a stop reason holds; see the module comment. Never rejects for a failed `connect`. */
export async function explore(options: ExploreOptions): Promise<ExploreResult> {
  checkOptions(options);
  const { minima, connect, signal, tolerance, onDecision } = options;
  const weightKey = options.weightKey ?? 'trainLoss';
  const maxPairs = options.maxPairs ?? Infinity;
  const parallel = options.parallel ?? 1;
  const paths: PathRecord[] = [...(options.knownPaths ?? [])];
  const newPaths: PathRecord[] = [];
  const failed: Pair[] = [];
  const decisions: ExploreDecision[] = [];
  const inFlight = new Map<string, Launched>();
  const ignored = new Set<string>();
  let pairsTried = 0;

  const decide = (d: DecisionWithoutStep) => {
    const decision = { ...d, step: decisions.length + 1 } as ExploreDecision;
    decisions.push(decision);
    onDecision?.(decision);
  };
  const graphNow = () =>
    landscapeGraph(minima, paths, {
      weightKey,
      valueKey: options.valueKey,
      pending: [...inFlight.values()].map((l) => [l.suggestion.a, l.suggestion.b] as const),
      failed,
    });
  graphNow(); // validates minima and known paths before anything starts

  /** The next pair to launch, a reason to stop, or null to wait for running connections. */
  const next = (): PairSuggestion | StopReason | null => {
    if (pairsTried >= maxPairs) return inFlight.size === 0 ? 'max-pairs' : null;
    const graph = graphNow();
    const [join] = pairStrategies.disconnected(graph);
    if (join) return join;
    // Convergence is judged on a settled tree that joins all it can, not while connections run.
    if (inFlight.size === 0 && converged(graph.tree, tolerance)) return 'converged';
    const { suggestions, ignored: exhausted } = splitHighestEdges(graph, 1);
    for (const edge of exhausted) {
      if (!ignored.has(edge.pathId)) decide({ kind: 'edge-ignored', edge });
      ignored.add(edge.pathId);
    }
    const [split] = suggestions;
    if (split?.replaces) ignored.delete(split.replaces.pathId);
    return split ?? (inFlight.size === 0 ? 'all-pairs-known' : null);
  };

  const launch = (suggestion: PairSuggestion) => {
    const key = pairKey(suggestion.a, suggestion.b);
    pairsTried++;
    const settled = Promise.resolve()
      .then(() => connect(suggestion.a, suggestion.b, { signal }))
      .then(
        (result) => ({ key, result }),
        (error: unknown) => ({ key, error }),
      );
    inFlight.set(key, { suggestion, settled });
  };

  const record = (suggestion: PairSuggestion, result: PathResult | undefined, error: unknown) => {
    const { a, b, replaces = null } = suggestion;
    const reason = suggestion.reason as ExploreReason;
    const base = { kind: 'connect' as const, reason, a, b, replaces };
    if (result === undefined) {
      // An interrupted pair has not failed: a later exploration may try it.
      if (!signal?.aborted) failed.push([a, b]);
      const message = error instanceof Error ? error.message : String(error);
      decide({ ...base, outcome: 'failed', path: null, weight: null, error: message });
      return;
    }
    const id = result.id ?? `${a}~${b}`;
    if (paths.some((p) => p.id === id)) {
      failed.push([a, b]);
      decide({ ...base, outcome: 'failed', path: null, weight: null, error: `id: repeated path id "${id}"` });
      return;
    }
    const path: PathRecord = { id, a, b, saddle: result.saddle, linearBarrier: result.linearBarrier ?? null };
    paths.push(path);
    newPaths.push(path);
    const weight = finiteOrNull(result.saddle?.[weightKey]);
    if (weight === null) {
      decide({ ...base, outcome: 'failed', path, weight, error: `saddle.${weightKey}: missing or not finite` });
      return;
    }
    const kept = spanningTree(minima, paths, weightKey).edges.some((e) => e.pathId === id);
    decide({ ...base, outcome: kept ? 'kept' : 'ignored', path, weight });
  };

  let stopReason: StopReason | null = null;
  for (;;) {
    if (signal?.aborted) stopReason = 'aborted';
    while (stopReason === null && inFlight.size < parallel) {
      const step = next();
      if (step === null) break;
      if (typeof step === 'string') stopReason = step;
      else launch(step);
    }
    if (inFlight.size === 0) break;
    const done = await Promise.race([...inFlight.values()].map((l) => l.settled));
    const launched = inFlight.get(done.key)!;
    inFlight.delete(done.key);
    record(launched.suggestion, done.result, done.error);
  }
  stopReason ??= 'aborted';
  decide({ kind: 'stop', reason: stopReason });
  return { paths, newPaths, tree: spanningTree(minima, paths, weightKey), decisions, stopReason, pairsTried, failed };
}

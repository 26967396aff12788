/** Landscape analysis: spanning tree, ultrametric bounds, pair suggestion, exploration, summaries. */
export * from './types';
export { compareIds, pairKey } from './graph';
export { spanningTree, treeChain, compareEdges, splitAt } from './spanning-tree';
export type { SpanningTree, TreeEdge, OffTreePath, ExcludedPath, TreeMinimum } from './spanning-tree';
export { barrierBound } from './bounds';
export type { BarrierBound } from './bounds';
export { suggestPairs, getPairStrategy, pairStrategies, landscapeGraph, splitHighestEdges } from './suggest';
export type { Pair, PairReason, PairSuggestion, PairStrategy, PairStrategyName, SuggestOptions, LandscapeGraph } from './suggest';
export { explore } from './explore';
export type { Connect, ConnectOutcome, ExploreDecision, ExploreOptions, ExploreReason, ExploreResult, PathResult, StopReason } from './explore';
export { disconnectivity } from './disconnectivity';
export type { Disconnectivity, DisconnectivityLeaf, DisconnectivityMerge, DisconnectivityNode } from './disconnectivity';
export { summary, means } from './summary';
export type { LandscapeSummary, Means } from './summary';

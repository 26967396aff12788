// Shapes of the API's answers as the client commands read them: names for types generated from
// schema.graphql and src/cli/operations.graphql (src/cli/graphql.ts), none written by hand.
import type { LandscapeFieldsFragment, MinimumFieldsFragment, PathFieldsFragment, RunFieldsFragment, RunStatus, SummaryFieldsFragment, TreeQuery } from './graphql';

export type { RunKind, RunStatus } from './graphql';

export type RunInfo = RunFieldsFragment;
export type LandscapeInfo = LandscapeFieldsFragment;
export type MinimumInfo = MinimumFieldsFragment;
export type PathInfo = PathFieldsFragment;
export type SaddleInfo = NonNullable<PathFieldsFragment['saddle']>;
export type Summary = SummaryFieldsFragment['summary'];
export type Means = Summary['minima'];
export type SpanningTree = TreeQuery['landscape']['spanningTree'];
export type TreeEdge = SpanningTree['edges'][number];

export const TERMINAL: readonly RunStatus[] = ['SUCCEEDED', 'FAILED', 'CANCELLED'];

/** One page of a connection, as `allPages` walks them. */
export interface Page<T> {
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  edges: { node: T }[];
}

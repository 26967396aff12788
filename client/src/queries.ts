// Every GraphQL operation the client sends, typed from schema.graphql: the documents are written in
// client/src/operations.graphql and generated into client/src/graphql.ts by `npm run codegen`
// (typed document nodes, so urql infers results and variables). Here they get the names the views
// use; no result shape is written by hand.
import type {
  ArchitectureFieldsFragment, CatalogQuery, ConnectivityFieldsFragment, CurvatureFieldsFragment, CycleFieldsFragment, LandscapeAnalysisQuery, LandscapeQuery, LandscapesQuery, PathCyclesSubscription,
  PathExtrasQuery, PathQuery, RunFieldsFragment, RunProgressSubscription, RunsQuery, SurfaceGridQuery,
} from './graphql';

export {
  CatalogDocument as CATALOG,
  LandscapesDocument as LANDSCAPES,
  CreateLandscapeDocument as CREATE_LANDSCAPE,
  DeleteLandscapeDocument as DELETE_LANDSCAPE,
  LandscapeDocument as LANDSCAPE,
  LandscapeAnalysisDocument as LANDSCAPE_ANALYSIS,
  SurfaceGridDocument as SURFACE_GRID,
  TrainMinimaDocument as TRAIN_MINIMA,
  ConnectMinimaDocument as CONNECT_MINIMA,
  AlignMinimumDocument as ALIGN_MINIMUM,
  ComputeCurvatureDocument as COMPUTE_CURVATURE,
  ExploreDocument as EXPLORE,
  CancelRunDocument as CANCEL_RUN,
  PathDocument as PATH,
  PathExtrasDocument as PATH_EXTRAS,
  PathCyclesDocument as PATH_CYCLES,
  RunsDocument as RUNS,
  RunProgressDocument as RUN_PROGRESS,
  LandscapeEventsDocument as LANDSCAPE_EVENTS,
} from './graphql';
export type { RunKind, RunStatus, SaddleWeight } from './graphql';

export type Json = Record<string, unknown>;
export type Architecture = ArchitectureFieldsFragment;
export type Run = RunFieldsFragment;
/** One AutoNEB cycle as stored; `pivotCoordinates` only for landscapes of dimension <= 16 (2-D surfaces). */
export type Cycle = CycleFieldsFragment;
export type ProfilePoint = Cycle['denseProfile'][number];
/** Hessian spectrum at a minimum or saddle (a CURVATURE run); negativeCount is the index. */
export type Curvature = CurvatureFieldsFragment;
/** Linear mode connectivity of a straight line on the full sets (Frankle's error barrier, Entezari's loss barrier). */
export type LinearConnectivity = ConnectivityFieldsFragment;
export type Barrier = NonNullable<LinearConnectivity['errorBarrier']>;

export type CatalogData = CatalogQuery;
export type LandscapesData = LandscapesQuery;
export type LandscapeData = LandscapeQuery;
export type LandscapeDetail = LandscapeQuery['landscape'];
export type Minimum = LandscapeDetail['minima']['edges'][number]['node'];
export type LandscapeAnalysisData = LandscapeAnalysisQuery;
export type Summary = LandscapeAnalysisQuery['landscape']['summary'];
export type Means = Summary['minima'];
export type TreeEdge = LandscapeAnalysisQuery['landscape']['spanningTree']['edges'][number];
export type OffTreeEdge = LandscapeAnalysisQuery['landscape']['spanningTree']['offTree'][number];
export type SurfaceGridData = SurfaceGridQuery;
export type SurfaceGrid = NonNullable<SurfaceGridQuery['landscape']['surfaceGrid']>;
export type PathData = PathQuery;
export type PathDetail = PathQuery['path'];
export type PathExtrasData = PathExtrasQuery;
/** A new cycle of a path, announced over graphql-ws (`pathCycles`): the stored cycle itself. */
export type CycleEvent = PathCyclesSubscription['pathCycles'];
export type PathCyclesData = PathCyclesSubscription;
export type RunsData = RunsQuery;
export type RunProgressData = RunProgressSubscription;

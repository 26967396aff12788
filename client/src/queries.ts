// Every GraphQL operation the client sends, with the shapes of their results
// (docs/api-contract.md). Analysis fields live in their own queries so a view still shows its
// records when an analysis cannot be computed.
import { gql } from '@urql/core';

export type RunKind = 'TRAIN' | 'CONNECT' | 'EXPLORE' | 'EVALUATE' | 'CURVATURE' | 'ALIGN';
export type RunStatus = 'QUEUED' | 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'CANCELLED';
export type Json = Record<string, unknown>;

export interface Architecture { kind: string; widths: number[] | null; depth: number | null; channels: number[] | null; surface: string | null }
export interface Dataset { name: string; trainSize: number | null; testSize: number | null; features: number | null; classes: number | null }
export interface Connection<T> { totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string | null }; edges: { node: T }[] }
export interface Losses { trainLoss: number | null; testLoss: number | null; trainError: number | null; testError: number | null }
export interface Minimum extends Losses {
  id: string; seed: number; status: string; parameterCount: number | null; createdAt: string;
  /** For an aligned copy: the original it permutes, and the minimum it was matched to. */
  alignedFrom?: { id: string; seed: number } | null; alignedTo?: { id: string; seed: number } | null;
}
export interface Run {
  id: string; kind: RunKind; status: RunStatus; progress: Json | null; errorMessage: string | null;
  createdAt: string; updatedAt: string; startedAt: string | null; finishedAt: string | null;
}
export interface ProfilePoint { t: number; energy: number }
/** Hessian spectrum at a minimum or saddle (a CURVATURE run); negativeCount is the index. */
export interface Curvature {
  largest: number[]; smallest: number[]; trace: number | null; tangentCurvature: number | null;
  negativeCount: number; threshold: number; evaluations: number;
}
const CURVATURE = 'largest smallest trace tangentCurvature negativeCount threshold evaluations';
export interface PathRow {
  id: string; status: string; cyclesDone: number; linearBarrier: number | null; length: number | null;
  minimumA: { id: string; seed: number }; minimumB: { id: string; seed: number };
  saddle: (Losses & { t: number }) | null;
}
/** One AutoNEB cycle as stored; `pivotCoordinates` only for landscapes of dimension <= 16 (2-D surfaces). */
export interface Cycle {
  index: number; steps: number; learningRate: number; pivotEnergies: number[]; pivotPositions: number[]; denseProfile: ProfilePoint[];
  maxEnergy: number; saddleT: number; pivotCoordinates: number[][] | null; createdAt: string;
  /** Steps the stopping rule let the cycle take (null for cycles stored before issue 16). */
  stepsTaken: number | null; evaluations: number; converged: boolean; stopReason: string | null;
  maxForce: number | null; forceScale: number | null;
}
/** A new cycle of a path, announced over graphql-ws (`pathCycles`): the stored cycle itself. */
export interface CycleEvent { pathId: string; runId: string; at: string; cycle: Cycle }
/** A point of a path evaluated on the full train and test sets (after `evaluatePath`). */
export interface EvaluatedPoint { t: number; trainLoss: number; testLoss: number; trainError: number | null; testError: number | null }
export interface TreeEdge { path: { id: string }; a: string; b: string; weight: number }
export interface OffTreeEdge extends TreeEdge { bound: number; dominated: boolean }
export interface Means extends Losses { count: number }
export interface Summary { minima: Means; saddles: Means; trainLossFactor: number | null; testErrorRise: number | null; linearBarrierTree: number | null; linearBarrierAll: number | null }
export interface SurfaceGrid { xs: number[]; ys: number[]; values: number[][]; minima: number[][] }
export type SaddleWeight = 'TRAIN_LOSS' | 'TEST_LOSS' | 'TEST_ERROR';

const ARCHITECTURE = 'architecture { kind widths depth channels surface }';
const LOSSES = 'trainLoss testLoss trainError testError';
const RUN = 'id kind status progress errorMessage createdAt updatedAt startedAt finishedAt';
const CONNECTIVITY = 'batchNorm errorBarrier { value alpha } lossBarrier { value alpha }';
const CYCLE = 'index steps stepsTaken evaluations converged stopReason maxForce forceScale learningRate pivotEnergies pivotPositions denseProfile { t energy } maxEnergy saddleT pivotCoordinates createdAt';

export const CATALOG = gql`query Catalog { catalog { architectureKinds datasetNames surfaceNames autonebPresets } }`;
export interface CatalogData { catalog: { architectureKinds: string[]; datasetNames: string[]; surfaceNames: string[]; autonebPresets: string[] } }

export const LANDSCAPES = gql`
  query Landscapes($after: String) {
    landscapes(first: 100, after: $after) {
      totalCount pageInfo { hasNextPage endCursor }
      edges { node { id name ${ARCHITECTURE} dataset { name } autonebPreset createdAt
        minima(first: 1) { totalCount } paths(first: 1) { totalCount } } }
    }
  }`;
export interface LandscapeListItem { id: string; name: string; architecture: Architecture; dataset: { name: string } | null; autonebPreset: string; createdAt: string; minima: { totalCount: number }; paths: { totalCount: number } }
export interface LandscapesData { landscapes: Connection<LandscapeListItem> }

export const CREATE_LANDSCAPE = gql`
  mutation CreateLandscape($input: CreateLandscapeInput!) { createLandscape(input: $input) { id name } }`;
export const DELETE_LANDSCAPE = gql`mutation DeleteLandscape($id: ID!) { deleteLandscape(id: $id) }`;

export const LANDSCAPE = gql`
  query Landscape($id: ID!) {
    landscape(id: $id) {
      id name ${ARCHITECTURE} dataset { name trainSize testSize features classes }
      training { steps batchSize learningRate momentum weightDecay milestones } autonebPreset createdAt
      minima(first: 100) { totalCount edges { node { id seed status parameterCount ${LOSSES} createdAt alignedFrom { id seed } alignedTo { id seed } } } }
      paths(first: 100) { totalCount edges { node { id status cyclesDone linearBarrier length
        minimumA { id seed } minimumB { id seed } saddle { t ${LOSSES} } } } }
      runs(first: 100) { totalCount edges { node { ${RUN} } } }
    }
  }`;
export interface LandscapeDetail {
  id: string; name: string; architecture: Architecture; dataset: Dataset | null; autonebPreset: string; createdAt: string;
  training: { steps: number; batchSize: number; learningRate: number; momentum: number; weightDecay: number; milestones: number[] };
  minima: Connection<Minimum>; paths: Connection<PathRow>; runs: Connection<Run>;
}
export interface LandscapeData { landscape: LandscapeDetail }

export const LANDSCAPE_ANALYSIS = gql`
  query LandscapeAnalysis($id: ID!, $weight: SaddleWeight) {
    landscape(id: $id) {
      id dimension
      summary { minima { ${LOSSES} count } saddles { ${LOSSES} count } trainLossFactor testErrorRise linearBarrierTree linearBarrierAll }
      spanningTree(weight: $weight) { edges { path { id } a b weight } offTree { path { id } a b weight bound dominated } components }
      disconnectivity(weight: $weight) { leaves linkage }
    }
  }`;
export interface LandscapeAnalysisData {
  landscape: { id: string; dimension: number | null; summary: Summary;
    spanningTree: { edges: TreeEdge[]; offTree: OffTreeEdge[]; components: string[][] };
    disconnectivity: { leaves: string[]; linkage: number[][] } };
}

export const SURFACE_GRID = gql`
  query SurfaceGrid($id: ID!) { landscape(id: $id) { id surfaceGrid(resolution: 80) { xs ys values minima } } }`;
export interface SurfaceGridData { landscape: { id: string; surfaceGrid: SurfaceGrid | null } }

export const TRAIN_MINIMA = gql`mutation TrainMinima($landscapeId: ID!, $count: Int!) { trainMinima(landscapeId: $landscapeId, count: $count) { ${RUN} } }`;
export const CONNECT_MINIMA = gql`mutation ConnectMinima($a: ID!, $b: ID!, $align: Boolean) { connectMinima(a: $a, b: $b, align: $align) { ${RUN} } }`;
export const ALIGN_MINIMUM = gql`mutation AlignMinimum($minimumId: ID!, $referenceId: ID!, $method: AlignmentMethod) { alignMinimum(minimumId: $minimumId, referenceId: $referenceId, method: $method) { ${RUN} } }`;
export const EXPLORE = gql`mutation Explore($landscapeId: ID!, $maxPairs: Int) { exploreLandscape(landscapeId: $landscapeId, maxPairs: $maxPairs) { ${RUN} } }`;
export const COMPUTE_CURVATURE = gql`mutation ComputeCurvature($target: CurvatureTarget!, $k: Int) { computeCurvature(target: $target, k: $k) { ${RUN} } }`;
export const CANCEL_RUN = gql`mutation CancelRun($id: ID!) { cancelRun(id: $id) { ${RUN} } }`;

export const PATH = gql`
  query Path($id: ID!) {
    path(id: $id) {
      id status cyclesDone evaluations stopReason linearBarrier length createdAt updatedAt
      landscape { id name ${ARCHITECTURE} }
      minimumA { id seed ${LOSSES} } minimumB { id seed ${LOSSES} }
      run { ${RUN} }
      saddle { t ${LOSSES} curvature { ${CURVATURE} } }
      cycles { ${CYCLE} }
      pivots { id index t energy }
      linearProfile { t energy }
      evaluatedProfile { t trainLoss testLoss trainError testError }
      alignedMinimumB { id seed }
      alignedLinearBarrier
      alignedLinearProfile { t energy }
      linearConnectivity { ${CONNECTIVITY} }
      alignedLinearConnectivity { ${CONNECTIVITY} }
    }
  }`;
export interface PathDetail {
  id: string; status: string; cyclesDone: number; linearBarrier: number | null; length: number | null; createdAt: string; updatedAt: string;
  /** Points AutoNEB passed to the energy; why it ended (`converged`, `schedule-exhausted`). */
  evaluations: number; stopReason: string | null;
  landscape: { id: string; name: string; architecture: Architecture };
  minimumA: Losses & { id: string; seed: number }; minimumB: Losses & { id: string; seed: number };
  run: Run | null; saddle: (Losses & { t: number; curvature: Curvature | null }) | null; cycles: Cycle[]; pivots: { id: string; index: number; t: number; energy: number }[];
  /** Energy on the straight line between the minima, drawn for comparison. */
  linearProfile: ProfilePoint[] | null;
  /** Train and test curves on the full data sets, once the path was evaluated. */
  evaluatedProfile: EvaluatedPoint[] | null;
  /** Connected with `align`: the copy of B permuted to match A, and the straight line to it. */
  alignedMinimumB?: { id: string; seed: number } | null;
  alignedLinearBarrier?: number | null;
  alignedLinearProfile?: ProfilePoint[] | null;
  /** Linear mode connectivity on the full sets (after evaluatePath), raw and aligned. */
  linearConnectivity?: LinearConnectivity | null;
  alignedLinearConnectivity?: LinearConnectivity | null;
}
export interface Barrier { value: number; alpha: number }
export interface LinearConnectivity { batchNorm: string; errorBarrier: Barrier | null; lossBarrier: Barrier }
export interface PathData { path: PathDetail }

export const PATH_EXTRAS = gql`
  query PathExtras($id: ID!) { path(id: $id) { id downloads { pivots saddle } } }`;
export interface PathExtrasData { path: { id: string; downloads: { pivots: string; saddle: string } } }

export const PATH_CYCLES = gql`
  subscription PathCycles($pathId: ID!) { pathCycles(pathId: $pathId) { pathId runId at cycle { ${CYCLE} } } }`;
export interface PathCyclesData { pathCycles: CycleEvent }

export const RUNS = gql`
  query Runs($status: RunStatus) { runs(first: 100, status: $status) { totalCount edges { node { ${RUN} landscape { id name } } } } }`;
export interface RunsData { runs: Connection<Run & { landscape: { id: string; name: string } }> }

export const RUN_PROGRESS = gql`
  subscription RunProgress($runId: ID!) { runProgress(runId: $runId) { runId status kind progress errorMessage at } }`;
export interface RunProgressData { runProgress: { runId: string; status: RunStatus; kind: RunKind; progress: Json | null; errorMessage: string | null; at: string } }

export const LANDSCAPE_EVENTS = gql`subscription LandscapeEvents($landscapeId: ID) { landscapeEvents(landscapeId: $landscapeId) { type landscapeId name at } }`;

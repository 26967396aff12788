// The GraphQL documents the client commands send, typed from schema.graphql: written in
// src/cli/operations.graphql, generated into src/cli/graphql.ts by `npm run codegen`.
export {
  RunDocument as RUN,
  ProgressDocument as RUN_PROGRESS,
  CreateDocument as CREATE_LANDSCAPE,
  LandscapesDocument as LANDSCAPES,
  LandscapeByIdDocument as LANDSCAPE,
  ReportLandscapeDocument as REPORT_LANDSCAPE,
  StatusDocument as LANDSCAPE_STATUS,
  ExploreRunsDocument as EXPLORE_RUNS,
  MinimaDocument as MINIMA_PAGE,
  PathsDocument as PATHS_PAGE,
  CyclesDocument as PATH_CYCLES,
  TrainDocument as TRAIN,
  ConnectDocument as CONNECT,
  EvaluateDocument as EVALUATE,
  ExploreDocument as EXPLORE,
  CancelDocument as CANCEL,
  ImportDocument as IMPORT_MINIMUM,
  MinimumDocument as MINIMUM,
  PathDocument as PATH,
  TreeDocument as DISCONNECTIVITY,
} from './graphql';

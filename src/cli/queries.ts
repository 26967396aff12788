// GraphQL documents the client commands send (the API is described in schema.graphql).

export const RUN_FIELDS = 'id kind status config progress errorMessage result createdAt startedAt finishedAt landscape { id name }';

export const RUN = `query Run($id: ID!) { run(id: $id) { ${RUN_FIELDS} } }`;

export const RUN_PROGRESS = `subscription Progress($runId: ID!) { runProgress(runId: $runId) { runId kind status progress errorMessage at } }`;

export const LANDSCAPE_FIELDS =
  'id name autonebPreset createdAt architecture { kind widths depth channels surface } dataset { name trainSize testSize } training { steps batchSize learningRate momentum weightDecay milestones }';

export const CREATE_LANDSCAPE = `mutation Create($input: CreateLandscapeInput!) { createLandscape(input: $input) { ${LANDSCAPE_FIELDS} } }`;

export const LANDSCAPES = `query Landscapes($after: String) { landscapes(first: 100, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { node { ${LANDSCAPE_FIELDS} minima(first: 1) { totalCount } paths(first: 1) { totalCount } } } } }`;

export const SUMMARY_FIELDS =
  'summary { minima { trainLoss testLoss trainError testError count } saddles { trainLoss testLoss trainError testError count } trainLossFactor testErrorRise linearBarrierTree linearBarrierAll }';

export const LANDSCAPE_STATUS = `query Status($id: ID!) { landscape(id: $id) { ${LANDSCAPE_FIELDS} ${SUMMARY_FIELDS}
  spanningTree { edges { pathId a b weight } components }
  minima(first: 1) { totalCount } paths(first: 1) { totalCount }
  active: runs(status: RUNNING, first: 100) { edges { node { id kind status progress } } }
  queued: runs(status: QUEUED, first: 100) { edges { node { id kind status } } } } }`;

export const MINIMA_PAGE = `query Minima($id: ID!, $after: String) { landscape(id: $id) { minima(first: 100, after: $after) {
  pageInfo { hasNextPage endCursor } edges { node { id seed status parameterCount trainLoss testLoss trainError testError } } } } }`;

export const PATHS_PAGE = `query Paths($id: ID!, $after: String) { landscape(id: $id) { paths(first: 100, after: $after) {
  pageInfo { hasNextPage endCursor } edges { node { id status cyclesDone length linearBarrier minimumA { id } minimumB { id }
  saddle { t trainLoss testLoss trainError testError } linearProfile { t energy }
  evaluatedProfile { t trainLoss testLoss trainError testError } } } } } }`;

export const PATH_CYCLES = `query Cycles($id: ID!) { path(id: $id) { cycles { index denseProfile { t energy } maxEnergy } } }`;

export const TRAIN = `mutation Train($landscapeId: ID!, $count: Int!, $seeds: [Int!], $config: TrainingConfigInput) {
  trainMinima(landscapeId: $landscapeId, count: $count, seeds: $seeds, config: $config) { ${RUN_FIELDS} } }`;

export const CONNECT = `mutation Connect($a: ID!, $b: ID!, $config: AutonebConfigInput) { connectMinima(a: $a, b: $b, config: $config) { ${RUN_FIELDS} } }`;

export const EVALUATE = `mutation Evaluate($pathId: ID!, $points: Int) { evaluatePath(pathId: $pathId, pointsPerSegment: $points) { ${RUN_FIELDS} } }`;

export const EXPLORE = `mutation Explore($landscapeId: ID!, $maxPairs: Int, $parallel: Int, $tolerance: Float, $config: AutonebConfigInput) {
  exploreLandscape(landscapeId: $landscapeId, maxPairs: $maxPairs, parallel: $parallel, tolerance: $tolerance, config: $config) { ${RUN_FIELDS} } }`;

export const CANCEL = `mutation Cancel($id: ID!) { cancelRun(id: $id) { ${RUN_FIELDS} } }`;

export const IMPORT_MINIMUM = `mutation Import($landscapeId: ID!, $uploadId: ID!, $seed: Int) {
  importMinimum(landscapeId: $landscapeId, uploadId: $uploadId, seed: $seed) { id seed status parameterCount trainLoss testLoss trainError testError } }`;

export const MINIMUM = `query Minimum($id: ID!) { minimum(id: $id) { id seed status parameterCount trainLoss testLoss trainError testError downloadUrl } }`;

export const PATH = `query Path($id: ID!) { path(id: $id) { id status downloads { pivots saddle } } }`;

export const DISCONNECTIVITY = `query Tree($id: ID!) { landscape(id: $id) { disconnectivity { leaves linkage } spanningTree { edges { pathId a b weight } offTree { pathId a b weight bound dominated } components } } }`;

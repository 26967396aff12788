// Status and kind enums shared by entities and the GraphQL schema (stored as their names).

/** Every long action is a Run; its kind says which worker handles it. */
export enum RunKind {
  TRAIN = 'TRAIN',
  CONNECT = 'CONNECT',
  EXPLORE = 'EXPLORE',
  EVALUATE = 'EVALUATE',
  /** Curvature (Hessian spectrum, index) at a minimum or a path's saddle. */
  CURVATURE = 'CURVATURE',
  /** A minimum permuted to match another (issue 18); stores the aligned copy as a new minimum. */
  ALIGN = 'ALIGN',
  /** A Bezier curve or polygonal chain between two minima, its bend point trained by SGD (issue 19). */
  CURVE = 'CURVE',
}

/** How a path between two minima was found. */
export enum PathMethod {
  /** The paper's AutoNEB (pivots relaxed by NEB, inserted where the path is coarse). */
  AUTONEB = 'AUTONEB',
  /** A quadratic Bezier curve with one trained bend point (Garipov et al. 2018). */
  BEZIER = 'BEZIER',
  /** A polygonal chain A -> bend -> B with one trained bend point (Garipov et al. 2018). */
  POLYCHAIN = 'POLYCHAIN',
}

/** How the units of a minimum are matched to a reference's (Git Re-Basin, section 3). */
export enum AlignmentMethod {
  /** Maximise the inner product of the weights (coordinate ascent over the permutations). */
  WEIGHT_MATCHING = 'WEIGHT_MATCHING',
  /** Maximise the correlation of each layer's activations on training examples. */
  ACTIVATION_MATCHING = 'ACTIVATION_MATCHING',
}

export enum RunStatus {
  QUEUED = 'QUEUED',
  RUNNING = 'RUNNING',
  SUCCEEDED = 'SUCCEEDED',
  FAILED = 'FAILED',
  CANCELLED = 'CANCELLED',
}

export enum MinimumStatus {
  /** Created, the run computing it (TRAIN, or ALIGN for an aligned copy) has not finished yet. */
  TRAINING = 'TRAINING',
  READY = 'READY',
  FAILED = 'FAILED',
}

export enum PathStatus {
  /** Created, its CONNECT run has not started. */
  PENDING = 'PENDING',
  RUNNING = 'RUNNING',
  /** All AutoNEB cycles done; the saddle is final. */
  COMPLETED = 'COMPLETED',
  FAILED = 'FAILED',
  CANCELLED = 'CANCELLED',
}

/** Statuses a run never leaves. */
export const TERMINAL_STATUSES: readonly RunStatus[] = [RunStatus.SUCCEEDED, RunStatus.FAILED, RunStatus.CANCELLED];

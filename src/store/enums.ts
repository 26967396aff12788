// Status and kind enums shared by entities and the GraphQL schema (stored as their names).

/** Every long action is a Run; its kind says which worker handles it. */
export enum RunKind {
  TRAIN = 'TRAIN',
  CONNECT = 'CONNECT',
  EXPLORE = 'EXPLORE',
  EVALUATE = 'EVALUATE',
}

export enum RunStatus {
  QUEUED = 'QUEUED',
  RUNNING = 'RUNNING',
  SUCCEEDED = 'SUCCEEDED',
  FAILED = 'FAILED',
  CANCELLED = 'CANCELLED',
}

export enum MinimumStatus {
  /** Created, its TRAIN run has not finished yet. */
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

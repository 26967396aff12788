// Event topics and their payloads. Payloads travel as JSON through NOTIFY (< 8000 bytes):
// ids and small records only, dates as ISO strings.

export enum LandscapeEventType {
  CREATED = 'CREATED',
  DELETED = 'DELETED',
  /** A minimum was trained (or imported) and is READY. */
  MINIMUM_READY = 'MINIMUM_READY',
  /** A path was created (its CONNECT run queued). */
  PATH_ADDED = 'PATH_ADDED',
  /** A run ended (SUCCEEDED, FAILED); pathId is set for CONNECT runs. */
  RUN_FINISHED = 'RUN_FINISHED',
}

export interface LandscapeEventPayload {
  type: LandscapeEventType;
  landscapeId: string;
  name: string;
  /** ISO 8601 time of the change. */
  at: string;
  minimumId?: string;
  pathId?: string;
  runId?: string;
}

/** Topic name -> publish arguments, as createPubSub of @graphql-yoga/subscription types them. */
export interface Topics {
  [topic: string]: [] | [unknown] | [string | number, unknown];
  LANDSCAPE_EVENTS: [LandscapeEventPayload];
  /** Per run id: status changes, progress, stored cycles (payload: runs/events RunProgressPayload). */
  RUN_PROGRESS: [string, unknown];
  /** Per path id: a stored AutoNEB cycle (payload: runs/events PathCyclePayload). */
  PATH_CYCLES: [string, unknown];
  /** A run was cancelled: workers holding it abort its step. */
  RUN_CANCEL: [unknown];
}

export const TOPIC = {
  LANDSCAPE_EVENTS: 'LANDSCAPE_EVENTS',
  RUN_PROGRESS: 'RUN_PROGRESS',
  PATH_CYCLES: 'PATH_CYCLES',
  RUN_CANCEL: 'RUN_CANCEL',
} as const;

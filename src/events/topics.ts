// Event topics and their payloads. Payloads travel as JSON through NOTIFY (< 8000 bytes):
// ids and small records only, dates as ISO strings.

export enum LandscapeEventType {
  CREATED = 'CREATED',
  DELETED = 'DELETED',
}

export interface LandscapeEventPayload {
  type: LandscapeEventType;
  landscapeId: string;
  name: string;
  /** ISO 8601 time of the change. */
  at: string;
}

/** Topic name -> publish arguments, as createPubSub of @graphql-yoga/subscription types them. */
export interface Topics {
  [topic: string]: [] | [unknown] | [string | number, unknown];
  LANDSCAPE_EVENTS: [LandscapeEventPayload];
}

export const TOPIC = {
  LANDSCAPE_EVENTS: 'LANDSCAPE_EVENTS',
} as const;

// The event bus: a PubSub for type-graphql subscriptions over PostgreSQL LISTEN/NOTIFY.
import { createPubSub, type PubSub, type PubSubEventTarget } from '@graphql-yoga/subscription';
import { listen, type TopicEvent } from './listen';
import { PgEventTarget } from './pg-event-target';
import type { Topics } from './topics';

export * from './topics';
export type { TopicEvent } from './listen';
export { EventTooLargeError, MAX_PAYLOAD_BYTES, PgEventTarget } from './pg-event-target';

export interface EventBus {
  /** Handed to type-graphql's buildSchema; subscriptions subscribe through it. */
  pubSub: PubSub<Topics>;
  /** Publishes and resolves once the database accepted the event (unlike pubSub.publish). */
  publish<K extends keyof Topics & string>(topic: K, ...args: Topics[K]): Promise<void>;
  /** Events of these topics (names as `topicName` makes them) in arrival order, from this call on. */
  listen(topics: readonly string[]): AsyncIterableIterator<TopicEvent>;
  close(): Promise<void>;
}

export async function createEventBus(url: string, log?: (message: string) => void): Promise<EventBus> {
  const target = new PgEventTarget({ url, log });
  await target.start();
  return {
    pubSub: createPubSub<Topics>({ eventTarget: target as unknown as PubSubEventTarget<Topics> }),
    // Same topic naming as createPubSub: `topic` or `topic:id`.
    publish: (topic, ...args) =>
      args.length === 2 ? target.publish(topicName(topic, args[0]), args[1]) : target.publish(topic, args[0] ?? null),
    listen: (topics) => listen(target, topics),
    close: () => target.close(),
  };
}

/** createPubSub's name of a topic for one id: `topic:id`. */
export function topicName(topic: string, id?: string | number): string {
  return id === undefined ? topic : `${topic}:${String(id)}`;
}

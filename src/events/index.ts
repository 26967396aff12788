// The event bus: a PubSub for type-graphql subscriptions over PostgreSQL LISTEN/NOTIFY.
import { createPubSub, type PubSub, type PubSubEventTarget } from '@graphql-yoga/subscription';
import { PgEventTarget } from './pg-event-target';
import type { Topics } from './topics';

export * from './topics';
export { EventTooLargeError, MAX_PAYLOAD_BYTES, PgEventTarget } from './pg-event-target';

export interface EventBus {
  /** Handed to type-graphql's buildSchema; subscriptions subscribe through it. */
  pubSub: PubSub<Topics>;
  /** Publishes and resolves once the database accepted the event (unlike pubSub.publish). */
  publish<K extends keyof Topics & string>(topic: K, ...args: Topics[K]): Promise<void>;
  close(): Promise<void>;
}

export async function createEventBus(url: string, log?: (message: string) => void): Promise<EventBus> {
  const target = new PgEventTarget({ url, log });
  await target.start();
  return {
    pubSub: createPubSub<Topics>({ eventTarget: target as unknown as PubSubEventTarget<Topics> }),
    // Same topic naming as createPubSub: `topic` or `topic:id`.
    publish: (topic, ...args) =>
      args.length === 2 ? target.publish(`${topic}:${String(args[0])}`, args[1]) : target.publish(topic, args[0] ?? null),
    close: () => target.close(),
  };
}

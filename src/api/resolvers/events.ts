import { Arg, ID, Resolver, Root, Subscription, type SubscriptionHandlerData } from 'type-graphql';
import { TOPIC, type LandscapeEventPayload } from '../../events';
import { LandscapeEventObject } from '../schema/events';

@Resolver()
export class EventsResolver {
  @Subscription(() => LandscapeEventObject, {
    topics: TOPIC.LANDSCAPE_EVENTS,
    filter: ({ payload, args }: SubscriptionHandlerData<LandscapeEventPayload, { landscapeId?: string | null }>) =>
      !args.landscapeId || payload.landscapeId === args.landscapeId,
    description: 'Landscapes created and deleted, minima ready, paths added, runs finished (all landscapes, or one).',
  })
  landscapeEvents(
    @Root() payload: LandscapeEventPayload,
    @Arg('landscapeId', () => ID, { nullable: true }) _landscapeId?: string | null,
  ): LandscapeEventObject {
    return { ...payload, at: new Date(payload.at) };
  }
}

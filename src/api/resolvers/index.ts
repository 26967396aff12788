// The executable schema: every resolver class, with the event bus for subscriptions.
import type { GraphQLSchema } from 'graphql';
import { buildSchema } from 'type-graphql';
import type { EventBus } from '../../events';
import { EventsResolver } from './events';
import { LandscapeResolver } from './landscape';
import { MinimumResolver, PathResolver, RunResolver } from './records';
import { AnalysisResolver } from './analysis';
import { RunMutationResolver, RunSubscriptionResolver } from './runs';
import { DatasetResolver } from './dataset';

export const RESOLVERS = [LandscapeResolver, MinimumResolver, RunResolver, PathResolver, EventsResolver, AnalysisResolver, RunMutationResolver, RunSubscriptionResolver, DatasetResolver] as const;

export function buildAppSchema(pubSub: EventBus['pubSub']): Promise<GraphQLSchema> {
  return buildSchema({
    resolvers: RESOLVERS,
    pubSub,
    // Inputs are checked by the store (src/store/landscape-input.ts), which names each field.
    validate: false,
  });
}

export type { Context } from './context';
export { formatError } from '../errors';

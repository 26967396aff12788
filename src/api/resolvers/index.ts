// The executable schema: every resolver class, with the event bus for subscriptions.
import type { GraphQLSchema } from 'graphql';
import { buildSchema, getMetadataStorage } from 'type-graphql';
import type { EventBus } from '../../events';
import { EventsResolver } from './events';
import { LandscapeResolver } from './landscape';
import { MinimumResolver, PathResolver, RunResolver } from './records';
import { AnalysisResolver } from './analysis';
import { RunMutationResolver, RunSubscriptionResolver } from './runs';
import { CurvatureMutationResolver, MinimumCurvatureResolver, SaddleCurvatureResolver } from './curvature';
// Last: its mutations follow the others in the schema.
import { AnnotationResolver } from './annotations';

export const RESOLVERS = [LandscapeResolver, MinimumResolver, RunResolver, PathResolver, EventsResolver, AnalysisResolver, RunMutationResolver, RunSubscriptionResolver, CurvatureMutationResolver, MinimumCurvatureResolver, SaddleCurvatureResolver, AnnotationResolver] as const;

export function buildAppSchema(pubSub: EventBus['pubSub']): Promise<GraphQLSchema> {
  // TypeScript applies parameter decorators last to first, so type-graphql records a method's
  // @Arg()s in reverse and would declare them so; sorted by position they read as in the code
  // (trainMinima(landscapeId, count, seeds, config)). Calls pass arguments by position anyway.
  getMetadataStorage().params.sort((a, b) => a.index - b.index);
  return buildSchema({
    resolvers: RESOLVERS,
    pubSub,
    // Inputs are checked by the store (src/store/landscape-input.ts), which names each field.
    validate: false,
  });
}

export type { Context } from './context';
export { formatError } from '../errors';

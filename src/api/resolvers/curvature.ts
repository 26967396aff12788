// computeCurvature, and the latest curvature of a minimum and of a path's saddle. Thin: the work is
// in src/runs/curvature.ts (starting) and the CURVATURE step (doing).
import { Arg, Ctx, FieldResolver, Int, Mutation, Resolver, Root } from 'type-graphql';
import { computeCurvature } from '../../runs/curvature';
import { CurvatureTargetInput, CurvatureType } from '../schema/curvature';
import { MinimumType, RunType, SaddleType } from '../schema/records';
import { Curvature, type Minimum, type Run } from '../../store/entities';
import type { Context } from './context';

function latest(ctx: Context, where: { minimum: string } | { path: string }): Promise<Curvature | null> {
  return ctx.em.findOne(Curvature, where, { orderBy: { createdAt: 'desc', id: 'desc' } });
}

@Resolver()
export class CurvatureMutationResolver {
  @Mutation(() => RunType, { description: "A CURVATURE run: Hessian spectrum, index and trace at a minimum or at a path's saddle." })
  computeCurvature(
    @Arg('target', () => CurvatureTargetInput) target: CurvatureTargetInput,
    @Arg('k', () => Int, { nullable: true, defaultValue: 5, description: 'Eigenvalues at each end of the spectrum (1 to 20).' }) k: number | null,
    @Ctx() ctx: Context,
  ): Promise<Run> {
    return computeCurvature({ em: ctx.em, queue: ctx.queue, events: ctx.runEvents }, target, k);
  }
}

@Resolver(() => MinimumType)
export class MinimumCurvatureResolver {
  @FieldResolver(() => CurvatureType, { nullable: true, description: 'The latest CURVATURE result here (null until one has finished).' })
  curvature(@Root() minimum: Minimum, @Ctx() ctx: Context): Promise<Curvature | null> {
    return latest(ctx, { minimum: minimum.id });
  }
}

@Resolver(() => SaddleType)
export class SaddleCurvatureResolver {
  @FieldResolver(() => CurvatureType, { nullable: true, description: 'The latest CURVATURE result at this saddle (null until one has finished).' })
  curvature(@Root() saddle: SaddleType & { pathId: string }, @Ctx() ctx: Context): Promise<Curvature | null> {
    return latest(ctx, { path: saddle.pathId });
  }
}

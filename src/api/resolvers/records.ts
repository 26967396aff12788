import { Arg, Args, Ctx, FieldResolver, ID, Query, Resolver, Root } from 'type-graphql';
import { LandscapeType } from '../schema/landscape';
import { toConnection, type Connection } from '../schema/pagination';
import { CycleType, MinimumType, PathDownloadsType, PathType, PivotType, RunType, SaddleType } from '../schema/records';
import { TENSORS_PATH } from '../../runs/uploads';
import { Landscape, Minimum, Run, type Cycle, type Path, type Pivot } from '../../store/entities';
import { findMinimum, findPath, findRun, listRuns, pathCycles, pathPivots } from '../../store/records';
import type { Context } from './context';
import { RunConnection, RunFilterArgs } from './landscape';

/** Loads a many-to-one reference (from the identity map when already there). */
function load<T extends object>(ctx: Context, entity: new () => T, ref: { id: string }): Promise<T> {
  return ctx.em.findOneOrFail(entity, ref.id as never);
}

@Resolver(() => MinimumType)
export class MinimumResolver {
  @Query(() => MinimumType)
  minimum(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<Minimum> {
    return findMinimum(ctx.em, id);
  }

  @FieldResolver(() => LandscapeType)
  landscape(@Root() minimum: Minimum, @Ctx() ctx: Context): Promise<Landscape> {
    return load(ctx, Landscape, minimum.landscape);
  }

  @FieldResolver(() => String, { description: 'URL (relative to the server) of its parameters as safetensors.' })
  downloadUrl(@Root() minimum: Minimum): string {
    return `${TENSORS_PATH}/minima/${minimum.id}`;
  }

  @FieldResolver(() => RunType, { nullable: true, description: 'The TRAIN run that produced it.' })
  async run(@Root() minimum: Minimum, @Ctx() ctx: Context): Promise<Run | null> {
    return minimum.run ? load(ctx, Run, minimum.run) : null;
  }
}

@Resolver(() => RunType)
export class RunResolver {
  @Query(() => RunType)
  run(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<Run> {
    return findRun(ctx.em, id);
  }

  @Query(() => RunConnection, { description: 'Runs of all landscapes, oldest first, optionally filtered.' })
  async runs(@Args() args: RunFilterArgs, @Ctx() ctx: Context): Promise<Connection<Run>> {
    return toConnection(await listRuns(ctx.em, { status: args.status, kind: args.kind }, args, ctx.limits));
  }

  @FieldResolver(() => LandscapeType)
  landscape(@Root() run: Run, @Ctx() ctx: Context): Promise<Landscape> {
    return load(ctx, Landscape, run.landscape);
  }
}

@Resolver(() => PathType)
export class PathResolver {
  @Query(() => PathType)
  path(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<Path> {
    return findPath(ctx.em, id);
  }

  @FieldResolver(() => LandscapeType)
  landscape(@Root() path: Path, @Ctx() ctx: Context): Promise<Landscape> {
    return load(ctx, Landscape, path.landscape);
  }

  @FieldResolver(() => MinimumType)
  minimumA(@Root() path: Path, @Ctx() ctx: Context): Promise<Minimum> {
    return load(ctx, Minimum, path.minimumA);
  }

  @FieldResolver(() => MinimumType)
  minimumB(@Root() path: Path, @Ctx() ctx: Context): Promise<Minimum> {
    return load(ctx, Minimum, path.minimumB);
  }

  @FieldResolver(() => RunType, { nullable: true, description: 'The CONNECT run computing it.' })
  async run(@Root() path: Path, @Ctx() ctx: Context): Promise<Run | null> {
    return path.run ? load(ctx, Run, path.run) : null;
  }

  @FieldResolver(() => SaddleType, { nullable: true, description: 'Null until the first cycle is evaluated.' })
  saddle(@Root() path: Path): SaddleType | null {
    if (path.saddleT === null) return null;
    return {
      t: path.saddleT,
      trainLoss: path.saddleTrainLoss,
      testLoss: path.saddleTestLoss,
      trainError: path.saddleTrainError,
      testError: path.saddleTestError,
    };
  }

  @FieldResolver(() => [CycleType], { description: 'Cycles done so far, in order.' })
  cycles(@Root() path: Path, @Ctx() ctx: Context): Promise<Cycle[]> {
    return pathCycles(ctx.em, path.id);
  }

  @FieldResolver(() => PathDownloadsType)
  downloads(@Root() path: Path): PathDownloadsType {
    return { pivots: `${TENSORS_PATH}/paths/${path.id}/pivots`, saddle: `${TENSORS_PATH}/paths/${path.id}/saddle` };
  }

  @FieldResolver(() => [PivotType], { description: 'Current pivots in chain order.' })
  pivots(@Root() path: Path, @Ctx() ctx: Context): Promise<Pivot[]> {
    return pathPivots(ctx.em, path.id);
  }
}

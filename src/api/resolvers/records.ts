import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Args, Ctx, FieldResolver, ID, Info, Query, Resolver, Root } from 'type-graphql';
import { pageRead, readOne } from '../selection';
import { LandscapeType } from '../schema/landscape';
import { toConnection, type Connection } from '../schema/pagination';
import { CycleType, MinimumType, PathDownloadsType, PathType, PivotType, RunType, SaddleType } from '../schema/records';
import { TENSORS_PATH } from '../../runs/uploads';
import { Landscape, Minimum, Path, Run, type Cycle, type Pivot } from '../../store/entities';
import { findMinimum, findPath, findRun, listRuns } from '../../store/records';
import { cyclesOf, pivotsOf } from '../../store/completed-paths';
import { AlignmentType, LinearConnectivityType } from '../schema/alignment';
import { AlignmentMethod } from '../../store/enums';
import type { LinearEvaluation } from '../../store/entities/path';
import { errorBarrier, lossBarrier } from '../../engine/linear-connectivity';
import type { Context } from './context';
import { RunConnection, RunFilterArgs } from './landscape';

const METHOD_BY_NAME: Record<string, AlignmentMethod> = { 'weight-matching': AlignmentMethod.WEIGHT_MATCHING, 'activation-matching': AlignmentMethod.ACTIVATION_MATCHING };

function linearConnectivity(line: LinearEvaluation | null): LinearConnectivityType | null {
  if (!line) return null;
  return { ...line, errorBarrier: errorBarrier(line.points), lossBarrier: lossBarrier(line.points), testLossBarrier: lossBarrier(line.points, 'testLoss') };
}

/** Loads a many-to-one reference, batched with the request's other loads of that entity. */
function load<T extends Landscape | Minimum | Run>(ctx: Context, entity: new () => T, ref: { id: string }): Promise<T> {
  return ctx.loaders.load(entity, ref.id);
}

@Resolver(() => MinimumType)
export class MinimumResolver {
  @Query(() => MinimumType)
  minimum(@Arg('id', () => ID) id: string, @Ctx() ctx: Context, @Info() info: GraphQLResolveInfo): Promise<Minimum> {
    return readOne(ctx.em, Minimum, id, info, () => findMinimum(ctx.em, id));
  }

  @FieldResolver(() => LandscapeType)
  landscape(@Root() minimum: Minimum, @Ctx() ctx: Context): Promise<Landscape> {
    return load(ctx, Landscape, minimum.landscape);
  }

  @FieldResolver(() => String, { description: 'URL (relative to the server) of its parameters as safetensors.' })
  downloadUrl(@Root() minimum: Minimum): string {
    return `${TENSORS_PATH}/minima/${minimum.id}`;
  }

  @FieldResolver(() => RunType, { nullable: true, description: 'The run that produced it (TRAIN; ALIGN or CONNECT for an aligned copy; EVALUATE for an import).' })
  async run(@Root() minimum: Minimum, @Ctx() ctx: Context): Promise<Run | null> {
    return minimum.run ? load(ctx, Run, minimum.run) : null;
  }

  @FieldResolver(() => MinimumType, { nullable: true, description: 'For an aligned copy: the minimum whose units it was permuted to match.' })
  async alignedTo(@Root() minimum: Minimum, @Ctx() ctx: Context): Promise<Minimum | null> {
    return minimum.alignedTo ? load(ctx, Minimum, minimum.alignedTo) : null;
  }

  @FieldResolver(() => MinimumType, { nullable: true, description: 'For an aligned copy: the original it is a permutation of (same function, same metrics up to rounding).' })
  async alignedFrom(@Root() minimum: Minimum, @Ctx() ctx: Context): Promise<Minimum | null> {
    return minimum.alignedFrom ? load(ctx, Minimum, minimum.alignedFrom) : null;
  }

  @FieldResolver(() => AlignmentType, { nullable: true, description: 'For an aligned copy: how it was aligned.' })
  alignment(@Root() minimum: Minimum): AlignmentType | null {
    const a = minimum.alignment as { method: string; seed: number; sweeps?: number; seconds?: number } | null;
    return a ? { method: METHOD_BY_NAME[a.method], seed: a.seed, sweeps: a.sweeps ?? null, seconds: a.seconds ?? null } : null;
  }
}

@Resolver(() => RunType)
export class RunResolver {
  @Query(() => RunType)
  run(@Arg('id', () => ID) id: string, @Ctx() ctx: Context, @Info() info: GraphQLResolveInfo): Promise<Run> {
    return readOne(ctx.em, Run, id, info, () => findRun(ctx.em, id));
  }

  @Query(() => RunConnection, { description: 'Runs of all landscapes, oldest first, optionally filtered.' })
  async runs(@Args() args: RunFilterArgs, @Ctx() ctx: Context, @Info() info: GraphQLResolveInfo): Promise<Connection<Run>> {
    return toConnection(await listRuns(ctx.em, { status: args.status, kind: args.kind, tags: args.tags }, args, ctx.limits, pageRead(ctx.em, Run, info)));
  }

  @FieldResolver(() => LandscapeType)
  landscape(@Root() run: Run, @Ctx() ctx: Context): Promise<Landscape> {
    return load(ctx, Landscape, run.landscape);
  }
}

@Resolver(() => PathType)
export class PathResolver {
  @Query(() => PathType)
  path(@Arg('id', () => ID) id: string, @Ctx() ctx: Context, @Info() info: GraphQLResolveInfo): Promise<Path> {
    return readOne(ctx.em, Path, id, info, () => findPath(ctx.em, id));
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

  @FieldResolver(() => MinimumType, { nullable: true, description: 'With `align`: the copy of B permuted to match A, where the pivots end.' })
  async alignedMinimumB(@Root() path: Path, @Ctx() ctx: Context): Promise<Minimum | null> {
    return path.alignedMinimumB ? load(ctx, Minimum, path.alignedMinimumB) : null;
  }

  @FieldResolver(() => LinearConnectivityType, { nullable: true, description: 'Linear mode connectivity of A and B on the full sets (after evaluatePath).' })
  linearConnectivity(@Root() path: Path): LinearConnectivityType | null {
    return linearConnectivity(path.linearEvaluated);
  }

  @FieldResolver(() => LinearConnectivityType, { nullable: true, description: 'With `align`: linear mode connectivity of A and the aligned copy of B (after evaluatePath).' })
  alignedLinearConnectivity(@Root() path: Path): LinearConnectivityType | null {
    return linearConnectivity(path.alignedLinearEvaluated);
  }

  @FieldResolver(() => RunType, { nullable: true, description: 'The CONNECT run computing it.' })
  async run(@Root() path: Path, @Ctx() ctx: Context): Promise<Run | null> {
    return path.run ? load(ctx, Run, path.run) : null;
  }

  @FieldResolver(() => SaddleType, { nullable: true, description: 'Null until the first cycle is evaluated.' })
  saddle(@Root() path: Path): SaddleType | null {
    if (path.saddleT === null) return null;
    // pathId: for the saddle's own field resolvers (curvature).
    return {
      pathId: path.id,
      t: path.saddleT,
      trainLoss: path.saddleTrainLoss,
      testLoss: path.saddleTestLoss,
      trainError: path.saddleTrainError,
      testError: path.saddleTestError,
    } as SaddleType;
  }

  @FieldResolver(() => [CycleType], { description: 'Cycles done so far, in order.' })
  cycles(@Root() path: Path, @Ctx() ctx: Context): Promise<Cycle[]> {
    return cyclesOf(ctx.em, path);
  }

  @FieldResolver(() => PathDownloadsType)
  downloads(@Root() path: Path): PathDownloadsType {
    return { pivots: `${TENSORS_PATH}/paths/${path.id}/pivots`, saddle: `${TENSORS_PATH}/paths/${path.id}/saddle` };
  }

  @FieldResolver(() => [PivotType], { description: 'Current pivots in chain order.' })
  pivots(@Root() path: Path, @Ctx() ctx: Context): Promise<Pivot[]> {
    return pivotsOf(ctx.em, path);
  }
}

// Mutations that start and cancel runs, and the live subscriptions of their progress. Thin: the
// work is in src/runs/service.ts (starting) and in workers (doing).
import { Arg, Ctx, ID, Int, Float, Mutation, Resolver, Root, Subscription, type SubscribeResolverData } from 'type-graphql';
import type { AutoNebConfigInput } from '../../engine';
import type { PathCyclePayload, RunProgressPayload } from '../../runs/events';
import * as runs from '../../runs/service';
import { pathCycleStream, runProgressStream } from '../../runs/live';
import { deleteMinimum } from '../../runs/minima';
import { AutonebConfigInput, CycleEventType, RunProgressEventType, TrainingConfigInput } from '../schema/runs';
import { MinimumType, RunType } from '../schema/records';
import type { Minimum, Run } from '../../store/entities';
import { NotFoundError } from '../../store/errors';
import { storedCycle } from '../../store/records';
import { AlignmentMethod } from '../schema/enums';
import { CurveConfigInput, CurveKind } from '../schema/curves';
import { fitCurve } from '../../runs/curves';
import type { Context } from './context';

function services(ctx: Context): runs.RunServices {
  return { em: ctx.em, queue: ctx.queue, events: ctx.runEvents };
}

/** GraphQL input objects carry class prototypes and nulls; the engine wants plain JSON. */
function plain<T>(value: unknown): T | undefined {
  return value === undefined || value === null ? undefined : (JSON.parse(JSON.stringify(value)) as T);
}

@Resolver()
export class RunMutationResolver {
  @Mutation(() => RunType, { description: 'Trains `count` minima from distinct seeds (default: the lowest unused ones).' })
  trainMinima(
    @Arg('landscapeId', () => ID) landscapeId: string,
    @Arg('count', () => Int) count: number,
    @Arg('seeds', () => [Int], { nullable: true }) seeds: number[] | null,
    @Arg('config', () => TrainingConfigInput, { nullable: true }) config: TrainingConfigInput | null,
    @Ctx() ctx: Context,
  ): Promise<Run> {
    return runs.trainMinima(services(ctx), landscapeId, count, seeds, plain(config));
  }

  @Mutation(() => RunType, { description: 'One AutoNEB run between two READY minima of a landscape; creates the path.' })
  connectMinima(
    @Arg('a', () => ID) a: string,
    @Arg('b', () => ID) b: string,
    @Arg('config', () => AutonebConfigInput, { nullable: true }) config: AutonebConfigInput | null,
    @Arg('align', () => Boolean, { nullable: true, description: 'Permute b to match a first (weight matching), then connect a to that copy.' }) align: boolean | null,
    @Ctx() ctx: Context,
  ): Promise<Run> {
    return runs.connectMinima(services(ctx), a, b, plain<AutoNebConfigInput>(config), undefined, align ? AlignmentMethod.WEIGHT_MATCHING : null);
  }

  @Mutation(() => RunType, { description: "An ALIGN run storing a new minimum: minimumId's hidden units permuted to match referenceId's (the same function, with alignedTo and alignedFrom set)." })
  alignMinimum(
    @Arg('minimumId', () => ID) minimumId: string,
    @Arg('referenceId', () => ID) referenceId: string,
    @Arg('method', () => AlignmentMethod, { defaultValue: AlignmentMethod.WEIGHT_MATCHING }) method: AlignmentMethod,
    @Ctx() ctx: Context,
  ): Promise<Run> {
    return runs.alignMinimum(services(ctx), minimumId, referenceId, method);
  }

  @Mutation(() => RunType, { description: "A path's dense profile and saddle on the full train and test sets." })
  evaluatePath(
    @Arg('pathId', () => ID) pathId: string,
    @Arg('pointsPerSegment', () => Int, { nullable: true }) pointsPerSegment: number | null,
    @Ctx() ctx: Context,
  ): Promise<Run> {
    return runs.evaluatePath(services(ctx), pathId, pointsPerSegment);
  }

  @Mutation(() => RunType, { description: "The paper's algorithm 3: connect minima until the spanning tree is known." })
  exploreLandscape(
    @Arg('landscapeId', () => ID) landscapeId: string,
    @Arg('maxPairs', () => Int, { nullable: true }) maxPairs: number | null,
    @Arg('parallel', () => Int, { nullable: true }) parallel: number | null,
    @Arg('tolerance', () => Float, { nullable: true }) tolerance: number | null,
    @Arg('config', () => AutonebConfigInput, { nullable: true }) config: AutonebConfigInput | null,
    @Arg('align', () => Boolean, { nullable: true, description: 'Connect every pair with `align` (B permuted to match A first).' }) align: boolean | null,
    @Ctx() ctx: Context,
  ): Promise<Run> {
    return runs.exploreLandscape(services(ctx), landscapeId, { maxPairs, parallel, tolerance, config: plain<AutoNebConfigInput>(config), align: align ? AlignmentMethod.WEIGHT_MATCHING : null });
  }

  @Mutation(() => MinimumType, {
    description: 'A minimum trained elsewhere: POST its safetensors (PyTorch names and shapes) to /tensors/uploads, then import the upload. Its metrics are filled in by an EVALUATE run.',
  })
  async importMinimum(
    @Arg('landscapeId', () => ID) landscapeId: string,
    @Arg('uploadId', () => ID) uploadId: string,
    @Arg('seed', () => Int, { nullable: true, description: 'Seed it was trained from, if known (stored as null otherwise); a seed another minimum of the landscape has is refused.' }) seed: number | null,
    @Ctx() ctx: Context,
  ): Promise<Minimum> {
    const upload = ctx.uploads.get(uploadId);
    const { minimum } = await runs.importMinimum(services(ctx), landscapeId, upload.tensors, seed);
    ctx.uploads.delete(uploadId);
    return minimum;
  }

  @Mutation(() => ID, {
    description:
      'Deletes a minimum; returns its id. Refused (BAD_USER_INPUT, extensions.pathIds) while paths end in it, unless `cascade`, which deletes those paths with their cycles and pivots; refused while it is trained, or a path from it or an exploration of its landscape is under way. Landscape summaries, trees and suggestions exclude it from then on.',
  })
  async deleteMinimum(
    @Arg('id', () => ID) id: string,
    @Arg('cascade', () => Boolean, { nullable: true, defaultValue: false, description: 'Also delete the paths that end in it.' }) cascade: boolean | null,
    @Ctx() ctx: Context,
  ): Promise<string> {
    const { minimum } = await deleteMinimum(services(ctx), id, cascade ?? false);
    return minimum.id;
  }

  @Mutation(() => RunType, { description: "A CURVE run: a Bezier curve or polygonal chain between two minima of a network's landscape, its bend point trained by SGD, stored as a path (method BEZIER or POLYCHAIN)." })
  fitCurve(
    @Arg('a', () => ID) a: string,
    @Arg('b', () => ID) b: string,
    @Arg('kind', () => CurveKind, { nullable: true, defaultValue: CurveKind.BEZIER }) kind: CurveKind | null,
    @Arg('config', () => CurveConfigInput, { nullable: true }) config: CurveConfigInput | null,
    @Ctx() ctx: Context,
  ): Promise<Run> {
    return fitCurve(services(ctx), a, b, kind ?? CurveKind.BEZIER, plain<CurveConfigInput>(config));
  }

  @Mutation(() => RunType, { description: 'Stops a queued or running run within one step; what it finished stays stored.' })
  cancelRun(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<Run> {
    return runs.cancelRun(services(ctx), id);
  }
}

@Resolver()
export class RunSubscriptionResolver {
  @Subscription(() => RunProgressEventType, {
    subscribe: ({ args, context }: SubscribeResolverData<unknown, { runId: string }, Context>) => runProgressStream(context.em, context.events, args.runId),
    description:
      'First the run as stored (status, progress, its path\'s latest cycle), then each change: status, training progress, one event per AutoNEB cycle. Completes after the event of a terminal status (SUCCEEDED, FAILED, CANCELLED); an unknown run is a NOT_FOUND error.',
  })
  async runProgress(@Root() payload: RunProgressPayload, @Arg('runId', () => ID) _runId: string, @Ctx() ctx: Context): Promise<RunProgressEventType> {
    const cycle = payload.pathId && payload.cycleIndex ? await storedCycle(ctx.em, payload.pathId, payload.cycleIndex) : null;
    return { ...payload, pathId: payload.pathId ?? null, cycle, at: new Date(payload.at) };
  }

  @Subscription(() => CycleEventType, {
    subscribe: ({ args, context }: SubscribeResolverData<unknown, { pathId: string }, Context>) => pathCycleStream(context.em, context.events, args.pathId),
    description:
      "First the path's latest stored cycle (if any), then each new cycle. Completes when the path is COMPLETED, FAILED or CANCELLED (at once for a path that already is); an unknown path is a NOT_FOUND error.",
  })
  async pathCycles(@Root() payload: PathCyclePayload, @Arg('pathId', () => ID) _pathId: string, @Ctx() ctx: Context): Promise<CycleEventType> {
    const cycle = await storedCycle(ctx.em, payload.pathId, payload.cycleIndex);
    if (!cycle) throw new NotFoundError('cycle', `${payload.pathId}#${payload.cycleIndex}`, 'pathId');
    return { pathId: payload.pathId, runId: payload.runId, cycle, at: new Date(payload.at) };
  }
}

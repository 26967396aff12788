// Mutations that start and cancel runs, and the live subscriptions of their progress. Thin: the
// work is in src/runs/service.ts (starting) and in workers (doing).
import { Arg, Ctx, ID, Int, Float, Mutation, Resolver, Root, Subscription, type SubscribeResolverData } from 'type-graphql';
import type { AutoNebConfigInput } from '../../engine';
import { TOPIC } from '../../events';
import type { PathCyclePayload, RunProgressPayload } from '../../runs/events';
import * as runs from '../../runs/service';
import { AutonebConfigInput, CycleEventType, RunProgressEventType, TrainingConfigInput } from '../schema/runs';
import { MinimumType, RunType } from '../schema/records';
import type { Minimum, Run } from '../../store/entities';
import { NotFoundError } from '../../store/errors';
import { storedCycle } from '../../store/records';
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
    @Ctx() ctx: Context,
  ): Promise<Run> {
    return runs.connectMinima(services(ctx), a, b, plain<AutoNebConfigInput>(config));
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
    @Ctx() ctx: Context,
  ): Promise<Run> {
    return runs.exploreLandscape(services(ctx), landscapeId, { maxPairs, parallel, tolerance, config: plain<AutoNebConfigInput>(config) });
  }

  @Mutation(() => MinimumType, {
    description: 'A minimum trained elsewhere: POST its safetensors (PyTorch names and shapes) to /tensors/uploads, then import the upload. Its metrics are filled in by an EVALUATE run.',
  })
  async importMinimum(
    @Arg('landscapeId', () => ID) landscapeId: string,
    @Arg('uploadId', () => ID) uploadId: string,
    @Arg('seed', () => Int, { nullable: true, description: 'Seed it was trained from, if known.' }) seed: number | null,
    @Ctx() ctx: Context,
  ): Promise<Minimum> {
    const upload = ctx.uploads.get(uploadId);
    const { minimum } = await runs.importMinimum(services(ctx), landscapeId, upload.tensors, seed);
    ctx.uploads.delete(uploadId);
    return minimum;
  }

  @Mutation(() => RunType, { description: 'Stops a queued or running run within one step; what it finished stays stored.' })
  cancelRun(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<Run> {
    return runs.cancelRun(services(ctx), id);
  }
}

@Resolver()
export class RunSubscriptionResolver {
  @Subscription(() => RunProgressEventType, {
    topics: TOPIC.RUN_PROGRESS,
    topicId: ({ args }: SubscribeResolverData<unknown, { runId: string }>) => args.runId,
    description: 'Status changes, training progress and one event per AutoNEB cycle of a run.',
  })
  async runProgress(@Root() payload: RunProgressPayload, @Arg('runId', () => ID) _runId: string, @Ctx() ctx: Context): Promise<RunProgressEventType> {
    const cycle = payload.pathId && payload.cycleIndex ? await storedCycle(ctx.em, payload.pathId, payload.cycleIndex) : null;
    return { ...payload, pathId: payload.pathId ?? null, cycle, at: new Date(payload.at) };
  }

  @Subscription(() => CycleEventType, {
    topics: TOPIC.PATH_CYCLES,
    topicId: ({ args }: SubscribeResolverData<unknown, { pathId: string }>) => args.pathId,
    description: 'Each new AutoNEB cycle of one path, as stored (re-read missed ones with `path { cycles }`).',
  })
  async pathCycles(@Root() payload: PathCyclePayload, @Arg('pathId', () => ID) _pathId: string, @Ctx() ctx: Context): Promise<CycleEventType> {
    const cycle = await storedCycle(ctx.em, payload.pathId, payload.cycleIndex);
    if (!cycle) throw new NotFoundError('cycle', `${payload.pathId}#${payload.cycleIndex}`, 'pathId');
    return { pathId: payload.pathId, runId: payload.runId, cycle, at: new Date(payload.at) };
  }
}

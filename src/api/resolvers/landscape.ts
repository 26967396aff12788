import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Args, ArgsType, Ctx, Field, FieldResolver, ID, Info, Mutation, Query, Resolver, Root } from 'type-graphql';
import { pageRead, readOne } from '../selection';
import { LandscapeEventType, TOPIC, type LandscapeEventPayload } from '../../events';
import { ArchitectureType, CatalogType, CreateLandscapeInput, DatasetType, LandscapeType } from '../schema/landscape';
import { connectionType, PageArgs, toConnection, type Connection } from '../schema/pagination';
import { MinimumType, PathType, RunType } from '../schema/records';
import { RunKind, RunStatus } from '../schema/enums';
import { Landscape, Minimum, Path, Run } from '../../store/entities';
import { deleteLandscape, findLandscape, listLandscapes } from '../../store/landscapes';
import { createLandscape } from '../../runs/service';
import { listMinima, listPaths, listRuns } from '../../store/records';
import { datasetFacts } from '../../runs/bridge/specs';
import { ARCHITECTURE_KINDS, AUTONEB_PRESETS, DATASET_NAMES, SURFACE_NAMES } from '../../store/specs';
import type { Context } from './context';

export const LandscapeConnection = connectionType('Landscape', LandscapeType);
export const MinimumConnection = connectionType('Minimum', MinimumType);
export const PathConnection = connectionType('Path', PathType);
export const RunConnection = connectionType('Run', RunType);

@ArgsType()
export class RunFilterArgs extends PageArgs {
  @Field(() => RunStatus, { nullable: true })
  status?: RunStatus | null;

  @Field(() => RunKind, { nullable: true })
  kind?: RunKind | null;

  @Field(() => [String], { nullable: true, description: 'Only runs carrying every one of these tags.' })
  tags?: string[] | null;
}

@ArgsType()
export class LandscapeFilterArgs extends PageArgs {
  @Field(() => [String], { nullable: true, description: 'Only landscapes carrying every one of these tags.' })
  tags?: string[] | null;
}

async function announce(ctx: Context, type: LandscapeEventType, landscape: Landscape): Promise<void> {
  const payload: LandscapeEventPayload = { type, landscapeId: landscape.id, name: landscape.name, at: new Date().toISOString() };
  // The change is committed; a lost event must not turn it into an error for the caller.
  await ctx.events.publish(TOPIC.LANDSCAPE_EVENTS, payload).catch((err: Error) => ctx.log(`landscape event lost: ${err.message}`));
}

@Resolver(() => LandscapeType)
export class LandscapeResolver {
  @Query(() => LandscapeConnection, { description: 'All landscapes, oldest first.' })
  async landscapes(@Args() args: LandscapeFilterArgs, @Ctx() ctx: Context, @Info() info: GraphQLResolveInfo): Promise<Connection<Landscape>> {
    return toConnection(await listLandscapes(ctx.em, args, ctx.limits, args.tags, pageRead(ctx.em, Landscape, info)));
  }

  @Query(() => LandscapeType)
  landscape(@Arg('id', () => ID) id: string, @Ctx() ctx: Context, @Info() info: GraphQLResolveInfo): Promise<Landscape> {
    return readOne(ctx.em, Landscape, id, info, () => findLandscape(ctx.em, id));
  }

  @Query(() => CatalogType)
  catalog(): CatalogType {
    return {
      architectureKinds: ARCHITECTURE_KINDS,
      datasetNames: DATASET_NAMES,
      surfaceNames: SURFACE_NAMES,
      autonebPresets: AUTONEB_PRESETS,
    };
  }

  @Mutation(() => LandscapeType)
  async createLandscape(@Arg('input', () => CreateLandscapeInput) input: CreateLandscapeInput, @Ctx() ctx: Context): Promise<Landscape> {
    const landscape = await createLandscape(ctx.em, input);
    await announce(ctx, LandscapeEventType.CREATED, landscape);
    return landscape;
  }

  @Mutation(() => ID, { description: 'Deletes the landscape with its minima, runs and paths; returns its id.' })
  async deleteLandscape(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<string> {
    const landscape = await deleteLandscape(ctx.em, id);
    await announce(ctx, LandscapeEventType.DELETED, landscape);
    return landscape.id;
  }

  @FieldResolver(() => ArchitectureType)
  architecture(@Root() landscape: Landscape): ArchitectureType {
    const spec = landscape.architecture;
    return spec.kind === 'surface' ? { kind: spec.kind, surface: spec.name } : { ...spec };
  }

  @FieldResolver(() => DatasetType, { nullable: true, description: 'Null for analytic surfaces.' })
  dataset(@Root() landscape: Landscape): DatasetType | null {
    // The stored spec says what the user asked for; sizes and normalisation are what the engine uses.
    return landscape.dataset ? { ...landscape.dataset, ...datasetFacts(landscape.dataset) } : null;
  }

  @FieldResolver(() => MinimumConnection)
  async minima(@Root() landscape: Landscape, @Args() page: PageArgs, @Ctx() ctx: Context, @Info() info: GraphQLResolveInfo): Promise<Connection<Minimum>> {
    return toConnection(await listMinima(ctx.em, landscape.id, page, ctx.limits, pageRead(ctx.em, Minimum, info)));
  }

  @FieldResolver(() => PathConnection)
  async paths(@Root() landscape: Landscape, @Args() page: PageArgs, @Ctx() ctx: Context, @Info() info: GraphQLResolveInfo): Promise<Connection<Path>> {
    return toConnection(await listPaths(ctx.em, landscape.id, page, ctx.limits, pageRead(ctx.em, Path, info)));
  }

  @FieldResolver(() => RunConnection)
  async runs(@Root() landscape: Landscape, @Args() args: RunFilterArgs, @Ctx() ctx: Context, @Info() info: GraphQLResolveInfo): Promise<Connection<Run>> {
    return toConnection(await listRuns(ctx.em, { landscapeId: landscape.id, status: args.status, kind: args.kind, tags: args.tags }, args, ctx.limits, pageRead(ctx.em, Run, info)));
  }
}

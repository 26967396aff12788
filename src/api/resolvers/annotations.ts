// Tags and notes of landscapes and runs (runs/annotations.ts): an omitted argument keeps the
// value, null clears it.
import { Arg, Ctx, ID, Mutation, Resolver } from 'type-graphql';
import { LandscapeType } from '../schema/landscape';
import { RunType } from '../schema/records';
import type { Landscape, Run } from '../../store/entities';
import { updateLandscape, updateRun } from '../../runs/annotations';
import type { Context } from './context';

@Resolver()
export class AnnotationResolver {
  @Mutation(() => LandscapeType, { description: "Renames a landscape, or sets its tags or note (omitted: kept; null: cleared; a name cannot be cleared)." })
  updateLandscape(
    @Arg('id', () => ID) id: string,
    @Arg('name', () => String, { nullable: true }) name: string | null | undefined,
    @Arg('tags', () => [String], { nullable: true, description: 'Replaces the tags.' }) tags: string[] | null | undefined,
    @Arg('note', () => String, { nullable: true }) note: string | null | undefined,
    @Ctx() ctx: Context,
  ): Promise<Landscape> {
    return updateLandscape(ctx.em, id, { name, tags, note });
  }

  @Mutation(() => RunType, { description: "Sets a run's tags or note (omitted: kept; null: cleared), at any status." })
  updateRun(
    @Arg('id', () => ID) id: string,
    @Arg('tags', () => [String], { nullable: true, description: 'Replaces the tags.' }) tags: string[] | null | undefined,
    @Arg('note', () => String, { nullable: true }) note: string | null | undefined,
    @Ctx() ctx: Context,
  ): Promise<Run> {
    return updateRun(ctx.em, id, { tags, note });
  }
}

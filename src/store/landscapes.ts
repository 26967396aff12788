// Landscapes: create, read, list, delete.
import type { EntityManager } from '@mikro-orm/core';
import { Landscape } from './entities';
import { isId, NotFoundError } from './errors';
import { parseLandscapeInput, type LandscapeInputData } from './landscape-input';
import { paginate, type Page, type PageArgs, type PageLimits } from './pagination';

export async function createLandscape(em: EntityManager, input: LandscapeInputData): Promise<Landscape> {
  // Validate everything before touching the database: bad input writes nothing.
  const definition = parseLandscapeInput(input);
  const landscape = em.create(Landscape, definition);
  await em.persistAndFlush(landscape);
  return landscape;
}

export async function findLandscape(em: EntityManager, id: string, field = 'id'): Promise<Landscape> {
  const landscape = isId(id) ? await em.findOne(Landscape, { id }) : null;
  if (!landscape) throw new NotFoundError('landscape', id, field);
  return landscape;
}

export function listLandscapes(em: EntityManager, args: PageArgs, limits: PageLimits, fields?: readonly string[]): Promise<Page<Landscape>> {
  return paginate(em, Landscape, {}, args, limits, fields);
}

/** Deletes a landscape with its minima, runs, paths, cycles and pivots (foreign keys cascade). */
export async function deleteLandscape(em: EntityManager, id: string): Promise<Landscape> {
  const landscape = await findLandscape(em, id);
  await em.nativeDelete(Landscape, { id: landscape.id });
  return landscape;
}

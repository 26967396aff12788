// Landscapes: create, read, list, delete.
import type { EntityManager } from '@mikro-orm/core';
import { Landscape } from './entities';
import { isId, NotFoundError } from './errors';
import { paginate, type Page, type PageArgs, type PageLimits, type PageRead } from './pagination';

/** Stores a validated definition (runs/bridge/landscape-input.ts validates what users send). */
export async function createLandscape(em: EntityManager, definition: Pick<Landscape, 'name' | 'architecture' | 'dataset' | 'training' | 'autonebPreset'> & Partial<Pick<Landscape, 'tags' | 'note'>>): Promise<Landscape> {
  const landscape = em.create(Landscape, definition);
  await em.persistAndFlush(landscape);
  return landscape;
}

export async function findLandscape(em: EntityManager, id: string, field = 'id'): Promise<Landscape> {
  const landscape = isId(id) ? await em.findOne(Landscape, { id }) : null;
  if (!landscape) throw new NotFoundError('landscape', id, field);
  return landscape;
}

/** `tags`: only landscapes carrying every one of them; `fields`: the columns to read (all when absent). */
export function listLandscapes(em: EntityManager, args: PageArgs, limits: PageLimits, tags?: readonly string[] | null, read?: PageRead): Promise<Page<Landscape>> {
  return paginate(em, Landscape, tags?.length ? { tags: { $contains: [...tags] } } : {}, args, limits, read);
}

/** Deletes a landscape with its minima, runs, paths, cycles and pivots (foreign keys cascade). */
export async function deleteLandscape(em: EntityManager, id: string): Promise<Landscape> {
  const landscape = await findLandscape(em, id);
  await em.nativeDelete(Landscape, { id: landscape.id });
  return landscape;
}

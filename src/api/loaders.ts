// Per-request batching of many-to-one loads (a page of paths asking for their minima, landscape
// and run): every load of one entity type within a tick becomes one `id IN (...)` query, and
// the same id is read once per request.
import DataLoader from 'dataloader';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Landscape, Minimum, Run } from '../store/entities';

/** Entities that resolvers load by reference. */
export const LOADED = { Landscape, Minimum, Run } as const;
type Loaded = InstanceType<(typeof LOADED)[keyof typeof LOADED]>;

export class Loaders {
  private readonly loaders = new Map<unknown, DataLoader<string, Loaded>>();

  constructor(private readonly em: () => EntityManager) {}

  /** The entity with this id (from the request's identity map when already there). */
  load<T extends Loaded>(entity: new () => T, id: string): Promise<T> {
    let loader = this.loaders.get(entity);
    if (!loader) {
      loader = new DataLoader<string, Loaded>(async (ids) => {
        const found = await this.em().find(entity as new () => Loaded, { id: { $in: [...ids] } } as never);
        const byId = new Map(found.map((e) => [e.id, e]));
        // A reference whose row is gone (deleted meanwhile) fails that field only.
        return ids.map((id) => byId.get(id) ?? new Error(`${entity.name} ${id} not found`));
      });
      this.loaders.set(entity, loader);
    }
    return loader.load(id) as Promise<T>;
  }
}

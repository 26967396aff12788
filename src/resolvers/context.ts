import type { EntityManager } from '@mikro-orm/postgresql';
import type { EventBus } from '../events';
import type { PageLimits } from '../store/pagination';

/** Per-operation context: its own EntityManager (identity map), the event bus, limits. */
export interface Context {
  em: EntityManager;
  events: EventBus;
  limits: PageLimits;
  log: (message: string) => void;
}

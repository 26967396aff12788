import type { EntityManager } from '@mikro-orm/postgresql';
import type { Access } from '../../http/auth';
import type { EventBus } from '../../events';
import type { RunEvents } from '../../runs/events';
import type { JobQueue } from '../../runs/queue';
import type { PageLimits } from '../../store/pagination';
import type { UploadStore } from '../../runs/uploads';

/** Per-operation context: its own EntityManager (identity map), the event bus, limits. */
export interface Context {
  em: EntityManager;
  events: EventBus;
  limits: PageLimits;
  log: (message: string) => void;
  /** Where mutations enqueue the work they start. */
  queue: JobQueue;
  runEvents: RunEvents;
  uploads: UploadStore;
  /** Who is calling (the token's scope); absent where no caller is involved. */
  access?: Access;
}

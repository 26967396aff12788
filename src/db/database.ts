// Opens "the database" the configuration names: the embedded PGlite in a data directory, or a
// real PostgreSQL at DATABASE_URL. Everything above this module only sees a postgres:// URL.
import type { MikroORM } from '@mikro-orm/postgresql';
import { redactUrl, type Config } from '../config';
import { startEmbedded } from './embedded';
import { initOrm, migrate } from './orm';
import { withStartupLock } from './startup-lock';

/**
 * Connections this process may hold besides the ORM pool: the event listener, the job queue, and
 * those of the in-process worker's thread (its job queue; its ORM pool, at most another pool's size).
 */
const OTHER_CONNECTIONS = 16;

export interface Database {
  kind: 'embedded' | 'postgres';
  /** Connection URL for further pools in this process (listener, queue). */
  url: string;
  /** Human-readable description for logs: where the data lives. */
  description: string;
  orm: MikroORM;
  /** Migrations applied when opening (empty when the schema was current). */
  applied: string[];
  close(): Promise<void>;
}

export async function openDatabase(
  config: Pick<Config, 'dataDir' | 'databaseUrl' | 'dbPoolSize'>,
  options: { migrate?: boolean; log?: (message: string) => void } = {},
): Promise<Database> {
  const embedded = config.databaseUrl
    ? undefined
    : await startEmbedded({ dataDir: config.dataDir, maxConnections: 2 * config.dbPoolSize + OTHER_CONNECTIONS });
  const url = config.databaseUrl ?? embedded!.url;
  let orm: MikroORM | undefined;
  try {
    orm = await initOrm(url, config.dbPoolSize);
    const migrating = orm;
    // Embedded: one process owns the database. PostgreSQL: processes started together take turns.
    const applied =
      options.migrate === false ? [] : embedded ? await migrate(migrating) : await withStartupLock(url, 'migrations', () => migrate(migrating), { log: options.log });
    const opened = orm;
    return {
      kind: embedded ? 'embedded' : 'postgres',
      url,
      description: embedded
        ? `embedded PGlite, data in ${embedded.pgDataDir}`
        : `PostgreSQL at ${redactUrl(url)}`,
      orm: opened,
      applied,
      close: async () => {
        // The pool first, so that nothing talks to PGlite while it writes its files.
        try {
          await opened.close(true);
        } finally {
          await embedded?.close();
        }
      },
    };
  } catch (err) {
    await orm?.close(true).catch(() => undefined);
    await embedded?.close().catch(() => undefined);
    throw err;
  }
}

// MikroORM over PostgreSQL (a real server or the embedded one through its socket).
import { MikroORM, type Options } from '@mikro-orm/postgresql';
import { Migrator } from '@mikro-orm/migrations';
import { MIGRATIONS } from '../../migrations';
import { ENTITIES } from '../store/entities';

export function ormOptions(clientUrl: string, poolSize: number): Options {
  return {
    clientUrl,
    entities: ENTITIES,
    extensions: [Migrator],
    // Each request forks its own EntityManager; the global one must never collect state.
    allowGlobalContext: false,
    pool: { min: 0, max: poolSize },
    // Decimal-free schema; doubles and ints come back as JS numbers.
    forceUtcTimezone: true,
    debug: false,
    migrations: {
      // An explicit list: a glob over migrations/ breaks under test runners and bundlers.
      migrationsList: MIGRATIONS,
      tableName: 'mikro_orm_migrations',
      transactional: true,
      allOrNothing: true,
      snapshot: false,
      silent: true,
    },
  };
}

export async function initOrm(clientUrl: string, poolSize: number): Promise<MikroORM> {
  return MikroORM.init(ormOptions(clientUrl, poolSize));
}

/** Applies pending migrations; returns the names applied. */
export async function migrate(orm: MikroORM): Promise<string[]> {
  const applied = await orm.getMigrator().up();
  return applied.map((m) => m.name);
}

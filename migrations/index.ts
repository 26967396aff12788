// Every migration, in order. Add new ones at the end (`name` is what the migrations table records).
import type { MigrationObject } from '@mikro-orm/core';
import { Migration20250601000000Initial } from './Migration20250601000000_initial';

export const MIGRATIONS: MigrationObject[] = [
  { name: 'Migration20250601000000_initial', class: Migration20250601000000Initial },
];

// Every migration, in order. Add new ones at the end (`name` is what the migrations table records).
import type { MigrationObject } from '@mikro-orm/core';
import { Migration20250601000000Initial } from './Migration20250601000000_initial';
import { Migration20261126000000Runs } from './Migration20261126000000_runs';
import { Migration20261201000000ApiTokens } from './Migration20261201000000_api_tokens';
import { Migration20261203000100AutonebConvergence } from './Migration20261203000100_autoneb_convergence';
import { Migration20261203000200Curvature } from './Migration20261203000200_curvature';
import { Migration20261203000300Alignment } from './Migration20261203000300_alignment';
import { Migration20261203000400Annotations } from './Migration20261203000400_annotations';
import { Migration20261203001000Curves } from './Migration20261203001000_curves';
import { Migration20261203005000Anneal } from './Migration20261203005000_anneal';

export const MIGRATIONS: MigrationObject[] = [
  { name: 'Migration20250601000000_initial', class: Migration20250601000000Initial },
  { name: 'Migration20261126000000_runs', class: Migration20261126000000Runs },
  { name: 'Migration20261201000000_api_tokens', class: Migration20261201000000ApiTokens },
  { name: 'Migration20261203000100_autoneb_convergence', class: Migration20261203000100AutonebConvergence },
  { name: 'Migration20261203000200_curvature', class: Migration20261203000200Curvature },
  { name: 'Migration20261203000300_alignment', class: Migration20261203000300Alignment },
  { name: 'Migration20261203000400_annotations', class: Migration20261203000400Annotations },
  { name: 'Migration20261203001000_curves', class: Migration20261203001000Curves },
  { name: 'Migration20261203005000_anneal', class: Migration20261203005000Anneal },
];

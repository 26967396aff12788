// AutoNEB's annealing cycle (issue 17): whether a stored cycle's run anneals from the next cycle on.
import { Migration } from '@mikro-orm/migrations';

export class Migration20261203005000Anneal extends Migration {
  override async up(): Promise<void> {
    // Cycles stored before annealing existed belong to runs that ended where they converged.
    this.addSql(`alter table "cycle" add column "annealing" boolean not null default false;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "cycle" drop column "annealing";`);
  }
}

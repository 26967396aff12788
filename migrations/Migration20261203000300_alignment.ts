// Alignment of minima by permutation symmetry (issue 18): ALIGN runs, aligned copies of minima,
// the aligned endpoint of a path and its straight-line profiles (linear mode connectivity).
import { Migration } from '@mikro-orm/migrations';

export class Migration20261203000300Alignment extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter type "run_kind" add value if not exists 'ALIGN';`);
    this.addSql(`alter table "minimum" add column "aligned_to_id" uuid null, add column "aligned_from_id" uuid null, add column "alignment" jsonb null;`);
    this.addSql(`alter table "minimum" add constraint "minimum_aligned_to_id_foreign" foreign key ("aligned_to_id") references "minimum" ("id") on update cascade on delete set null;`);
    this.addSql(`alter table "minimum" add constraint "minimum_aligned_from_id_foreign" foreign key ("aligned_from_id") references "minimum" ("id") on update cascade on delete set null;`);
    this.addSql(`create index "minimum_aligned_from_id_index" on "minimum" ("aligned_from_id");`);
    this.addSql(`alter table "path" add column "aligned_minimum_b_id" uuid null, add column "aligned_linear_barrier" double precision null, add column "aligned_linear_profile" jsonb null, add column "linear_evaluated" jsonb null, add column "aligned_linear_evaluated" jsonb null;`);
    this.addSql(`alter table "path" add constraint "path_aligned_minimum_b_id_foreign" foreign key ("aligned_minimum_b_id") references "minimum" ("id") on update cascade on delete set null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "path" drop constraint "path_aligned_minimum_b_id_foreign";`);
    this.addSql(`alter table "path" drop column "aligned_minimum_b_id", drop column "aligned_linear_barrier", drop column "aligned_linear_profile", drop column "linear_evaluated", drop column "aligned_linear_evaluated";`);
    this.addSql(`alter table "minimum" drop constraint "minimum_aligned_to_id_foreign";`);
    this.addSql(`alter table "minimum" drop constraint "minimum_aligned_from_id_foreign";`);
    this.addSql(`drop index if exists "minimum_aligned_from_id_index";`);
    this.addSql(`alter table "minimum" drop column "aligned_to_id", drop column "aligned_from_id", drop column "alignment";`);
    // PostgreSQL cannot drop an enum value: ALIGN stays in "run_kind" (unused once its runs are gone).
    this.addSql(`delete from "run" where "kind" = 'ALIGN';`);
  }
}

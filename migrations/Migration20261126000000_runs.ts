// Runs through the API: explorations own their CONNECT runs (run.parent) and keep a result;
// paths keep their straight-line and full-data profiles; cycles keep the convergence measure,
// pivot positions and, for 2-D surfaces, pivot coordinates.
import { Migration } from '@mikro-orm/migrations';

export class Migration20261126000000Runs extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "run" add column "parent_id" uuid null, add column "result" jsonb null;`);
    this.addSql(`create index "run_parent_id_index" on "run" ("parent_id");`);
    this.addSql(`alter table "run" add constraint "run_parent_id_foreign" foreign key ("parent_id") references "run" ("id") on update cascade on delete set null;`);
    this.addSql(`alter table "path" add column "linear_profile" jsonb null, add column "evaluated_profile" jsonb null;`);
    this.addSql(
      `alter table "cycle" add column "pivot_positions" jsonb not null default '[]', add column "saddle_t" double precision not null default 0, ` +
        `add column "max_perpendicular_gradient" double precision not null default 0, add column "pivots_inserted" int not null default 0, add column "pivot_coordinates" jsonb null;`,
    );
    // Defaults only filled rows that existed before; new rows always carry the values.
    this.addSql(`alter table "cycle" alter column "pivot_positions" drop default, alter column "saddle_t" drop default, alter column "max_perpendicular_gradient" drop default, alter column "pivots_inserted" drop default;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "cycle" drop column "pivot_positions", drop column "saddle_t", drop column "max_perpendicular_gradient", drop column "pivots_inserted", drop column "pivot_coordinates";`);
    this.addSql(`alter table "path" drop column "linear_profile", drop column "evaluated_profile";`);
    this.addSql(`alter table "run" drop constraint "run_parent_id_foreign";`);
    this.addSql(`alter table "run" drop column "parent_id", drop column "result";`);
  }
}

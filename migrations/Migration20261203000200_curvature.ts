// Curvature of minima and saddles (issue 19): CURVATURE runs and their results.
import { Migration } from '@mikro-orm/migrations';

export class Migration20261203000200Curvature extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter type "run_kind" add value if not exists 'CURVATURE';`);
    this.addSql(
      `create table "curvature" ("id" uuid not null, "landscape_id" uuid not null, "run_id" uuid not null, "minimum_id" uuid null, "path_id" uuid null, ` +
        `"saddle_t" double precision null, "k" int not null, "largest" jsonb not null, "smallest" jsonb not null, "trace" double precision null, ` +
        `"trace_standard_error" double precision null, "tangent_curvature" double precision null, "negative_count" int not null, "threshold" double precision not null, ` +
        `"evaluations" int not null, "noise" double precision not null, "relative_step" double precision not null, "created_at" timestamptz not null, ` +
        `constraint "curvature_pkey" primary key ("id"));`,
    );
    this.addSql(`create index "curvature_landscape_id_index" on "curvature" ("landscape_id");`);
    this.addSql(`create index "curvature_run_id_index" on "curvature" ("run_id");`);
    this.addSql(`create index "curvature_minimum_id_index" on "curvature" ("minimum_id");`);
    this.addSql(`create index "curvature_path_id_index" on "curvature" ("path_id");`);
    this.addSql(`alter table "curvature" add constraint "curvature_landscape_id_foreign" foreign key ("landscape_id") references "landscape" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "curvature" add constraint "curvature_run_id_foreign" foreign key ("run_id") references "run" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "curvature" add constraint "curvature_minimum_id_foreign" foreign key ("minimum_id") references "minimum" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "curvature" add constraint "curvature_path_id_foreign" foreign key ("path_id") references "path" ("id") on update cascade on delete cascade;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "curvature" cascade;`);
    // PostgreSQL cannot drop an enum value; CURVATURE stays in run_kind.
  }
}

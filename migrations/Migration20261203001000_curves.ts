// Curves as a second path method (issue 19): CURVE runs, Path.method, and a curve's training state.
import { Migration } from '@mikro-orm/migrations';

export class Migration20261203001000Curves extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter type "run_kind" add value if not exists 'CURVE';`);
    this.addSql(`create type "path_method" as enum ('AUTONEB', 'BEZIER', 'POLYCHAIN');`);
    // Every path stored before curves existed was found by AutoNEB.
    this.addSql(`alter table "path" add column "method" "path_method" not null default 'AUTONEB', add column "epochs_done" int not null default 0, add column "curve_bend" bytea null, add column "curve_velocity" bytea null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "path" drop column "method", drop column "epochs_done", drop column "curve_bend", drop column "curve_velocity";`);
    this.addSql(`drop type "path_method";`);
    // PostgreSQL cannot drop an enum value; CURVE stays in run_kind.
  }
}

// Issue 20: imported minima may have no seed (null, where -1 stood for "unknown"); tags and a
// free-text note on landscapes and runs, lists filterable by tag.
import { Migration } from '@mikro-orm/migrations';

export class Migration20261203000400Annotations extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "minimum" alter column "seed" drop not null;`);
    // Only importMinimum ever stored -1 (training seeds are >= 0): it meant "not given".
    this.addSql(`update "minimum" set "seed" = null where "seed" = -1;`);
    this.addSql(`alter table "landscape" add column "tags" text[] not null default '{}', add column "note" text null;`);
    this.addSql(`alter table "run" add column "tags" text[] not null default '{}', add column "note" text null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "run" drop column "tags", drop column "note";`);
    this.addSql(`alter table "landscape" drop column "tags", drop column "note";`);
    this.addSql(`update "minimum" set "seed" = -1 where "seed" is null;`);
    this.addSql(`alter table "minimum" alter column "seed" set not null;`);
  }
}

// Bearer tokens of the API (issue 9): only their SHA-256 is stored.
import { Migration } from '@mikro-orm/migrations';

export class Migration20261201000000ApiTokens extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "api_token" ("id" uuid not null, "name" text not null, "scope" text not null, "hash" text not null, "created_at" timestamptz not null, constraint "api_token_pkey" primary key ("id"));`);
    this.addSql(`alter table "api_token" add constraint "api_token_hash_unique" unique ("hash");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "api_token" cascade;`);
  }
}

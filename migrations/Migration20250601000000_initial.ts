// The initial schema: every entity of ARCHITECTURE.md section 2. Generated from the entities
// (orm.schema.getCreateSchemaSQL) and checked against them by test/api/migrations.test.ts.
import { Migration } from '@mikro-orm/migrations';

export class Migration20250601000000Initial extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create type "run_kind" as enum ('TRAIN', 'CONNECT', 'EXPLORE', 'EVALUATE');`);
    this.addSql(`create type "run_status" as enum ('QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED');`);
    this.addSql(`create type "minimum_status" as enum ('TRAINING', 'READY', 'FAILED');`);
    this.addSql(`create type "path_status" as enum ('PENDING', 'RUNNING', 'COMPLETED', 'FAILED', 'CANCELLED');`);
    this.addSql(`create table "landscape" ("id" uuid not null, "name" text not null, "architecture" jsonb not null, "dataset" jsonb null, "training" jsonb not null, "autoneb_preset" text not null default 'paper', "created_at" timestamptz not null, constraint "landscape_pkey" primary key ("id"));`);
    this.addSql(`create table "run" ("id" uuid not null, "landscape_id" uuid not null, "kind" "run_kind" not null, "status" "run_status" not null default 'QUEUED', "config" jsonb not null, "progress" jsonb null, "error_message" text null, "worker_id" text null, "resume_count" int not null default 0, "created_at" timestamptz not null, "updated_at" timestamptz not null, "started_at" timestamptz null, "finished_at" timestamptz null, constraint "run_pkey" primary key ("id"));`);
    this.addSql(`create index "run_landscape_id_index" on "run" ("landscape_id");`);
    this.addSql(`create index "run_status_kind_index" on "run" ("status", "kind");`);
    this.addSql(`create table "minimum" ("id" uuid not null, "landscape_id" uuid not null, "seed" int not null, "status" "minimum_status" not null default 'TRAINING', "run_id" uuid null, "parameters" bytea null, "parameter_count" int null, "train_loss" double precision null, "test_loss" double precision null, "train_error" double precision null, "test_error" double precision null, "created_at" timestamptz not null, constraint "minimum_pkey" primary key ("id"));`);
    this.addSql(`create index "minimum_landscape_id_index" on "minimum" ("landscape_id");`);
    this.addSql(`create table "path" ("id" uuid not null, "landscape_id" uuid not null, "minimum_a_id" uuid not null, "minimum_b_id" uuid not null, "run_id" uuid null, "status" "path_status" not null default 'PENDING', "saddle_t" double precision null, "saddle_train_loss" double precision null, "saddle_test_loss" double precision null, "saddle_train_error" double precision null, "saddle_test_error" double precision null, "linear_barrier" double precision null, "length" double precision null, "cycles_done" int not null default 0, "created_at" timestamptz not null, "updated_at" timestamptz not null, constraint "path_pkey" primary key ("id"));`);
    this.addSql(`create index "path_landscape_id_index" on "path" ("landscape_id");`);
    this.addSql(`create index "path_minimum_a_id_index" on "path" ("minimum_a_id");`);
    this.addSql(`create index "path_minimum_b_id_index" on "path" ("minimum_b_id");`);
    this.addSql(`create table "pivot" ("id" uuid not null, "path_id" uuid not null, "index" int not null, "t" double precision not null, "parameters" bytea null, "energy" double precision not null, constraint "pivot_pkey" primary key ("id"));`);
    this.addSql(`alter table "pivot" add constraint "pivot_path_id_index_unique" unique ("path_id", "index");`);
    this.addSql(`create table "cycle" ("id" uuid not null, "path_id" uuid not null, "index" int not null, "steps" int not null, "learning_rate" double precision not null, "pivot_energies" jsonb not null, "dense_profile" jsonb not null, "max_energy" double precision not null, "created_at" timestamptz not null, constraint "cycle_pkey" primary key ("id"));`);
    this.addSql(`alter table "cycle" add constraint "cycle_path_id_index_unique" unique ("path_id", "index");`);
    this.addSql(`alter table "run" add constraint "run_landscape_id_foreign" foreign key ("landscape_id") references "landscape" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "minimum" add constraint "minimum_landscape_id_foreign" foreign key ("landscape_id") references "landscape" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "minimum" add constraint "minimum_run_id_foreign" foreign key ("run_id") references "run" ("id") on update cascade on delete set null;`);
    this.addSql(`alter table "path" add constraint "path_landscape_id_foreign" foreign key ("landscape_id") references "landscape" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "path" add constraint "path_minimum_a_id_foreign" foreign key ("minimum_a_id") references "minimum" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "path" add constraint "path_minimum_b_id_foreign" foreign key ("minimum_b_id") references "minimum" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "path" add constraint "path_run_id_foreign" foreign key ("run_id") references "run" ("id") on update cascade on delete set null;`);
    this.addSql(`alter table "pivot" add constraint "pivot_path_id_foreign" foreign key ("path_id") references "path" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "cycle" add constraint "cycle_path_id_foreign" foreign key ("path_id") references "path" ("id") on update cascade on delete cascade;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "cycle" cascade;`);
    this.addSql(`drop table if exists "pivot" cascade;`);
    this.addSql(`drop table if exists "path" cascade;`);
    this.addSql(`drop table if exists "minimum" cascade;`);
    this.addSql(`drop table if exists "run" cascade;`);
    this.addSql(`drop table if exists "landscape" cascade;`);
    this.addSql(`drop type if exists "path_status";`);
    this.addSql(`drop type if exists "minimum_status";`);
    this.addSql(`drop type if exists "run_status";`);
    this.addSql(`drop type if exists "run_kind";`);
  }
}

// Migrations: `neb-atlas migrate` builds the schema on an empty real PostgreSQL, is idempotent,
// and the migrated schema matches the entities exactly.
import 'reflect-metadata';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { Client } from 'pg';
import { openDatabase } from '../../src/db/database';
import { createTestStorage } from '../helpers/server';
import { MIGRATIONS } from '../../migrations';

const CLI = join(__dirname, '..', '..', 'src', 'cli.js');
const TABLES = ['api_token', 'curvature', 'cycle', 'landscape', 'mikro_orm_migrations', 'minimum', 'path', 'pivot', 'run'];

function migrate(databaseUrl: string) {
  const env = { ...process.env, DATABASE_URL: databaseUrl };
  const out = spawnSync(process.execPath, [CLI, 'migrate'], { env, encoding: 'utf8', timeout: 60_000 });
  return { status: out.status, output: `${out.stdout}${out.stderr}` };
}

test('neb-atlas migrate on an empty PostgreSQL creates every table, once', async (t) => {
  if (!process.env.DATABASE_URL) {
    t.skip('needs a real PostgreSQL: set DATABASE_URL to an admin URL (as .ci/run does)');
    return;
  }
  const storage = await createTestStorage();
  try {
    const url = storage.config.databaseUrl!;
    const client = new Client({ connectionString: url });
    await client.connect();
    try {
      const tables = async () =>
        (await client.query<{ table_name: string }>("select table_name from information_schema.tables where table_schema = 'public' order by 1")).rows.map((r) => r.table_name);
      assert.deepEqual(await tables(), []);
      const first = migrate(url);
      assert.equal(first.status, 0, first.output);
      assert.match(first.output, /applied: Migration20250601000000_initial/);
      assert.deepEqual(await tables(), TABLES);
      const second = migrate(url);
      assert.equal(second.status, 0, second.output);
      assert.match(second.output, /schema is up to date/);
      const applied = await client.query('select name from mikro_orm_migrations');
      assert.deepEqual(applied.rows.map((r) => r.name), MIGRATIONS.map((m) => m.name));
    } finally {
      await client.end();
    }
  } finally {
    await storage.dispose();
  }
});

test('the migrated schema matches the entities (no pending schema diff)', async () => {
  const storage = await createTestStorage();
  const database = await openDatabase({ ...storage.config, dbPoolSize: 2 });
  try {
    const diff = await database.orm.schema.getUpdateSchemaSQL({ wrap: false });
    assert.equal(diff.trim(), '', `entities and migrations differ:\n${diff}`);
  } finally {
    await database.close();
    await storage.dispose();
  }
});

test('migrate with a bad DATABASE_URL fails with a message naming the variable', () => {
  const out = spawnSync(process.execPath, [CLI, 'migrate'], { env: { ...process.env, DATABASE_URL: 'mysql://x' }, encoding: 'utf8' });
  assert.equal(out.status, 1);
  assert.match(out.stderr, /DATABASE_URL="mysql:\/\/x": expected a postgres:\/\/ or postgresql:\/\/ URL/);
});

// schema.graphql (the repository's published API) is exactly the live schema.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { buildSchema, findBreakingChanges, findDangerousChanges } from 'graphql';
import { SCHEMA_FILE, schemaSdl } from '../../src/api/schema-file';

test('schema.graphql equals the schema the server builds (run `npm run schema` after changing the API)', async () => {
  const live = await schemaSdl();
  const file = readFileSync(SCHEMA_FILE, 'utf8');
  if (file !== live) {
    // Name what differs before failing, so the message says more than "not equal".
    const before = buildSchema(file);
    const after = buildSchema(live);
    const changes = [...findBreakingChanges(before, after), ...findDangerousChanges(before, after)].map((c) => c.description);
    assert.fail(`schema.graphql is out of date; run \`npm run schema\`.${changes.length ? ` Differences: ${changes.join('; ')}` : ' (new fields, descriptions or order)'}`);
  }
});

test('schema.graphql is valid SDL with the operation roots and the contract names', () => {
  const schema = buildSchema(readFileSync(SCHEMA_FILE, 'utf8'));
  assert.ok(schema.getQueryType()?.getFields().landscapes);
  assert.ok(schema.getMutationType()?.getFields().importMinimum);
  assert.deepEqual(Object.keys(schema.getSubscriptionType()!.getFields()).sort(), ['landscapeEvents', 'pathCycles', 'runProgress']);
});

// Typed documents (scripts/codegen.js, GraphQL Code Generator): the generated modules of the web
// client, the CLI and the example are what schema.graphql and their operations.graphql give, and
// a document that does not validate against the schema is refused (npm run build runs the check).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';

interface Target { documents: string; output: string; documentMode: string }
// eslint-disable-next-line @typescript-eslint/no-require-imports -- a plain CommonJS build script
const codegen = require(join(__dirname, '..', '..', '..', 'scripts', 'codegen.js')) as {
  TARGETS: Target[];
  generateAll(): Promise<{ output: string; stale: boolean }[]>;
  generateTarget(target: Target, options?: { documentsText?: string }): Promise<string>;
};

test('generated documents are up to date with schema.graphql and every operations.graphql', async () => {
  const results = await codegen.generateAll();
  assert.deepEqual(results.map((r) => r.output).sort(), ['client/src/graphql.ts', 'examples/graphql.ts', 'src/cli/graphql.ts']);
  assert.deepEqual(results.filter((r) => r.stale).map((r) => r.output), [], 'run `npm run codegen`');
});

test('a generated module types results from the schema (nullable fields are `| null`, enums are unions)', async () => {
  const source = await codegen.generateTarget(codegen.TARGETS[1], {
    documentsText: 'query Probe($id: ID!) { run(id: $id) { id status errorMessage } }',
  });
  assert.match(source, /export type ProbeQuery = \{ run: \{ id: string, status: RunStatus, errorMessage: string \| null \} \};/);
  assert.match(source, /export type RunStatus =\s*\| 'QUEUED'/);
  assert.match(source, /export const ProbeDocument = new TypedDocumentString/);
});

test('documents that do not validate against the schema are refused, naming the problem', async () => {
  const cli = codegen.TARGETS[1];
  await assert.rejects(codegen.generateTarget(cli, { documentsText: 'query A { landscapes(first: 1) { totalCount noSuchField } }' }), /noSuchField/);
  await assert.rejects(codegen.generateTarget(cli, { documentsText: 'query B($id: Int!) { landscape(id: $id) { id } }' }), /\$id.*Int!.*ID!/s);
  await assert.rejects(codegen.generateTarget(cli, { documentsText: 'mutation C { trainMinima(landscapeId: "x") { id } }' }), /count/);
});

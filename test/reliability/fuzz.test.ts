// Hostile input: at least 1,000 generated malformed or hostile GraphQL documents and variables
// (wrong types, huge numbers, NaN and Infinity, deep nesting, huge lists, unknown ids, injection
// strings), over HTTP and graphql-ws, and corrupt or truncated safetensors uploads. Every one
// must be answered with a coded error (never 5xx, never INTERNAL_SERVER_ERROR, no stack trace),
// the server must stay up, and the stored data must be byte-for-byte unchanged.
// The generator is seeded (FUZZ_SEED, default 9): a failure names the case to replay.
import 'reflect-metadata';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { parse, validate, type GraphQLSchema } from 'graphql';
import { createPubSub } from '@graphql-yoga/subscription';
import request from 'supertest';
import { decodeSafetensors, encodeSafetensors } from '../../src/engine';
import { Random } from '../../src/engine/random';
import { buildAppSchema } from '../../src/api/resolvers';
import { startTestServer, type TestServer } from '../helpers/server';
import { CONNECT, TRAIN, createLandscape, minimaBySeed, mutate, surfaceSchedule, waitForRun } from '../runs/helpers';
import { codedErrors, looksLikeStack, postGraphql, snapshot, wsOperation, type RawResponse } from './helpers';

const SEED = Number(process.env.FUZZ_SEED ?? 9);
let server: TestServer;
let schema: GraphQLSchema;
/** Real ids, so hostile arguments also reach records that exist. */
const ids = { landscape: '', minimumA: '', minimumB: '', path: '', run: '' };

before(async () => {
  server = await startTestServer();
  schema = await buildAppSchema(createPubSub() as never);
  ids.landscape = await createLandscape(server, { name: 'fuzz', architecture: { kind: 'surface', surface: 'muller-brown' }, autonebPreset: 'surface' });
  const train = await mutate(server, TRAIN, { l: ids.landscape, n: 2, seeds: [1, 2] });
  assert.equal((await waitForRun(server, train.id)).status, 'SUCCEEDED');
  const minima = await minimaBySeed(server, ids.landscape);
  ids.minimumA = minima.get(1)!.id;
  ids.minimumB = minima.get(2)!.id;
  const connect = await mutate(server, CONNECT, { a: ids.minimumA, b: ids.minimumB, config: surfaceSchedule(2) });
  assert.equal((await waitForRun(server, connect.id)).status, 'SUCCEEDED');
  ids.run = connect.id;
  ids.path = (connect.config as { pathId: string }).pathId;
});

after(async () => {
  await server?.close();
});

// --- values ------------------------------------------------------------------------------

function deepArray(depth: number): unknown {
  let v: unknown = 1;
  for (let i = 0; i < depth; i++) v = [v];
  return v;
}

function deepObject(depth: number): unknown {
  let v: unknown = 'x';
  for (let i = 0; i < depth; i++) v = { input: v, name: 'n' };
  return v;
}

const INJECTION = [
  "'; DROP TABLE landscape; --",
  '" OR 1=1 --',
  "1' UNION SELECT token FROM api_token --",
  '$where: function() { return true }',
  '{"$gt": ""}',
  '../../../../etc/passwd',
  '<script>alert(1)</script>',
  '${jndi:ldap://127.0.0.1/x}',
  '%s%s%s%n',
  '\u0000',
  'a\u0000b',
  '\ud800',
  '\u202e\u0645',
  '🙂'.repeat(1000),
  'x'.repeat(100_000),
  '',
  ' ',
  'null',
  'undefined',
  'NaN',
  'Infinity',
  '-Infinity',
  '1e309',
  '__proto__',
  'constructor',
  '00000000-0000-0000-0000-000000000000',
  'ffffffff-ffff-4fff-bfff-ffffffffffff',
  '12345678-1234-1234-1234-1234567890ab\u0000',
];

/** Values no Int argument of the API accepts. */
const BAD_INTS: unknown[] = [-1, -(2 ** 31), 2 ** 31, 2 ** 53 + 2, 1.5, -0.5, 1e308, -1e308, Number.MAX_VALUE, Number.MIN_VALUE, '5', 'NaN', 'Infinity', true, [], [1], {}, { $gt: 0 }, 10 ** 6, 10 ** 9];

function pick<T>(rng: Random, list: readonly T[]): T {
  return list[rng.int(list.length)];
}

function unknownUuid(rng: Random): string {
  const hex = Array.from({ length: 32 }, () => '0123456789abcdef'[rng.int(16)]).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** A value that names no stored record: an unknown id, an injection string, or the wrong type. */
function badId(rng: Random): unknown {
  switch (rng.int(4)) {
    case 0:
      return unknownUuid(rng);
    case 1:
      return pick(rng, INJECTION);
    case 2:
      return pick(rng, [null, 0, -1, 2 ** 53, 1.5, true, [], [unknownUuid(rng)], {}, { id: ids.landscape }, deepArray(50)]);
    default:
      return `${unknownUuid(rng)}${pick(rng, ["'", ' OR 1=1', '\u0000', '%', '*'])}`;
  }
}

function badString(rng: Random): unknown {
  return rng.uniform() < 0.7 ? `${pick(rng, INJECTION)}${rng.int(1000)}` : pick(rng, [null, 1, 1.5, true, [], {}, ['a'], deepObject(20)]);
}

function hostileAny(rng: Random): unknown {
  switch (rng.int(6)) {
    case 0:
      return pick(rng, BAD_INTS);
    case 1:
      return badId(rng);
    case 2:
      return badString(rng);
    case 3:
      return Array.from({ length: pick(rng, [1000, 10_000, 100_000]) }, (_, i) => i);
    case 4:
      return pick(rng, [deepArray(pick(rng, [100, 1000, 3000])), deepObject(pick(rng, [100, 500]))]);
    default:
      return { __proto__: { polluted: true }, constructor: { prototype: { polluted: true } }, toString: 'x', kind: 'surface' };
  }
}

// --- documents ---------------------------------------------------------------------------

interface Case {
  name: string;
  body: unknown;
}

/** Operations with hostile variables; each one is invalid by construction (ids unknown or args out of range). */
function hostileOperation(rng: Random): Case {
  const n = rng.int(19);
  const op = (query: string, variables: Record<string, unknown>): Case => ({ name: `op${n}`, body: { query, variables } });
  switch (n) {
    case 0:
      return op('query($id: ID!) { landscape(id: $id) { id name minima { totalCount } } }', { id: badId(rng) });
    case 1:
      return op('query($id: ID!) { minimum(id: $id) { id seed trainLoss } }', { id: badId(rng) });
    case 2:
      return op('query($id: ID!) { path(id: $id) { id cycles { index maxEnergy } } }', { id: badId(rng) });
    case 3:
      return op('query($id: ID!) { run(id: $id) { id status errorMessage } }', { id: badId(rng) });
    case 4:
      return op('query($n: Int) { landscapes(first: $n) { totalCount } }', { n: pick(rng, BAD_INTS) });
    case 5:
      return op('query($after: String) { landscapes(first: 5, after: $after) { totalCount edges { node { id } } } }', { after: badString(rng) ?? 'x' });
    case 6:
      return op('query($id: ID!, $r: Int!) { landscape(id: $id) { surfaceGrid(resolution: $r) { xs } } }', { id: ids.landscape, r: pick(rng, BAD_INTS) });
    case 7:
      return op('query($id: ID!, $l: Int!) { landscape(id: $id) { suggestions(limit: $l) { a b reason } } }', { id: ids.landscape, l: pick(rng, BAD_INTS) });
    case 8:
      return op('query($id: ID!, $s: String!) { landscape(id: $id) { suggestions(strategy: $s) { a b } } }', { id: ids.landscape, s: badString(rng) });
    case 9:
      return op('query($id: ID!, $a: ID!, $b: ID!) { landscape(id: $id) { barrierBound(a: $a, b: $b) { energy } } }', { id: ids.landscape, a: ids.minimumA, b: badId(rng) });
    case 10:
      return op('query($s: RunStatus, $k: RunKind) { runs(status: $s, kind: $k) { totalCount } }', { s: badString(rng) ?? 'null', k: 'CONNECT' });
    case 11:
      return op('mutation($id: ID!) { deleteLandscape(id: $id) }', { id: badId(rng) });
    case 12:
      return op('mutation($id: ID!) { cancelRun(id: $id) { id status } }', { id: badId(rng) });
    case 13:
      return op('mutation($l: ID!, $n: Int!, $seeds: [Int!], $config: TrainingConfigInput) { trainMinima(landscapeId: $l, count: $n, seeds: $seeds, config: $config) { id } }', {
        l: badId(rng),
        n: rng.uniform() < 0.5 ? 1 : pick(rng, BAD_INTS),
        seeds: rng.uniform() < 0.5 ? [1] : hostileAny(rng),
        config: rng.uniform() < 0.5 ? null : { learningRate: pick(rng, BAD_INTS), steps: pick(rng, BAD_INTS) },
      });
    case 14:
      return op('mutation($a: ID!, $b: ID!, $config: AutonebConfigInput) { connectMinima(a: $a, b: $b, config: $config) { id } }', {
        a: rng.uniform() < 0.5 ? ids.minimumA : badId(rng),
        b: badId(rng),
        config: rng.uniform() < 0.5 ? null : { preset: badString(rng), cycles: hostileAny(rng) },
      });
    case 15: {
      // Architecture kinds are never valid here (none is mlp/cnn/resnet/surface).
      const input = { name: badString(rng), architecture: { kind: `${pick(rng, INJECTION)}!`, widths: hostileAny(rng), surface: badString(rng) }, dataset: rng.uniform() < 0.5 ? null : { name: badString(rng), trainSize: pick(rng, BAD_INTS) } };
      return op('mutation($input: CreateLandscapeInput!) { createLandscape(input: $input) { id } }', { input: rng.uniform() < 0.2 ? hostileAny(rng) : input });
    }
    case 16:
      return op('mutation($l: ID!, $u: ID!, $s: Int) { importMinimum(landscapeId: $l, uploadId: $u, seed: $s) { id } }', { l: rng.uniform() < 0.5 ? ids.landscape : badId(rng), u: badId(rng), s: pick(rng, [1, ...BAD_INTS]) });
    case 17:
      return op('mutation($p: ID!, $n: Int) { evaluatePath(pathId: $p, pointsPerSegment: $n) { id } }', { p: rng.uniform() < 0.5 ? ids.path : badId(rng), n: pick(rng, BAD_INTS) });
    default:
      return op('mutation($l: ID!, $m: Int, $p: Int, $t: Float) { exploreLandscape(landscapeId: $l, maxPairs: $m, parallel: $p, tolerance: $t) { id } }', {
        l: badId(rng),
        m: pick(rng, [1, ...BAD_INTS]),
        p: pick(rng, [1, ...BAD_INTS]),
        t: pick(rng, [0.1, 1e308, -1e308, 'NaN', 'Infinity', null]),
      });
  }
}

const VALID_DOCUMENTS = [
  '{ catalog { architectureKinds surfaceNames autonebPresets } }',
  `{ landscape(id: "LID") { id name minima(first: 5) { edges { node { id seed } } pageInfo { endCursor } } } }`,
  `query Q($id: ID!) { path(id: $id) { id status cycles { index pivotEnergies } saddle { t trainLoss } } }`,
  `mutation { deleteLandscape(id: "LID") }`,
  `mutation M($a: ID!, $b: ID!) { connectMinima(a: $a, b: $b) { id status } }`,
  `subscription { landscapeEvents { type landscapeId } }`,
  `query { runs(first: 3, status: RUNNING) { totalCount edges { node { id kind } } } } fragment F on Run { id }`,
];

const NOISE = ['{', '}', '(', ')', '[', ']', ':', '$', '!', '@', '...', '"', '"""', '#', ',', '=', '|', '&', '\\', '\u0000', 'query', 'mutation', 'fragment', 'on', '__typename', '1e999', '-', '\n'];

/** A valid document, damaged at random places (kept only when the result is invalid). */
function damagedDocument(rng: Random): Case {
  let doc = pick(rng, VALID_DOCUMENTS).replace(/LID/g, ids.landscape);
  const edits = 1 + rng.int(3);
  for (let e = 0; e < edits; e++) {
    const at = rng.int(doc.length + 1);
    switch (rng.int(4)) {
      case 0:
        doc = doc.slice(0, at); // truncated
        break;
      case 1:
        doc = doc.slice(0, at) + doc.slice(Math.min(doc.length, at + 1 + rng.int(8)));
        break;
      case 2:
        doc = doc.slice(0, at) + pick(rng, NOISE) + doc.slice(at);
        break;
      default:
        doc = doc.slice(0, at) + doc.slice(at, at + 1 + rng.int(20)).repeat(2 + rng.int(4)) + doc.slice(at);
    }
  }
  return { name: 'damaged', body: { query: doc, variables: rng.uniform() < 0.3 ? { id: badId(rng), a: badId(rng), b: badId(rng) } : undefined } };
}

function isInvalid(query: unknown, variables: unknown): boolean {
  if (typeof query !== 'string') return true;
  try {
    const errors = validate(schema, parse(query));
    if (errors.length > 0) return true;
  } catch {
    return true;
  }
  // Valid documents stay only when their variables cannot be right either.
  return variables !== undefined;
}

/** Structurally hostile requests: deep nesting, huge lists, aliases, fragment cycles, bad bodies. */
function structuralCases(): Case[] {
  const many = (n: number, s: string) => Array.from({ length: n }, (_, i) => s.replace(/#/g, String(i))).join(' ');
  const cases: Case[] = [
    { name: 'deep-selection-10000', body: { query: `{${'a{'.repeat(10_000)}b${'}'.repeat(10_000)}}` } },
    { name: 'deep-valid-selection', body: { query: `{ ${'landscapes { edges { node { minima { edges { node { landscape { '.repeat(40)} id ${'} } } } } } } '.repeat(40)}}` } },
    { name: 'deep-list-literal', body: { query: `{ landscapes(first: ${'['.repeat(5000)}1${']'.repeat(5000)}) { totalCount } }` } },
    { name: 'huge-list-literal', body: { query: `mutation { trainMinima(landscapeId: "${ids.landscape}", count: -1, seeds: [${many(50_000, '#')}]) { id } }` } },
    { name: 'aliases', body: { query: `{ ${many(5000, 'a#: catalog { surfaceNames }')} }` } },
    { name: 'fragment-cycle', body: { query: '{ ...A } fragment A on Query { ...B } fragment B on Query { ...A }' } },
    { name: 'fragment-self', body: { query: '{ catalog { ...C } } fragment C on Catalog { ...C surfaceNames }' } },
    { name: 'directives', body: { query: `{ catalog ${many(3000, '@skip(if: false)')} { surfaceNames } }` } },
    { name: 'unknown-directive', body: { query: '{ catalog @evil(x: 1) { surfaceNames } }' } },
    { name: 'many-operations', body: { query: many(2000, 'query Q# { catalog { surfaceNames } }') } },
    { name: 'ambiguous-operations', body: { query: 'query A { catalog { surfaceNames } } query B { catalog { datasetNames } }' } },
    { name: 'unknown-operation-name', body: { query: 'query A { catalog { surfaceNames } }', operationName: 'B' } },
    { name: 'long-string', body: { query: `{ landscape(id: "${'x'.repeat(900_000)}") { id } }` } },
    { name: 'bad-escape', body: { query: '{ landscape(id: "\\uD800\\x") { id } }' } },
    { name: 'empty-query', body: { query: '' } },
    { name: 'comment-only', body: { query: '# nothing here' } },
    { name: 'no-query', body: { variables: {} } },
    { name: 'query-number', body: { query: 42 } },
    { name: 'query-object', body: { query: { kind: 'Document' } } },
    { name: 'query-array', body: { query: ['{ catalog { surfaceNames } }'] } },
    { name: 'variables-string', body: { query: 'query($id: ID!) { landscape(id: $id) { id } }', variables: 'id=1' } },
    { name: 'variables-array', body: { query: 'query($id: ID!) { landscape(id: $id) { id } }', variables: [1, 2] } },
    { name: 'variables-missing', body: { query: 'query($id: ID!) { landscape(id: $id) { id } }' } },
    { name: 'variables-undeclared', body: { query: '{ landscape(id: $id) { id } }', variables: { id: ids.landscape } } },
    { name: 'variable-type-mismatch', body: { query: 'query($id: Int!) { landscape(id: $id) { id } }', variables: { id: 1 } } },
    { name: 'operation-name-number', body: { query: '{ catalog { surfaceNames } }', operationName: 7 } },
    { name: 'extensions-garbage', body: { query: '{ catalog { surfaceNames } }', extensions: 'x' } },
    { name: 'persisted-query-unknown', body: { extensions: { persistedQuery: { version: 1, sha256Hash: 'a'.repeat(64) } } } },
    { name: 'persisted-query-mismatch', body: { query: '{ catalog { surfaceNames } }', extensions: { persistedQuery: { version: 1, sha256Hash: 'b'.repeat(64) } } } },
    { name: 'batch', body: [{ query: '{ catalog { surfaceNames } }' }, { query: '{ catalog { datasetNames } }' }] },
    { name: 'empty-batch', body: [] },
    { name: 'json-null', body: 'null' },
    { name: 'json-number', body: '1' },
    { name: 'json-string', body: '"{ catalog { surfaceNames } }"' },
    { name: 'json-NaN', body: '{"query": "query($n: Int) { landscapes(first: $n) { totalCount } }", "variables": {"n": NaN}}' },
    { name: 'json-Infinity', body: '{"query": "query($t: Float) { exploreLandscape(landscapeId: \\"x\\", tolerance: $t) { id } }", "variables": {"t": Infinity}}' },
    { name: 'json-1e999-float', body: `{"query": "mutation($t: Float) { exploreLandscape(landscapeId: \\"${ids.landscape}\\", tolerance: $t) { id } }", "variables": {"t": 1e999}}` },
    { name: 'json-1e999-int', body: '{"query": "query($n: Int) { landscapes(first: $n) { totalCount } }", "variables": {"n": 1e999}}' },
    { name: 'json-deep-variables', body: `{"query": "query($id: ID!) { landscape(id: $id) { id } }", "variables": {"id": ${'['.repeat(100_000)}${']'.repeat(100_000)}}}` },
    { name: 'json-truncated', body: '{"query": "{ catalog { surfaceNames } }", "variables": {"a": [1, 2' },
    { name: 'json-bom', body: '\ufeff{"query": "{ catalog(x: 1) { surfaceNames } }"}' },
    { name: 'json-duplicate-keys', body: '{"query": "{ catalog { surfaceNames } }", "query": "{ nope }"}' },
    { name: 'json-proto', body: '{"query": "query($i: CreateLandscapeInput!) { createLandscape(input: $i) { id } }", "variables": {"i": {"__proto__": {"name": "p"}, "architecture": {"kind": "x"}}}}' },
    { name: 'inline-NaN', body: { query: '{ landscapes(first: NaN) { totalCount } }' } },
    { name: 'inline-Infinity', body: { query: `mutation { exploreLandscape(landscapeId: "${ids.landscape}", tolerance: Infinity) { id } }` } },
    { name: 'inline-huge-int', body: { query: '{ landscapes(first: 99999999999999999999999) { totalCount } }' } },
    { name: 'inline-huge-float', body: { query: `mutation { exploreLandscape(landscapeId: "${ids.landscape}", tolerance: 1e999) { id } }` } },
    { name: 'inline-negative-zero', body: { query: `{ landscape(id: "${ids.landscape}") { surfaceGrid(resolution: -0) { xs } } }` } },
    { name: 'introspection-deep', body: { query: `{ __schema { types { ${'fields { type { ofType { '.repeat(30)} name ${'} } } '.repeat(30)} } } }` } },
    { name: 'typename-bomb', body: { query: `{ ${many(30_000, '__typename')} }` } },
  ];
  return cases;
}

// --- checks ------------------------------------------------------------------------------

function problemsOf(name: string, res: RawResponse): string[] {
  const problems: string[] = [];
  if (res.status >= 500) problems.push(`HTTP ${res.status}`);
  const codes = codedErrors(res);
  if (codes.length === 0) problems.push(`no error (HTTP ${res.status}): ${res.text.slice(0, 200)}`);
  if (codes.includes('(none)')) problems.push(`uncoded error: ${res.text.slice(0, 300)}`);
  if (codes.includes('INTERNAL_SERVER_ERROR')) problems.push(`INTERNAL_SERVER_ERROR: ${res.text.slice(0, 300)}`);
  if (looksLikeStack(res.text)) problems.push('stack trace in the answer');
  return problems.map((p) => `${name}: ${p}`);
}

test(`fuzz (seed ${SEED}): 1,000+ hostile GraphQL requests and 100+ corrupt uploads, each a coded error, nothing stored changes`, async () => {
  const before = await snapshot(server.em());
  const rng = new Random(SEED);
  const problems: string[] = [];
  const codes = new Map<string, number>();
  let sent = 0;
  const count = (res: RawResponse) => {
    for (const c of codedErrors(res)) codes.set(c, (codes.get(c) ?? 0) + 1);
  };

  // HTTP: hostile operations, damaged documents, structural cases.
  const cases: Case[] = [];
  for (let i = 0; i < 650; i++) cases.push(hostileOperation(rng));
  while (cases.length < 650 + 300) {
    const c = damagedDocument(rng);
    const body = c.body as { query: unknown; variables: unknown };
    if (isInvalid(body.query, body.variables)) cases.push(c);
  }
  cases.push(...structuralCases());
  for (const [i, c] of cases.entries()) {
    const res = await postGraphql(server, c.body);
    sent++;
    count(res);
    problems.push(...problemsOf(`#${i} ${c.name} ${JSON.stringify(c.body).slice(0, 160)}`, res));
  }

  // graphql-ws: a sample of the same cases on two connections; both must stay usable.
  const clients = [server.wsClient(), server.wsClient()];
  for (let i = 0; i < 120; i++) {
    const c = i % 3 === 0 ? hostileOperation(rng) : damagedDocument(rng);
    const body = c.body as { query: unknown; variables?: Record<string, unknown> };
    if (typeof body.query !== 'string' || !isInvalid(body.query, body.variables)) continue;
    // Errors end the operation at once; the wait only bounds a (wrongly) silent one.
    const outcome = await wsOperation(clients[i % 2], body.query, body.variables ?? {}, 10_000);
    sent++;
    const name = `ws#${i} ${c.name} ${JSON.stringify(c.body).slice(0, 160)}`;
    if (outcome.closed) problems.push(`${name}: socket closed ${outcome.closed.code} ${outcome.closed.reason}`);
    else if (outcome.errors.length === 0) problems.push(`${name}: no error: ${JSON.stringify(outcome.data).slice(0, 200)}`);
    for (const e of outcome.errors) {
      const code = e.extensions?.code;
      codes.set(`ws:${String(code)}`, (codes.get(`ws:${String(code)}`) ?? 0) + 1);
      if (typeof code !== 'string') problems.push(`${name}: uncoded error ${JSON.stringify(e).slice(0, 200)}`);
      if (code === 'INTERNAL_SERVER_ERROR') problems.push(`${name}: INTERNAL_SERVER_ERROR`);
      if (looksLikeStack(JSON.stringify(e))) problems.push(`${name}: stack trace`);
    }
  }
  for (const client of clients) {
    const alive = await wsOperation(client, '{ catalog { surfaceNames } }');
    assert.deepEqual(alive.errors, [], 'the socket still answers');
  }

  // Uploads: corrupt and truncated safetensors (each checked to be invalid before sending).
  const valid = encodeSafetensors([{ name: 'point', shape: [2], data: new Float32Array([0.6, 0.03]) }], { format: 'pt' });
  const uploads: { name: string; body: Buffer }[] = [];
  for (let cut = 0; cut < valid.length; cut += Math.max(1, Math.floor(valid.length / 40))) uploads.push({ name: `truncated-${cut}`, body: valid.subarray(0, cut) });
  const headerOf = (header: unknown, data = Buffer.alloc(8)) => {
    const json = Buffer.from(typeof header === 'string' ? header : JSON.stringify(header));
    const size = Buffer.alloc(8);
    size.writeBigUInt64LE(BigInt(json.length));
    return Buffer.concat([size, json, data]);
  };
  const withSize = (n: bigint) => {
    const b = Buffer.from(valid);
    b.writeBigUInt64LE(n, 0);
    return b;
  };
  const headers: [string, unknown][] = [
    ['not-json', '{"point": '],
    ['array', [1, 2]],
    ['null', 'null'],
    ['string-entry', { point: 'x' }],
    ['dtype-f64', { point: { dtype: 'F64', shape: [1], data_offsets: [0, 8] } }],
    ['dtype-empty', { point: { dtype: '', shape: [2], data_offsets: [0, 8] } }],
    ['shape-negative', { point: { dtype: 'F32', shape: [-2], data_offsets: [0, 8] } }],
    ['shape-float', { point: { dtype: 'F32', shape: [1.5], data_offsets: [0, 8] } }],
    ['shape-huge', { point: { dtype: 'F32', shape: [2 ** 31, 2 ** 31], data_offsets: [0, 8] } }],
    ['shape-string', { point: { dtype: 'F32', shape: '2', data_offsets: [0, 8] } }],
    ['offsets-reversed', { point: { dtype: 'F32', shape: [2], data_offsets: [8, 0] } }],
    ['offsets-out-of-range', { point: { dtype: 'F32', shape: [2], data_offsets: [0, 2 ** 40] } }],
    ['offsets-negative', { point: { dtype: 'F32', shape: [2], data_offsets: [-8, 0] } }],
    ['offsets-missing', { point: { dtype: 'F32', shape: [2] } }],
    ['overlap', { a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, b: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }],
    ['gap', { a: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }],
    ['metadata-number', { __metadata__: { format: 1 }, point: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } }],
    ['metadata-array', { __metadata__: ['x'], point: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } }],
    ['proto', '{"__proto__": {"dtype": "F32"}, "point": {"dtype": "F32", "shape": [3], "data_offsets": [0, 8]}}'],
    ['deep-json', `{"a": ${'['.repeat(50_000)}${']'.repeat(50_000)}}`],
  ];
  for (const [name, header] of headers) uploads.push({ name, body: headerOf(header) });
  uploads.push({ name: 'trailing-bytes', body: Buffer.concat([valid, Buffer.alloc(4)]) });
  for (const n of [0n, 1n, 2n ** 32n, 2n ** 63n, 2n ** 64n - 1n]) uploads.push({ name: `header-size-${n}`, body: withSize(n) });
  for (let i = 0; uploads.length < 140; i++) {
    const b = Buffer.from(valid);
    const header = Number(b.readBigUInt64LE(0));
    // Damage inside the header (flipping data bytes would leave a valid file).
    for (let k = 0; k < 1 + rng.int(4); k++) b[8 + rng.int(header)] = rng.int(256);
    uploads.push({ name: `flipped-${i}`, body: b });
  }
  const uploadCodes = new Map<string, number>();
  let uploaded = 0;
  for (const u of uploads) {
    let invalid = false;
    try {
      decodeSafetensors(u.body);
    } catch {
      invalid = true;
    }
    if (!invalid) continue; // a random flip that happened to keep the file valid
    const res = await request(server.app.httpServer).post('/tensors/uploads').set('content-type', 'application/octet-stream').send(u.body);
    uploaded++;
    const code = res.body?.error?.code;
    uploadCodes.set(code, (uploadCodes.get(code) ?? 0) + 1);
    if (res.status !== 400 || typeof code !== 'string') problems.push(`upload ${u.name}: HTTP ${res.status} ${res.text.slice(0, 200)}`);
    if (looksLikeStack(res.text)) problems.push(`upload ${u.name}: stack trace`);
  }
  // Well-formed files that do not fit the landscape, or carry NaN/Infinity: refused at import.
  const misfits = [
    encodeSafetensors([{ name: 'point', shape: [3], data: new Float32Array(3) }]),
    encodeSafetensors([{ name: 'weights', shape: [2], data: new Float32Array(2) }]),
    encodeSafetensors([{ name: 'point', shape: [2], data: new Float32Array([NaN, 0]) }]),
    encodeSafetensors([{ name: 'point', shape: [2], data: new Float32Array([0, Infinity]) }]),
    encodeSafetensors([]),
  ];
  for (const [i, file] of misfits.entries()) {
    const up = await request(server.app.httpServer).post('/tensors/uploads').set('content-type', 'application/octet-stream').send(file);
    assert.equal(up.status, 201, up.text);
    const res = await postGraphql(server, { query: 'mutation($l: ID!, $u: ID!) { importMinimum(landscapeId: $l, uploadId: $u) { id } }', variables: { l: ids.landscape, u: up.body.uploadId } });
    sent++;
    count(res);
    problems.push(...problemsOf(`import misfit ${i}`, res));
  }

  const health = await request(server.app.httpServer).get('/healthz');
  assert.equal(health.status, 200, 'the server is still up');
  const summary = [...codes.entries()].sort((a, b) => b[1] - a[1]).map(([c, n]) => `${c} ${n}`).join(', ');
  console.log(`fuzz seed ${SEED}: ${sent} GraphQL requests (${cases.length} over HTTP), ${uploaded} corrupt uploads; codes: ${summary}; upload codes: ${[...uploadCodes].map(([c, n]) => `${c} ${n}`).join(', ')}`);
  assert.deepEqual(problems.slice(0, 15), [], `${problems.length} problems`);
  assert.ok(sent >= 1000, `${sent} GraphQL requests`);
  assert.ok(uploaded >= 100, `${uploaded} corrupt uploads`);
  assert.equal(await snapshot(server.em()), before, 'stored data unchanged');
});

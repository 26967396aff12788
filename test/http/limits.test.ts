// Limits: query depth and cost, request body and upload size, subscriptions per connection,
// CSRF prevention and CORS. One server with small limits; every refusal is a coded error.
import 'reflect-metadata';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { getIntrospectionQuery } from 'graphql';
import request from 'supertest';
import { loadConfig } from '../../src/config';
import { startTestServer, type TestServer } from '../helpers/server';
import { postGraphql, wsOperation } from '../reliability/helpers';

let server: TestServer;
const LIMITS = { maxQueryDepth: 6, maxQueryCost: 500, maxUploadBytes: 4096, maxSubscriptionsPerConnection: 3, corsOrigins: ['https://allowed.example'] };

before(async () => {
  server = await startTestServer({ config: { ...LIMITS, workers: 0 } });
});

after(async () => {
  await server?.close();
});

/** `landscapes { edges { node { minima { edges { node { ... } } } } } }` nests 3 levels per connection. */
function nested(levels: number): string {
  let inner = 'id';
  for (let i = 0; i < levels; i++) inner = `node { id ${i % 2 === 0 ? 'minima' : 'paths'}(first: 1) { edges { ${inner} } } }`;
  return `{ landscapes(first: 1) { edges { ${inner} } } }`;
}

test('depth: deeper than the limit is GRAPHQL_VALIDATION_FAILED before anything runs, over HTTP and WebSocket', async () => {
  // Depth counts the fields on the longest path: `{ landscapes { edges { node { id } } } }` is 4.
  const ok = await postGraphql(server, { query: '{ landscapes(first: 1) { edges { node { id minima(first: 1) { totalCount } } } } }' });
  assert.equal(ok.status, 200, ok.text);
  const deep = await postGraphql(server, { query: '{ landscapes(first: 1) { edges { node { minima(first: 1) { edges { cursor } } } } } }' });
  assert.equal(deep.status, 200, 'depth 6 is the limit itself');
  const tooDeep = await postGraphql(server, { query: nested(2) });
  assert.equal(tooDeep.status, 400, tooDeep.text);
  assert.equal(tooDeep.body.errors[0].extensions.code, 'GRAPHQL_VALIDATION_FAILED');
  assert.match(tooDeep.body.errors[0].message, /query depth exceeds the limit of 6/);
  // Fragments count where they are spread; a deep hostile document is refused cheaply.
  const viaFragment = await postGraphql(server, { query: 'query { landscapes { edges { ...E } } } fragment E on LandscapeEdge { node { minima { edges { node { id landscapeId: id } cursor } } paths { edges { node { minimumA { id } } } } } }' });
  assert.equal(viaFragment.status, 400);
  assert.match(viaFragment.body.errors[0].message, /depth/);
  const hostile = `{ ${'landscapes { edges { node { '.repeat(300)} id ${'} } } '.repeat(300)}}`;
  const started = Date.now();
  const refused = await postGraphql(server, { query: hostile });
  assert.ok(refused.status === 400 && Date.now() - started < 2000, `${refused.status} in ${Date.now() - started} ms`);
  const ws = await wsOperation(server.wsClient(), nested(2));
  assert.equal(ws.errors[0]?.extensions?.code, 'GRAPHQL_VALIDATION_FAILED', JSON.stringify(ws));
  assert.match(ws.errors[0].message, /depth/);
});

test('the default limits admit the standard introspection query and refuse a page-size bomb', async () => {
  const config = loadConfig({});
  assert.equal(config.maxQueryDepth, 20);
  assert.equal(config.maxQueryCost, 20_000);
  const defaults = await startTestServer({ config: { workers: 0 } });
  try {
    const res = await postGraphql(defaults, { query: getIntrospectionQuery() });
    assert.equal(res.status, 200);
    assert.ok(res.body.data.__schema.types.length > 20);
    const bomb = '{ landscapes(first: 100) { edges { node { minima(first: 100) { edges { node { id seed status trainLoss testLoss } } } } } } }';
    const refused = await postGraphql(defaults, { query: bomb });
    assert.equal(refused.status, 400);
    assert.match(refused.body.errors[0].message, /query cost exceeds the limit of 20000/);
  } finally {
    await defaults.close();
  }
});

test('cost: page sizes multiply, variables count as the largest page, aliases add up', async () => {
  // 1 (landscapes) + 1 (edges) + 10 x (node + id) = 22 for first: 10.
  const small = await postGraphql(server, { query: '{ landscapes(first: 10) { edges { node { id } } } }' });
  assert.equal(small.status, 200, small.text);
  // 2 + 10 x (node + id + minima + 30 x (totalCount + pageInfo + hasNextPage)) = 932.
  const big = await postGraphql(server, { query: '{ landscapes(first: 10) { edges { node { id minima(first: 30) { totalCount pageInfo { hasNextPage } } } } } }' });
  assert.equal(big.status, 400, big.text);
  assert.equal(big.body.errors[0].extensions.code, 'GRAPHQL_VALIDATION_FAILED');
  assert.match(big.body.errors[0].message, /query cost exceeds the limit of 500/);
  const variable = await postGraphql(server, { query: 'query($n: Int) { landscapes(first: $n) { edges { node { id name createdAt autonebPreset } } } }', variables: { n: 1 } });
  assert.equal(variable.status, 400, 'a variable page size is costed as 100 pages');
  const aliases = Array.from({ length: 600 }, (_, i) => `c${i}: catalog { surfaceNames }`).join(' ');
  const bomb = await postGraphql(server, { query: `{ ${aliases} }` });
  assert.equal(bomb.status, 400);
  assert.match(bomb.body.errors[0].message, /cost/);
});

test('request body: over 1 MB is PAYLOAD_TOO_LARGE (413); malformed JSON is BAD_REQUEST (400); both as JSON', async () => {
  const huge = await postGraphql(server, { query: `{ catalog { surfaceNames } } # ${'x'.repeat(1024 * 1024)}` });
  assert.equal(huge.status, 413);
  assert.deepEqual(huge.body.errors.map((e: { extensions: { code: string } }) => e.extensions.code), ['PAYLOAD_TOO_LARGE']);
  const broken = await postGraphql(server, '{"query": "{ catalog { surfaceNames } }"');
  assert.equal(broken.status, 400);
  assert.equal(broken.body.errors[0].extensions.code, 'BAD_REQUEST');
  assert.ok(!/at .*\.js/.test(broken.text), 'no stack trace');
});

test('uploads: over NEB_ATLAS_MAX_UPLOAD_MB is PAYLOAD_TOO_LARGE (413)', async () => {
  const res = await request(server.app.httpServer).post('/tensors/uploads').set('content-type', 'application/octet-stream').send(Buffer.alloc(LIMITS.maxUploadBytes + 1));
  assert.equal(res.status, 413);
  assert.equal(res.body.error.code, 'PAYLOAD_TOO_LARGE');
});

test('subscriptions per connection: the one over the limit gets TOO_MANY_SUBSCRIPTIONS, the others go on', async () => {
  const client = server.wsClient();
  const base = server.app.activeSubscriptions();
  const disposers = Array.from({ length: 3 }, () => client.subscribe({ query: 'subscription { landscapeEvents { type } }' }, { next: () => undefined, error: () => undefined, complete: () => undefined }));
  const deadline = Date.now() + 5000;
  while (server.app.activeSubscriptions() < base + 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  assert.equal(server.app.activeSubscriptions(), base + 3);
  const fourth = await wsOperation(client, 'subscription { landscapeEvents { type } }');
  assert.equal(fourth.errors[0]?.extensions?.code, 'TOO_MANY_SUBSCRIPTIONS', JSON.stringify(fourth));
  assert.match(fourth.errors[0].message, /at most 3 at once/);
  assert.equal(fourth.closed, undefined, 'the connection stays open');
  assert.equal(server.app.activeSubscriptions(), base + 3);
  // Another connection has its own allowance.
  const other = await wsOperation(server.wsClient(), '{ catalog { surfaceNames } }');
  assert.deepEqual(other.errors, []);
  disposers.forEach((d) => d());
});

test('CSRF prevention: a simple GET or form POST is refused; a JSON POST is not', async () => {
  const http = request(server.app.httpServer);
  const get = await http.get('/graphql').query({ query: '{ catalog { surfaceNames } }' });
  assert.equal(get.status, 400);
  assert.match(get.text, /CSRF/);
  const form = await http.post('/graphql').set('content-type', 'text/plain').send('{"query":"{ catalog { surfaceNames } }"}');
  assert.equal(form.status, 400);
  assert.match(form.text, /CSRF/);
  const withHeader = await http.get('/graphql').query({ query: '{ catalog { surfaceNames } }' }).set('apollo-require-preflight', 'true');
  assert.equal(withHeader.status, 200);
});

test('CORS: only configured origins get Access-Control-Allow-Origin; preflights are answered', async () => {
  const http = request(server.app.httpServer);
  const preflight = await http.options('/graphql').set('origin', 'https://allowed.example').set('access-control-request-method', 'POST').set('access-control-request-headers', 'authorization, content-type');
  assert.equal(preflight.status, 204);
  assert.equal(preflight.headers['access-control-allow-origin'], 'https://allowed.example');
  assert.match(preflight.headers['access-control-allow-headers'], /authorization/);
  const stranger = await http.options('/graphql').set('origin', 'https://evil.example').set('access-control-request-method', 'POST');
  assert.equal(stranger.headers['access-control-allow-origin'], undefined);
  const post = await postGraphql(server, { query: '{ catalog { surfaceNames } }' }, null, { origin: 'https://evil.example' });
  assert.equal(post.status, 200, 'same answer; the browser withholds it from the other origin');
  const allowed = await request(server.app.httpServer).post('/graphql').set('origin', 'https://allowed.example').set('content-type', 'application/json').send({ query: '{ catalog { surfaceNames } }' });
  assert.equal(allowed.headers['access-control-allow-origin'], 'https://allowed.example');
  assert.match(String(allowed.headers.vary), /Origin/);
});

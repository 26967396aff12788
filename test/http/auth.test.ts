// Bearer-token authentication: tokens stored hashed, reads need a read token (or public reads),
// mutations and uploads a write token, subscriptions authenticate in connectionParams, the web
// client's token is created and printed at start, and a public interface without tokens is refused.
import 'reflect-metadata';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import request from 'supertest';
import { createToken, hashToken } from '../../src/http/auth';
import { loadConfig, type Config } from '../../src/config';
import { ApiToken } from '../../src/store/entities';
import { createApp, StartupRefusedError } from '../../src/http/app';
import { createTestStorage, startTestServer, type TestServer } from '../helpers/server';
import { postGraphql, wsOperation } from '../reliability/helpers';

const LIST = '{ landscapes(first: 5) { totalCount } }';
const CREATE = 'mutation($input: CreateLandscapeInput!) { createLandscape(input: $input) { id } }';
const SURFACE = { name: 'auth', architecture: { kind: 'surface', surface: 'muller-brown' } };

let server: TestServer;
let readToken: string;
let writeToken: string;

before(async () => {
  server = await startTestServer({ auth: true });
  assert.ok(server.token, 'the web client token is created at start');
  writeToken = server.token;
  readToken = (await createToken(server.em(), 'read', 'test reader')).token;
});

after(async () => {
  await server?.close();
});

async function landscapeCount(): Promise<number> {
  return (await postGraphql(server, { query: LIST }, readToken)).body.data.landscapes.totalCount;
}

test('tokens are stored as their SHA-256 only', async () => {
  const rows = await server.em().find(ApiToken, {}, { orderBy: { createdAt: 'asc' } });
  assert.deepEqual(rows.map((r) => [r.name, r.scope]), [['web client', 'write'], ['test reader', 'read']]);
  assert.equal(rows[1].hash, createHash('sha256').update(readToken).digest('hex'));
  assert.equal(hashToken(writeToken), rows[0].hash);
  const raw = JSON.stringify(await server.em().getConnection().execute('select * from api_token'));
  assert.ok(!raw.includes(readToken) && !raw.includes(writeToken), 'no token in clear in the table');
  assert.match(readToken, /^neb_[A-Za-z0-9_-]{43}$/, '32 random bytes, base64url');
});

test('no token, or an unknown one: UNAUTHENTICATED (401) for queries and mutations', async () => {
  for (const token of [null, 'neb_wrong', 'x'.repeat(5000)]) {
    for (const body of [{ query: LIST }, { query: CREATE, variables: { input: SURFACE } }]) {
      const res = await postGraphql(server, body, token);
      assert.equal(res.status, 401, `${token?.slice(0, 10)}: ${res.text}`);
      assert.equal(res.body.errors[0].extensions.code, 'UNAUTHENTICATED');
      assert.equal(res.body.data, undefined);
    }
  }
  // A malformed Authorization header is no token at all.
  const res = await postGraphql(server, { query: LIST }, null, { authorization: `Basic ${readToken}` });
  assert.equal(res.status, 401);
  assert.equal(res.body.errors[0].extensions.code, 'UNAUTHENTICATED');
  assert.equal(await landscapeCount(), 0);
});

test('a read token reads but cannot mutate (FORBIDDEN, 403); a write token does both', async () => {
  const read = await postGraphql(server, { query: LIST }, readToken);
  assert.equal(read.status, 200);
  assert.deepEqual(read.body.data, { landscapes: { totalCount: 0 } });

  const refused = await postGraphql(server, { query: CREATE, variables: { input: SURFACE } }, readToken);
  assert.equal(refused.status, 403, refused.text);
  assert.equal(refused.body.errors[0].extensions.code, 'FORBIDDEN');
  assert.match(refused.body.errors[0].message, /scope read; the operation needs a write token/);
  assert.equal(refused.body.errors[0].extensions.http, undefined, 'no transport detail in the error');
  assert.equal(await landscapeCount(), 0, 'nothing was created');

  const created = await postGraphql(server, { query: CREATE, variables: { input: SURFACE } }, writeToken);
  assert.equal(created.status, 200, created.text);
  assert.ok(created.body.data.createLandscape.id);
  assert.equal(await landscapeCount(), 1);
  // Lowercase scheme and surrounding blanks are accepted (RFC 6750 schemes are case-insensitive).
  const lower = await postGraphql(server, { query: LIST }, null, { authorization: `  bearer ${readToken} ` });
  assert.equal(lower.status, 200);
});

test('tensor routes: downloads need a read token, uploads a write token', async () => {
  const http = request(server.app.httpServer);
  const missing = '00000000-0000-4000-8000-000000000000';
  const anonymous = await http.get(`/tensors/minima/${missing}`);
  assert.equal(anonymous.status, 401);
  assert.equal(anonymous.body.error.code, 'UNAUTHENTICATED');
  // Past authentication, the route answers: no such minimum.
  const read = await http.get(`/tensors/minima/${missing}`).set('authorization', `Bearer ${readToken}`);
  assert.equal(read.status, 404);
  assert.equal(read.body.error.code, 'NOT_FOUND');
  // A download link cannot send a header: ?access_token= works for GET only.
  const link = await http.get(`/tensors/minima/${missing}?access_token=${readToken}`);
  assert.equal(link.status, 404);

  const upload = (token: string | null) => {
    const req = http.post('/tensors/uploads').set('content-type', 'application/octet-stream');
    if (token) req.set('authorization', `Bearer ${token}`);
    return req.send(Buffer.alloc(0));
  };
  assert.equal((await upload(null)).status, 401);
  const forbidden = await upload(readToken);
  assert.equal(forbidden.status, 403);
  assert.equal(forbidden.body.error.code, 'FORBIDDEN');
  const viaQuery = await http.post(`/tensors/uploads?access_token=${writeToken}`).set('content-type', 'application/octet-stream').send(Buffer.alloc(8));
  assert.equal(viaQuery.status, 401, 'the query token never authorizes a change');
  const allowed = await upload(writeToken);
  assert.equal(allowed.status, 400, 'authorized; the empty body is then rejected');
  assert.equal(allowed.body.error.code, 'BAD_USER_INPUT');
});

test('subscriptions authenticate in connectionParams: none or a wrong token closes the socket with 4403', async () => {
  const query = 'subscription { landscapeEvents { type landscapeId } }';
  for (const token of [null, 'neb_wrong']) {
    const outcome = await wsOperation(server.wsClient({ token }), query, {}, 2000);
    assert.equal(outcome.closed?.code, 4403, `${token}: ${JSON.stringify(outcome)}`);
    assert.deepEqual(outcome.data, []);
  }

  // A read token subscribes; a write token's mutation is seen.
  const events: unknown[] = [];
  const client = server.wsClient({ token: readToken });
  const before = server.app.activeSubscriptions();
  const dispose = client.subscribe({ query }, { next: (v) => events.push(v.data), error: (e) => events.push({ error: e }), complete: () => undefined });
  while (server.app.activeSubscriptions() === before) await new Promise((r) => setTimeout(r, 5));
  const created = await postGraphql(server, { query: CREATE, variables: { input: { ...SURFACE, name: 'seen' } } }, writeToken);
  const id = created.body.data.createLandscape.id;
  const deadline = Date.now() + 5000;
  while (events.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  assert.deepEqual(events, [{ landscapeEvents: { type: 'CREATED', landscapeId: id } }]);
  dispose();

  // The socket carries queries and mutations too: the same scopes apply there.
  const mutation = await wsOperation(client, CREATE, { input: SURFACE });
  assert.equal(mutation.errors[0]?.extensions?.code, 'FORBIDDEN', JSON.stringify(mutation));
  assert.deepEqual(mutation.data, []);
  const query2 = await wsOperation(client, LIST);
  assert.deepEqual(query2.data, [{ landscapes: { totalCount: 2 } }]);
});

test('public reads: anonymous queries and subscriptions work, anonymous mutations are UNAUTHENTICATED', async () => {
  const open = await startTestServer({ auth: { publicReads: true } });
  try {
    const read = await postGraphql(open, { query: LIST }, null);
    assert.equal(read.status, 200, read.text);
    assert.deepEqual(read.body.data, { landscapes: { totalCount: 0 } });
    const write = await postGraphql(open, { query: CREATE, variables: { input: SURFACE } }, null);
    assert.equal(write.status, 401);
    assert.equal(write.body.errors[0].extensions.code, 'UNAUTHENTICATED');
    assert.match(write.body.errors[0].message, /needs a write token/);
    // An invalid token is still refused: the client should learn that its token is wrong.
    assert.equal((await postGraphql(open, { query: LIST }, 'neb_wrong')).status, 401);
    const anonymous = open.wsClient({ token: null });
    const sub = await wsOperation(anonymous, 'subscription { landscapeEvents { type } }', {}, 300);
    assert.equal(sub.closed, undefined, 'anonymous subscription accepted');
    assert.deepEqual(sub.errors, []);
    const wsWrite = await wsOperation(anonymous, CREATE, { input: SURFACE });
    assert.equal(wsWrite.errors[0]?.extensions?.code, 'UNAUTHENTICATED');
    const downloads = await request(open.app.httpServer).get('/tensors/minima/00000000-0000-4000-8000-000000000000');
    assert.equal(downloads.status, 404, 'downloads are reads');
    const uploads = await request(open.app.httpServer).post('/tensors/uploads').send(Buffer.alloc(8));
    assert.equal(uploads.status, 401, 'uploads are not');
    assert.equal((await postGraphql(open, { query: LIST }, open.token)).status, 200);
  } finally {
    await open.close();
  }
});

test('start: the web client URL carries a new write token once; non-loopback binds without protection are refused', async () => {
  const storage = await createTestStorage();
  const base: Config = { ...loadConfig({}), ...storage.config, port: 0, host: '127.0.0.1', workers: 0, auth: true };
  try {
    const logs: string[] = [];
    const app = await createApp({ config: base, log: (m) => logs.push(m) });
    const port = (app.httpServer.address() as { port: number }).port;
    await app.close();
    const printed = logs.filter((l) => l.includes('?token='));
    assert.equal(printed.length, 1, logs.join('\n'));
    const match = new RegExp(`http://127\\.0\\.0\\.1:${port}/\\?token=(neb_[A-Za-z0-9_-]+)$`).exec(printed[0]);
    assert.ok(match, printed[0]);
    assert.equal(match[1], app.clientToken);

    // A second start finds a token: none is created or printed (only its hash is kept).
    const again: string[] = [];
    const second = await createApp({ config: base, log: (m) => again.push(m) });
    const count = await second.database.orm.em.fork().count(ApiToken, {});
    await second.close();
    assert.equal(second.clientToken, null);
    assert.equal(count, 1);
    assert.ok(!again.some((l) => l.includes('?token=')));

    // 0.0.0.0 with auth off: refused before listening.
    await assert.rejects(createApp({ config: { ...base, host: '0.0.0.0', auth: false }, log: () => undefined }), (err: Error) => {
      assert.ok(err instanceof StartupRefusedError);
      assert.match(err.message, /HOST=0\.0\.0\.0 is not a loopback interface and NEB_ATLAS_AUTH=off/);
      return true;
    });
  } finally {
    await storage.dispose();
  }
  // With auth on but no token yet: refused too (a token must exist to log in with).
  const empty = await createTestStorage();
  try {
    await assert.rejects(
      createApp({ config: { ...loadConfig({}), ...empty.config, port: 0, host: '0.0.0.0', workers: 0, auth: true }, log: () => undefined }),
      /HOST=0\.0\.0\.0 is not a loopback interface and no API token exists: create one first with `neb-atlas token create --scope write`/,
    );
  } finally {
    await empty.dispose();
  }
});

test('NEB_ATLAS_AUTH and friends are validated', () => {
  assert.equal(loadConfig({}).auth, true, 'on by default');
  assert.equal(loadConfig({ NEB_ATLAS_AUTH: 'off' }).auth, false);
  assert.throws(() => loadConfig({ NEB_ATLAS_AUTH: 'yes' }), /NEB_ATLAS_AUTH="yes": expected `on` or `off`/);
  assert.deepEqual(loadConfig({ NEB_ATLAS_CORS_ORIGINS: 'https://a.example, http://b.example:8080' }).corsOrigins, ['https://a.example', 'http://b.example:8080']);
  assert.throws(() => loadConfig({ NEB_ATLAS_CORS_ORIGINS: 'https://a.example/' }), /NEB_ATLAS_CORS_ORIGINS/);
});

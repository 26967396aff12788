// landscapeEvents over a real graphql-ws client, through PostgreSQL LISTEN/NOTIFY.
import 'reflect-metadata';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Client } from 'graphql-ws';
import { EventTooLargeError } from '../../src/events';
import { startTestServer, type TestServer } from '../helpers/server';

let server: TestServer;

before(async () => {
  server = await startTestServer();
});

after(async () => {
  await server?.close();
});

interface LandscapeEvent {
  type: 'CREATED' | 'DELETED';
  landscapeId: string;
  name: string;
  at: string;
}

async function until(what: string, condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

/** Subscribes and collects events; resolves once the server runs the subscription. */
async function subscribe(client: Client, landscapeId?: string) {
  const events: LandscapeEvent[] = [];
  const errors: unknown[] = [];
  let completed = false;
  const before = server.app.activeSubscriptions();
  const unsubscribe = client.subscribe<{ landscapeEvents: LandscapeEvent }>(
    {
      query: 'subscription($id: ID) { landscapeEvents(landscapeId: $id) { type landscapeId name at } }',
      variables: { id: landscapeId ?? null },
    },
    {
      next: (value) => {
        if (value.errors) errors.push(value.errors);
        if (value.data) events.push(value.data.landscapeEvents);
      },
      error: (err) => errors.push(err),
      complete: () => {
        completed = true;
      },
    },
  );
  await until('the subscription to start', () => server.app.activeSubscriptions() > before);
  return { events, errors, unsubscribe, isCompleted: () => completed };
}

async function create(name: string): Promise<string> {
  const res = await server.gql('mutation($name: String!) { createLandscape(input: { name: $name, architecture: { kind: "surface", surface: "muller-brown" } }) { id } }', { name });
  assert.equal(res.errors, undefined);
  return res.data!.createLandscape.id;
}

async function remove(id: string): Promise<void> {
  const res = await server.gql('mutation($id: ID!) { deleteLandscape(id: $id) }', { id });
  assert.equal(res.errors, undefined);
}

test('landscapeEvents delivers creation and deletion to a graphql-ws client', async () => {
  const sub = await subscribe(server.wsClient());
  const startedAt = Date.now();
  const id = await create('watched');
  await until('CREATED', () => sub.events.length >= 1);
  await remove(id);
  await until('DELETED', () => sub.events.length >= 2);
  assert.deepEqual(sub.events.map(({ type, landscapeId, name }) => ({ type, landscapeId, name })), [
    { type: 'CREATED', landscapeId: id, name: 'watched' },
    { type: 'DELETED', landscapeId: id, name: 'watched' },
  ]);
  for (const e of sub.events) assert.ok(Date.parse(e.at) >= startedAt - 1000, e.at);
  assert.deepEqual(sub.errors, []);
  sub.unsubscribe();
  await until('the subscription to end', () => server.app.activeSubscriptions() === 0);
});

test('landscapeId filters; every subscriber gets its own copy', async () => {
  const x = await create('x');
  const y = await create('y');
  const onlyX = await subscribe(server.wsClient(), x);
  const all = await subscribe(server.wsClient());
  await remove(y);
  await remove(x);
  await until('both deletions on the unfiltered subscription', () => all.events.length >= 2);
  await until('the deletion of x', () => onlyX.events.length >= 1);
  // Events leave one connection in order, so y's would have come before x's.
  assert.deepEqual(onlyX.events.map((e) => [e.type, e.landscapeId]), [['DELETED', x]]);
  assert.deepEqual(all.events.map((e) => [e.type, e.landscapeId]), [['DELETED', y], ['DELETED', x]]);
  onlyX.unsubscribe();
  all.unsubscribe();
});

test('invalid subscriptions get GraphQL errors over the socket', async () => {
  const client = server.wsClient();
  const errors: unknown[] = [];
  await new Promise<void>((resolve) => {
    client.subscribe({ query: 'subscription { landscapeEvents { nope } }' }, {
      next: () => undefined,
      error: (err) => {
        errors.push(err);
        resolve();
      },
      complete: resolve,
    });
  });
  const [first] = errors as { message: string; extensions: Record<string, unknown> }[][];
  assert.ok(Array.isArray(first), JSON.stringify(errors));
  assert.match(first[0].message, /Cannot query field "nope"/);
  assert.deepEqual(first[0].extensions, { code: 'GRAPHQL_VALIDATION_FAILED' });
});

test('events too large for NOTIFY are refused before sending', async () => {
  await assert.rejects(
    server.app.events.publish('LANDSCAPE_EVENTS', { type: 'CREATED' as never, landscapeId: 'x', name: 'n'.repeat(8000), at: '' }),
    EventTooLargeError,
  );
});

test('closing the server ends open subscriptions (close code 1001)', async () => {
  const client = server.wsClient();
  const closed = new Promise<number>((resolve) => client.on('closed', (event) => resolve((event as { code: number }).code)));
  const sub = await subscribe(client);
  await server.close();
  assert.equal(await closed, 1001);
  await until('completion or error on the client', () => sub.isCompleted() || sub.errors.length > 0);
});

// Shared fan-out: subscribers with the same operation on the same event share one execution;
// other variables, other documents and events made for one subscriber execute on their own;
// every subscriber still gets every event of its own stream, in order, and return() ends a
// subscription at once, also while it waits for an event.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GraphQLInt, GraphQLObjectType, GraphQLSchema, GraphQLString, parse, type ExecutionResult } from 'graphql';
import { createPubSub } from '@graphql-yoga/subscription';
import { subscribeShared } from '../../src/events/fan-out';

function setup() {
  const pubSub = createPubSub<{ tick: [string, { n: number }] }>();
  const resolved: number[] = [];
  const Tick = new GraphQLObjectType({ name: 'Tick', fields: { n: { type: GraphQLInt }, doubled: { type: GraphQLInt, resolve: (p: { n: number }) => (resolved.push(p.n), 2 * p.n) } } });
  const schema = new GraphQLSchema({
    query: new GraphQLObjectType({ name: 'Query', fields: { x: { type: GraphQLString } } }),
    subscription: new GraphQLObjectType({
      name: 'Subscription',
      fields: { tick: { type: Tick, args: { topic: { type: GraphQLString } }, subscribe: (_r, { topic }: { topic: string }) => pubSub.subscribe('tick', topic), resolve: (p: unknown) => p } },
    }),
  });
  return { pubSub, resolved, schema };
}

async function take(iterator: AsyncIterableIterator<ExecutionResult>, count: number): Promise<unknown[]> {
  const out: unknown[] = [];
  // As sent over the socket (graphql-js builds null-prototype objects).
  for (let i = 0; i < count; i++) out.push(JSON.parse(JSON.stringify((await iterator.next()).value.data)));
  return out;
}

test('one execution per event and operation, shared by every subscriber', async () => {
  const { pubSub, resolved, schema } = setup();
  const document = parse('subscription($t: String) { tick(topic: $t) { n doubled } }');
  const subscribe = async (t: string) => (await subscribeShared({ schema, document, variableValues: { t } })) as AsyncIterableIterator<ExecutionResult>;
  const same = await Promise.all([subscribe('a'), subscribe('a'), subscribe('a')]);
  const other = await subscribe('b');
  const pending = [...same.map((s) => take(s, 3)), take(other, 1)];
  for (const n of [1, 2, 3]) pubSub.publish('tick', 'a', { n });
  pubSub.publish('tick', 'b', { n: 10 });
  const [a1, a2, a3, b] = await Promise.all(pending);
  const expected = [1, 2, 3].map((n) => ({ tick: { n, doubled: 2 * n } }));
  for (const got of [a1, a2, a3]) assert.deepEqual(got, expected);
  assert.deepEqual(b, [{ tick: { n: 10, doubled: 20 } }]);
  // Three subscribers to topic a, three events: three executions, not nine; one for topic b.
  assert.deepEqual(resolved.sort((x, y) => x - y), [1, 2, 3, 10]);

  // Another document on the same event executes on its own.
  resolved.length = 0;
  const narrow = (await subscribeShared({ schema, document: parse('subscription { tick(topic: "a") { doubled } }') })) as AsyncIterableIterator<ExecutionResult>;
  const wide = same[0];
  const both = Promise.all([take(narrow, 1), take(wide, 1)]);
  pubSub.publish('tick', 'a', { n: 4 });
  assert.deepEqual(await both, [[{ tick: { doubled: 8 } }], [{ tick: { n: 4, doubled: 8 } }]]);
  assert.deepEqual(resolved, [4, 4]);

  // return() while waiting for an event ends the subscription at once.
  const waiting = narrow.next();
  assert.deepEqual(await narrow.return!(), { value: undefined, done: true });
  assert.equal((await waiting).done, true);
  for (const s of [...same, other]) await s.return!();
});

test('errors before any event come back as a result, not a stream', async () => {
  const { schema } = setup();
  const result = (await subscribeShared({ schema, document: parse('subscription { nope }') })) as ExecutionResult;
  assert.ok(result.errors && result.errors.length > 0);
});

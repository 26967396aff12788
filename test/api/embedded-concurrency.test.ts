// pglite-socket queues the wire messages of all connections one message at a time. The grouping
// fix keeps one connection's extended-query messages (Parse ... Sync) together; this test drives
// the real queue of a PGLiteSocketServer with a recording stand-in for PGlite, so the order in
// which messages reach the backend is exact and needs no timing luck.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import type { PGlite } from '@electric-sql/pglite';
import { keepExtendedQueryGroupsTogether } from '../../src/db/extended-query-groups';

type Queue = { enqueue(handlerId: number, message: Uint8Array, onData: (data: Uint8Array) => void): Promise<number> };

function message(type: string): Uint8Array {
  return Uint8Array.of(type.charCodeAt(0), 0, 0, 0, 4);
}

/** Enqueues connection 1's Parse, connection 2's Parse, then connection 1's Bind and Sync. */
async function backendOrder(fixed: boolean): Promise<string[]> {
  const order: string[] = [];
  let current = '';
  const fakeDb = {
    waitReady: Promise.resolve(),
    isInTransaction: () => false,
    runExclusive: <T>(fn: () => Promise<T>) => fn(),
    // Records "<connection><message type>" for each message that reaches the backend.
    execProtocolRawStream: async (m: Uint8Array) => {
      order.push(`${current}${String.fromCharCode(m[0])}`);
      await new Promise((resolve) => setImmediate(resolve));
      return [];
    },
    exec: async () => undefined,
  };
  const server = new PGLiteSocketServer({ db: fakeDb as unknown as PGlite, port: 0 });
  if (fixed) keepExtendedQueryGroupsTogether(server);
  const queue = (server as unknown as { queryQueue: Queue }).queryQueue;
  const originalExec = fakeDb.execProtocolRawStream;
  const pending: Promise<number>[] = [];
  const plan: [number, string][] = [[1, 'P'], [2, 'P'], [1, 'B'], [1, 'S'], [2, 'B'], [2, 'S']];
  const byMessage = new Map<Uint8Array, number>();
  fakeDb.execProtocolRawStream = async (m: Uint8Array) => {
    current = String(byMessage.get(m));
    return originalExec(m);
  };
  for (const [handler, type] of plan) {
    const m = message(type);
    byMessage.set(m, handler);
    pending.push(queue.enqueue(handler, m, () => undefined));
  }
  await Promise.all(pending);
  return order;
}

test('the grouping fix keeps Parse..Sync of one connection together', async () => {
  assert.deepEqual(await backendOrder(true), ['1P', '1B', '1S', '2P', '2B', '2S']);
});

test('control: the stock queue interleaves the connections (the bug the fix is for)', async () => {
  assert.deepEqual(await backendOrder(false), ['1P', '2P', '1B', '1S', '2B', '2S']);
});

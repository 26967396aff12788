// pglite-socket 0.2.17 serves every connection through one PGlite backend and queues the wire
// messages of all connections one message at a time. It keeps a connection's messages together
// only inside a transaction, so the extended-query messages of one statement (Parse, Bind,
// Describe, Execute, ... up to Sync) from two connections can interleave: connection A's Bind then
// meets connection B's unnamed prepared statement ("bind message supplies 3 parameters, but
// prepared statement requires 2"), or worse, runs B's statement with A's values.
//
// The fix keeps the queue's own "same connection first" rule (used for transactions) and extends
// it to an open extended-query group: after a non-terminal extended-protocol message, the next
// message processed must come from the same connection, until its Sync (or simple Query). A
// connection that goes silent mid-group for GROUP_TIMEOUT_MS releases the others.
import type { PGLiteSocketServer } from '@electric-sql/pglite-socket';

/** Message types that continue an extended-query group (Parse, Bind, Describe, Execute, Close, Flush). */
const GROUP_CONTINUES = new Set(['P', 'B', 'D', 'E', 'C', 'H'].map((c) => c.charCodeAt(0)));
const GROUP_TIMEOUT_MS = 5000;

interface QueueDb {
  isInTransaction(): boolean;
  execProtocolRawStream(message: Uint8Array, options: unknown): Promise<unknown>;
}

interface QueryQueue {
  db: QueueDb;
}

/** Patches the server's query queue in place; throws if pglite-socket's internals changed. */
export function keepExtendedQueryGroupsTogether(server: PGLiteSocketServer): void {
  const queue = (server as unknown as { queryQueue?: QueryQueue }).queryQueue;
  const db = queue?.db;
  if (!queue || !db || typeof db.isInTransaction !== 'function' || typeof db.execProtocolRawStream !== 'function') {
    throw new Error('pglite-socket internals changed (queryQueue.db): the extended-query grouping fix needs updating');
  }
  let groupOpenSince: number | null = null;
  queue.db = new Proxy(db, {
    get(target, property, receiver) {
      if (property === 'isInTransaction') {
        return () => target.isInTransaction() || (groupOpenSince !== null && Date.now() - groupOpenSince < GROUP_TIMEOUT_MS);
      }
      if (property === 'execProtocolRawStream') {
        return (message: Uint8Array, options: unknown) => {
          groupOpenSince = message.length > 0 && GROUP_CONTINUES.has(message[0]) ? Date.now() : null;
          return target.execProtocolRawStream(message, options);
        };
      }
      const value = Reflect.get(target, property, receiver) as unknown;
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

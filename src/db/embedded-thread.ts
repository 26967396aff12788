// The embedded PGlite and its socket server, run in a worker thread (see embedded.ts for why).
// Protocol with the owning thread: workerData = { pgDataDir, maxConnections }; this thread posts
// { ready: url } or { failed: message }; on { close: true } it stops the server, closes PGlite
// (which flushes its files) and posts { closed: true }.
import { parentPort, workerData } from 'node:worker_threads';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { keepExtendedQueryGroupsTogether } from './extended-query-groups';

export interface EmbeddedThreadData {
  pgDataDir: string;
  maxConnections: number;
}

export type EmbeddedThreadMessage = { ready: string } | { failed: string } | { closed: true; error?: string };

async function main(): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error('embedded-thread must run in a worker thread');
  const { pgDataDir, maxConnections } = workerData as EmbeddedThreadData;
  let pglite: PGlite | undefined;
  let server: PGLiteSocketServer | undefined;
  try {
    pglite = await PGlite.create({ dataDir: pgDataDir });
    server = new PGLiteSocketServer({ db: pglite, host: '127.0.0.1', port: 0, maxConnections });
    keepExtendedQueryGroupsTogether(server);
    await server.start();
  } catch (err) {
    await server?.stop().catch(() => undefined);
    await pglite?.close().catch(() => undefined);
    port.postMessage({ failed: err instanceof Error ? err.message : String(err) } satisfies EmbeddedThreadMessage);
    return;
  }
  const db = pglite;
  const socketServer = server;
  port.on('message', (message: { close?: boolean }) => {
    if (!message.close) return;
    void (async () => {
      let error: string | undefined;
      try {
        await socketServer.stop();
        await db.close();
      } catch (err) {
        error = err instanceof Error ? err.message : String(err);
      }
      port.postMessage({ closed: true, ...(error ? { error } : {}) } satisfies EmbeddedThreadMessage);
      port.close();
    })();
  });
  port.postMessage({ ready: `postgres://postgres@${socketServer.getServerConn()}/postgres` } satisfies EmbeddedThreadMessage);
}

void main();

// The embedded database: PGlite (Postgres compiled to wasm) with its files in a directory, served
// over the Postgres wire protocol on loopback by pglite-socket, so the ORM, the queue and the
// LISTEN/NOTIFY listener all use ordinary `pg` connections exactly as with a real server.
//
// PGlite and its socket server run in a worker thread of their own (embedded-thread.ts): PGlite
// executes every query synchronously in wasm, so on the main thread each query stalled GraphQL,
// subscriptions and the compute worker, and a busy server used one core for both. In its own
// thread the database gets the second core, and the wire protocol between the threads is the
// one a real PostgreSQL speaks, so nothing above this module changes.
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { EmbeddedThreadData, EmbeddedThreadMessage } from './embedded-thread';

export interface EmbeddedDatabase {
  /** postgres:// URL of the loopback socket server. */
  url: string;
  /** Directory holding PGlite's files. */
  pgDataDir: string;
  close(): Promise<void>;
}

export interface EmbeddedOptions {
  dataDir: string;
  /**
   * PGlite has one backend shared by every socket connection, and the socket server refuses
   * connections beyond this number, so it must cover every pool in the process (ORM, listener,
   * queue) with room to spare.
   */
  maxConnections: number;
}

export class DataDirInUseError extends Error {
  constructor(dataDir: string, pid: number) {
    super(`data directory ${dataDir} is in use by process ${pid}; stop it first or set NEB_ATLAS_DATA_DIR`);
    this.name = 'DataDirInUseError';
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Two PGlite instances writing one directory corrupt it, so a lock file holds the owner's pid.
 * A lock left by a process that no longer runs (a crash, kill -9) is taken over.
 */
function acquireLock(dataDir: string): () => void {
  const lockPath = join(dataDir, 'neb-atlas.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(lockPath, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => rmSync(lockPath, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const pid = Number(readFileSync(lockPath, 'utf8').trim());
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && isAlive(pid)) {
        throw new DataDirInUseError(dataDir, pid);
      }
      rmSync(lockPath, { force: true });
    }
  }
  throw new Error(`could not take the lock ${lockPath}`);
}

/** Compiled thread entry; the server and tests run from dist/, where it sits beside this file. */
const THREAD_FILE = join(__dirname, 'embedded-thread.js');

export async function startEmbedded(options: EmbeddedOptions): Promise<EmbeddedDatabase> {
  mkdirSync(options.dataDir, { recursive: true });
  const releaseLock = acquireLock(options.dataDir);
  const pgDataDir = join(options.dataDir, 'pgdata');
  const thread = new Worker(THREAD_FILE, { workerData: { pgDataDir, maxConnections: options.maxConnections } satisfies EmbeddedThreadData });
  let exited = false;
  const exit = new Promise<number>((resolve) => thread.once('exit', (code) => {
    exited = true;
    resolve(code);
  }));
  let url: string;
  try {
    url = await new Promise<string>((resolve, reject) => {
      thread.once('message', (m: EmbeddedThreadMessage) => ('ready' in m ? resolve(m.ready) : reject(new Error('failed' in m ? m.failed : 'embedded database thread answered out of turn'))));
      thread.once('error', reject);
      void exit.then((code) => reject(new Error(`embedded database thread exited (code ${code}) before it was ready`)));
    });
  } catch (err) {
    await thread.terminate().catch(() => undefined);
    releaseLock();
    throw err;
  }
  let closing: Promise<void> | undefined;
  return {
    url,
    pgDataDir,
    // Callers end their pools first; then no client can send anything while PGlite flushes.
    close: () =>
      (closing ??= (async () => {
        try {
          if (exited) return;
          const closed = new Promise<EmbeddedThreadMessage>((resolve, reject) => {
            thread.on('message', (m: EmbeddedThreadMessage) => {
              if ('closed' in m) resolve(m);
            });
            void exit.then((code) => reject(new Error(`embedded database thread exited (code ${code}) while closing`)));
          });
          thread.postMessage({ close: true });
          const answer = await closed;
          await thread.terminate(); // PGlite is closed and flushed; nothing is left to wait for
          if ('closed' in answer && answer.error) throw new Error(`embedded database did not close cleanly: ${answer.error}`);
        } finally {
          releaseLock();
        }
      })()),
  };
}

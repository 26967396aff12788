// The embedded database: PGlite (Postgres compiled to wasm) with its files in a directory, served
// over the Postgres wire protocol on loopback by pglite-socket, so the ORM, the queue and the
// LISTEN/NOTIFY listener all use ordinary `pg` connections exactly as with a real server.
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { keepExtendedQueryGroupsTogether } from './extended-query-groups';

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

export async function startEmbedded(options: EmbeddedOptions): Promise<EmbeddedDatabase> {
  mkdirSync(options.dataDir, { recursive: true });
  const releaseLock = acquireLock(options.dataDir);
  const pgDataDir = join(options.dataDir, 'pgdata');
  let pglite: PGlite | undefined;
  let server: PGLiteSocketServer | undefined;
  try {
    pglite = await PGlite.create({ dataDir: pgDataDir });
    server = new PGLiteSocketServer({
      db: pglite,
      host: '127.0.0.1',
      port: 0,
      maxConnections: options.maxConnections,
    });
    keepExtendedQueryGroupsTogether(server);
    await server.start();
  } catch (err) {
    await server?.stop().catch(() => undefined);
    await pglite?.close().catch(() => undefined);
    releaseLock();
    throw err;
  }
  const db = pglite;
  const socketServer = server;
  let closing: Promise<void> | undefined;
  return {
    url: `postgres://postgres@${socketServer.getServerConn()}/postgres`,
    pgDataDir,
    // Callers end their pools first; then no client can send anything while PGlite flushes.
    close: () =>
      (closing ??= (async () => {
        try {
          await socketServer.stop();
          await db.close();
        } finally {
          releaseLock();
        }
      })()),
  };
}

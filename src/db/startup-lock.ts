// Start-up under concurrency: a server and several `neb-atlas worker` processes started at the
// same moment on one PostgreSQL all migrate the schema and create pg-boss queues. Run
// concurrently, those statements deadlock (two `pgboss.create_queue` calls) or collide on
// catalog rows (`Key (typname, typnamespace)=(run_kind, 2200) already exists` from two
// CREATE TYPEs). Each such section runs here under one session-level advisory lock, held on a
// connection of its own, so the processes take turns; the later ones find the work done.
// Deadlocks and serialisation failures that still happen (another tool on the same database)
// are retried with backoff.
import { Client } from 'pg';

/** Advisory lock key of neb-atlas's start-up sections (a fixed 63-bit number: "nebatlas"). */
export const STARTUP_LOCK_KEY = '7954872487524458867';

/** SQLSTATEs that a retry of the same statements can cure. */
const TRANSIENT = new Set([
  '40P01', // deadlock_detected
  '40001', // serialization_failure
  '23505', // unique_violation: concurrent CREATE TYPE/TABLE of the same catalog row
  '42P07', // duplicate_table (CREATE ... IF NOT EXISTS racing)
  '42710', // duplicate_object
]);

export function isTransientStartupError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && TRANSIENT.has(code);
}

export interface RetryOptions {
  attempts?: number;
  /** First backoff; doubled on each retry, with jitter so that processes spread out. */
  baseMs?: number;
  log?: (message: string) => void;
}

/** Runs `work`, retrying transient start-up failures with jittered exponential backoff. */
export async function retryTransient<T>(what: string, work: () => Promise<T>, { attempts = 6, baseMs = 50, log = () => undefined }: RetryOptions = {}): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (err) {
      if (attempt >= attempts || !isTransientStartupError(err)) throw err;
      const waitMs = baseMs * 2 ** (attempt - 1) * (0.5 + Math.random());
      log(`${what}: ${(err as Error).message} (SQLSTATE ${(err as { code: string }).code}); retry ${attempt} in ${Math.round(waitMs)} ms`);
      await new Promise((resolve) => setTimeout(resolve, waitMs));
    }
  }
}

/**
 * Runs `work` while holding the start-up advisory lock on `url`'s database (waiting for it
 * while another process holds it), with transient failures retried when `retry` is set (only
 * for work that can run again from the start). The lock belongs to a dedicated connection and
 * ends with it, so a process that dies inside releases it.
 */
export async function withStartupLock<T>(url: string, what: string, work: () => Promise<T>, { retry = true, ...options }: RetryOptions & { retry?: boolean } = {}): Promise<T> {
  const client = new Client({ connectionString: url, application_name: 'neb-atlas-startup' });
  // A dropped lock connection must not crash the process; the work itself reports failures.
  client.on('error', () => undefined);
  await client.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1::bigint)', [STARTUP_LOCK_KEY]);
    return await (retry ? retryTransient(what, work, options) : work());
  } finally {
    await client.query('SELECT pg_advisory_unlock($1::bigint)', [STARTUP_LOCK_KEY]).catch(() => undefined);
    await client.end().catch(() => undefined);
  }
}

// Shared by the reliability tests: raw HTTP calls with status codes, graphql-ws outcomes, and a
// snapshot of every stored row (to show hostile input changed nothing).
import type { EntityManager } from '@mikro-orm/postgresql';
import request from 'supertest';
import type { Client } from 'graphql-ws';
import type { TestServer } from '../helpers/server';

export interface RawResponse {
  status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read responses by path
  body: any;
  text: string;
}

/** POSTs a GraphQL body (any JSON value) with an optional bearer token; returns status and body. */
export async function postGraphql(server: TestServer, body: unknown, token?: string | null, headers: Record<string, string> = {}): Promise<RawResponse> {
  const req = request(server.app.httpServer).post('/graphql').set('content-type', 'application/json');
  if (token) req.set('authorization', `Bearer ${token}`);
  for (const [k, v] of Object.entries(headers)) req.set(k, v);
  const res = await req.send(typeof body === 'string' ? body : JSON.stringify(body));
  return { status: res.status, body: res.body, text: res.text };
}

export interface WsOutcome {
  data: unknown[];
  errors: { message: string; extensions?: Record<string, unknown> }[];
  /** The socket's close event, when the connection failed. */
  closed?: { code: number; reason: string };
}

/**
 * Runs one operation over graphql-ws and resolves with what came back: results, GraphQL errors,
 * or the close event. Subscriptions are ended after `settleMs` without further data.
 */
export function wsOperation(client: Client, query: string, variables: Record<string, unknown> = {}, settleMs = 300): Promise<WsOutcome> {
  return new Promise((resolve) => {
    const outcome: WsOutcome = { data: [], errors: [] };
    let done = false;
    let dispose = () => undefined as void;
    const finish = () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      dispose();
      resolve(outcome);
    };
    const timer = setTimeout(finish, settleMs);
    dispose = client.subscribe(
      { query, variables },
      {
        next: (value) => {
          if (value.errors) outcome.errors.push(...(value.errors as WsOutcome['errors']));
          if (value.data) outcome.data.push(value.data);
        },
        error: (err) => {
          if (Array.isArray(err)) outcome.errors.push(...(err as WsOutcome['errors']));
          else if (err && typeof err === 'object' && 'code' in err) outcome.closed = { code: (err as { code: number }).code, reason: String((err as { reason?: string }).reason ?? '') };
          else outcome.errors.push({ message: String((err as Error)?.message ?? err) });
          finish();
        },
        complete: finish,
      },
    );
  });
}

/** Every row of the application's tables, in a stable order (the database's own state). */
export async function snapshot(em: EntityManager): Promise<string> {
  const tables = ['landscape', 'minimum', 'run', 'path', 'cycle', 'pivot', 'api_token'];
  const out: Record<string, unknown[]> = {};
  const connection = em.getConnection();
  for (const table of tables) {
    // md5 of bytea columns keeps the snapshot small while still catching any change.
    const params = table === 'minimum' || table === 'pivot' ? 'snap_row.parameters' : "''::bytea";
    const rows = await connection.execute<Record<string, unknown>[]>(`select to_jsonb(snap_row) - 'parameters' as row, md5(coalesce(${params}, ''::bytea)) as params from "${table}" snap_row order by snap_row.id`);
    out[table] = rows;
  }
  const jobs = await connection.execute<{ n: string }[]>(`select count(*)::text as n from pgboss.job`).catch(() => [{ n: 'no pgboss.job' }]);
  out.jobs = jobs;
  return JSON.stringify(out);
}

/** Every error of a response has a string code, and nothing in it looks like a stack trace. */
export function codedErrors(res: RawResponse): string[] {
  const errors: { extensions?: { code?: unknown } }[] = res.body?.errors ?? (res.body?.error ? [{ extensions: { code: res.body.error.code } }] : []);
  return errors.map((e) => (typeof e.extensions?.code === 'string' ? e.extensions.code : '(none)'));
}

export function looksLikeStack(text: string): boolean {
  return /\n\s+at [^\n]+:\d+:\d+/.test(text) || /"stacktrace"/.test(text) || /node_modules|dist\/src/.test(text);
}

// A small client of the neb-atlas API: GraphQL over fetch, subscriptions over graphql-ws, and the
// safetensors routes. Every failure becomes a CliError whose exit code says what went wrong.
import type { TypedDocumentString } from './graphql';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { CliError, EXIT } from './errors';

/** Where client commands look for a server without --url. */
export const URL_ENV = 'NEB_ATLAS_URL';
/** The API token client commands send without --token. */
export const TOKEN_ENV = 'NEB_ATLAS_TOKEN';

export function defaultUrl(env: NodeJS.ProcessEnv = process.env): string {
  if (env[URL_ENV]) return env[URL_ENV];
  const host = !env.HOST || env.HOST === '0.0.0.0' ? '127.0.0.1' : env.HOST;
  return `http://${host}:${env.PORT || 4000}/graphql`;
}

/** `http://host:port` and `http://host:port/graphql` both name the server's GraphQL endpoint. */
export function graphqlUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new CliError(`--url ${JSON.stringify(raw)}: expected a URL like http://127.0.0.1:4000/graphql`, EXIT.USAGE);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new CliError(`--url ${raw}: expected an http:// or https:// URL`, EXIT.USAGE);
  if (url.pathname === '/' || url.pathname === '') url.pathname = '/graphql';
  return url;
}

interface GraphQLError {
  message: string;
  extensions?: { code?: string; field?: string };
}

const REJECTED_CODES = new Set(['BAD_USER_INPUT', 'NOT_FOUND', 'GRAPHQL_VALIDATION_FAILED', 'GRAPHQL_PARSE_FAILED', 'BAD_REQUEST']);

/** Nobody answers at that address (as opposed to a connection that broke). */
const REFUSED = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

const AUTH_CODES = new Set(['UNAUTHENTICATED', 'FORBIDDEN']);

function exitCodeOf(code: string | undefined) {
  if (code && AUTH_CODES.has(code)) return EXIT.AUTH;
  return code && REJECTED_CODES.has(code) ? EXIT.REJECTED : EXIT.SERVER_ERROR;
}

export class ApiClient {
  readonly url: URL;
  private ws: Client | null = null;

  constructor(
    url: string,
    private readonly token: string | undefined = process.env[TOKEN_ENV] || undefined,
  ) {
    this.url = graphqlUrl(url);
  }

  private headers(extra: Record<string, string>): Record<string, string> {
    return this.token ? { ...extra, authorization: `Bearer ${this.token}` } : extra;
  }

  /** Absolute URL of a server route such as /tensors/minima/:id. */
  resolve(route: string): string {
    return new URL(route, this.url).toString();
  }

  /**
   * One HTTP request. `retry`: requests that change nothing (queries, downloads) are repeated on a
   * dropped connection: a server busy computing can let a kept-alive socket time out under us.
   */
  private async fetch(url: string, init: RequestInit, retry = false): Promise<Response> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await fetch(url, init);
      } catch (err) {
        const cause = (err as { cause?: { code?: string; message?: string } }).cause;
        const code = cause?.code ?? cause?.message ?? (err as Error).message;
        if (retry && attempt < 4 && !REFUSED.has(cause?.code ?? '')) {
          await new Promise((r) => setTimeout(r, 250 * attempt));
          continue;
        }
        const what = REFUSED.has(cause?.code ?? '') ? 'cannot reach the server' : 'lost the connection to the server';
        throw new CliError(`${what} at ${this.url.origin} (${code}); start one with \`neb-atlas serve\` or pass --url`, EXIT.UNREACHABLE);
      }
    }
  }

  /**
   * Runs a query or mutation; its first error (if any) ends the command. A typed document
   * (src/cli/graphql.ts) types the variables and the result.
   */
  async request<T, V>(document: TypedDocumentString<T, V>, ...variables: keyof V extends never ? [V?] : [V]): Promise<T>;
  async request<T>(document: string, variables?: Record<string, unknown>): Promise<T>;
  async request<T>(document: string | TypedDocumentString<T, unknown>, variables: unknown = {}): Promise<T> {
    const query = document.toString();
    const res = await this.fetch(this.url.toString(), {
      method: 'POST',
      headers: this.headers({ 'content-type': 'application/json', accept: 'application/json' }),
      body: JSON.stringify({ query, variables }),
    }, /^\s*(query\b|\{)/.test(query));
    let body: { data?: T | null; errors?: GraphQLError[] };
    try {
      body = (await res.json()) as typeof body;
    } catch {
      throw new CliError(`${this.url} answered HTTP ${res.status} without a GraphQL response; is --url a neb-atlas server?`, EXIT.SERVER_ERROR);
    }
    const error = body.errors?.[0];
    if (error) {
      const field = error.extensions?.field && !error.message.includes(error.extensions.field) ? `${error.extensions.field}: ` : '';
      throw new CliError(`${field}${error.message}`, exitCodeOf(error.extensions?.code));
    }
    if (!body.data) throw new CliError(`${this.url} answered HTTP ${res.status} without data`, EXIT.SERVER_ERROR);
    return body.data;
  }

  /** GETs a tensor route; errors come as JSON `{error: {code, message}}`. */
  async download(route: string): Promise<Buffer> {
    const res = await this.fetch(this.resolve(route), { method: 'GET', headers: this.headers({}) }, true);
    if (!res.ok) throw await routeError(res);
    return Buffer.from(await res.arrayBuffer());
  }

  /** POSTs a safetensors file to /tensors/uploads. */
  async upload(body: Buffer): Promise<{ uploadId: string; tensors: { name: string; shape: number[] }[] }> {
    const res = await this.fetch(this.resolve('/tensors/uploads'), {
      method: 'POST',
      headers: this.headers({ 'content-type': 'application/octet-stream' }),
      body: new Uint8Array(body),
    });
    if (!res.ok) throw await routeError(res);
    return (await res.json()) as { uploadId: string; tensors: { name: string; shape: number[] }[] };
  }

  /** Subscribes over WebSocket; returns the unsubscribe function. Errors go to `onError`. */
  subscribe<T, V extends Record<string, unknown>>(document: TypedDocumentString<T, V>, variables: V, onData: (data: T) => void, onError: (err: Error) => void): () => void {
    const query = document.toString();
    if (!this.ws) {
      const wsUrl = new URL(this.url);
      wsUrl.protocol = this.url.protocol === 'https:' ? 'wss:' : 'ws:';
      const connectionParams = this.token ? { authorization: `Bearer ${this.token}` } : undefined;
      this.ws = createClient({ url: wsUrl.toString(), webSocketImpl: WebSocket, retryAttempts: 3, lazy: true, connectionParams });
    }
    return this.ws.subscribe<T>(
      { query, variables },
      {
        next: (value) => {
          if (value.errors?.length) onError(new CliError(value.errors[0].message, EXIT.SERVER_ERROR));
          else if (value.data) onData(value.data as T);
        },
        error: (err) => onError(err instanceof Error ? err : new Error(describeCloseEvent(err))),
        complete: () => undefined,
      },
    );
  }

  async close(): Promise<void> {
    await this.ws?.dispose();
    this.ws = null;
  }
}

function describeCloseEvent(err: unknown): string {
  const e = err as { code?: number; reason?: string; message?: string } | null;
  return e?.message ?? (e?.code ? `WebSocket closed (${e.code}${e.reason ? `: ${e.reason}` : ''})` : String(err));
}

async function routeError(res: Response): Promise<CliError> {
  let message = `HTTP ${res.status}`;
  let code: string | undefined;
  try {
    const body = (await res.json()) as { error?: { code?: string; message?: string } };
    message = body.error?.message ?? message;
    code = body.error?.code;
  } catch {
    // Not JSON: the status is all there is.
  }
  const exitCode = res.status === 401 || res.status === 403 ? EXIT.AUTH : res.status === 404 || res.status === 400 || res.status === 413 ? EXIT.REJECTED : exitCodeOf(code);
  return new CliError(message, exitCode);
}

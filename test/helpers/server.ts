// Starts the real app for API tests. Storage is a fresh embedded database in a temp directory
// or, when DATABASE_URL is set (an admin URL of a real PostgreSQL), a fresh database created
// for the test file and dropped afterwards, so files never see each other's data.
//
// The first PGlite start in an empty directory runs initdb (seconds, ~760 MB); a migrated
// template directory is therefore made once per test run and copied for each storage.
import 'reflect-metadata';
import { cpSync, existsSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import { Client } from 'pg';
import type { EntityManager } from '@mikro-orm/postgresql';
import request from 'supertest';
import { createClient, type Client as WsClient, type ClientOptions as WsClientOptions } from 'graphql-ws';
import WebSocket from 'ws';
import { loadConfig, type Config } from '../../src/config';
import { openDatabase } from '../../src/db/database';
import { createApp, type App } from '../../src/http/app';
import { MIGRATIONS } from '../../migrations';

export interface TestStorage {
  kind: 'embedded' | 'postgres';
  /** The config fields that select this storage. */
  config: Pick<Config, 'dataDir' | 'databaseUrl'>;
  dispose(): Promise<void>;
}

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

/** A migrated embedded data directory, made once and shared read-only by every test file. */
async function templateDir(): Promise<string> {
  // Keyed by the migrations' compiled code, so a changed migration gets a new template.
  const key = createHash('sha256').update(MIGRATIONS.map((m) => `${m.name}:${m.class.toString()}`).join('\n')).digest('hex').slice(0, 12);
  const dir = join(tmpdir(), `neb-atlas-test-template-${key}`);
  if (existsSync(join(dir, 'pgdata'))) return dir;
  const building = mkdtempSync(join(tmpdir(), 'neb-atlas-template-build-'));
  const database = await openDatabase({ dataDir: building, dbPoolSize: 2 });
  await database.close();
  try {
    renameSync(building, dir);
  } catch {
    // Another test file finished first; its template is as good as ours.
    rmSync(building, { recursive: true, force: true });
  }
  return dir;
}

export async function createTestStorage(): Promise<TestStorage> {
  const adminUrl = process.env.DATABASE_URL;
  if (adminUrl) {
    const name = `neb_test_${randomBytes(6).toString('hex')}`;
    const admin = new Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    return {
      kind: 'postgres',
      config: { dataDir: '', databaseUrl: withDatabase(adminUrl, name) },
      dispose: async () => {
        const c = new Client({ connectionString: adminUrl });
        await c.connect();
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await c.end();
      },
    };
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'neb-atlas-test-'));
  cpSync(await templateDir(), dataDir, { recursive: true });
  rmSync(join(dataDir, 'neb-atlas.lock'), { force: true });
  return {
    kind: 'embedded',
    config: { dataDir, databaseUrl: undefined },
    dispose: async () => rmSync(dataDir, { recursive: true, force: true }),
  };
}

export interface GraphQLResponse<T = Record<string, unknown>> {
  data?: T | null;
  errors?: { message: string; path?: string[]; extensions?: Record<string, unknown> }[];
}

export interface TestServer {
  app: App;
  storage: TestStorage;
  /** ws:// URL of /graphql. */
  wsUrl: string;
  /**
   * POSTs a GraphQL operation with supertest; returns the body (any HTTP status). With auth on,
   * it sends `token` (default: the server's write token; null: none).
   */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read responses by path
  gql<T = Record<string, any>>(query: string, variables?: Record<string, unknown>, options?: { token?: string | null }): Promise<GraphQLResponse<T>>;
  /** With auth on: the write token created at start (the web client's), else null. */
  token: string | null;
  /** A fresh EntityManager for seeding and checking rows directly. */
  em(): EntityManager;
  /** A graphql-ws client; closed with the server. `token` as for gql; other options pass through. */
  wsClient(options?: { token?: string | null } & Partial<WsClientOptions>): WsClient;
  close(): Promise<void>;
}

export interface TestServerOptions {
  storage?: TestStorage;
  config?: Partial<Config>;
  /**
   * Bearer-token authentication: off unless a test asks for it (true, or with public reads).
   * With auth on, the server creates its web client's write token at start (`token`).
   */
  auth?: boolean | { publicReads: boolean };
  /** A fixed port (a restarted server on the port its clients reconnect to); default 0. */
  port?: number;
}

/**
 * Starts the app on port 0; owns `storage` (disposes it on close) unless one is passed in.
 * `config` overrides the defaults (e.g. `workers: 0` for a server without its own worker).
 */
export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const storage = options.storage ?? (await createTestStorage());
  const auth = options.auth ?? false;
  const config: Config = {
    ...loadConfig({}),
    // Authentication is off unless the test asks for it.
    auth: auth !== false,
    publicReads: typeof auth === 'object' && auth.publicReads,
    ...options.config,
    ...storage.config,
    port: options.port ?? 0,
    host: '127.0.0.1',
  };
  const logs: string[] = [];
  let app: App;
  try {
    app = await createApp({ config, log: (m) => logs.push(m) });
  } catch (err) {
    if (!options.storage) await storage.dispose();
    throw err;
  }
  const clients: WsClient[] = [];
  const wsUrl = app.url.replace(/^http/, 'ws');
  const token = app.clientToken;
  return {
    app,
    storage,
    wsUrl,
    token,
    gql: async (query, variables, { token: sent = token } = {}) => {
      const req = request(app.httpServer).post('/graphql').send({ query, variables }).set('content-type', 'application/json');
      if (sent) req.set('authorization', `Bearer ${sent}`);
      return (await req).body;
    },
    em: () => app.database.orm.em.fork() as EntityManager,
    wsClient: ({ token: sent = token, ...clientOptions } = {}) => {
      const connectionParams = sent ? { authorization: `Bearer ${sent}` } : undefined;
      const client = createClient({ url: wsUrl, webSocketImpl: WebSocket, retryAttempts: 0, lazy: true, connectionParams, ...clientOptions });
      clients.push(client);
      return client;
    },
    close: async () => {
      await Promise.all(clients.map((c) => c.dispose()));
      await app.close();
      if (!options.storage) await storage.dispose();
    },
  };
}

/** The first error's code, message and field, or undefined. */
export function firstError(res: GraphQLResponse): { code: unknown; message: string; field: unknown } | undefined {
  const e = res.errors?.[0];
  return e && { code: e.extensions?.code, message: e.message, field: e.extensions?.field };
}

// Server configuration from environment variables, validated once at start.
import { resolve } from 'node:path';

export interface Config {
  /** HTTP port; 0 picks a free one (tests). */
  port: number;
  /** Interface the HTTP server binds to. */
  host: string;
  /** Directory for the embedded database (used when databaseUrl is unset). */
  dataDir: string;
  /** A real PostgreSQL; when set, the embedded database is not started. */
  databaseUrl?: string;
  /** Connections in the ORM's pool. */
  dbPoolSize: number;
  /** Default and largest page size for connection-style lists. */
  pageSize: number;
  maxPageSize: number;
  /** Compute steps the server's own worker runs at once; 0: no in-process worker. */
  workers: number;
  /** A run step (one cycle, one minimum) not finished in this time is retried elsewhere. */
  stepExpireSeconds: number;
  /** How often expired steps are looked for. */
  maintenanceSeconds: number;
  /** Largest safetensors upload. */
  maxUploadBytes: number;
  /** Bearer-token authentication (`off` only for tests and trusted loopback use). */
  auth: boolean;
  /** With auth on: queries and subscriptions need no token (mutations and uploads still do). */
  publicReads: boolean;
  /** Origins allowed to call the API from a browser page on another origin; `*` for any. */
  corsOrigins: string[];
  /** Deepest selection nesting a GraphQL operation may have. */
  maxQueryDepth: number;
  /** Largest estimated cost (fields, multiplied by page sizes of the lists around them). */
  maxQueryCost: number;
  /** Subscriptions one graphql-ws connection may hold at once. */
  maxSubscriptionsPerConnection: number;
  /** The engine's TensorFlow.js backend: `auto` or one of BACKEND_CHOICES. */
  backend: BackendChoice;
  /** Worker threads per neural energy; unset: cores / compute slots. */
  threads?: number;
  /** OpenBLAS threads per thread of the native path; unset: OPENBLAS_NUM_THREADS, else 1. */
  blasThreads?: number;
}

/** Backends the engine knows (src/engine/tfjs/backend.ts; a test keeps the two lists in step). */
export const BACKEND_CHOICES = ['auto', 'native-blas', 'tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'] as const;
export type BackendChoice = (typeof BACKEND_CHOICES)[number];

export class ConfigError extends Error {
  constructor(variable: string, value: string, expected: string) {
    super(`${variable}=${JSON.stringify(value)}: expected ${expected}`);
    this.name = 'ConfigError';
  }
}

/** Documented in README.md (Configuration); keep both in step. */
export const ENV = {
  PORT: 'PORT',
  HOST: 'HOST',
  DATA_DIR: 'NEB_ATLAS_DATA_DIR',
  DATABASE_URL: 'DATABASE_URL',
  DB_POOL_SIZE: 'NEB_ATLAS_DB_POOL_SIZE',
  WORKERS: 'NEB_ATLAS_WORKERS',
  STEP_EXPIRE_SECONDS: 'NEB_ATLAS_STEP_EXPIRE_SECONDS',
  MAINTENANCE_SECONDS: 'NEB_ATLAS_MAINTENANCE_SECONDS',
  MAX_UPLOAD_MB: 'NEB_ATLAS_MAX_UPLOAD_MB',
  AUTH: 'NEB_ATLAS_AUTH',
  PUBLIC_READS: 'NEB_ATLAS_PUBLIC_READS',
  CORS_ORIGINS: 'NEB_ATLAS_CORS_ORIGINS',
  MAX_QUERY_DEPTH: 'NEB_ATLAS_MAX_QUERY_DEPTH',
  MAX_QUERY_COST: 'NEB_ATLAS_MAX_QUERY_COST',
  MAX_SUBSCRIPTIONS: 'NEB_ATLAS_MAX_SUBSCRIPTIONS_PER_CONNECTION',
  BACKEND: 'NEB_ATLAS_BACKEND',
  THREADS: 'NEB_ATLAS_THREADS',
  BLAS_THREADS: 'NEB_ATLAS_BLAS_THREADS',
} as const;

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(name, raw, `an integer from ${min} to ${max}`);
  }
  return value;
}

/** An optional integer: undefined when the variable is unset or empty. */
function optionalInteger(env: NodeJS.ProcessEnv, name: string, min: number, max: number): number | undefined {
  const raw = env[name];
  return raw === undefined || raw === '' ? undefined : integer(env, name, min, min, max);
}

function oneOf<T extends string>(env: NodeJS.ProcessEnv, name: string, choices: readonly T[], fallback: T): T {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = raw.trim().toLowerCase();
  if (!(choices as readonly string[]).includes(value)) throw new ConfigError(name, raw, `one of ${choices.join(', ')}`);
  return value as T;
}

function onOff(env: NodeJS.ProcessEnv, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (raw === 'on') return true;
  if (raw === 'off') return false;
  throw new ConfigError(name, raw, '`on` or `off`');
}

/** Comma-separated origins (scheme://host[:port]) or `*`. */
function origins(env: NodeJS.ProcessEnv, name: string): string[] {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return [];
  const list = raw.split(',').map((o) => o.trim()).filter((o) => o !== '');
  for (const origin of list) {
    if (origin === '*') continue;
    let url: URL | undefined;
    try {
      url = new URL(origin);
    } catch {
      url = undefined;
    }
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.origin !== origin) {
      throw new ConfigError(name, raw, 'a comma-separated list of origins like https://example.org:8080 (no path, no trailing slash), or *');
    }
  }
  return list;
}

function postgresUrl(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(name, raw, 'a URL like postgres://user:password@host:5432/database');
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new ConfigError(name, raw, 'a postgres:// or postgresql:// URL');
  }
  return raw;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  return {
    port: integer(env, ENV.PORT, 4000, 0, 65535),
    host: env[ENV.HOST] || '127.0.0.1',
    dataDir: resolve(env[ENV.DATA_DIR] || './data'),
    databaseUrl: postgresUrl(env, ENV.DATABASE_URL),
    dbPoolSize: integer(env, ENV.DB_POOL_SIZE, 5, 1, 100),
    pageSize: 20,
    maxPageSize: 100,
    workers: integer(env, ENV.WORKERS, 1, 0, 64),
    stepExpireSeconds: integer(env, ENV.STEP_EXPIRE_SECONDS, 15 * 60, 5, 23 * 3600),
    maintenanceSeconds: integer(env, ENV.MAINTENANCE_SECONDS, 30, 1, 3600),
    maxUploadBytes: integer(env, ENV.MAX_UPLOAD_MB, 256, 1, 4096) * 1024 * 1024,
    auth: onOff(env, ENV.AUTH, true),
    publicReads: onOff(env, ENV.PUBLIC_READS, false),
    corsOrigins: origins(env, ENV.CORS_ORIGINS),
    maxQueryDepth: integer(env, ENV.MAX_QUERY_DEPTH, 20, 2, 1000),
    maxQueryCost: integer(env, ENV.MAX_QUERY_COST, 20_000, 10, 100_000_000),
    maxSubscriptionsPerConnection: integer(env, ENV.MAX_SUBSCRIPTIONS, 50, 1, 100_000),
    backend: oneOf(env, ENV.BACKEND, BACKEND_CHOICES, 'auto'),
    threads: optionalInteger(env, ENV.THREADS, 1, 1024),
    blasThreads: optionalInteger(env, ENV.BLAS_THREADS, 1, 1024),
  };
}

/** Loopback interfaces: the only ones the server binds to without authentication. */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h) || h === '::ffff:127.0.0.1';
}

/** The URL with its password replaced, for logs. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparseable URL)';
  }
}

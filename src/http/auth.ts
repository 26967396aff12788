// Bearer-token authentication of the API (HTTP `Authorization: Bearer <token>`, graphql-ws
// `connectionParams.authorization`). Tokens are random, shown once when created, and stored only
// as their SHA-256.
//
// Why a plain SHA-256 and not bcrypt/scrypt/argon2: slow KDFs protect low-entropy secrets
// (passwords) against guessing from a stolen hash. Our tokens are 32 random bytes (256 bits), so
// a stolen hash cannot be inverted by guessing, salted or not; a fast hash keeps each request's
// check at microseconds and lets the database look the token up by an indexed equality. Looking
// up by hash also means no secret is compared byte by byte in JS (no timing side channel on it).
import { createHash, randomBytes } from 'node:crypto';
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { GraphQLError } from 'graphql';
import { ApiToken, type TokenScope } from '../store/entities';

export type { TokenScope } from '../store/entities';
export const TOKEN_SCOPES: readonly TokenScope[] = ['read', 'write'];

/** Recognisable prefix (secret scanners, logs); the rest is 32 random bytes, base64url. */
export const TOKEN_PREFIX = 'neb_';

export function newToken(): string {
  return TOKEN_PREFIX + randomBytes(32).toString('base64url');
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** Creates and stores a token; the returned `token` is the only time it exists in clear. */
export async function createToken(em: EntityManager, scope: TokenScope, name: string): Promise<{ token: string; record: ApiToken }> {
  if (!TOKEN_SCOPES.includes(scope)) throw new Error(`scope: expected read or write, got ${JSON.stringify(scope)}`);
  const token = newToken();
  const record = em.create(ApiToken, { name, scope, hash: hashToken(token) });
  await em.persistAndFlush(record);
  return { token, record };
}

export function countTokens(em: EntityManager): Promise<number> {
  return em.count(ApiToken, {});
}

/** The token of an `Authorization: Bearer <token>` value, or null when there is none. */
export function bearerToken(header: unknown): string | null {
  if (typeof header !== 'string') return null;
  const match = /^\s*Bearer\s+(\S+)\s*$/i.exec(header);
  return match ? match[1] : null;
}

/** Who is calling: the scope of a valid token, or null for an anonymous caller. */
export interface Access {
  scope: TokenScope | null;
}

export type Need = 'read' | 'write';

/** Error codes (GraphQL `extensions.code`) and HTTP statuses of refused calls. */
export const AUTH_CODES = { UNAUTHENTICATED: 401, FORBIDDEN: 403 } as const;
export type AuthCode = keyof typeof AUTH_CODES;

export class AuthError extends Error {
  constructor(
    readonly code: AuthCode,
    message: string,
  ) {
    super(message);
    this.name = 'AuthError';
  }

  get status(): number {
    return AUTH_CODES[this.code];
  }

  /** For Apollo: the code, and the HTTP status Apollo answers with (it strips `http`). */
  toGraphQLError(): GraphQLError {
    return new GraphQLError(this.message, { extensions: { code: this.code, http: { status: this.status } } });
  }
}

/** Cached positive lookups live this long: a revoked token stops working within it. */
const CACHE_MS = 5000;
const CACHE_MAX = 1000;

export interface AuthOptions {
  /** NEB_ATLAS_AUTH: off grants everyone write access (tests, trusted loopback use). */
  enabled: boolean;
  /** NEB_ATLAS_PUBLIC_READS: anonymous callers may read. */
  publicReads: boolean;
}

export class Authenticator {
  private readonly cache = new Map<string, { scope: TokenScope; until: number }>();

  constructor(
    private readonly orm: MikroORM,
    readonly options: AuthOptions,
  ) {}

  /**
   * The access of a caller presenting `token` (null: none). An unknown token is refused outright,
   * even where anonymous reads are allowed: a client with a wrong token should learn so.
   */
  async authenticate(token: string | null): Promise<Access> {
    if (!this.options.enabled) return { scope: 'write' };
    if (token === null) {
      if (this.options.publicReads) return { scope: null };
      throw new AuthError('UNAUTHENTICATED', 'authentication required: send `Authorization: Bearer <token>` (create one with `neb-atlas token create --scope read|write`)');
    }
    const scope = await this.lookup(token);
    if (!scope) throw new AuthError('UNAUTHENTICATED', 'invalid or revoked token');
    return { scope };
  }

  /** Throws unless `access` allows `need`. */
  check(access: Access, need: Need): void {
    if (!this.options.enabled) return;
    if (need === 'read' && (access.scope !== null || this.options.publicReads)) return;
    if (need === 'write' && access.scope === 'write') return;
    if (access.scope === null) throw new AuthError('UNAUTHENTICATED', `authentication required: this ${need === 'write' ? 'operation changes data and needs a write token' : 'needs a read token'}`);
    throw new AuthError('FORBIDDEN', `this token has scope ${access.scope}; the operation needs a ${need} token`);
  }

  private async lookup(token: string): Promise<TokenScope | null> {
    const hash = hashToken(token);
    const now = Date.now();
    const cached = this.cache.get(hash);
    if (cached && cached.until > now) return cached.scope;
    const record = await this.orm.em.fork().findOne(ApiToken, { hash });
    if (!record) {
      this.cache.delete(hash);
      return null;
    }
    if (this.cache.size >= CACHE_MAX) this.cache.clear();
    this.cache.set(hash, { scope: record.scope, until: now + CACHE_MS });
    return record.scope;
  }
}

// Express middleware in front of the API routes: CORS for configured origins, bearer-token
// authentication, and JSON errors (never express's default HTML page, which carries a stack
// trace outside production) for bodies that are too large or not JSON.
import type { ErrorRequestHandler, Request, RequestHandler, Response } from 'express';
import { AuthError, bearerToken, type Access, type Authenticator, type Need } from './auth';

/** Body of an error answer: GraphQL's shape on /graphql, `{error}` on the tensor routes. */
export type ErrorShape = 'graphql' | 'route';

export function errorBody(shape: ErrorShape, code: string, message: string): unknown {
  return shape === 'graphql' ? { errors: [{ message, extensions: { code } }] } : { error: { code, message } };
}

/**
 * CORS for the listed origins (`*`: any). Tokens travel in a header, never in cookies, so no
 * credentials mode is offered. A preflight is answered here (204), before authentication, as
 * browsers send it without the Authorization header. WebSockets are not subject to CORS; they
 * carry no ambient credentials either (the token is in connectionParams), so another origin's
 * page gains nothing by opening one.
 */
export function cors(origins: readonly string[]): RequestHandler {
  const any = origins.includes('*');
  return (req, res, next) => {
    const origin = req.headers.origin;
    const allowed = origin !== undefined && (any || origins.includes(origin));
    if (allowed) {
      res.setHeader('Access-Control-Allow-Origin', any ? '*' : origin);
      res.vary('Origin');
      res.setHeader('Access-Control-Expose-Headers', 'Content-Disposition');
    }
    if (req.method !== 'OPTIONS') return next();
    if (allowed) {
      res.setHeader('Access-Control-Allow-Methods', 'GET, POST, OPTIONS');
      res.setHeader('Access-Control-Allow-Headers', 'authorization, content-type, apollo-require-preflight, x-apollo-operation-name');
      res.setHeader('Access-Control-Max-Age', '600');
    }
    res.status(204).end();
  };
}

/** The caller's access, set by `authenticate` (absent before it ran). */
export function accessOf(res: Response): Access {
  return (res.locals.access as Access | undefined) ?? { scope: null };
}

/**
 * Authenticates the bearer token (401 for a missing or unknown one, unless anonymous reads are
 * allowed) and, when `need` is given, checks the scope the route needs (403 when it falls short).
 */
export function authenticate(auth: Authenticator, shape: ErrorShape, need?: (req: Request) => Need, options: { queryToken?: boolean } = {}): RequestHandler {
  return (req, res, next) => {
    auth
      .authenticate(bearerToken(req.headers.authorization) ?? (options.queryToken ? queryToken(req) : null))
      .then((access) => {
        if (need) auth.check(access, need(req));
        res.locals.access = access;
        next();
      })
      .catch((err: unknown) => {
        if (!(err instanceof AuthError)) return next(err);
        if (err.code === 'UNAUTHENTICATED') res.setHeader('WWW-Authenticate', 'Bearer realm="neb-atlas"');
        res.status(err.status).json(errorBody(shape, err.code, err.message));
      });
  };
}

/**
 * `?access_token=` (RFC 6750, section 2.3) on GET requests: a browser's download link cannot
 * send a header. Only for read-only downloads; it never authorizes a change.
 */
function queryToken(req: Request): string | null {
  if (req.method !== 'GET' && req.method !== 'HEAD') return null;
  const value = (req.query as Record<string, unknown>).access_token;
  return typeof value === 'string' && value !== '' ? value : null;
}

/** Errors of body parsing and anything else that reaches it, as coded JSON without detail. */
export function jsonErrors(shape: ErrorShape, log: (message: string) => void, limits: { bodyBytes?: number } = {}): ErrorRequestHandler {
  return (err: unknown, _req, res, next) => {
    if (res.headersSent) return next(err);
    const e = err as { type?: string; status?: number; statusCode?: number; message?: string };
    const status = e?.status ?? e?.statusCode;
    if (e?.type === 'entity.too.large') {
      return void res.status(413).json(errorBody(shape, 'PAYLOAD_TOO_LARGE', `request body larger than ${limits.bodyBytes ?? 'the limit of'} bytes`));
    }
    if (e?.type === 'entity.parse.failed') return void res.status(400).json(errorBody(shape, 'BAD_REQUEST', 'request body is not valid JSON'));
    if (status && status >= 400 && status < 500) return void res.status(status).json(errorBody(shape, 'BAD_REQUEST', e.message ?? 'bad request'));
    log(`request error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    res.status(500).json(errorBody(shape, 'INTERNAL_SERVER_ERROR', 'Internal server error'));
  };
}

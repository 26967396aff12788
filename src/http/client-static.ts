// Serves the built web client (client/dist, made by `npm run build:client`) at /. Unknown GET
// paths that are not API routes get index.html, so any client URL can be opened directly; when
// the client has not been built, a page says how to build it. Mounted after the API routes.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import express, { type Request, type Response, type NextFunction, type Router } from 'express';

/** client/dist next to the package root (this file runs as dist/src/http/client-static.js). */
export const DEFAULT_CLIENT_DIR = resolve(__dirname, '..', '..', '..', 'client', 'dist');

/** Paths the server itself answers; they never fall back to the client's page. */
const API_PREFIXES = ['/graphql', '/tensors', '/healthz'];

const NOT_BUILT_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>neb-atlas: client not built</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40em; margin: 4em auto; color: #1a202c">
<h1 style="font-size: 20px">neb-atlas: client not built</h1>
<p>client not built: run <code>npm run build:client</code> (or <code>npm run build</code>), then reload this page.</p>
<p>The GraphQL API is available at <a href="/graphql">/graphql</a>.</p>
</body></html>
`;

function isApiPath(path: string): boolean {
  return API_PREFIXES.some((prefix) => path === prefix || path.startsWith(`${prefix}/`));
}

/**
 * GET /graphql from a browser (Accept prefers text/html): the GraphQL explorer page (GraphiQL,
 * client/graphiql.html). Mounted before the API's authentication: the page holds no data, and it
 * sends the token itself. Other requests (JSON, WebSocket upgrades) go on to the API.
 */
export function explorerPage({ dir = DEFAULT_CLIENT_DIR }: ClientRoutesOptions = {}): express.RequestHandler {
  const page = join(dir, 'graphiql.html');
  return (req, res, next) => {
    if (req.headers.upgrade || req.accepts(['application/json', 'text/html']) !== 'text/html') return next();
    if (!existsSync(page)) {
      res.status(503).type('html').set('Cache-Control', 'no-store').send(NOT_BUILT_PAGE);
      return;
    }
    res.set('Cache-Control', 'no-cache').sendFile(page);
  };
}

export interface ClientRoutesOptions {
  /** Directory of the built client; default client/dist of this package. */
  dir?: string;
}

export function clientRoutes({ dir = DEFAULT_CLIENT_DIR }: ClientRoutesOptions = {}): Router {
  const router = express.Router();
  const indexFile = join(dir, 'index.html');

  router.use(
    express.static(dir, {
      index: 'index.html',
      // Hashed bundle names change with their content; the page itself must always be re-read.
      setHeaders: (res, file) => {
        res.setHeader('Cache-Control', file.includes(`${join(dir, 'assets')}`) ? 'public, max-age=31536000, immutable' : 'no-cache');
      },
    }),
  );

  router.use((req: Request, res: Response, next: NextFunction) => {
    if ((req.method !== 'GET' && req.method !== 'HEAD') || isApiPath(req.path)) return next();
    // A missing file (a name with an extension, or under /assets) is a 404, not the page.
    if (req.path.startsWith('/assets/') || /\.[a-z0-9]+$/i.test(req.path)) return next();
    // Checked per request, so building the client while the server runs is enough.
    if (!existsSync(indexFile)) {
      res.status(503).type('html').set('Cache-Control', 'no-store').send(NOT_BUILT_PAGE);
      return;
    }
    res.set('Cache-Control', 'no-cache').sendFile(indexFile);
  });

  return router;
}

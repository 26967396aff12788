// The HTTP server, wiring only: express 5 with Apollo Server (queries, mutations) and graphql-ws
// (subscriptions, ./subscriptions.ts) on one port and one path, /graphql; GET /healthz.
// Security (README "Security"): bearer tokens (src/http/auth.ts) on /graphql, the WebSocket and
// /tensors; depth and cost limits (./limits.ts) on every operation; body, upload and
// subscription limits; Apollo's CSRF prevention; CORS only for configured origins.
import 'reflect-metadata';
import { createServer, type Server } from 'node:http';
import { constants } from 'node:os';
import type { AddressInfo } from 'node:net';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { expressMiddleware } from '@as-integrations/express5';
import express, { type Express } from 'express';
import type { ValidationRule } from 'graphql';
import type { EntityManager } from '@mikro-orm/postgresql';
import { isLoopback, type Config } from '../config';
import { AuthError, Authenticator, bearerToken, countTokens, createToken, type Access } from './auth';
import { accessOf, authenticate, cors, jsonErrors } from './guards';
import { costLimitRule, depthLimitRule, MAX_TOKENS } from './limits';
import { serveSubscriptions } from './subscriptions';
import { openDatabase, type Database } from '../db/database';
import { createEventBus, type EventBus } from '../events';
import { buildAppSchema, formatError, type Context } from '../api/resolvers';
import { clientRoutes, explorerPage } from './client-static';
import { RunEvents } from '../runs/events';
import { Loaders } from '../api/loaders';
import { JobQueue, DEFAULT_QUEUE_OPTIONS } from '../runs/queue';
import { RunWorkerThread } from '../runs/worker-thread';
import { TENSORS_PATH, tensorRoutes } from './tensors';
import { UploadStore } from '../runs/uploads';

/** Pending connections the kernel queues (capped by net.core.somaxconn). */
const LISTEN_BACKLOG = 4096;

export const GRAPHQL_PATH = '/graphql';

/** Largest JSON body of a GraphQL request over HTTP. */
export const MAX_JSON_BODY_BYTES = 1024 * 1024;

/** Thrown at start when the configuration would expose the API unprotected. */
export class StartupRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StartupRefusedError';
  }
}

export interface AppOptions {
  config: Config;
  log?: (message: string) => void;
  /**
   * With auth on, on loopback and no token stored yet: create a write token for the web client
   * and log its URL (`http://127.0.0.1:4000/?token=...`), as Jupyter does. Default true.
   */
  clientToken?: boolean;
  /**
   * Nice value of the in-process worker's thread (Linux: per thread). Default 10 (below normal):
   * when the CPU is short, reads are answered first and runs take what is left; on an idle
   * machine the run gets every cycle it can use. 0: the same priority as serving (experiments).
   */
  workerPriority?: number;
}

export interface App {
  app: Express;
  httpServer: Server;
  /** http://host:port/graphql; the same URL with ws:// serves subscriptions. */
  url: string;
  database: Database;
  events: EventBus;
  queue: JobQueue;
  /** The in-process worker, in its own thread (absent with NEB_ATLAS_WORKERS=0). */
  worker: RunWorkerThread | null;
  /** The web client's token created at this start (see AppOptions.clientToken), else null. */
  clientToken: string | null;
  auth: Authenticator;
  /** Subscriptions currently running over WebSocket. */
  activeSubscriptions(): number;
  /** Stops accepting, ends subscriptions and requests, closes the database. Idempotent. */
  close(): Promise<void>;
}

export async function createApp({ config, log = console.log, clientToken: makeClientToken = true, workerPriority = constants.priority.PRIORITY_BELOW_NORMAL }: AppOptions): Promise<App> {
  const database = await openDatabase(config, { log });
  const closers: (() => Promise<unknown>)[] = [() => database.close()];
  const closeAll = async () => {
    // Last opened, first closed: the database goes last.
    for (const close of closers.reverse()) await close().catch((err: Error) => log(`while closing: ${err.message}`));
  };
  try {
    const auth = new Authenticator(database.orm, { enabled: config.auth, publicReads: config.publicReads });
    const clientToken = await prepareAuth(config, database, makeClientToken);
    const events = await createEventBus(database.url, log);
    closers.push(() => events.close());
    const schema = await buildAppSchema(events.pubSub);
    const queue = await JobQueue.open(queueOptions(config, database.url), log);
    closers.push(() => queue.close());
    // The embedded setup works alone: the server runs a worker too (more run as `neb-atlas worker`),
    // in a worker thread, so this thread only serves (src/runs/worker-thread.ts). It starts while
    // Apollo starts; on close it stops after the subscriptions and requests have ended.
    const workerStarting = config.workers > 0 ? RunWorkerThread.start({ config, url: database.url, queue: queueOptions(config, database.url), events, log, priority: workerPriority }) : Promise.resolve(null);
    workerStarting.catch(() => undefined); // awaited below; a failure must not surface as unhandled first
    closers.push(() => workerStarting.then((w) => w?.stop(), () => undefined));
    const runEvents = new RunEvents(events, log);
    const uploads = new UploadStore();
    const limits = { defaultSize: config.pageSize, maxSize: config.maxPageSize };
    const context = (access: Access): Context => {
      let em: EntityManager | undefined;
      const fork = () => (em ??= database.orm.em.fork());
      return {
        get em() {
          return fork();
        },
        loaders: new Loaders(fork),
        events,
        limits,
        log,
        queue,
        runEvents,
        uploads,
        access,
      };
    };
    const validationRules: ValidationRule[] = [
      depthLimitRule(config.maxQueryDepth),
      costLimitRule({ maxCost: config.maxQueryCost, defaultPageSize: config.pageSize, maxPageSize: config.maxPageSize }),
    ];
    /** The scope an operation needs: mutations write, queries and subscriptions read. */
    const checkOperation = (access: Access, operation: string): void => {
      try {
        auth.check(access, operation === 'mutation' ? 'write' : 'read');
      } catch (err) {
        throw err instanceof AuthError ? err.toGraphQLError() : err;
      }
    };

    const app = express();
    const httpServer = createServer(app);
    const subscriptions = serveSubscriptions(httpServer, {
      schema,
      path: GRAPHQL_PATH,
      maxPayload: MAX_JSON_BODY_BYTES,
      maxSubscriptionsPerConnection: config.maxSubscriptionsPerConnection,
      validationRules,
      context,
      authenticate: (authorization) => auth.authenticate(bearerToken(authorization)),
      checkOperation,
      log,
    });
    const apollo = new ApolloServer<Context>({
      schema,
      formatError: (formatted, error) => formatError(formatted, error, log),
      includeStacktraceInErrorResponses: false,
      // Refuses GET and form-encoded requests without a preflight-forcing header (the default
      // in Apollo Server 5; stated here as part of the security setup).
      csrfPrevention: true,
      validationRules,
      parseOptions: { maxTokens: MAX_TOKENS },
      // Shutdown belongs to close() (the CLI calls it on SIGINT/SIGTERM); Apollo's own handlers
      // would stop only Apollo and then re-raise the signal, killing the process mid-shutdown.
      stopOnTerminationSignals: false,
      plugins: [
        // On stop: close the listening socket, end WebSocket subscriptions (close code 1001),
        // let running HTTP requests finish (at most 5 s), then close idle connections.
        ApolloServerPluginDrainHttpServer({ httpServer, stopGracePeriodMillis: 5000 }),
        // Authorization by operation type, once the operation is known.
        {
          requestDidStart: async () => ({
            didResolveOperation: async ({ operation, contextValue }) => checkOperation(contextValue.access ?? { scope: null }, operation?.operation ?? 'query'),
          }),
        },
        {
          serverWillStart: async () => ({
            drainServer: async () => {
              await subscriptions.dispose();
            },
          }),
        },
      ],
    });
    await apollo.start();
    closers.push(() => apollo.stop());

    app.get('/healthz', async (_req, res) => {
      try {
        await database.orm.em.getConnection().execute('select 1');
        res.json({ status: 'ok', database: database.kind, subscriptions: subscriptions.count() });
      } catch {
        res.status(503).json({ status: 'unavailable', database: database.kind, subscriptions: subscriptions.count() });
      }
    });
    const allowOrigins = cors(config.corsOrigins);
    app.get(GRAPHQL_PATH, explorerPage());
    app.use(
      GRAPHQL_PATH,
      allowOrigins,
      authenticate(auth, 'graphql'),
      express.json({ limit: MAX_JSON_BODY_BYTES }),
      expressMiddleware(apollo, { context: async ({ res }) => context(accessOf(res)) }),
      jsonErrors('graphql', log, { bodyBytes: MAX_JSON_BODY_BYTES }),
    );
    // Downloads read, uploads write; checked before an upload's body is read.
    app.use(TENSORS_PATH, allowOrigins, authenticate(auth, 'route', (req) => (req.method === 'GET' || req.method === 'HEAD' ? 'read' : 'write'), { queryToken: true }), tensorRoutes(database.orm, uploads, config.maxUploadBytes));
    app.use(clientRoutes());
    app.use(jsonErrors('route', log));

    const worker = await workerStarting;

    await new Promise<void>((resolve, reject) => {
      httpServer.once('error', reject);
      // A burst of clients (hundreds of subscribers starting at once) overflows Node's default
      // accept queue of 511; dropped SYNs come back after 1, 3, 7... s of TCP retransmission.
      httpServer.listen({ port: config.port, host: config.host, backlog: LISTEN_BACKLOG }, () => {
        httpServer.off('error', reject);
        resolve();
      });
    });
    const { port } = httpServer.address() as AddressInfo;
    const host = config.host.includes(':') ? `[${config.host}]` : config.host;
    if (clientToken) log(`neb-atlas: web client (sends this token; keep the URL private): http://${host}:${port}/?token=${clientToken}`);
    let closing: Promise<void> | undefined;
    return {
      app,
      httpServer,
      url: `http://${host}:${port}${GRAPHQL_PATH}`,
      database,
      events,
      queue,
      worker,
      clientToken,
      auth,
      activeSubscriptions: subscriptions.count,
      close: () => (closing ??= closeAll()),
    };
  } catch (err) {
    await closeAll();
    throw err;
  }
}

/**
 * Refuses to serve a non-loopback interface unprotected (auth off, or no token to log in with),
 * and, with auth on and no token stored, creates the web client's write token on loopback.
 */
async function prepareAuth(config: Config, database: Database, makeClientToken: boolean): Promise<string | null> {
  const loopback = isLoopback(config.host);
  if (!loopback && !config.auth) {
    throw new StartupRefusedError(`HOST=${config.host} is not a loopback interface and NEB_ATLAS_AUTH=off: refusing to serve the API unauthenticated to the network (turn auth on, or bind HOST=127.0.0.1)`);
  }
  if (!config.auth) return null;
  const em = database.orm.em.fork();
  const tokens = await countTokens(em);
  if (tokens > 0) return null;
  if (!loopback) {
    throw new StartupRefusedError(`HOST=${config.host} is not a loopback interface and no API token exists: create one first with \`neb-atlas token create --scope write\`, or bind HOST=127.0.0.1`);
  }
  if (!makeClientToken) return null;
  return (await createToken(em, 'write', 'web client')).token;
}

export function queueOptions(config: Config, url: string) {
  return {
    ...DEFAULT_QUEUE_OPTIONS,
    url,
    stepExpireSeconds: config.stepExpireSeconds,
    maintenanceIntervalSeconds: config.maintenanceSeconds,
  };
}

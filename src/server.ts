// The HTTP server: express 5 with Apollo Server (queries, mutations) and graphql-ws
// (subscriptions) on one port and one path, /graphql; GET /healthz.
import 'reflect-metadata';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { expressMiddleware } from '@as-integrations/express5';
import express, { type Express } from 'express';
import type { GraphQLError } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import type { Config } from './config';
import { openDatabase, type Database } from './db/database';
import { createEventBus, type EventBus } from './events';
import { buildAppSchema, formatError, type Context } from './resolvers';
import { clientRoutes } from './client-static';
import { RunEvents } from './jobs/events';
import { JobQueue, DEFAULT_QUEUE_OPTIONS } from './jobs/queue';
import { RunWorker } from './jobs/worker';
import { TENSORS_PATH, tensorRoutes, UploadStore } from './tensors';

export const GRAPHQL_PATH = '/graphql';

export interface AppOptions {
  config: Config;
  log?: (message: string) => void;
}

export interface App {
  app: Express;
  httpServer: Server;
  /** http://host:port/graphql; the same URL with ws:// serves subscriptions. */
  url: string;
  database: Database;
  events: EventBus;
  queue: JobQueue;
  /** The in-process worker (absent with NEB_ATLAS_WORKERS=0). */
  worker: RunWorker | null;
  /** Subscriptions currently running over WebSocket. */
  activeSubscriptions(): number;
  /** Stops accepting, ends subscriptions and requests, closes the database. Idempotent. */
  close(): Promise<void>;
}

export async function createApp({ config, log = console.log }: AppOptions): Promise<App> {
  const database = await openDatabase(config);
  const closers: (() => Promise<unknown>)[] = [() => database.close()];
  const closeAll = async () => {
    // Last opened, first closed: the database goes last.
    for (const close of closers.reverse()) await close().catch((err: Error) => log(`while closing: ${err.message}`));
  };
  try {
    const events = await createEventBus(database.url, log);
    closers.push(() => events.close());
    const schema = await buildAppSchema(events.pubSub);
    const queue = await JobQueue.open(queueOptions(config, database.url), log);
    closers.push(() => queue.close());
    const runEvents = new RunEvents(events, log);
    const uploads = new UploadStore();
    const limits = { defaultSize: config.pageSize, maxSize: config.maxPageSize };
    const context = (): Context => ({ em: database.orm.em.fork(), events, limits, log, queue, runEvents, uploads });

    const app = express();
    const httpServer = createServer(app);
    const wsServer = new WebSocketServer({ server: httpServer, path: GRAPHQL_PATH });
    // Open WebSocket connections, to count active subscriptions (health report, tests).
    const sockets = new Set<{ subscriptions: Record<string, unknown> }>();
    const subscriptionCount = () => [...sockets].reduce((n, ctx) => n + Object.keys(ctx.subscriptions).length, 0);
    const subscriptions = useServer<Record<string, unknown>, Record<string, unknown>>(
      {
        schema,
        context,
        onConnect: (ctx) => {
          sockets.add(ctx);
          return true;
        },
        onClose: (ctx) => {
          sockets.delete(ctx);
        },
        // Same error policy over WebSocket as over HTTP.
        onNext: (_ctx, _id, _payload, _args, result) =>
          result.errors ? { ...result, errors: result.errors.map((e: GraphQLError) => formatError(e.toJSON(), e, log)) } : undefined,
        // Called for operations that fail parsing or validation, which graphql-ws leaves uncoded.
        onError: (_ctx, _id, _payload, errors) =>
          errors.map((e) => formatError({ ...e.toJSON(), extensions: { code: 'GRAPHQL_VALIDATION_FAILED', ...e.extensions } }, e, log)),
      },
      wsServer,
    );
    const apollo = new ApolloServer<Context>({
      schema,
      formatError: (formatted, error) => formatError(formatted, error, log),
      includeStacktraceInErrorResponses: false,
      // Shutdown belongs to close() (the CLI calls it on SIGINT/SIGTERM); Apollo's own handlers
      // would stop only Apollo and then re-raise the signal, killing the process mid-shutdown.
      stopOnTerminationSignals: false,
      plugins: [
        // On stop: close the listening socket, end WebSocket subscriptions (close code 1001),
        // let running HTTP requests finish (at most 5 s), then close idle connections.
        ApolloServerPluginDrainHttpServer({ httpServer, stopGracePeriodMillis: 5000 }),
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
        res.json({ status: 'ok', database: database.kind, subscriptions: subscriptionCount() });
      } catch {
        res.status(503).json({ status: 'unavailable', database: database.kind, subscriptions: subscriptionCount() });
      }
    });
    app.use(GRAPHQL_PATH, express.json({ limit: '1mb' }), expressMiddleware(apollo, { context: async () => context() }));
    app.use(TENSORS_PATH, tensorRoutes(database.orm, uploads, config.maxUploadBytes));
    app.use(clientRoutes());

    // The embedded setup works alone: the server runs a worker too (more run as `neb-atlas worker`).
    let worker: RunWorker | null = null;
    if (config.workers > 0) {
      worker = new RunWorker({ orm: database.orm, queue, events, concurrency: config.workers, log });
      await worker.start();
      const running = worker;
      closers.push(() => running.stop());
    }

    await new Promise<void>((resolve, reject) => {
      httpServer.once('error', reject);
      httpServer.listen(config.port, config.host, () => {
        httpServer.off('error', reject);
        resolve();
      });
    });
    const { port } = httpServer.address() as AddressInfo;
    const host = config.host.includes(':') ? `[${config.host}]` : config.host;
    let closing: Promise<void> | undefined;
    return {
      app,
      httpServer,
      url: `http://${host}:${port}${GRAPHQL_PATH}`,
      database,
      events,
      queue,
      worker,
      activeSubscriptions: subscriptionCount,
      close: () => (closing ??= closeAll()),
    };
  } catch (err) {
    await closeAll();
    throw err;
  }
}

export function queueOptions(config: Config, url: string) {
  return {
    ...DEFAULT_QUEUE_OPTIONS,
    url,
    stepExpireSeconds: config.stepExpireSeconds,
    maintenanceIntervalSeconds: config.maintenanceSeconds,
  };
}

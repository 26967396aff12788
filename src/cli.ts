#!/usr/bin/env node
// neb-atlas command line: `serve` (default) runs the API server, `worker` a worker process,
// `migrate` applies migrations; every other command is a client of a running server (src/cli/).
// Server modules (tfjs, the ORM) load only for the server commands, so client commands start fast.
import 'reflect-metadata';
import { loadConfig, redactUrl, type Config } from './config';

const USAGE = `usage: neb-atlas [serve | worker | migrate | help] | neb-atlas <client command> [options]

Server:
  serve    start the GraphQL server (default), with an in-process worker
  worker   run a worker process: takes run steps from the queue in PostgreSQL (needs DATABASE_URL)
  migrate  apply pending database migrations and exit
  token    create | list | revoke API tokens (token create --scope read|write [--name NAME])

Configuration comes from environment variables (see README.md): PORT, HOST,
NEB_ATLAS_DATA_DIR, DATABASE_URL, NEB_ATLAS_DB_POOL_SIZE, NEB_ATLAS_WORKERS, ...

Client (call the server at --url, default $NEB_ATLAS_URL or http://127.0.0.1:$PORT/graphql):
  landscape create | landscape list, train, connect, evaluate, explore, status, cancel,
  export, import, report, experiment      (\`neb-atlas <command> --help\` for each)`;

const SERVER_COMMANDS = new Set(['serve', 'migrate', 'worker', 'token', 'help', '--help', '-h']);

function describe(config: Config): string {
  return config.databaseUrl ? `PostgreSQL at ${redactUrl(config.databaseUrl)}` : `embedded PGlite in ${config.dataDir}`;
}

/** Generous: requests get 5 s to finish, then subscriptions, listener and database close. */
const SHUTDOWN_LIMIT_MS = 30_000;

async function serve(config: Config): Promise<void> {
  const { configureEngine, startEngine } = await import('./runs/bridge/engine');
  const { createApp } = await import('./http/app');
  configureEngine(config);
  const backend = await startEngine();
  console.log(`neb-atlas: tfjs backend ${backend.name} (${backend.reason})`);
  console.log(`neb-atlas: opening ${describe(config)} ...`);
  const app = await createApp({ config });
  if (app.database.applied.length > 0) console.log(`neb-atlas: applied migrations ${app.database.applied.join(', ')}`);
  console.log(`neb-atlas: database: ${app.database.description}`);
  console.log(`neb-atlas: GraphQL at ${app.url} (subscriptions: ${app.url.replace(/^http/, 'ws')})`);
  console.log(`neb-atlas: web client at ${app.url.replace(/\/graphql$/, '/')}`);
  console.log(`neb-atlas: in-process worker: ${app.worker ? `${config.workers} compute slot(s)` : 'none (NEB_ATLAS_WORKERS=0)'}`);

  // Ctrl-C under `npm start` delivers SIGINT twice (terminal and npm). Exiting before the
  // database is closed could leave PGlite's files half-written, so repeats are ignored.
  onTerminationSignals(() => app.close());
}

/** Stops `close` on the first SIGINT/SIGTERM (repeats ignored), with a watchdog. */
function onTerminationSignals(close: () => Promise<void>): void {
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    console.log(`neb-atlas: ${signal}, shutting down ...`);
    setTimeout(() => {
      console.error(`neb-atlas: shutdown still not done after ${SHUTDOWN_LIMIT_MS / 1000} s, exiting`);
      process.exit(1);
    }, SHUTDOWN_LIMIT_MS).unref();
    close().then(
      () => {
        console.log('neb-atlas: stopped');
        process.exit(0);
      },
      (err: Error) => {
        console.error(`neb-atlas: shutdown failed: ${err.message}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

async function workerCommand(config: Config): Promise<void> {
  if (!config.databaseUrl) {
    throw new Error('worker: DATABASE_URL is required (workers share a real PostgreSQL with the server; the embedded database serves one process, whose own worker runs inside `serve`)');
  }
  const { configureEngine, startEngine } = await import('./runs/bridge/engine');
  const { openDatabase } = await import('./db/database');
  const { createEventBus } = await import('./events');
  const { JobQueue } = await import('./runs/queue');
  const { RunWorker } = await import('./runs/worker');
  const { queueOptions } = await import('./http/app');
  configureEngine(config);
  const backend = await startEngine();
  console.log(`neb-atlas: tfjs backend ${backend.name} (${backend.reason})`);
  const database = await openDatabase(config);
  const events = await createEventBus(database.url);
  const queue = await JobQueue.open(queueOptions(config, database.url), console.log);
  const worker = new RunWorker({ orm: database.orm, queue, events, concurrency: Math.max(1, config.workers), log: console.log });
  await worker.start();
  console.log(`neb-atlas: worker ${worker.id} on ${database.description}, ${Math.max(1, config.workers)} compute slot(s)`);
  onTerminationSignals(async () => {
    await worker.stop();
    await queue.close();
    await events.close();
    await database.close();
  });
}

async function migrateCommand(config: Config): Promise<void> {
  const { openDatabase } = await import('./db/database');
  console.log(`neb-atlas: migrating ${describe(config)}`);
  const database = await openDatabase(config);
  try {
    console.log(database.applied.length > 0 ? `applied: ${database.applied.join(', ')}` : 'schema is up to date');
  } finally {
    await database.close();
  }
}

async function main(argv: string[]): Promise<void> {
  const command = argv[0] ?? 'serve';
  if (!SERVER_COMMANDS.has(command)) {
    const { runCli } = await import('./cli/program');
    await runCli(argv);
    return;
  }
  if (command === 'help' || command === '--help' || command === '-h') {
    console.log(USAGE);
    return;
  }
  const config = loadConfig();
  switch (command) {
    case 'serve':
      return serve(config);
    case 'migrate':
      return migrateCommand(config);
    case 'worker':
      return workerCommand(config);
    case 'token':
      return (await import('./cli/token')).tokenCommand(argv.slice(1), config);
  }
}

main(process.argv.slice(2)).catch((err: Error) => {
  console.error(`neb-atlas: ${err.message}`);
  process.exit(1);
});

#!/usr/bin/env node
// neb-atlas command line: `serve` (default) runs the API server, `migrate` applies migrations.
import 'reflect-metadata';
import { loadConfig, redactUrl, type Config } from './config';
import { openDatabase } from './db/database';
import { createApp } from './server';

const USAGE = `usage: neb-atlas [serve | migrate | help]

  serve    start the GraphQL server (default)
  migrate  apply pending database migrations and exit

Configuration comes from environment variables (see README.md): PORT, HOST,
NEB_ATLAS_DATA_DIR, DATABASE_URL, NEB_ATLAS_DB_POOL_SIZE.`;

function describe(config: Config): string {
  return config.databaseUrl ? `PostgreSQL at ${redactUrl(config.databaseUrl)}` : `embedded PGlite in ${config.dataDir}`;
}

/** Generous: requests get 5 s to finish, then subscriptions, listener and database close. */
const SHUTDOWN_LIMIT_MS = 30_000;

async function serve(config: Config): Promise<void> {
  console.log(`neb-atlas: opening ${describe(config)} ...`);
  const app = await createApp({ config });
  if (app.database.applied.length > 0) console.log(`neb-atlas: applied migrations ${app.database.applied.join(', ')}`);
  console.log(`neb-atlas: database: ${app.database.description}`);
  console.log(`neb-atlas: GraphQL at ${app.url} (subscriptions: ${app.url.replace(/^http/, 'ws')})`);

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    // Ctrl-C under `npm start` delivers SIGINT twice (terminal and npm). Exiting before the
    // database is closed could leave PGlite's files half-written, so repeats are ignored.
    if (stopping) return;
    stopping = true;
    console.log(`neb-atlas: ${signal}, shutting down ...`);
    const watchdog = setTimeout(() => {
      console.error(`neb-atlas: shutdown still not done after ${SHUTDOWN_LIMIT_MS / 1000} s, exiting`);
      process.exit(1);
    }, SHUTDOWN_LIMIT_MS);
    watchdog.unref();
    app.close().then(
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

async function migrateCommand(config: Config): Promise<void> {
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
    default:
      console.error(`neb-atlas: unknown command ${JSON.stringify(command)}\n\n${USAGE}`);
      process.exitCode = 2;
  }
}

main(process.argv.slice(2)).catch((err: Error) => {
  console.error(`neb-atlas: ${err.message}`);
  process.exit(1);
});

// The client commands of `neb-atlas` (commander): each calls the GraphQL API of the server at
// --url, prints a result (text, or one JSON document with --json) and exits with a code from
// ./errors.ts. Server commands (serve, worker, migrate) stay in src/cli.ts.
import { readFileSync } from 'node:fs';
import { Command, CommanderError, Option } from 'commander';
import { ApiClient, defaultUrl, TOKEN_ENV } from './client';
import { CliError, EXIT } from './errors';
import { landscapeCommands } from './landscape';
import { runCommands } from './runs';
import { tensorCommands } from './tensors';
import { reportCommands } from './report-command';
import { curvatureCommands } from './curvature';

export interface GlobalOptions {
  url: string;
  token?: string;
  json: boolean;
  quiet: boolean;
}

/** Everything a command needs: the client, the options, and how to print. */
export interface CommandContext {
  client: ApiClient;
  options: GlobalOptions;
  /** Prints the result: `json` with --json, else `text`. */
  print(json: unknown, text: string | (() => string)): void;
}

export function context(command: Command): CommandContext {
  const options = command.optsWithGlobals<GlobalOptions>();
  const client = new ApiClient(options.url, options.token || process.env[TOKEN_ENV] || undefined);
  return {
    client,
    options,
    print(json, text) {
      process.stdout.write(options.json ? `${JSON.stringify(json, null, 2)}\n` : `${typeof text === 'function' ? text() : text}\n`);
    },
  };
}

/** Runs a command's action with its context and closes the client after. */
export function action<A extends unknown[]>(fn: (ctx: CommandContext, ...args: A) => Promise<void>) {
  return async (...args: unknown[]) => {
    const command = args.at(-1) as Command;
    const ctx = context(command);
    try {
      await fn(ctx, ...(args.slice(0, -1) as A));
    } finally {
      await ctx.client.close();
    }
  };
}

export const EXIT_CODES_HELP = `Exit codes:
  0    done
  1    a run it waited for FAILED or was CANCELLED (or the experiment failed)
  2    usage error (unknown command or option, missing argument)
  3    no server answered at --url
  4    rejected: unknown id (NOT_FOUND) or bad input (BAD_USER_INPUT, bad file)
  5    server error
  6    not authorized: no token, an invalid one, or one without the needed scope (--token, NEB_ATLAS_TOKEN)
  130  interrupted (Ctrl-C); a run keeps going on the server: \`neb-atlas cancel RUN\` stops it`;

export function buildProgram(): Command {
  const program = new Command('neb-atlas')
    .description('neb-atlas: AutoNEB minimum energy paths between neural-network minima (Draxler et al. 2018), served over GraphQL.\nServer commands: serve, worker, migrate (see `neb-atlas help`). Client commands call the server at --url.')
    .addOption(new Option('--url <url>', 'GraphQL URL of the server (env NEB_ATLAS_URL)').default(defaultUrl()))
    .option('--token <token>', `API token sent as Authorization: Bearer (env ${TOKEN_ENV})`)
    .option('--json', 'print one JSON document (no progress output)', false)
    .option('-q, --quiet', 'no progress output', false)
    // Before the subcommands are added, which inherit these: errors come back to runCli.
    .exitOverride()
    .configureOutput({ outputError: (s, write) => write(`neb-atlas: ${s.replace(/^error: /, '').trim()} (see --help)\n`) })
    .addHelpText('after', `\n${EXIT_CODES_HELP}`);
  landscapeCommands(program);
  runCommands(program);
  curvatureCommands(program);
  tensorCommands(program);
  reportCommands(program);
  return program;
}

/** Parses and runs a client command line; sets process.exitCode. */
export async function runCli(argv: string[]): Promise<number> {
  const program = buildProgram();
  let code: number = EXIT.OK;
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end with code 0; everything else commander raises is a usage error.
      code = err.exitCode === 0 ? EXIT.OK : EXIT.USAGE;
    } else if (err instanceof CliError) {
      process.stderr.write(`neb-atlas: ${err.message}\n`);
      code = err.exitCode;
    } else {
      process.stderr.write(`neb-atlas: ${(err as Error).message ?? String(err)}\n`);
      code = EXIT.RUN_FAILED;
    }
  }
  process.exitCode = code;
  return code;
}

/** Parses an integer option, as a usage error when it is not one. */
export function intOption(name: string, min = 0) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min) throw new CliError(`${name}: expected an integer >= ${min}, got ${JSON.stringify(value)}`, EXIT.USAGE);
    return n;
  };
}

export function numberOption(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isFinite(n)) throw new CliError(`${name}: expected a number, got ${JSON.stringify(value)}`, EXIT.USAGE);
    return n;
  };
}

export function intListOption(name: string) {
  return (value: string): number[] => value.split(',').filter((s) => s.trim() !== '').map((s) => intOption(name)(s.trim()));
}

/** A JSON value given inline or as @file. */
export function jsonOption(name: string) {
  return (value: string): unknown => {
    let text = value;
    if (value.startsWith('@')) {
      try {
        text = readFileSync(value.slice(1), 'utf8');
      } catch (err) {
        throw new CliError(`${name}: cannot read ${value.slice(1)}: ${(err as Error).message}`, EXIT.USAGE);
      }
    }
    try {
      return JSON.parse(text);
    } catch (err) {
      throw new CliError(`${name}: not valid JSON: ${(err as Error).message}`, EXIT.USAGE);
    }
  };
}

// The client commands of `neb-atlas` (commander): each calls the GraphQL API of the server at
// --url, prints a result (text, or one JSON document with --json) and exits with a code from
// ./errors.ts. Server commands (serve, worker, migrate) stay in src/cli.ts.
import { Command, CommanderError, Option } from 'commander';
import { defaultUrl, TOKEN_ENV } from './client';
import { CliError, EXIT } from './errors';
import { landscapeCommands } from './landscape';
import { runCommands } from './runs';
import { tensorCommands } from './tensors';
import { reportCommands } from './report-command';
import { curvatureCommands } from './curvature';
import { curveCommands } from './curve';

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
  curveCommands(program);
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

// What every client command shares: the global options, the context a command runs with (its API
// client and how to print), and the parsers of option values (usage errors name the option).
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { ApiClient, TOKEN_ENV } from './client';
import { CliError, EXIT } from './errors';

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

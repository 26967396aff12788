// `neb-atlas token create --scope read|write [--name NAME] | list | revoke ID`: API bearer tokens,
// managed directly in the configured database (like `migrate`), so the first token can be made
// before any server runs. A token is printed once, at creation; only its SHA-256 is stored.
import type { Config } from '../config';
import { CliError, EXIT } from './errors';

export const TOKEN_USAGE = `usage: neb-atlas token create --scope read|write [--name NAME]
       neb-atlas token list
       neb-atlas token revoke ID

  create  prints a new token (shown only now): send it as \`Authorization: Bearer <token>\`
          (read: queries, subscriptions, downloads; write: also mutations and uploads)
  list    id, scope, name and creation time of every token (never the tokens)
  revoke  deletes a token; servers stop accepting it within 5 seconds`;

interface CreateOptions {
  scope: 'read' | 'write';
  name: string;
}

function parseCreate(args: string[]): CreateOptions {
  let scope: string | undefined;
  let name = 'cli';
  for (let i = 0; i < args.length; i++) {
    const [flag, inline] = args[i].split(/=(.*)/s, 2);
    const value = () => {
      const v = inline ?? args[++i];
      if (v === undefined || v === '') throw new CliError(`token create: ${flag} needs a value\n\n${TOKEN_USAGE}`, EXIT.USAGE);
      return v;
    };
    if (flag === '--scope') scope = value();
    else if (flag === '--name') name = value();
    else throw new CliError(`token create: unknown option ${JSON.stringify(args[i])}\n\n${TOKEN_USAGE}`, EXIT.USAGE);
  }
  if (scope !== 'read' && scope !== 'write') throw new CliError(`token create: --scope must be read or write${scope === undefined ? '' : `, got ${JSON.stringify(scope)}`}\n\n${TOKEN_USAGE}`, EXIT.USAGE);
  return { scope, name };
}

/**
 * Runs `neb-atlas token ...` (argv after `token`). Results go to `out` (stdout: `token create`
 * prints only the token, for scripts), explanations to `info` (stderr).
 */
export async function tokenCommand(argv: string[], config: Config, out: (line: string) => void = console.log, info: (line: string) => void = console.error): Promise<void> {
  const [sub, ...args] = argv;
  if (sub === undefined || sub === 'help' || sub === '--help' || sub === '-h') {
    out(TOKEN_USAGE);
    return;
  }
  if (sub !== 'create' && sub !== 'list' && sub !== 'revoke') throw new CliError(`token: unknown command ${JSON.stringify(sub)}\n\n${TOKEN_USAGE}`, EXIT.USAGE);
  const create = sub === 'create' ? parseCreate(args) : undefined;
  if (sub === 'list' && args.length > 0) throw new CliError(`token list: takes no arguments\n\n${TOKEN_USAGE}`, EXIT.USAGE);
  if (sub === 'revoke' && args.length !== 1) throw new CliError(`token revoke: expected one token id (see \`neb-atlas token list\`)\n\n${TOKEN_USAGE}`, EXIT.USAGE);

  // Server modules load only here: other client commands stay fast.
  const { openDatabase } = await import('../db/database');
  const { createToken } = await import('../http/auth');
  const { ApiToken } = await import('../store/entities');
  const { isId } = await import('../store/errors');
  const database = await openDatabase(config);
  try {
    const em = database.orm.em.fork();
    if (create) {
      const { token, record } = await createToken(em, create.scope, create.name);
      out(token);
      info(`neb-atlas: ${record.scope} token ${record.id} "${record.name}" created; it is shown only now (the database keeps its hash)`);
    } else if (sub === 'list') {
      const tokens = await em.find(ApiToken, {}, { orderBy: { createdAt: 'asc' } });
      if (tokens.length === 0) out('no tokens (create one with `neb-atlas token create --scope read|write`)');
      for (const t of tokens) out(`${t.id}  ${t.scope.padEnd(5)}  ${t.createdAt.toISOString()}  ${t.name}`);
    } else {
      const id = args[0];
      const deleted = isId(id) ? await em.nativeDelete(ApiToken, { id }) : 0;
      if (deleted === 0) throw new CliError(`token revoke: no token with id ${JSON.stringify(id)} (see \`neb-atlas token list\`)`, EXIT.REJECTED);
      out(`revoked ${id}`);
    }
  } finally {
    await database.close();
  }
}

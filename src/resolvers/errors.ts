// Maps errors to what clients see: domain errors get their code (BAD_USER_INPUT, NOT_FOUND) and
// the field they name; anything unexpected becomes an opaque INTERNAL_SERVER_ERROR (logged here,
// never sent with a stack trace or internal detail such as SQL).
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { unwrapResolverError } from '@apollo/server/errors';
import { InputError, NotFoundError } from '../store/errors';

export function formatError(
  formatted: GraphQLFormattedError,
  error: unknown,
  log: (message: string) => void = console.error,
): GraphQLFormattedError {
  const original = unwrapResolverError(error);
  const where = { locations: formatted.locations, path: formatted.path };
  if (original instanceof InputError) {
    return { message: original.message, ...where, extensions: { ...original.details, code: 'BAD_USER_INPUT', field: original.field } };
  }
  if (original instanceof NotFoundError) {
    return { message: original.message, ...where, extensions: { code: 'NOT_FOUND', field: original.field } };
  }
  const code = formatted.extensions?.code;
  if (code !== undefined && code !== 'INTERNAL_SERVER_ERROR') {
    // Errors of the GraphQL layer itself (syntax, validation, variable coercion) are safe to show.
    const { stacktrace: _stacktrace, ...extensions } = formatted.extensions ?? {};
    return { ...formatted, extensions };
  }
  if (original instanceof GraphQLError && !original.originalError && !formatted.path) {
    // Raised by graphql-js or Apollo about the request itself, without a code (too many
    // variable errors, a persisted-query hash that does not match): the client's fault.
    const { stacktrace: _stacktrace, ...extensions } = formatted.extensions ?? {};
    return { ...formatted, extensions: { ...extensions, code: 'BAD_REQUEST' } };
  }
  log(`internal error${formatted.path ? ` at ${formatted.path.join('.')}` : ''}: ${original instanceof Error ? (original.stack ?? original.message) : String(original)}`);
  return { message: 'Internal server error', ...where, extensions: { code: 'INTERNAL_SERVER_ERROR' } };
}

// Maps errors to what clients see. One table of codes: every FieldError (the engine's, the
// store's, the bridge's) is the client's fault and names its field; anything unexpected becomes an
// opaque INTERNAL_SERVER_ERROR (logged here, never sent with a stack trace or internal detail such
// as SQL).
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { unwrapResolverError } from '@apollo/server/errors';
import { FieldError } from '../engine/errors';
import { NotFoundError } from '../store/errors';

/** The codes this API answers with, in `extensions.code` (README "Errors"). */
export const ERROR_CODES = {
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  NOT_FOUND: 'NOT_FOUND',
  BAD_REQUEST: 'BAD_REQUEST',
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  FORBIDDEN: 'FORBIDDEN',
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  TOO_MANY_SUBSCRIPTIONS: 'TOO_MANY_SUBSCRIPTIONS',
  QUERY_TOO_DEEP: 'QUERY_TOO_DEEP',
  QUERY_TOO_COSTLY: 'QUERY_TOO_COSTLY',
  INTERNAL_SERVER_ERROR: 'INTERNAL_SERVER_ERROR',
} as const;
export type ErrorCode = (typeof ERROR_CODES)[keyof typeof ERROR_CODES];

/** The code and field of an error that names a field, or null for any other error. */
export function fieldErrorCode(error: unknown): { code: ErrorCode; field: string } | null {
  if (!(error instanceof FieldError)) return null;
  return { code: error instanceof NotFoundError ? ERROR_CODES.NOT_FOUND : ERROR_CODES.BAD_USER_INPUT, field: error.field };
}

export function formatError(
  formatted: GraphQLFormattedError,
  error: unknown,
  log: (message: string) => void = console.error,
): GraphQLFormattedError {
  const original = unwrapResolverError(error);
  const where = { locations: formatted.locations, path: formatted.path };
  const coded = fieldErrorCode(original);
  if (coded) return { message: (original as Error).message, ...where, extensions: { ...coded } };
  const code = formatted.extensions?.code;
  if (code !== undefined && code !== ERROR_CODES.INTERNAL_SERVER_ERROR) {
    // Errors of the GraphQL layer itself (syntax, validation, variable coercion) are safe to show.
    const { stacktrace: _stacktrace, ...extensions } = formatted.extensions ?? {};
    return { ...formatted, extensions };
  }
  if (original instanceof GraphQLError && !original.originalError && !formatted.path) {
    // Raised by graphql-js or Apollo about the request itself, without a code (too many
    // variable errors, a persisted-query hash that does not match): the client's fault.
    const { stacktrace: _stacktrace, ...extensions } = formatted.extensions ?? {};
    return { ...formatted, extensions: { ...extensions, code: ERROR_CODES.BAD_REQUEST } };
  }
  log(`internal error${formatted.path ? ` at ${formatted.path.join('.')}` : ''}: ${original instanceof Error ? (original.stack ?? original.message) : String(original)}`);
  return { message: 'Internal server error', ...where, extensions: { code: ERROR_CODES.INTERNAL_SERVER_ERROR } };
}

// graphql-ws on the HTTP server's port and path: the server options (authentication at
// connection_init, the same limits, authorization and error policy as over HTTP), given to
// graphql-ws's thin `ws` adapter.
import type { Server } from 'node:http';
import { getOperationAST, getVariableValues, GraphQLError, type GraphQLSchema, type ValidationRule } from 'graphql';
import { CloseCode, type ServerOptions } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer, type WebSocket } from 'ws';
import { formatError, type Context } from '../api/resolvers';
import { AuthError, type Access } from './auth';
import { MAX_TOKENS } from './limits';
import { DocumentCache } from './document-cache';
import { subscribeShared } from '../events/fan-out';

export interface SubscriptionOptions {
  schema: GraphQLSchema;
  path: string;
  /** Largest message (one operation), as an HTTP body. */
  maxPayload: number;
  maxSubscriptionsPerConnection: number;
  validationRules: readonly ValidationRule[];
  context(access: Access): Context;
  /** The access of a connection's `authorization` parameter; AuthError refuses the connection. */
  authenticate(authorization: unknown): Promise<Access>;
  /** Throws a GraphQLError when the access may not run this operation type. */
  checkOperation(access: Access, operation: string): void;
  log(message: string): void;
}

type Extra = Record<string, unknown>;

const CONNECTION_INIT_WAIT_MS = 30_000;
type ConnectionContext = Parameters<NonNullable<ServerOptions<Record<string, unknown>, Extra>['onConnect']>>[0];

/** A GraphQLError with a code, as graphql-ws sends errors of onSubscribe. */
export function coded(message: string, code: string, from?: GraphQLError): GraphQLError {
  return new GraphQLError(message, { nodes: from?.nodes, extensions: { ...from?.extensions, code } });
}

export function subscriptionServerOptions(options: SubscriptionOptions, sockets: Set<ConnectionContext>): ServerOptions<Record<string, unknown>, Extra> {
  const { schema, validationRules, log } = options;
  // What each connection authenticated as in its connection_init (connectionParams).
  const socketAccess = new WeakMap<object, Access>();
  const accessOf = (ctx: object): Access => socketAccess.get(ctx) ?? { scope: null };
  const documents = new DocumentCache(schema, [...validationRules], MAX_TOKENS);
  return {
    schema,
    // graphql-ws closes a socket whose connection_init is not handled within 3 s by default; in a
    // burst of connections the server handles them in turn, and the last would be refused.
    connectionInitWaitTimeout: CONNECTION_INIT_WAIT_MS,
    context: (ctx) => options.context(accessOf(ctx)),
    // One execution per event and operation, however many subscribers receive it.
    subscribe: subscribeShared,
    // A refused connection is closed with 4403 and a reason saying why (graphql-ws's own close,
    // `Forbidden`, then finds the socket closing and sends nothing).
    onConnect: async (ctx) => {
      const params = ctx.connectionParams ?? {};
      try {
        socketAccess.set(ctx, await options.authenticate(params.authorization ?? params.Authorization));
      } catch (err) {
        if (!(err instanceof AuthError)) throw err;
        (ctx.extra.socket as WebSocket).close(CloseCode.Forbidden, closeReason(err.reason));
        return false;
      }
      sockets.add(ctx);
      return true;
    },
    // Parsed and validated here rather than by graphql-ws, for the same limits and
    // authorization as over HTTP (a socket also carries queries and mutations).
    onSubscribe: (ctx, _id, payload) => {
      const held = Object.keys(ctx.subscriptions).length; // includes this one
      if (held > options.maxSubscriptionsPerConnection) {
        return [coded(`too many subscriptions on this connection: at most ${options.maxSubscriptionsPerConnection} at once (NEB_ATLAS_MAX_SUBSCRIPTIONS_PER_CONNECTION)`, 'TOO_MANY_SUBSCRIPTIONS')];
      }
      const checked = documents.check(payload.query);
      if ('parseError' in checked) return [coded(checked.parseError.message, 'GRAPHQL_PARSE_FAILED')];
      const { document, errors } = checked;
      if (errors.length > 0) return errors.map((e) => coded(e.message, 'GRAPHQL_VALIDATION_FAILED', e));
      const operation = getOperationAST(document, payload.operationName);
      if (!operation) return [coded('Unable to identify operation', 'BAD_REQUEST')];
      try {
        options.checkOperation(accessOf(ctx), operation.operation);
      } catch (err) {
        if (err instanceof GraphQLError) return [err];
        throw err;
      }
      // Coerced here so that bad variables are BAD_USER_INPUT, as over HTTP (graphql-js
      // would report them uncoded, which reads as an internal error).
      const variables = payload.variables ?? {};
      if (typeof variables !== 'object' || Array.isArray(variables)) return [coded('variables must be a JSON object', 'BAD_USER_INPUT')];
      const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], variables, { maxErrors: 50 });
      if (coerced.errors) return coerced.errors.map((e) => coded(e.message, 'BAD_USER_INPUT', e));
      return { schema, document, operationName: payload.operationName, variableValues: variables };
    },
    // A subscription refused before its first event (unknown id): graphql-js answers with a
    // result, which graphql-ws would send as `next` then `complete`; a stream that throws makes it
    // an `error` message instead, the protocol's answer to a failed subscribe.
    onOperation: async (_ctx, _id, _payload, args, operationResult) => {
      const result = await operationResult;
      if (isAsyncIterable(result) || !result.errors?.length || result.data) return undefined;
      if (getOperationAST(args.document, args.operationName)?.operation !== 'subscription') return undefined;
      return refusedStream(result.errors);
    },
    onClose: (ctx) => {
      sockets.delete(ctx);
    },
    // Same error policy over WebSocket as over HTTP.
    onNext: (_ctx, _id, _payload, _args, result) =>
      result.errors ? { ...result, errors: result.errors.map((e: GraphQLError) => formatError(e.toJSON(), e, log)) } : undefined,
    // Called for operations that fail parsing or validation, which graphql-ws leaves uncoded.
    onError: (_ctx, _id, _payload, errors) => {
      const refused = errors[0]?.originalError;
      if (refused instanceof SubscriptionRefused) return refused.errors.map((e) => formatError(e.toJSON(), e, log));
      return errors.map((e) => formatError({ ...e.toJSON(), extensions: { code: 'GRAPHQL_VALIDATION_FAILED', ...e.extensions } }, e, log));
    },
  };
}

function isAsyncIterable(value: object): value is AsyncIterable<unknown> {
  return typeof (value as Partial<AsyncIterable<unknown>>)[Symbol.asyncIterator] === 'function';
}

/** Carries the errors of a refused subscription through graphql-ws's `error` message. */
class SubscriptionRefused extends Error {
  constructor(readonly errors: readonly GraphQLError[]) {
    super(errors[0]?.message ?? 'subscription refused');
  }
}

// eslint-disable-next-line require-yield -- a stream that ends with an error before any event
async function* refusedStream(errors: readonly GraphQLError[]): AsyncGenerator<never> {
  throw new SubscriptionRefused(errors);
}

/** WebSocket close reasons are at most 123 bytes. */
function closeReason(reason: AuthError['reason']): string {
  return {
    missing: 'missing token: send connectionParams { authorization: "Bearer <token>" }',
    invalid: 'invalid token: not a neb-atlas token (neb_ and 43 characters)',
    unknown: 'invalid or revoked token: no such token is stored',
  }[reason ?? 'unknown'];
}

/** Serves subscriptions on the HTTP server; `count` is the subscriptions running now. */
export function serveSubscriptions(httpServer: Server, options: SubscriptionOptions): { count(): number; dispose(): Promise<void> } {
  const wsServer = new WebSocketServer({ server: httpServer, path: options.path, maxPayload: options.maxPayload });
  // Open connections, to count active subscriptions (health report, tests).
  const sockets = new Set<ConnectionContext>();
  const server = useServer(subscriptionServerOptions(options, sockets), wsServer);
  return {
    // graphql-ws holds a null for a subscription until its source stream exists; only then does
    // it listen (a run's events before that would be missed), so only then does it count.
    count: () => [...sockets].reduce((n, ctx) => n + Object.values(ctx.subscriptions).filter((s) => s !== null).length, 0),
    dispose: async () => {
      await server.dispose();
    },
  };
}

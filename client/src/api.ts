// The GraphQL client: urql over HTTP for queries and mutations, graphql-ws for subscriptions,
// both on the same origin's /graphql. Credentials (a later bearer token) are built in one place:
// `authHeaders`, used for HTTP headers and as the WebSocket's connectionParams.
import { Client, cacheExchange, fetchExchange, subscriptionExchange } from '@urql/core';
import { createClient as createWsClient } from 'graphql-ws';

export const GRAPHQL_PATH = '/graphql';

/** Headers every request carries; the WebSocket sends the same object as connectionParams. */
export function authHeaders(): Record<string, string> {
  return {};
}

function wsUrl(): string {
  const { protocol, host } = window.location;
  return `${protocol === 'https:' ? 'wss:' : 'ws:'}//${host}${GRAPHQL_PATH}`;
}

export function createApiClient(): Client {
  const ws = createWsClient({
    url: wsUrl(),
    connectionParams: () => authHeaders(),
    lazy: true,
    // Keep the socket across view changes (one view's subscriptions end as the next one's start).
    lazyCloseTimeout: 3000,
    // Reconnect after a server restart: subscriptions resume, views re-read state by query.
    retryAttempts: Infinity,
    shouldRetry: () => true,
  });
  return new Client({
    url: GRAPHQL_PATH,
    // POST with a JSON body: Apollo's CSRF protection refuses simple GET requests.
    preferGetMethod: false,
    exchanges: [
      cacheExchange,
      fetchExchange,
      subscriptionExchange({
        forwardSubscription(request) {
          const input = { ...request, query: request.query || '' };
          return {
            subscribe(sink) {
              const unsubscribe = ws.subscribe(input, sink);
              return { unsubscribe };
            },
          };
        },
      }),
    ],
    fetchOptions: () => ({ headers: authHeaders() }),
  });
}

// The GraphQL client: urql over HTTP for queries and mutations, graphql-ws for subscriptions,
// both on the same origin's /graphql. Credentials (a later bearer token) are built in one place:
// `authHeaders`, used for HTTP headers and as the WebSocket's connectionParams.
import { Client, cacheExchange, fetchExchange, subscriptionExchange } from '@urql/core';
import { createClient as createWsClient } from 'graphql-ws';

export const GRAPHQL_PATH = '/graphql';

/** Where the API token is kept between visits (this origin only). */
const TOKEN_KEY = 'neb-atlas.token';
let memoryToken: string | null = null;

/**
 * The API token. The server prints a URL `/?token=...` at start (as Jupyter does): the first
 * page load takes the token from it, keeps it in localStorage and removes it from the address
 * bar (and so from history and bookmarks). Later loads read it from localStorage.
 */
function apiToken(): string | null {
  const url = new URL(window.location.href);
  const fromUrl = url.searchParams.get('token');
  if (fromUrl) {
    memoryToken = fromUrl;
    try {
      window.localStorage.setItem(TOKEN_KEY, fromUrl);
    } catch {
      // Storage disabled: the token lives as long as the page.
    }
    url.searchParams.delete('token');
    window.history.replaceState(window.history.state, '', `${url.pathname}${url.search}${url.hash}`);
  }
  if (memoryToken) return memoryToken;
  try {
    memoryToken = window.localStorage.getItem(TOKEN_KEY);
  } catch {
    memoryToken = null;
  }
  return memoryToken;
}

/** Keeps a token the user typed in (the GraphQL explorer asks for one when the server wants it). */
export function storeToken(token: string): void {
  memoryToken = token;
  try {
    window.localStorage.setItem(TOKEN_KEY, token);
  } catch {
    // Storage disabled: the token lives as long as the page.
  }
}

/** A download link (`/tensors/...`) that carries the token: a link cannot send a header. */
export function authenticatedUrl(href: string): string {
  const token = apiToken();
  if (!token) return href;
  return `${href}${href.includes('?') ? '&' : '?'}access_token=${encodeURIComponent(token)}`;
}

/** Headers every request carries; the WebSocket sends the same object as connectionParams. */
export function authHeaders(): Record<string, string> {
  const token = apiToken();
  return token ? { authorization: `Bearer ${token}` } : {};
}

export function wsUrl(): string {
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

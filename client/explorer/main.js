// The in-browser GraphQL explorer (GraphiQL, bundled with its Monaco workers: no CDN), served for
// browser requests to /graphql. It sends the token the web client keeps (client/src/api.ts), and
// asks for one when the server refuses the request without it.
// Plain JavaScript with createElement: the client's TypeScript setup is Preact's, and React's
// type declarations are not installed.
import 'graphiql/setup-workers/vite';
import 'graphiql/style.css';
import { createGraphiQLFetcher } from '@graphiql/toolkit';
import { GraphiQL } from 'graphiql';
import { createClient } from 'graphql-ws';
import { createElement } from 'react';
import { createRoot } from 'react-dom/client';
import { authHeaders, GRAPHQL_PATH, storeToken, wsUrl } from '../src/api';

const EXAMPLE = `# neb-atlas: landscapes of neural-network losses, AutoNEB paths and their saddles.
# Ctrl-Space completes, Ctrl-Enter runs; the schema's documentation is under the book icon.
query Landscapes {
  landscapes(first: 10) {
    totalCount
    edges { node { id name architecture { kind widths } minima(first: 1) { totalCount } } }
  }
}
`;

const root = document.getElementById('explorer');

/** The server's answer to a trivial query with the headers we have: null when accepted. */
async function refusal(headers) {
  const res = await fetch(GRAPHQL_PATH, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: '{"query":"{ __typename }"}' });
  if (res.status !== 401 && res.status !== 403) return null;
  const body = await res.json().catch(() => ({}));
  return body.errors?.[0]?.message ?? `HTTP ${res.status}`;
}

function askForToken(message) {
  root.innerHTML = '';
  const form = document.createElement('form');
  form.className = 'token-form';
  form.innerHTML = `<h1 style="font-size: 20px">neb-atlas GraphQL explorer</h1>
    <p>The server needs an API token: <span class="reason"></span></p>
    <p>Open the URL <code>neb-atlas serve</code> printed (<code>/?token=...</code>) once, or paste a token
    (<code>neb-atlas token create</code>):</p>
    <input name="token" autocomplete="off" placeholder="API token" aria-label="API token" />
    <button type="submit">Open the explorer</button>`;
  form.querySelector('.reason').textContent = message;
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const token = form.elements.token.value.trim();
    if (token) {
      storeToken(token);
      start();
    }
  });
  root.append(form);
}

async function start() {
  const headers = authHeaders();
  const refused = await refusal(headers);
  if (refused) return askForToken(refused);
  root.innerHTML = '';
  const fetcher = createGraphiQLFetcher({
    url: GRAPHQL_PATH,
    headers,
    // Subscriptions over graphql-ws on the same path, the token as connectionParams (as the web client).
    wsClient: createClient({ url: wsUrl(), connectionParams: headers, lazy: true }),
    enableIncrementalDelivery: false,
  });
  // /graphql?query=... opens with that operation (links to an example, the tests).
  const linked = new URLSearchParams(window.location.search).get('query');
  createRoot(root).render(createElement(GraphiQL, { fetcher, defaultQuery: EXAMPLE, ...(linked ? { initialQuery: linked } : {}) }));
}

start();

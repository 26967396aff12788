// Vite build of the web client: `npm run build:client` writes client/dist, which the server
// serves at / (src/client-static.ts). JSX is Preact's automatic runtime (see client/tsconfig.json).
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root,
  base: '/',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // Plot and cytoscape are loaded only by the views that draw (dynamic imports).
    chunkSizeWarningLimit: 600,
    // Two pages: the web client, and the GraphQL explorer (GraphiQL with its Monaco editor and
    // workers, ~4 MB, loaded only by browser requests to /graphql).
    rollupOptions: {
      input: { main: `${root}index.html`, graphiql: `${root}graphiql.html` },
      // GraphiQL's dependencies mark modules "use client" (React Server Components); meaningless here.
      onwarn(warning, warn) {
        if (warning.code !== 'MODULE_LEVEL_DIRECTIVE') warn(warning);
      },
    },
  },
  server: {
    // `npx vite --config client/vite.config.ts` during development: API calls go to a running server.
    proxy: { '/graphql': { target: 'http://127.0.0.1:4000', ws: true }, '/tensors': 'http://127.0.0.1:4000' },
  },
});

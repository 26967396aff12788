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
  },
  server: {
    // `npx vite --config client/vite.config.ts` during development: API calls go to a running server.
    proxy: { '/graphql': { target: 'http://127.0.0.1:4000', ws: true }, '/tensors': 'http://127.0.0.1:4000' },
  },
});

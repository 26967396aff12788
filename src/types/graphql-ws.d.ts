// graphql-ws declares `graphql-ws/use/ws` only in package.json "exports", which TypeScript's
// classic `node` module resolution ignores; at run time Node resolves it to dist/use/ws.cjs.
declare module 'graphql-ws/use/ws' {
  export * from 'graphql-ws/dist/use/ws';
}

/**
 * Analyses a neb-atlas landscape over the API from TypeScript: lists landscapes, prints the Table 1
 * summary and the spanning tree of one, downloads a minimum and a saddle as safetensors (decoded
 * with the engine's codec), and follows the landscape's events live for a moment.
 *
 *   npx tsc -p . ; node dist/examples/analyze.js [--url http://127.0.0.1:4000/graphql] [--landscape ID] [--json] [--listen SECONDS]
 *
 * A token (servers with authentication) comes from $NEB_ATLAS_TOKEN.
 */
import { parseArgs } from 'node:util';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { decodeSafetensors } from '../src/engine/safetensors';
// Typed documents generated from schema.graphql and examples/operations.graphql (`npm run codegen`).
import { AnalyzeEventsDocument, AnalyzeLandscapeDocument, AnalyzeLandscapesDocument, type TypedDocumentString } from './graphql';

const { values: args } = parseArgs({
  options: {
    url: { type: 'string', default: process.env.NEB_ATLAS_URL ?? 'http://127.0.0.1:4000/graphql' },
    landscape: { type: 'string' },
    json: { type: 'boolean', default: false },
    listen: { type: 'string', default: '0' },
  },
});
const url = new URL(args.url!);
if (url.pathname === '/' || url.pathname === '') url.pathname = '/graphql';
const token = process.env.NEB_ATLAS_TOKEN;
const auth: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};

async function gql<T, V>(document: TypedDocumentString<T, V>, variables: V): Promise<T> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...auth }, body: JSON.stringify({ query: document.toString(), variables }) });
  const body = (await res.json()) as { data?: T; errors?: { message: string }[] };
  if (body.errors?.length) throw new Error(body.errors[0].message);
  return body.data!;
}

async function download(route: string) {
  const res = await fetch(new URL(route, url), { headers: auth });
  if (!res.ok) throw new Error(`${route}: HTTP ${res.status}`);
  return decodeSafetensors(new Uint8Array(await res.arrayBuffer()));
}

async function main(): Promise<void> {
  const { landscapes } = await gql(AnalyzeLandscapesDocument, {});
  const id = args.landscape ?? landscapes.edges.at(-1)?.node.id;
  if (!id) throw new Error('the server has no landscapes');
  const { landscape } = await gql(AnalyzeLandscapeDocument, { id });

  const minimum = landscape.minima.edges.map((e) => e.node).find((m) => m.status === 'READY');
  const decoded = minimum ? await download(minimum.downloadUrl) : null;
  const path = landscape.paths.edges.map((e) => e.node).find((p) => p.saddle !== null);
  const saddle = path ? await download(path.downloads.saddle) : null;
  const count = (tensors: { data: Float32Array }[]) => tensors.reduce((n, t) => n + t.data.length, 0);

  // Live events of this landscape (minima ready, paths added, runs finished) for --listen seconds.
  const events: unknown[] = [];
  const seconds = Number(args.listen);
  if (seconds > 0) {
    const wsUrl = new URL(url);
    wsUrl.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    const ws = createClient({ url: wsUrl.toString(), webSocketImpl: WebSocket, connectionParams: auth });
    const stop = ws.subscribe({ query: AnalyzeEventsDocument.toString(), variables: { id } }, {
      next: (value) => events.push(value.data?.landscapeEvents),
      error: (err) => console.error('subscription:', err),
      complete: () => undefined,
    });
    await new Promise((r) => setTimeout(r, seconds * 1000));
    stop();
    await ws.dispose();
  }

  const result = {
    landscapes: landscapes.edges.map((e) => e.node),
    landscape: landscape.id,
    summary: landscape.summary,
    spanningTree: landscape.spanningTree,
    minimum: decoded && minimum ? { id: minimum.id, parameterCount: minimum.parameterCount, decoded: count(decoded.tensors), tensors: decoded.tensors.map((t) => ({ name: t.name, shape: t.shape })) } : null,
    saddle: saddle && path ? { path: path.id, t: path.saddle!.t, parameters: count(saddle.tensors), metadata: saddle.metadata } : null,
    events,
  };
  if (args.json) {
    console.log(JSON.stringify(result, null, 2));
    return;
  }
  const s = landscape.summary;
  console.log(`${landscapes.edges.length} landscape(s); ${landscape.name} (${landscape.id}):`);
  console.log(`  minima:  train loss ${s.minima.trainLoss}, test loss ${s.minima.testLoss}, test error ${s.minima.testError} (${s.minima.count})`);
  console.log(`  saddles: train loss ${s.saddles.trainLoss}, test loss ${s.saddles.testLoss}, test error ${s.saddles.testError} (${s.saddles.count})`);
  console.log(`  factor ${s.trainLossFactor}, test-error rise ${s.testErrorRise}, linear barrier (tree) ${s.linearBarrierTree}`);
  console.log(`  spanning tree: ${landscape.spanningTree.edges.length} paths, ${landscape.spanningTree.components.length} component(s)`);
  if (result.minimum) console.log(`  minimum ${result.minimum.id}: ${result.minimum.decoded} parameters in ${result.minimum.tensors.length} tensors`);
  if (result.saddle) console.log(`  saddle of path ${result.saddle.path} at t=${result.saddle.t.toFixed(3)}: ${result.saddle.parameters} parameters`);
}

main().catch((err: Error) => {
  console.error(`analyze: ${err.message}`);
  process.exit(1);
});

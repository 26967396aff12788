// The web client in chromium against hand-made API responses shaped as the real schema (src/api/schema;
// schema.graphql), so every
// view is checked without workers: GraphQL over HTTP is answered per operation by page.route,
// and graphql-ws by page.routeWebSocket, which streams pathCycles events like a running AutoNEB.
// Energies are the Müller-Brown surface's (src/engine/surfaces) along a path that bends, cycle
// by cycle, from the straight line towards the minimum energy path through the middle minimum.
import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import express from 'express';
import type { Page, WebSocketRoute } from 'playwright-core';
import { clientRoutes } from '../../src/http/client-static';
import { mullerBrown } from '../../src/engine/surfaces';
import { CLIENT_DIR, ensureClientBuilt, openBrowser, skipReason, type Browser } from './browser';

declare const document: { querySelector(s: string): { textContent: string | null } | null };

const skip = skipReason();
const LID = 'l-muller-brown';
const PID = 'p-0-1';
const [A, B, C] = mullerBrown.minima;
const minimum = (id: string, seed: number, m: { x: number; y: number; energy: number }) => ({
  __typename: 'Minimum', id, seed, status: 'READY', parameterCount: 2, trainLoss: m.energy, testLoss: m.energy, trainError: null, testError: null,
  createdAt: '2024-05-01T10:00:00.000Z', x: m.x, y: m.y,
});
const MINIMA = [minimum('m-0', 0, A), minimum('m-1', 1, B), minimum('m-2', 2, C)];
const RUN = { __typename: 'Run', id: 'r-explore', kind: 'EXPLORE', status: 'RUNNING', progress: { pairsTried: 1, maxPairs: 3 }, errorMessage: null,
  createdAt: '2024-05-01T10:01:00.000Z', updatedAt: '2024-05-01T10:01:00.000Z', startedAt: '2024-05-01T10:01:00.000Z', finishedAt: null };
const FAILED = { ...RUN, id: 'r-failed', kind: 'CONNECT', status: 'FAILED', progress: { cycle: 3, cycles: 14 }, errorMessage: 'NaN energy at pivot 4 in cycle 3 (learning rate too high?)', finishedAt: '2024-05-01T10:02:00.000Z' };
const TRAIN = { ...RUN, id: 'r-train', kind: 'TRAIN', status: 'SUCCEEDED', progress: { trained: 3, count: 3 }, finishedAt: '2024-05-01T10:00:30.000Z' };

/** Pivots of cycle k: the straight line A-B bent towards the polyline A-C-B by 1 - 2^-k. */
function pivots(k: number, n = 9): number[][] {
  const w = 1 - 0.5 ** k;
  return Array.from({ length: n }, (_, i) => {
    const s = i / (n - 1);
    const straight = [A.x + s * (B.x - A.x), A.y + s * (B.y - A.y)];
    const [p, q, u] = s < 0.5 ? [A, C, s * 2] : [C, B, s * 2 - 1];
    const bent = [p.x + u * (q.x - p.x), p.y + u * (q.y - p.y)];
    return [(1 - w) * straight[0] + w * bent[0], (1 - w) * straight[1] + w * bent[1]];
  });
}
function dense(points: number[][], perSegment = 9) {
  const out: { t: number; energy: number }[] = [];
  const segs = points.length - 1;
  for (let i = 0; i < segs; i++)
    for (let j = 0; j < perSegment + (i === segs - 1 ? 1 : 0); j++) {
      const u = j / perSegment;
      const x = points[i][0] + u * (points[i + 1][0] - points[i][0]);
      const y = points[i][1] + u * (points[i + 1][1] - points[i][1]);
      out.push({ t: (i + u) / segs, energy: mullerBrown.value(x, y) });
    }
  return out;
}
/** Cycle k as stored (Cycle) and as the pathCycles event that announces it (CycleEvent). */
function cycleRecord(k: number) {
  const p = pivots(k);
  const profile = dense(p);
  const top = profile.reduce((a, b) => (b.energy > a.energy ? b : a));
  return {
    __typename: 'Cycle', index: k, steps: 1000, learningRate: k <= 6 ? 0.1 : 0.01,
    pivotEnergies: p.map(([x, y]) => mullerBrown.value(x, y)), pivotPositions: p.map((_, i) => i / (p.length - 1)),
    denseProfile: profile.map((d) => ({ __typename: 'ProfilePoint', ...d })), maxEnergy: top.energy, saddleT: top.t, pivotCoordinates: p,
    createdAt: new Date(Date.UTC(2024, 4, 1, 10, 1, 30) + k * 1000).toISOString(),
    stepsTaken: 1000, evaluations: 5000 + k, converged: false, stopReason: null, maxForce: 2, forceScale: 200,
  };
}
function cycleEvent(k: number) {
  return { __typename: 'CycleEvent', pathId: PID, runId: RUN.id, at: cycleRecord(k).createdAt, cycle: cycleRecord(k) };
}
const STORED_CYCLES = 2;
/** Müller-Brown's Hessian eigenvalues at its saddle (-0.822, 0.624), as a CURVATURE run stores them (k = 2). */
const SADDLE_CURVATURE = { __typename: 'Curvature', largest: [490.24, -750.86], smallest: [-750.86, 490.24], trace: -260.6, tangentCurvature: -702.3, negativeCount: 1, threshold: 0.075, evaluations: 210 };
function pathRecord() {
  const last = cycleRecord(STORED_CYCLES);
  return {
    __typename: 'Path', id: PID, method: 'AUTONEB', status: 'RUNNING', cyclesDone: STORED_CYCLES, evaluations: 10003, stopReason: null, linearBarrier: Math.max(...dense(pivots(0)).map((d) => d.energy)), length: 2.31,
    createdAt: RUN.createdAt, updatedAt: RUN.createdAt, landscape: { __typename: 'Landscape', id: LID, name: 'Müller-Brown', architecture: { __typename: 'Architecture', kind: 'surface', widths: null, depth: null, channels: null, surface: 'muller-brown' } },
    minimumA: MINIMA[0], minimumB: MINIMA[1], run: RUN,
    saddle: { __typename: 'Saddle', t: last.saddleT, trainLoss: last.maxEnergy, testLoss: last.maxEnergy, trainError: null, testError: null, curvature: SADDLE_CURVATURE },
    cycles: Array.from({ length: STORED_CYCLES }, (_, i) => cycleRecord(i + 1)),
    pivots: last.pivotPositions.map((t, i) => ({ __typename: 'Pivot', id: `pv-${i}`, index: i, t, energy: last.pivotEnergies[i] })),
    linearProfile: dense(pivots(0)).map((d) => ({ __typename: 'ProfilePoint', ...d })),
    evaluatedProfile: null,
  };
}
function grid(n = 60) {
  const { xmin, xmax, ymin, ymax } = mullerBrown.box;
  const xs = Array.from({ length: n }, (_, i) => xmin + (i * (xmax - xmin)) / (n - 1));
  const ys = Array.from({ length: n }, (_, j) => ymin + (j * (ymax - ymin)) / (n - 1));
  return { __typename: 'SurfaceGrid', xs, ys, values: ys.map((y) => xs.map((x) => mullerBrown.value(x, y))), minima: MINIMA.map((m) => [m.x, m.y]) };
}
const edge = (a: number, b: number, weight: number) => ({ __typename: 'TreeEdge', path: { __typename: 'Path', id: `p-${a}-${b}` }, a: `m-${a}`, b: `m-${b}`, weight });
const landscapeNode = { __typename: 'Landscape', id: LID, name: 'Müller-Brown', architecture: pathRecord().landscape.architecture, dataset: null, autonebPreset: 'paper', createdAt: '2024-05-01T09:59:00.000Z' };
const conn = (nodes: unknown[]) => ({ totalCount: nodes.length, pageInfo: { hasNextPage: false, endCursor: null }, edges: nodes.map((node) => ({ node })) });

/** A finished path after evaluatePath: train and test curves on the full data sets (test 5 % higher). */
const EVALUATED = 'p-evaluated';
function evaluatedPath() {
  const profile = dense(pivots(8));
  return {
    ...pathRecord(), id: EVALUATED, status: 'COMPLETED', run: { ...RUN, kind: 'CONNECT', status: 'SUCCEEDED', finishedAt: RUN.createdAt },
    evaluatedProfile: profile.map((d) => ({ __typename: 'EvaluatedPoint', t: d.t, trainLoss: d.energy, testLoss: d.energy * 0.95, trainError: null, testError: null })),
  };
}

/** A path connected with `align` on an MLP landscape, evaluated: raw and aligned straight lines. */
const ALIGNED = 'p-aligned';
function alignedPath() {
  const raw = evaluatedPath().linearProfile;
  const barrier = (value: number, alpha: number) => ({ __typename: 'Barrier', value, alpha });
  return {
    ...evaluatedPath(), id: ALIGNED,
    landscape: { __typename: 'Landscape', id: LID, name: 'MLP', architecture: { __typename: 'Architecture', kind: 'mlp', widths: [16], depth: null, channels: null, surface: null } },
    alignedMinimumB: { __typename: 'Minimum', id: 'm-1-aligned', seed: 1 },
    // The aligned line: the raw one pulled halfway to the chord between the minima.
    alignedLinearProfile: raw.map((d) => ({ ...d, energy: (d.energy + ((1 - d.t) * raw[0].energy + d.t * raw[raw.length - 1].energy)) / 2 })),
    alignedLinearBarrier: -61.5,
    linearConnectivity: { __typename: 'LinearConnectivity', batchNorm: 'NONE', errorBarrier: barrier(0.375, 0.5), lossBarrier: barrier(1.25, 0.5) },
    alignedLinearConnectivity: { __typename: 'LinearConnectivity', batchNorm: 'NONE', errorBarrier: barrier(0.025, 0.4), lossBarrier: barrier(0.125, 0.4) },
  };
}
const alignCalls: unknown[] = [];

const RESPONSES: Record<string, (variables?: { id?: string }) => unknown> = {
  AlignMinimum: (variables) => {
    alignCalls.push(variables);
    return { alignMinimum: { ...RUN, id: 'r-align', kind: 'ALIGN', status: 'QUEUED', progress: null, startedAt: null } };
  },
  Catalog: () => ({ catalog: { architectureKinds: ['mlp', 'cnn', 'resnet', 'surface'], datasetNames: ['mnist', 'synthetic'], surfaceNames: ['muller-brown'], autonebPresets: ['paper', 'small', 'tiny', 'surface'] } }),
  Landscapes: () => ({ landscapes: conn([{ ...landscapeNode, minima: { totalCount: 3 }, paths: { totalCount: 2 } }]) }),
  Landscape: () => ({
    landscape: {
      ...landscapeNode, training: { steps: 64000, batchSize: 128, learningRate: 0.1, momentum: 0.9, weightDecay: 1e-4, milestones: [32000, 48000] },
      minima: conn(MINIMA), runs: conn([TRAIN, RUN, FAILED]),
      paths: conn([
        { ...pathRecord(), minimumA: MINIMA[0], minimumB: MINIMA[1] },
        { ...pathRecord(), id: 'p-0-2', method: 'BEZIER', status: 'COMPLETED', cyclesDone: 14, minimumA: MINIMA[0], minimumB: MINIMA[2], saddle: { t: 0.48, trainLoss: -40.66, testLoss: -40.66, trainError: null, testError: null } },
      ]),
    },
  }),
  LandscapeAnalysis: () => ({
    landscape: {
      id: LID, dimension: 2,
      summary: { minima: { trainLoss: -111.88, testLoss: -111.88, trainError: null, testError: null, count: 3 }, saddles: { trainLoss: -52.6, testLoss: -52.6, trainError: null, testError: null, count: 2 }, trainLossFactor: 0.47, testErrorRise: null, linearBarrierTree: 310.2, linearBarrierAll: 240.1 },
      spanningTree: { edges: [edge(0, 2, -40.66), edge(1, 2, -72.25)], offTree: [{ ...edge(0, 1, -40.66), bound: -40.66, dominated: false }], components: [['m-0', 'm-1', 'm-2']] },
      disconnectivity: { leaves: ['m-0', 'm-1', 'm-2'], linkage: [[1, 2, -72.25, 2], [0, 3, -40.66, 3]] },
    },
  }),
  SurfaceGrid: () => ({ landscape: { id: LID, surfaceGrid: grid() } }),
  Path: (variables?: { id?: string }) => ({ path: variables?.id === EVALUATED ? evaluatedPath() : variables?.id === ALIGNED ? alignedPath() : pathRecord() }),
  PathExtras: () => ({ path: { id: PID, downloads: { pivots: `/tensors/paths/${PID}/pivots`, saddle: `/tensors/paths/${PID}/saddle` } } }),
  Runs: () => ({ runs: conn([TRAIN, RUN, FAILED].map((r) => ({ ...r, landscape: { __typename: 'Landscape', id: LID, name: 'Müller-Brown' } }))) }),
};

/** graphql-ws server side, enough for the client: ack, then events for each subscription. */
function fakeGraphqlWs(ws: WebSocketRoute, sent: { count: number }) {
  const timers: NodeJS.Timeout[] = [];
  ws.onMessage((raw) => {
    const msg = JSON.parse(String(raw));
    if (msg.type === 'connection_init') ws.send(JSON.stringify({ type: 'connection_ack' }));
    if (msg.type === 'ping') ws.send(JSON.stringify({ type: 'pong' }));
    if (msg.type === 'subscribe' && msg.payload.operationName === 'PathCycles') {
      let k = STORED_CYCLES;
      const timer = setInterval(() => {
        if (++k > 8) return clearInterval(timer);
        sent.count++;
        ws.send(JSON.stringify({ type: 'next', id: msg.id, payload: { data: { pathCycles: cycleEvent(k) } } }));
      }, 700);
      timers.push(timer);
    }
  });
  // With an onClose handler, closing is ours to pass on to the page.
  ws.onClose((code, reason) => {
    timers.forEach(clearInterval);
    void ws.close({ code, reason });
  });
}

describe('web client in chromium, against contract-shaped responses', { skip }, () => {
  let server: Server;
  let origin: string;
  let browser: Browser;
  let page: Page;
  const sent = { count: 0 };

  before(async () => {
    ensureClientBuilt();
    const app = express();
    app.use(clientRoutes({ dir: CLIENT_DIR }));
    server = await new Promise<Server>((done) => {
      const s = app.listen(0, '127.0.0.1', () => done(s));
    });
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await openBrowser();
    page = browser.page;
    await page.route('**/graphql', async (route) => {
      const body = route.request().postDataJSON() as { operationName: string; variables?: { id?: string } };
      const make = RESPONSES[body.operationName];
      await route.fulfill({ json: make ? { data: make(body.variables) } : { errors: [{ message: `no fixture for ${body.operationName}`, extensions: { code: 'NOT_FOUND' } }] } });
    });
    await page.routeWebSocket(/\/graphql$/, (ws) => fakeGraphqlWs(ws, sent));
  });
  after(async () => {
    await browser?.close();
    server?.close();
  });

  test('landscape view: minima and paths tables, Table 1 summary, spanning tree graph, disconnectivity tree, surface', async () => {
    await page.goto(`${origin}/#/landscapes/${LID}`);
    await page.getByTestId('minima-table').locator('tbody tr').nth(2).waitFor();
    // Energies of the Müller-Brown minima, to 4 significant digits.
    const cells = await page.getByTestId('minima-table').locator('tbody tr').first().locator('td.num').allTextContents();
    assert.deepEqual(cells.slice(0, 3), ['0', '-146.7', '-146.7']);
    assert.equal(await page.getByTestId('paths-table').locator('tbody tr').count(), 2);
    // Issue 19: a fitted curve is marked as such in the list (AutoNEB paths are not).
    assert.deepEqual(await page.getByTestId('paths-table').getByTestId('path-method').allTextContents(), [' (Bezier curve)']);
    const summary = await page.getByTestId('summary-table').locator('tbody tr').allTextContents();
    assert.deepEqual(summary, ['minima3-111.9-111.9––', 'saddles (tree paths)2-52.6-52.6––']);
    await page.getByTestId('spanning-tree').locator('canvas').first().waitFor();
    const dendro = page.getByTestId('disconnectivity');
    await dendro.locator('svg g[aria-label="link"] path').first().waitFor({ state: 'attached' });
    // Two merges: each one horizontal and two vertical segments.
    assert.equal(await dendro.locator('svg g[aria-label="link"] path').count(), 6);
    assert.deepEqual(await dendro.locator('svg g[aria-label="text"] text').allTextContents(), ['seed 0', 'seed 1', 'seed 2']);
    await page.getByTestId('surface').locator('svg g[aria-label="contour"] path').first().waitFor();
    await page.waitForTimeout(300); // cytoscape's layout settles
    await browser.screenshot('fixtures-landscape');
  });

  test('path view: profile with pivots, saddle and linear interpolation; cycles arrive live and the path moves on the surface', async () => {
    await page.goto(`${origin}/#/paths/${PID}`);
    await page.getByTestId('cycle-row').nth(STORED_CYCLES - 1).waitFor();
    // Issue 16: each cycle's evaluations in the table, the path's total in its facts.
    assert.equal(await page.getByTestId('cycle-evaluations').first().textContent(), '5,001');
    assert.match((await page.getByTestId('path-evaluations').textContent()) ?? '', /^10,003 evaluations over 2 cycles/);
    assert.equal(await page.getByTestId('path-method').textContent(), 'AutoNEB');
    await page.evaluate(() => ((globalThis as Record<string, unknown>).__noReload = true));
    const surfaceLine = page.getByTestId('path-surface').locator('svg g[aria-label="line"] path');
    await surfaceLine.waitFor();
    const before = await surfaceLine.getAttribute('d');
    await browser.screenshot('fixtures-path-opened');

    await page.waitForFunction(() => Number(document.querySelector('[data-testid="live-count"]')?.textContent) >= 3, undefined, { timeout: 15_000 });
    assert.ok(await page.evaluate(() => (globalThis as Record<string, unknown>).__noReload), 'no reload');
    const rows = await page.getByTestId('cycle-row').count();
    assert.ok(rows >= STORED_CYCLES + 3, `cycle rows grew live: ${rows}`);
    assert.equal(await page.getByTestId('cycle-profiles').locator('svg g[aria-label="line"] path').count(), rows, 'one overlaid profile per cycle');
    const profile = page.getByTestId('energy-profile');
    assert.equal(await profile.locator('svg g[aria-label="line"] path').count(), 3, 'train, linear interpolation, test');
    assert.equal(await profile.locator('svg g[aria-label="dot"]').first().locator('circle').count(), 9, 'nine pivots');
    assert.equal(await profile.locator('svg g[aria-label="text"] text').filter({ hasText: /^saddle / }).count(), 1);
    assert.equal(await page.getByTestId('index-badge').textContent(), 'index 1');
    assert.match((await page.getByTestId('curvature').textContent()) ?? '', /a first-order saddle; along the path -702/);
    assert.equal(await page.getByTestId('spectrum').locator('svg g[aria-label="dot"] circle').count(), 4, 'both ends of the spectrum');
    assert.notEqual(await surfaceLine.getAttribute('d'), before, 'the path moved on the surface');
    assert.ok((await page.getByTestId('downloads').locator('a').count()) >= 4);
    await page.waitForFunction(() => Number(document.querySelector('[data-testid="live-count"]')?.textContent) >= 6, undefined, { timeout: 15_000 });
    await browser.screenshot('fixtures-path-live');
    assert.ok(sent.count >= 6);
  });

  test('path view after evaluatePath: train and test curves on the full data sets', async () => {
    await page.goto(`${origin}/#/paths/${EVALUATED}`);
    const profile = page.getByTestId('energy-profile');
    await profile.locator('svg g[aria-label="line"] path').first().waitFor();
    // Latest cycle (train), linear interpolation, full-set train and test: the minima-and-saddle
    // test line is replaced by the evaluated curves.
    assert.equal(await profile.locator('svg g[aria-label="line"] path').count(), 4);
    const legend = (await profile.textContent()) ?? '';
    assert.match(legend, /train loss \(full train set\)/);
    assert.match(legend, /test loss \(full test set\)/);
    assert.doesNotMatch(legend, /test loss \(minima, saddle\)/);
    await browser.screenshot('fixtures-path-evaluated');
  });

  test('alignment: the align button sends AlignMinimum for the selected pair; the path view draws the straight line after alignment', async () => {
    await page.goto(`${origin}/#/landscapes/${LID}`);
    await page.getByLabel('select minimum seed 0').check();
    await page.getByLabel('select minimum seed 1').check();
    await page.getByTestId('align').click();
    await page.getByTestId('action-message').filter({ hasText: /Started align run/ }).waitFor();
    // The second selected minimum is permuted to match the first.
    assert.deepEqual(alignCalls.at(-1), { minimumId: 'm-1', referenceId: 'm-0' });

    await page.goto(`${origin}/#/paths/${ALIGNED}`);
    const profile = page.getByTestId('energy-profile');
    await profile.locator('svg g[aria-label="line"] path').first().waitFor();
    // Latest cycle, the straight line before and after alignment, full-set train and test.
    assert.equal(await profile.locator('svg g[aria-label="line"] path').count(), 5);
    assert.match((await profile.textContent()) ?? '', /linear interpolation after alignment/);
    assert.match((await page.getByTestId('aligned-barrier').textContent()) ?? '', /-61\.5/);
    const facts = await page.getByTestId('linear-connectivity').allTextContents();
    assert.equal(facts.length, 2);
    assert.match(facts[0], /error barrier 37\.50 % at α = 0\.5/);
    assert.match(facts[1], /error barrier 2\.50 % at α = 0\.4/);
    await browser.screenshot('fixtures-path-aligned');
  });

  test('runs view: progress bars, the failure reason, a cancel button for running runs', async () => {
    await page.goto(`${origin}/#/runs`);
    await page.getByTestId('run-row').nth(2).waitFor();
    const failed = page.locator('[data-testid="run-row"][data-status="FAILED"]');
    assert.match((await failed.getByTestId('failure').textContent()) ?? '', /NaN energy at pivot 4/);
    assert.equal(await page.locator('[data-testid="run-row"][data-status="RUNNING"]').getByTestId('cancel').count(), 1);
    const bars = await page.locator('[data-testid="run-row"] [role="progressbar"]').evaluateAll((els) => els.map((e) => e.getAttribute('aria-valuenow')));
    assert.deepEqual(bars, ['21', '33', '100'], 'newest first: failed at cycle 3/14, explore 1/3 pairs, train done');
    await browser.screenshot('fixtures-runs');
    assert.deepEqual(browser.problems, []);
  });
});

// The web client in a real browser (headless Debian chromium + playwright-core) against the real
// server and API: create a landscape on an analytic surface, train minima, explore, and watch
// cycle updates arrive on the path view over graphql-ws without a reload. Screenshots go to
// test-artifacts/browser/.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import express from 'express';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Page } from 'playwright-core';
import { clientRoutes } from '../../src/http/client-static';
import type { TestServer } from '../helpers/server';
import { ensureClientBuilt, openBrowser, skipReason, startServerWithClient, type Browser } from './browser';

// Functions passed to page.evaluate / waitForFunction run in the page; the root build has no DOM lib.
declare const document: { querySelector(s: string): { textContent: string | null } | null; querySelectorAll(s: string): ArrayLike<{ textContent: string | null }> & Iterable<{ textContent: string | null }> };
declare const window: Record<string, unknown>;

const skip = skipReason();
if (skip) console.log(`# browser tests skipped: ${skip}`);

async function listen(app: express.Express): Promise<{ server: Server; origin: string }> {
  const server = await new Promise<Server>((done) => {
    const s = app.listen(0, '127.0.0.1', () => done(s));
  });
  return { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

describe('client-static: serving the built client', () => {
  test('without client/dist, / and client paths say how to build it; API paths fall through', async () => {
    const app = express();
    app.use(clientRoutes({ dir: mkdtempSync(join(tmpdir(), 'neb-atlas-no-client-')) }));
    app.use((_req, res) => void res.status(404).send('api 404'));
    const { server, origin } = await listen(app);
    try {
      for (const path of ['/', '/landscapes/abc']) {
        const res = await fetch(origin + path);
        assert.equal(res.status, 503, path);
        assert.match(await res.text(), /client not built: run <code>npm run build:client<\/code>/);
      }
      const api = await fetch(`${origin}/graphql`);
      assert.equal(await api.text(), 'api 404');
    } finally {
      server.close();
    }
  });

  describe('with the built client, on the real server', () => {
    let server: TestServer;
    let origin: string;
    before(async () => {
      ensureClientBuilt();
      ({ server, origin } = await startServerWithClient());
    });
    after(() => server?.close());

    test('serves index.html at / and for unknown client paths, 404 for missing assets, API untouched', async () => {
      const root = await fetch(`${origin}/`);
      assert.equal(root.status, 200);
      const html = await root.text();
      assert.match(html, /<div id="app"><\/div>/);
      const script = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
      assert.ok(script, 'index.html references a bundled script');
      const js = await fetch(origin + script);
      assert.equal(js.status, 200);
      assert.match(js.headers.get('content-type') ?? '', /javascript/);
      assert.match(js.headers.get('cache-control') ?? '', /immutable/);

      const deep = await fetch(`${origin}/landscapes/some-id`);
      assert.equal(deep.status, 200);
      assert.match(await deep.text(), /<div id="app"><\/div>/);
      assert.equal((await fetch(`${origin}/assets/missing-file.js`)).status, 404);

      const gql = await fetch(`${origin}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ __typename }' }),
      });
      assert.deepEqual(await gql.json(), { data: { __typename: 'Query' } });
      assert.equal((await fetch(`${origin}/healthz`)).headers.get('content-type')?.startsWith('application/json'), true);
    });
  });
});

describe('web client in chromium', { skip }, () => {
  let server: TestServer;
  let origin: string;
  let browser: Browser;
  let page: Page;

  before(async () => {
    ensureClientBuilt();
    ({ server, origin } = await startServerWithClient());
    browser = await openBrowser();
    page = browser.page;
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  test('landscapes view: empty state, then create a landscape on an analytic surface', async () => {
    await page.goto(`${origin}/`);
    await page.getByTestId('empty').filter({ hasText: 'No landscapes yet' }).waitFor();
    await page.getByTestId('kind').locator('option[value="surface"]').waitFor({ state: 'attached' });
    await browser.screenshot('01-landscapes-empty');

    await page.getByTestId('name').fill('Müller-Brown (browser test)');
    await page.getByTestId('kind').selectOption('surface');
    await page.getByTestId('surface').selectOption('muller-brown');
    await page.getByTestId('preset').selectOption('surface');
    await page.getByTestId('create').click();

    // The new landscape's page opens at a bookmarkable URL.
    await page.waitForURL(/#\/landscapes\/[^/]+$/);
    assert.equal(await page.getByTestId('landscape-name').textContent(), 'Müller-Brown (browser test)');
    await page.getByTestId('empty').filter({ hasText: 'No minima yet. Train some' }).waitFor();

    // Back on the list, it is a row of the table.
    await page.goto(`${origin}/#/landscapes`);
    const rows = page.getByTestId('landscapes-table').locator('tbody tr');
    await rows.first().waitFor();
    assert.equal(await rows.count(), 1);
    assert.match((await rows.first().textContent()) ?? '', /Müller-Brown \(browser test\).*surface muller-brown.*surface/);
    await browser.screenshot('02-landscapes-one');
  });

  test('errors say what happened: a bad input, an unknown landscape, an unknown route', async () => {
    await page.goto(`${origin}/#/landscapes`);
    await page.getByTestId('name').fill('no surface chosen');
    await page.getByTestId('kind').selectOption('mlp');
    await page.getByTestId('widths').fill('0');
    await page.getByTestId('dataset').selectOption('synthetic');
    await page.getByTestId('create').click();
    const error = page.getByTestId('error').filter({ hasText: 'Could not create the landscape' });
    await error.waitFor();
    assert.match((await error.textContent()) ?? '', /BAD_USER_INPUT/);

    await page.goto(`${origin}/#/landscapes/00000000-0000-0000-0000-000000000000`);
    const notFound = page.getByTestId('error');
    await notFound.waitFor();
    assert.match((await notFound.textContent()) ?? '', /Could not load landscape .*NOT_FOUND/);
    await browser.screenshot('03-landscape-not-found');

    await page.goto(`${origin}/#/nowhere`);
    await page.getByTestId('empty').filter({ hasText: 'Nothing at' }).waitFor();
  });

  test('train minima, explore, and see cycle updates arrive live on the path view', { timeout: 240_000 }, async () => {
    const list = await server.gql<{ landscapes: { edges: { node: { id: string } }[] } }>('{ landscapes { edges { node { id } } } }');
    const landscapeId = list.data!.landscapes.edges[0].node.id;
    await page.goto(`${origin}/#/landscapes/${landscapeId}`);

    await page.getByTestId('train-count').fill('3');
    await page.getByTestId('train').click();
    const message = page.getByTestId('action-message');
    await message.waitFor();
    assert.match((await message.textContent()) ?? '', /Started train run/, 'trainMinima started a run');
    // The minima table fills in as the TRAIN run finishes (the view re-reads while work runs).
    const minimaRows = page.getByTestId('minima-table').locator('tbody tr');
    await page.waitForFunction(
      () => [...document.querySelectorAll('[data-testid="minima-table"] tbody tr')].filter((r) => /ready/i.test(r.textContent ?? '')).length === 3,
      undefined,
      { timeout: 120_000 },
    );
    assert.equal(await minimaRows.count(), 3);
    // Losses are numbers formatted to at most 4 significant digits (Müller-Brown energies are negative).
    const trainLoss = await minimaRows.first().locator('td.num').nth(1).textContent();
    assert.match(trainLoss ?? '', /^-?\d+(\.\d+)?( e[-+]?\d+)?$/);
    assert.ok((trainLoss ?? '').replace(/[-.]/g, '').length <= 4, trainLoss ?? '');
    await browser.screenshot('04-landscape-minima');

    await page.getByTestId('max-pairs').fill('2');
    await page.getByTestId('explore').click();
    await page.getByTestId('action-message').filter({ hasText: 'Started explore run' }).waitFor();
    // Open the first path as soon as it is listed, while its cycles are still being computed.
    const pathLink = page.getByTestId('path-link').first();
    await pathLink.waitFor({ timeout: 120_000 });
    await pathLink.click();
    await page.waitForURL(/#\/paths\/[^/]+$/);
    const pathUrl = page.url();

    // A marker on window survives only if the page is never reloaded.
    await page.evaluate(() => (window.__noReload = true));
    const rowsAtOpen = await page.getByTestId('cycle-row').count();
    await page.waitForFunction(() => Number(document.querySelector('[data-testid="live-count"]')?.textContent) >= 1, undefined, { timeout: 120_000 }).catch(() => {
      throw new Error(`no pathCycles update arrived within 120 s (cycle rows at open: ${rowsAtOpen}); the path may have finished before the view opened`);
    });
    await page.waitForFunction(
      (before) => document.querySelectorAll('[data-testid="cycle-row"]').length > before,
      rowsAtOpen,
      { timeout: 30_000 },
    );
    assert.equal(await page.evaluate(() => window.__noReload), true, 'the page was not reloaded');
    assert.equal(page.url(), pathUrl);

    // Charts: dense profile with pivots and a marked saddle; one line per cycle in the overlay.
    const profile = page.getByTestId('energy-profile');
    await profile.locator('svg g[aria-label="line"] path').first().waitFor();
    assert.ok((await profile.locator('svg g[aria-label="dot"] circle').count()) >= 2, 'pivots are drawn');
    assert.ok((await profile.locator('svg g[aria-label="text"] text').filter({ hasText: 'saddle' }).count()) === 1, 'the saddle is marked');
    const cycleRows = await page.getByTestId('cycle-row').count();
    const overlayLines = await page.getByTestId('cycle-profiles').locator('svg g[aria-label="line"] path').count();
    assert.equal(overlayLines, cycleRows, 'one profile per cycle');
    // The analytic surface with the path drawn on it.
    const surface = page.getByTestId('path-surface');
    await surface.locator('svg g[aria-label="contour"] path').first().waitFor();
    assert.ok((await surface.locator('svg g[aria-label="line"] path').count()) === 1, 'the path is drawn on the surface');
    await browser.screenshot('05-path-live');

    // More updates keep arriving while the run goes on.
    const seen = Number(await page.getByTestId('live-count').textContent());
    await page
      .waitForFunction((n) => Number(document.querySelector('[data-testid="live-count"]')?.textContent) > n, seen, { timeout: 60_000 })
      .catch(() => undefined); // the path may finish meanwhile: the first update already proves liveness
    await browser.screenshot('06-path-later');

    // Runs view: the train run succeeded (full bar), the explore run is listed with its progress.
    await page.goto(`${origin}/#/runs`);
    const runRows = page.getByTestId('run-row');
    await runRows.first().waitFor();
    const texts = await runRows.allTextContents();
    assert.ok(texts.some((t) => /train/.test(t) && /succeeded/.test(t) && /100 %/.test(t)), `a succeeded train run at 100 %: ${texts.join(' | ')}`);
    assert.ok(texts.some((t) => /explore/.test(t)), 'the explore run is listed');
    assert.ok((await page.locator('[data-testid="run-row"] [role="progressbar"]').count()) >= 2);
    await browser.screenshot('07-runs');

    // Landscape view after exploration: summary table, spanning tree graph, disconnectivity tree.
    await page.goto(`${origin}/#/landscapes/${landscapeId}`);
    await page.getByTestId('summary-table').waitFor({ timeout: 30_000 });
    assert.equal(await page.getByTestId('summary-table').locator('tbody tr').count(), 2);
    await page.getByTestId('spanning-tree').locator('canvas').first().waitFor();
    await browser.screenshot('08-landscape-analysis');
    assert.deepEqual(browser.problems.filter((p) => !/WebSocket/.test(p)), []);
  });
});

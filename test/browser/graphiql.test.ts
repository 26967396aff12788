// The GraphQL explorer (GraphiQL bundled by the client's Vite build) at /graphql in headless
// Chromium, against the real server with authentication: it takes the token the web client keeps
// (or asks for one), runs a query and shows the server's answer, completes field names and
// documents the schema from introspection. No request leaves the server's origin.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestServer, type TestServer } from '../helpers/server';
import { ensureClientBuilt, openBrowser, skipReason, type Browser } from './browser';

const skip = skipReason();
if (skip) console.log(`# GraphiQL browser tests skipped: ${skip}`);

describe('GraphQL explorer at /graphql', { skip }, () => {
  let server: TestServer;
  let origin: string;
  let browser: Browser;
  const foreign: string[] = [];

  before(async () => {
    ensureClientBuilt();
    server = await startTestServer({ auth: true });
    origin = new URL(server.app.url).origin;
    const created = await server.gql('mutation { createLandscape(input: { name: "explorer-probe", architecture: { kind: "surface", surface: "muller-brown" } }) { id } }');
    assert.equal(created.errors, undefined, JSON.stringify(created.errors));
    browser = await openBrowser();
    browser.page.on('request', (r) => {
      if (!r.url().startsWith(origin) && !r.url().startsWith('data:') && !r.url().startsWith('blob:')) foreign.push(r.url());
    });
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  test('a browser GET gets the explorer page; API clients still get the API', async () => {
    const page = await fetch(`${origin}/graphql`, { headers: { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' } });
    assert.equal(page.status, 200);
    assert.match(await page.text(), /neb-atlas GraphQL explorer/);
    // Without a token, a JSON client is refused as before (auth on).
    const api = await fetch(`${origin}/graphql`, { headers: { accept: 'application/json' } });
    assert.equal(api.status, 401);
    assert.equal(((await api.json()) as { errors: { extensions: { code: string } }[] }).errors[0].extensions.code, 'UNAUTHENTICATED');
  });

  test('with the web client\'s token it runs a query and shows the result; the web client links it', async () => {
    const { page } = browser;
    await page.goto(`${origin}/?token=${server.token}`); // the web client keeps the token
    assert.equal(await page.getAttribute('nav a[href="/graphql"]', 'href'), '/graphql');
    const query = '{ landscapes(first: 5) { totalCount edges { node { name architecture { surface } } } } }';
    await page.goto(`${origin}/graphql?query=${encodeURIComponent(query)}`);
    // The editor is ready when it shows the linked query; a click before that runs nothing.
    await page.waitForSelector('.graphiql-query-editor .view-line:has-text("totalCount")', { timeout: 60_000 });
    await page.click('.graphiql-execute-button');
    await page.waitForSelector('.graphiql-response .view-line:has-text("explorer-probe")', { timeout: 60_000 });
    const text = await page.textContent('.graphiql-response');
    // Monaco renders spaces as U+00A0.
    assert.match(text!, /"totalCount":\s*1\b/);
    assert.match(text!, /muller-brown/);
    await browser.screenshot('graphiql-result');
  });

  test('autocompletion and the documentation explorer come from the schema', async () => {
    const { page } = browser;
    await page.goto(`${origin}/graphql?query=${encodeURIComponent('{ lands }')}`);
    await page.waitForSelector('.graphiql-query-editor .monaco-editor', { timeout: 60_000 });
    // Put the cursor after "lands" and ask for completions.
    await page.click('.graphiql-query-editor .view-line');
    await page.keyboard.press('End');
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('Control+Space');
    await page.waitForSelector('.suggest-widget .monaco-list-row', { timeout: 30_000 });
    const suggestions = await page.$$eval('.suggest-widget .monaco-list-row', (rows) => rows.map((r) => r.getAttribute('aria-label') ?? ''));
    assert.ok(suggestions.some((s) => s.startsWith('landscapes')), suggestions.join(', '));
    assert.ok(suggestions.some((s) => s.startsWith('landscape')), suggestions.join(', '));
    await page.keyboard.press('Escape');

    await page.click('.graphiql-sidebar button[aria-label="Show Documentation Explorer"]');
    await page.click('.graphiql-doc-explorer a:has-text("Query")');
    await page.waitForSelector('.graphiql-doc-explorer :text("importMinimum"), .graphiql-doc-explorer :text("landscapes")');
    const docs = await page.textContent('.graphiql-doc-explorer');
    assert.match(docs!, /landscapes/);
    assert.match(docs!, /All landscapes, oldest first/);
    await browser.screenshot('graphiql-docs');
    assert.deepEqual(foreign, [], 'no request leaves the server (no CDN)');
    assert.deepEqual(browser.problems.filter((p) => !/Failed to load resource.*401/.test(p)), []);
  });

  test('without a stored token it asks for one, then opens', async () => {
    const { page } = browser;
    await page.evaluate(() => (globalThis as unknown as { localStorage: { clear(): void } }).localStorage.clear());
    await page.goto(`${origin}/graphql`);
    await page.waitForSelector('form.token-form');
    assert.match((await page.textContent('form.token-form'))!, /needs an API token/);
    await page.fill('form.token-form input[name=token]', server.token!);
    await page.click('form.token-form button');
    await page.waitForSelector('.graphiql-execute-button', { timeout: 60_000 });
  });
});

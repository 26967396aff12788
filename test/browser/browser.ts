// Shared set-up of the browser tests: Debian's chromium driven by playwright-core (no browser
// download), the real server with the built client mounted, screenshots under test-artifacts/.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { clientRoutes } from '../../src/http/client-static';
import { startTestServer, type TestServer } from '../helpers/server';

export const CHROMIUM = '/usr/bin/chromium';
/** Repository root (this file runs as dist/test/browser/browser.js). */
export const ROOT = resolve(__dirname, '..', '..', '..');
export const CLIENT_DIR = join(ROOT, 'client', 'dist');
export const ARTIFACTS = join(ROOT, 'test-artifacts', 'browser');

/** Why the browser tests cannot run here, or undefined. */
export function skipReason(): string | undefined {
  if (!existsSync(CHROMIUM)) return `${CHROMIUM} is missing (apt-get install chromium); browser tests skipped`;
  return undefined;
}

/** Builds the client once if client/dist is missing (npm test builds it already). */
export function ensureClientBuilt(): void {
  if (existsSync(join(CLIENT_DIR, 'index.html')) && existsSync(join(CLIENT_DIR, 'graphiql.html'))) return;
  const res = spawnSync(process.execPath, [join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--config', 'client/vite.config.ts'], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  if (res.status !== 0) throw new Error(`client build failed:\n${res.stdout}\n${res.stderr}`);
}

export interface Browser {
  context: BrowserContext;
  page: Page;
  /** Console errors and failed page scripts, for assertions and failure messages. */
  problems: string[];
  screenshot(name: string): Promise<string>;
  close(): Promise<void>;
}

export async function openBrowser(): Promise<Browser> {
  const userDataDir = mkdtempSync(join(tmpdir(), 'neb-atlas-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
    ],
    viewport: { width: 1280, height: 900 },
    deviceScaleFactor: 1,
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const problems: string[] = [];
  page.on('console', (m) => m.type() === 'error' && problems.push(`console: ${m.text()}`));
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  mkdirSync(ARTIFACTS, { recursive: true });
  return {
    context,
    page,
    problems,
    screenshot: async (name) => {
      const file = join(ARTIFACTS, `${name}.png`);
      await page.screenshot({ path: file, fullPage: true });
      return file;
    },
    close: async () => {
      await context.close();
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

/** The real server (fresh storage) with the client mounted the way src/http/app.ts will mount it. */
export async function startServerWithClient(): Promise<{ server: TestServer; origin: string }> {
  const server = await startTestServer();
  server.app.app.use(clientRoutes({ dir: CLIENT_DIR }));
  return { server, origin: new URL(server.app.url).origin };
}

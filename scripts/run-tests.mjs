// Runs every compiled test file (dist/test/**/*.test.js) with node's built-in test runner.
// Node 20's `node --test` takes no globs, so the files are listed here. An optional argument
// filters by substring, e.g. `npm test -- engine`.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

function findTests(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...findTests(path));
    else if (name.endsWith('.test.js')) out.push(path);
  }
  return out;
}

const filter = process.argv[2];
// NEB_ATLAS_TEST_SCOPE=db runs only the suites that touch a database: CI's second pass against a
// real PostgreSQL does not repeat the engine's pure computation, which no database changes.
const DATABASE_FREE = ['engine'].map((d) => join('dist', 'test', d) + '/');
const dbOnly = process.env.NEB_ATLAS_TEST_SCOPE === 'db';
let files = findTests('dist/test').filter((f) => !filter || f.includes(filter)).sort();
if (dbOnly) {
  const skipped = files.filter((f) => DATABASE_FREE.some((d) => f.startsWith(d)));
  files = files.filter((f) => !skipped.includes(f));
  console.log(`NEB_ATLAS_TEST_SCOPE=db: skipping ${skipped.length} database-free test files (test/engine); they ran in the embedded pass`);
}
if (files.length === 0) {
  console.error(`no test files found${filter ? ` matching "${filter}"` : ''}`);
  process.exit(1);
}
const result = spawnSync(process.execPath, ['--test', '--test-reporter=spec', ...files], { stdio: 'inherit' });
process.exit(result.status ?? 1);

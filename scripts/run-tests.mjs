#!/usr/bin/env node
// The one test command (`npm test`): builds dist/ (CLI end-to-end tests run the compiled
// `custos`), then runs every test/**/*.test.ts with node's test runner under tsx.
// `npm test -- test/audit` runs the tests under one folder or file.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;

const collect = (path) => {
  const stat = statSync(path);
  if (stat.isFile()) return path.endsWith('.test.ts') ? [path] : [];
  return readdirSync(path).sort().flatMap((name) => (name === 'fixtures' ? [] : collect(join(path, name))));
};

const targets = process.argv.slice(2);
const files = (targets.length ? targets : ['test']).flatMap((t) => collect(join(root, t)));
if (files.length === 0) {
  console.error('no test files found under', targets.join(' ') || 'test/');
  process.exit(1);
}

const build = spawnSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);

const run = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-reporter=spec', ...files.map((f) => relative(root, f))],
  { cwd: root, stdio: 'inherit', env: { ...process.env, NODE_ENV: 'test' } },
);
process.exit(run.status ?? 1);

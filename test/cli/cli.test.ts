import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const bin = join(import.meta.dirname, '..', '..', 'dist', 'cli', 'main.js');

const custos = (args: string[], env: Record<string, string> = {}, cwd = mkdtempSync(join(tmpdir(), 'custos-cli-'))) => {
  const run = spawnSync(process.execPath, [bin, ...args], { cwd, env: { PATH: process.env.PATH ?? '', ...env }, encoding: 'utf8' });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
};

test('--help prints the command tree and the exit codes, in Chinese by default', () => {
  const run = custos(['--help']);
  assert.equal(run.code, 0);
  assert.match(run.stdout, /Usage: custos/);
  assert.match(run.stdout, /--data-dir/);
  assert.match(run.stdout, /退出码/);
});

test('--lang en switches the language', () => {
  const run = custos(['--lang', 'en', '--help']);
  assert.match(run.stdout, /Exit codes: 0 ok; 1 failure; 2 usage error; 3 verification failed/);
});

test('--version prints the package version', () => {
  assert.match(custos(['--version']).stdout.trim(), /^\d+\.\d+\.\d+$/);
});

test('an unknown command is a usage error (exit 2)', () => {
  const run = custos(['no-such-command']);
  assert.equal(run.code, 2);
  assert.match(run.stderr, /unknown command/);
});

test('an invalid configuration exits 2 with the key and how to fix it', () => {
  const run = custos(['config'], { CUSTOS_LOG_LEVEL: 'loud' });
  assert.equal(run.code, 2);
  assert.match(run.stderr, /ERR_CONFIG_INVALID/);
  assert.match(run.stderr, /log\.level/);
});

test('config --json shows the effective configuration with file, environment and flags applied', () => {
  const cwd = mkdtempSync(join(tmpdir(), 'custos-cli-'));
  writeFileSync(join(cwd, 'custos.yaml'), 'server:\n  port: 9001\n');
  const run = custos(['--json', '--data-dir', '/srv/custos', 'config'], { CUSTOS_HOST: '127.0.0.2' }, cwd);
  assert.equal(run.code, 0, run.stderr);
  const config = JSON.parse(run.stdout) as { server: { port: number; host: string }; dataDir: string };
  assert.equal(config.server.port, 9001);
  assert.equal(config.server.host, '127.0.0.2');
  assert.equal(config.dataDir, '/srv/custos');
});

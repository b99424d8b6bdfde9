import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../lib/config.js';

const tempDir = (): string => mkdtempSync(join(tmpdir(), 'custos-config-'));

const writeConfig = (text: string): { dir: string; file: string } => {
  const dir = tempDir();
  const file = join(dir, 'custos.yaml');
  writeFileSync(file, text);
  return { dir, file };
};

test('defaults apply without a file: loopback, port 8181, ./custos-data, zh', () => {
  const dir = tempDir();
  const config = loadConfig({ cwd: dir, env: {} });
  assert.equal(config.server.host, '127.0.0.1');
  assert.equal(config.server.port, 8181);
  assert.equal(config.dataDir, join(dir, 'custos-data'));
  assert.equal(config.lang, 'zh');
  assert.equal(config.audit.retentionDays, 180);
  assert.ok(Object.isFrozen(config) && Object.isFrozen(config.server));
});

test('file values apply and relative paths resolve against the file folder', () => {
  const { dir, file } = writeConfig('dataDir: data\nserver:\n  port: 9000\naudit:\n  hash: sm3\n');
  const config = loadConfig({ file, cwd: '/', env: {} });
  assert.equal(config.server.port, 9000);
  assert.equal(config.dataDir, join(dir, 'data'));
  assert.equal(config.audit.hash, 'sm3');
});

test('precedence: overrides > CUSTOS_* environment > file > default', () => {
  const { file } = writeConfig('server:\n  port: 9000\n  host: 0.0.0.0\n');
  const env = { CUSTOS_PORT: '9100', CUSTOS_DATA_DIR: '/var/lib/custos' };
  const config = loadConfig({ file, env, overrides: { 'server.port': 9200 } });
  assert.equal(config.server.port, 9200);
  assert.equal(config.server.host, '0.0.0.0');
  assert.equal(config.dataDir, '/var/lib/custos');
});

test('a bad enum value names the key, the source position and the allowed values', () => {
  const { file } = writeConfig('log:\n  level: loud\n');
  assert.throws(() => loadConfig({ file, env: {} }), (error: Error & { code: string; hint: string }) => {
    assert.equal(error.code, 'ERR_CONFIG_INVALID');
    assert.match(error.message, /"log\.level"/);
    assert.match(error.message, /custos\.yaml:2:10/);
    assert.match(error.message, /fatal, error, warn, info, debug, trace, silent/);
    assert.doesNotMatch(error.message, /loud/, 'the bad value itself is not echoed');
    return true;
  });
});

test('a bad environment value names the variable and the expected range', () => {
  assert.throws(() => loadConfig({ env: { CUSTOS_PORT: '70000' }, cwd: tempDir() }), {
    code: 'ERR_CONFIG_INVALID',
    message: /"server\.port" \(from environment variable CUSTOS_PORT\) must be an integer in 0\.\.65535/,
  });
});

test('retention below six months is refused with the legal reason', () => {
  const { file } = writeConfig('audit:\n  retentionDays: 30\n');
  assert.throws(() => loadConfig({ file, env: {} }), { code: 'ERR_CONFIG_INVALID', hint: /six months/ });
});

test('unknown keys are refused with their position and the list of known settings', () => {
  const { file } = writeConfig('server:\n  prot: 80\n');
  assert.throws(() => loadConfig({ file, env: {} }), (error: Error & { code: string; at: { line: number }; hint: string }) => {
    assert.equal(error.code, 'ERR_CONFIG_UNKNOWN_KEY');
    assert.equal(error.at.line, 2);
    assert.match(error.message, /server\.prot/);
    assert.match(error.hint, /server\.port/);
    return true;
  });
});

test('invalid YAML reports line and column', () => {
  const { file } = writeConfig('server:\n  port: [1,\n');
  assert.throws(() => loadConfig({ file, env: {} }), { code: 'ERR_CONFIG_INVALID', message: /not valid YAML/ });
});

test('a missing config file is a clear error', () => {
  assert.throws(() => loadConfig({ file: '/nonexistent/custos.yaml', env: {} }), { code: 'ERR_CONFIG_UNREADABLE' });
});

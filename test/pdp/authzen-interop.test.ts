// The AuthZEN interop vectors (Todo, API gateway, search, IdP) against ONE real sidecar serving
// examples/authzen, run by the shared checker over HTTP. Skipped only when ../shared is absent.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { authzenDir, repoRoot, startReal } from './http-harness.js';

const checker = join(repoRoot, '..', 'shared', 'tools', 'authzen-check.mjs');
const skip = existsSync(checker) ? false : 'skipped: ../shared/tools/authzen-check.mjs is absent (the interop vectors live in ../shared)';

test('authzen-check todo gateway search idp ends with 0 failed against the sidecar', { skip, timeout: 120_000 }, async () => {
  const s = await startReal(join(authzenDir, 'policies'), join(authzenDir, 'entities'));
  try {
    const output = await new Promise<{ code: number | null; text: string }>((resolve) => {
      const child = spawn(process.execPath, [checker, s.url, 'todo', 'gateway', 'search', 'idp'], { stdio: ['ignore', 'pipe', 'pipe'] });
      let text = '';
      child.stdout.on('data', (c: Buffer) => (text += c.toString()));
      child.stderr.on('data', (c: Buffer) => (text += c.toString()));
      child.on('close', (code) => resolve({ code, text }));
    });
    assert.match(output.text, / 0 failed/, output.text.slice(-3000));
    assert.equal(output.code, 0);
    const passed = Number(/(\d+) passed/.exec(output.text)?.[1] ?? 0);
    assert.ok(passed >= 270, `only ${passed} vectors passed`);
  } finally {
    await s.stop();
  }
});

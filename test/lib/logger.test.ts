import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { createLogger, flushLogger, flushLoggerSync } from '../../lib/logger.js';

const capture = (): { stream: Writable; text: () => string } => {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  return { stream, text: () => chunks.join('') };
};

test('personal data fields are redacted at any of the first levels', () => {
  const out = capture();
  const log = createLogger({ format: 'json', destination: out.stream });
  log.info(
    { subjectId: 'p001', idCardNo: '11010519491231002X', phone: '13812345678', name: '张三', patient: { name: '李四', address: '北京市海淀区' }, rows: [{ phone: '13900000000' }] },
    'lookup',
  );
  const line = out.text();
  for (const value of ['11010519491231002X', '13812345678', '张三', '李四', '北京市海淀区']) {
    assert.ok(!line.includes(value), `a personal value leaked into the log`);
  }
  const parsed = JSON.parse(line) as Record<string, unknown>;
  assert.equal(parsed.subjectId, 'p001', 'ids are kept');
  assert.equal(parsed.idCardNo, '[redacted]');
  assert.equal((parsed.patient as Record<string, unknown>).name, '[redacted]');
});

test('pretty format prints human lines and still redacts', () => {
  const out = capture();
  const log = createLogger({ format: 'pretty', destination: out.stream });
  log.info({ phone: '13812345678', count: 3 }, 'scan done');
  const text = out.text();
  assert.match(text, /scan done/);
  assert.ok(!text.includes('13812345678'));
  assert.throws(() => JSON.parse(text));
});

test('buffered logger: lines wait in the buffer until flushed (async on shutdown, sync before a fatal exit), still redacted', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'custos-logger-'));
  const file = join(dir, 'log.jsonl');
  try {
    const log = createLogger({ format: 'json', buffered: { dest: file } });
    log.info({ requestId: 'r-1', phone: '13812345678' }, 'request');
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(readFileSync(file, 'utf8'), '', 'a short line stays in the 4 KiB buffer: no write per line');
    await flushLogger(log);
    const first = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.equal(first.length, 1);
    assert.equal(first[0]!.requestId, 'r-1');
    assert.equal(first[0]!.phone, '[redacted]');
    log.child({ module: 'pdp-http' }).fatal({ code: 'ERR_X' }, 'dying');
    flushLoggerSync(log);
    assert.match(readFileSync(file, 'utf8'), /"msg":"dying"/, 'flushed synchronously, without the event loop');
    // A full buffer goes out without a flush.
    for (let i = 0; i < 60; i++) log.info({ i }, 'x'.repeat(100));
    await new Promise((r) => setTimeout(r, 50));
    assert.ok(readFileSync(file, 'utf8').split('\n').length > 30);
    await flushLogger(log);
    assert.equal(readFileSync(file, 'utf8').trim().split('\n').length, 62);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('flushLogger resolves at once for an unbuffered logger; buffered is ignored when a destination is given', async () => {
  const out = capture();
  const log = createLogger({ format: 'json', destination: out.stream, buffered: true });
  log.info({ n: 1 }, 'now');
  assert.match(out.text(), /"msg":"now"/, 'written synchronously to the given destination');
  await flushLogger(log);
  flushLoggerSync(log);
});

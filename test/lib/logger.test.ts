import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { createLogger } from '../../lib/logger.js';

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

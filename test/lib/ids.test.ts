import { test } from 'node:test';
import assert from 'node:assert/strict';
import { manualClock } from '../../lib/clock.js';
import { uuidv7Generator, uuidv7Time } from '../../lib/ids.js';
import { CustosError, isCustosError, kindOf } from '../../lib/errors.js';

test('UUIDv7 carries the clock time and is well formed (RFC 9562 §5.7)', () => {
  const clock = manualClock(Date.UTC(2026, 10, 26, 8, 0, 0));
  const newId = uuidv7Generator({ clock });
  const id = newId();
  assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.equal(uuidv7Time(id), clock.now());
});

test('ids are strictly increasing within one millisecond and when the clock goes back', () => {
  const clock = manualClock(1_700_000_000_000);
  const newId = uuidv7Generator({ clock });
  const ids: string[] = [];
  for (let i = 0; i < 10_000; i++) ids.push(newId());
  clock.set(1_600_000_000_000);
  ids.push(newId());
  for (let i = 1; i < ids.length; i++) assert.ok(ids[i - 1]! < ids[i]!, `id ${i} sorts after id ${i - 1}`);
});

test('injected randomness makes ids reproducible', () => {
  const fixed = (size: number) => new Uint8Array(size).fill(0xab);
  const a = uuidv7Generator({ clock: manualClock(0), random: fixed })();
  const b = uuidv7Generator({ clock: manualClock(0), random: fixed })();
  assert.equal(a, b);
});

test('CustosError carries code, hint and location, and is recognised across copies by its brand', () => {
  const error = new CustosError('ERR_POLICY_UNKNOWN_FIELD', {
    message: 'rule "r1" permits field "x"',
    hint: 'declare it',
    at: { file: 'rules.yaml', line: 3, column: 5 },
  });
  assert.equal(String(error), 'ERR_POLICY_UNKNOWN_FIELD rules.yaml:3:5: rule "r1" permits field "x"\n  hint: declare it');
  const lookalike = Object.assign(Object.create(null), { [Symbol.for('custos.error')]: true });
  assert.ok(isCustosError(lookalike));
  assert.ok(!isCustosError(new Error('x')));
  assert.equal(kindOf('13812345678'), 'string of 11 characters');
});

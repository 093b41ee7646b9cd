import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { EventLog } from '../src/log.js';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({ write(chunk, _enc, done) { lines.push(JSON.parse(String(chunk))); done(); } });
  return { lines, logger: pino({ base: undefined }, stream) };
}

test('EventLog: one line a second per kind, the next carrying the count suppressed', async () => {
  const { lines, logger } = capture();
  let now = 0;
  const log = new EventLog(logger, 1000, () => now);
  for (let i = 0; i < 500; i++) log.log('warn', 'tsig', { i }, 'TSIG verification failed');
  log.log('warn', 'notify', {}, 'NOTIFY received');
  assert.equal(log.suppressed('tsig'), 499);
  now = 1000;
  log.log('warn', 'tsig', { i: 500 }, 'TSIG verification failed');
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(lines.map((l) => [l.msg, l.i, l.suppressed]), [
    ['TSIG verification failed', 0, undefined],
    ['NOTIFY received', undefined, undefined],
    ['TSIG verification failed', 500, 499],
  ]);
  assert.equal(log.suppressed('tsig'), 0);
});

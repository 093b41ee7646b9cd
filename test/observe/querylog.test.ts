// The query log's line for an answered query: what it says comes from the
// outcome (rcode, answer count, zone, rotation), not from the response bytes.
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { pino } from 'pino';
import { queryLogger } from '../../src/observe/querylog.js';
import { RRType } from '../../src/wire/types.js';
import { makeQuery } from '../e2e/raw.js';
import { fuzzPipeline, outcomeOf } from '../fuzz/property.js';
import { UDP4 } from './fixture.js';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const logger = pino({ base: undefined }, new Writable({ write(chunk, _e, done) { lines.push(JSON.parse(String(chunk))); done(); } }));
  return { lines, log: queryLogger(logger, 1) };
}

describe('the query log', () => {
  it('logs the outcome: answers, rcode, zone and rotation, whatever the bytes say', async () => {
    const opts = await fuzzPipeline();
    const { lines, log } = capture();
    // intranet.corp.example has three addresses: the answer turns one step a query.
    for (let i = 0; i < 2; i++) {
      const out = outcomeOf(opts, makeQuery('intranet.corp.example', RRType.A, i), 'udp')!;
      log({ ...out, response: Buffer.alloc(12) }, UDP4, process.hrtime.bigint());
    }
    const nx = outcomeOf(opts, makeQuery('nothere.corp.example', RRType.A, 9), 'udp')!;
    log(nx, UDP4, process.hrtime.bigint());
    const pick = (l: Record<string, unknown>) => [l.zone, l.qname, l.qtype, l.rcode, l.answers, l.rotation, l.size];
    assert.deepEqual(lines.slice(0, 2).map(pick), [
      ['corp.example.', 'intranet.corp.example.', 'A', 'NOERROR', 3, 0, 12],
      ['corp.example.', 'intranet.corp.example.', 'A', 'NOERROR', 3, 1, 12],
    ]);
    assert.deepEqual(pick(lines[2]!), ['corp.example.', 'nothere.corp.example.', 'A', 'NXDOMAIN', 0, undefined, nx.response.length]);
  });
});

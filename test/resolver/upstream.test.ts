import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { exchange, ExchangeError } from '../../src/resolver/upstream.js';
import { presentation } from '../../src/rrtypes/registry.js';
import { Name } from '../../src/wire/name.js';
import { RRType } from '../../src/wire/types.js';
import { freePort } from '../e2e/daemons.js';
import { answerWith, fakeUpstreams } from './fake-upstream.js';

const WWW = Name.parse('www.example.com.');
const addresses = (m: Awaited<ReturnType<typeof exchange>>['message']) => m.answer.map((r) => presentation(r.type, r.rdata));

describe('exchange with one upstream', () => {
  const start = fakeUpstreams();

  it('sends each query with a random ID from its own random port, with RD and EDNS', async () => {
    const u = await start((q) => [answerWith(q, ['192.0.2.1'])]);
    for (let i = 0; i < 6; i++) assert.deepEqual(addresses((await exchange(u.address, WWW, RRType.A, { timeoutMs: 1000 })).message), ['192.0.2.1']);
    assert.ok(new Set(u.seen.map((s) => s.packet.header.id)).size > 1, 'IDs differ');
    assert.ok(new Set(u.seen.map((s) => s.port)).size > 1, 'ports differ');
    assert.equal(u.seen[0]!.packet.header.rd, 1);
    assert.equal(u.seen[0]!.packet.additionals[0]?.type, 41, 'OPT');
  });

  it('ignores replies with another ID, another question, or from another port', async () => {
    let mismatches = 0;
    const u = await start((q) => {
      const seen = u.seen[u.seen.length - 1]!;
      // A forger who knows the ID but not the upstream's port, sending first.
      u.spoof(answerWith(q, ['203.0.113.1']), seen.port);
      return [
        answerWith(q, ['203.0.113.2'], (r) => { r.header.id = (q.header.id + 1) & 0xffff; }),
        answerWith(q, ['203.0.113.3'], (r) => { r.questions = [{ ...q.questions[0]!, name: 'bank.example' }]; }),
        answerWith(q, ['192.0.2.1']),
      ];
    });
    const { message } = await exchange(u.address, WWW, RRType.A, { timeoutMs: 1000, onMismatch: () => mismatches++ });
    assert.deepEqual(addresses(message), ['192.0.2.1']);
    assert.equal(mismatches, 2);
  });

  it('asks again over TCP when the answer is truncated', async () => {
    const u = await start((q, transport) => [transport === 'udp' ? answerWith(q, [], (r) => { r.header.tc = 1; }) : answerWith(q, ['192.0.2.1', '192.0.2.2'])]);
    const { message, tcp } = await exchange(u.address, WWW, RRType.A, { timeoutMs: 1000 });
    assert.equal(tcp, true);
    assert.deepEqual(addresses(message), ['192.0.2.1', '192.0.2.2']);
    assert.deepEqual(u.seen.map((s) => s.transport), ['udp', 'tcp']);
  });

  it('fails with ExchangeError on silence and on a closed port', async () => {
    const silent = await start(() => []);
    await assert.rejects(exchange(silent.address, WWW, RRType.A, { timeoutMs: 100 }), ExchangeError);
    const closed = { host: '127.0.0.1', port: await freePort(), family: 4 as const };
    await assert.rejects(exchange(closed, WWW, RRType.A, { timeoutMs: 5000 }), /ECONNREFUSED/);
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Rotation } from '../../src/authority/rotation.js';
import { entryFrom, renderEntry, type CacheLimits } from '../../src/resolver/entry.js';
import { Name } from '../../src/wire/name.js';
import type { Question } from '../../src/wire/query.js';
import { presentation } from '../../src/rrtypes/registry.js';
import { rd } from '../rrtypes/rdata.js';
import type { Message, WireRecord } from '../../src/message/message.js';
import { Rcode, RRType } from '../../src/wire/types.js';

const n = (text: string) => Name.parse(text);
const a = (address: string): Buffer => rd('A', address);
const rr = (owner: string, type: number, ttl: number, rdata: Buffer): WireRecord => ({ owner: n(owner), type, class: 1, ttl, rdata });
const soa = (owner: string, ttl: number, minimum: number) => rr(owner, RRType.SOA, ttl, rd('SOA', `ns.${owner}. h.${owner}. 1 2 3 4 ${minimum}`));
const question = (name: string, type: number): Question => ({ name: n(name), type, class: 1, raw: Buffer.alloc(0) });
const message = (rcode: number, sections: Partial<Pick<Message, 'answer' | 'authority' | 'additional'>>): Message => ({
  header: { id: 1, flags: 0x8180 | rcode, qdcount: 1, ancount: 0, nscount: 0, arcount: 0 },
  answer: [], authority: [], additional: [], ...sections,
});
const LIMITS: CacheLimits = { maxEntries: 10, maxBytes: 1 << 20, maxTtl: 86400, minTtl: 0 };
const NOW = 1_000_000;

describe('cache entries from upstream answers', () => {
  it('keeps the chain from the question and drops records for other names', () => {
    const e = entryFrom(message(Rcode.NOERROR, {
      answer: [
        rr('www.example.com', RRType.CNAME, 300, rd('CNAME', 'web.example.net.')),
        rr('web.example.net', RRType.A, 60, a('192.0.2.1')),
        rr('bank.example', RRType.A, 86400, a('203.0.113.66')), // not asked for: planted
      ],
      authority: [rr('example.com', RRType.NS, 86400, rd('NS', 'ns.evil.example.'))],
      additional: [rr('ns.evil.example', RRType.A, 86400, a('203.0.113.53'))],
    }), question('www.example.com', RRType.A), LIMITS, NOW);
    assert.deepEqual(e.answer.map((s) => `${s.owner.key} ${s.type}`), ['www.example.com. 5', 'web.example.net. 1']);
    assert.deepEqual([e.authority.length, e.additional.length, e.dropped], [0, 0, 3]);
    assert.equal(e.cacheable, true);
    assert.equal(e.expiresAt, NOW + 60_000, 'the shortest TTL on the chain');
  });

  it('keeps the addresses of MX targets in additional, and only those', () => {
    const e = entryFrom(message(Rcode.NOERROR, {
      answer: [
        rr('example.com', RRType.MX, 300, rd('MX', '10 mx1.example.com.')),
        rr('example.com', RRType.MX, 300, rd('MX', '10 mx2.example.com.')),
      ],
      additional: [rr('mx1.example.com', RRType.A, 300, a('192.0.2.11')), rr('www.example.com', RRType.A, 300, a('192.0.2.80'))],
    }), question('example.com', RRType.MX), LIMITS, NOW);
    assert.equal(e.answer[0]!.rdata.length, 2);
    assert.deepEqual(e.additional.map((s) => s.owner.key), ['mx1.example.com.']);
    assert.equal(e.dropped, 1);
  });

  it('caches NXDOMAIN for the SOA\'s MINIMUM when it is below the SOA\'s TTL (RFC 2308 §5)', () => {
    const e = entryFrom(message(Rcode.NXDOMAIN, { authority: [soa('example.com', 3600, 60)] }), question('nope.example.com', RRType.A), LIMITS, NOW);
    assert.deepEqual([e.rcode, e.cacheable, e.expiresAt], [Rcode.NXDOMAIN, true, NOW + 60_000]);
    const longer = entryFrom(message(Rcode.NXDOMAIN, { authority: [soa('example.com', 30, 600)] }), question('nope.example.com', RRType.A), LIMITS, NOW);
    assert.equal(longer.expiresAt, NOW + 30_000, 'or for the SOA\'s TTL when that is smaller');
    const capped = entryFrom(message(Rcode.NXDOMAIN, { authority: [soa('example.com', 86400, 86400)] }), question('nope.example.com', RRType.A), LIMITS, NOW);
    assert.equal(capped.expiresAt, NOW + 10800_000, 'never above three hours');
  });

  it('does not cache negative answers without a proof from the question\'s zone', () => {
    const none = entryFrom(message(Rcode.NOERROR, {}), question('www.example.com', RRType.AAAA), LIMITS, NOW);
    assert.equal(none.cacheable, false);
    const elsewhere = entryFrom(message(Rcode.NXDOMAIN, { authority: [soa('other.example', 3600, 3600)] }), question('www.example.com', RRType.A), LIMITS, NOW);
    assert.deepEqual([elsewhere.cacheable, elsewhere.authority.length, elsewhere.dropped], [false, 0, 1]);
  });

  it('clamps TTLs into [min-ttl, max-ttl]; a TTL of zero is answered but not kept', () => {
    const limits = { ...LIMITS, minTtl: 30, maxTtl: 100 };
    const q = question('www.example.com', RRType.A);
    assert.equal(entryFrom(message(0, { answer: [rr('www.example.com', RRType.A, 5, a('192.0.2.1'))] }), q, limits, NOW).expiresAt, NOW + 30_000);
    assert.equal(entryFrom(message(0, { answer: [rr('www.example.com', RRType.A, 5000, a('192.0.2.1'))] }), q, limits, NOW).expiresAt, NOW + 100_000);
    assert.equal(entryFrom(message(0, { answer: [rr('www.example.com', RRType.A, 0, a('192.0.2.1'))] }), q, LIMITS, NOW).cacheable, false);
  });

  it('stops at CNAME loops', () => {
    const e = entryFrom(message(0, {
      answer: [
        rr('a.example', RRType.CNAME, 60, rd('CNAME', 'b.example.')),
        rr('b.example', RRType.CNAME, 60, rd('CNAME', 'a.example.')),
      ],
    }), question('a.example', RRType.A), LIMITS, NOW);
    assert.equal(e.answer.length, 2);
  });

  it('counts TTLs down and turns multi-record sets each time the entry is written', () => {
    const e = entryFrom(message(0, {
      answer: ['192.0.2.1', '192.0.2.2', '192.0.2.3'].map((x) => rr('www.example.com', RRType.A, 300, a(x))),
    }), question('www.example.com', RRType.A), LIMITS, NOW);
    // The rotation stage turns the cached set: the encoder writes rdata from record `turn` on.
    const cyclic = new Rotation(() => 'cyclic');
    const first = renderEntry(e, NOW, cyclic).answer[0]!;
    const later = renderEntry(e, NOW + 100_500, cyclic).answer[0]!;
    // Whole seconds elapsed come off: a millisecond after it was cached the TTL is still whole.
    const atOnce = renderEntry(e, NOW + 1, cyclic).answer[0]!;
    assert.deepEqual([first.ttl, atOnce.ttl, later.ttl], [300, 300, 200]);
    assert.deepEqual([first.turn, later.turn, atOnce.turn], [0, 1, 2], 'the upstream\'s order first, then a step per write');
    assert.equal(cyclic.served(e.answer[0]!), 3);
    const addresses = (data: readonly Buffer[]) => data.map((x) => presentation(RRType.A, x));
    assert.deepEqual(addresses(first.rdata), ['192.0.2.1', '192.0.2.2', '192.0.2.3'], 'the records stay in the upstream\'s order');
    assert.deepEqual(renderEntry(e, NOW, new Rotation(() => 'fixed')).answer[0]!.turn, 0);
  });
});

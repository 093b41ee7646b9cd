// Our encoder's output read back by dns2, an independent decoder.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import dns2 from 'dns2';
import { encodeResponse, type RRsetOut } from '../../src/message/response.js';
import { Name } from '../../src/wire/name.js';
import { readQuestion } from '../../src/wire/query.js';
import { RRType } from '../../src/wire/types.js';
import { rd } from '../rrtypes/rdata.js';

const { Packet } = dns2;

function question(name: string, type: number) {
  const q = new Packet();
  q.questions.push(Object.assign(new Packet.Question(), { name, type, class: 1 }));
  return readQuestion(q.toBuffer(), 12).question;
}

const a = (owner: string, ...addrs: string[]): RRsetOut => ({
  owner: Name.parse(owner), type: RRType.A, ttl: 60, rdata: addrs.map((x) => rd('A', x)),
});

describe('encodeResponse', () => {
  const mx: RRsetOut = {
    owner: Name.parse('corp.example.'), type: RRType.MX, ttl: 300,
    rdata: [1, 2, 3].map((i) => rd('MX', `10 mx${i}.corp.example.`)),
  };

  it('writes what dns2 reads back, with compressed names', () => {
    const buf = encodeResponse({
      id: 0xbeef, queryFlags: 0x0100, aa: true, rcode: 0, question: question('Corp.Example', RRType.MX),
      answer: [mx], authority: [], additional: [a('mx1.corp.example.', '192.0.2.1', '192.0.2.2')],
    }, 512);
    const p = Packet.parse(buf);
    assert.deepEqual(p.errors, []);
    assert.equal(p.header.id, 0xbeef);
    assert.equal(p.header.aa, 1);
    assert.equal(p.header.rd, 1);
    assert.equal(p.questions[0]!.name, 'Corp.Example');
    // Suffixes point into the question, so they come back in its case, as with BIND.
    assert.deepEqual(p.answers.map((r) => r.exchange), ['mx1.Corp.Example', 'mx2.Corp.Example', 'mx3.Corp.Example']);
    assert.deepEqual(p.additionals.map((r) => r.address), ['192.0.2.1', '192.0.2.2']);
    // Every owner and exchange after the question is a pointer or a short label
    // plus pointer: far less than the names spelled out.
    assert.ok(buf.length < 150, `${buf.length} octets`);
  });

  it('drops additional records first, whole RRsets only, without TC', () => {
    const extra = Array.from({ length: 40 }, (_, i) => a(`host${i}.corp.example.`, `192.0.2.${i}`));
    const buf = encodeResponse({
      id: 1, queryFlags: 0, aa: true, rcode: 0, question: question('corp.example', RRType.MX),
      answer: [mx], authority: [], additional: extra,
    }, 512);
    const p = Packet.parse(buf);
    assert.ok(buf.length <= 512);
    assert.equal(p.header.tc, 0);
    assert.equal(p.answers.length, 3);
    assert.ok(p.additionals.length > 0 && p.additionals.length < 40);
  });

  it('sets TC when a referral loses glue (RFC 9471)', () => {
    const extra = Array.from({ length: 40 }, (_, i) => a(`ns${i}.sub.corp.example.`, `192.0.2.${i}`));
    const buf = encodeResponse({
      id: 1, queryFlags: 0, aa: false, rcode: 0, question: question('x.sub.corp.example', RRType.A),
      answer: [], authority: [], additional: extra, glueRequired: true,
    }, 512);
    assert.equal(Packet.parse(buf).header.tc, 1);
  });

  it('sends an empty TC response when the answer itself does not fit, keeping OPT', () => {
    const many = a('big.corp.example.', ...Array.from({ length: 60 }, (_, i) => `198.51.100.${i}`));
    const buf = encodeResponse({
      id: 1, queryFlags: 0, aa: true, rcode: 0, question: question('big.corp.example', RRType.A),
      answer: [many], authority: [], additional: [], edns: { dnssecOk: false },
    }, 512);
    const p = Packet.parse(buf);
    assert.equal(p.header.tc, 1);
    assert.equal(p.answers.length, 0);
    assert.equal(buf.readUInt16BE(10), 1, 'ARCOUNT counts the OPT record');
  });

  it('never writes past 65535 octets: an oversized answer over TCP is truncated', () => {
    const txt: RRsetOut = {
      owner: Name.parse('huge.corp.example.'), type: RRType.TXT, ttl: 1,
      rdata: Array.from({ length: 300 }, (_, i) => Buffer.concat([Buffer.of(255), Buffer.alloc(255, 97 + (i % 26))])),
    };
    const buf = encodeResponse({ id: 1, queryFlags: 0, aa: true, rcode: 0, question: question('huge.corp.example', RRType.TXT), answer: [txt], authority: [], additional: [] }, 65535);
    assert.ok(buf.length <= 65535);
    assert.equal(Packet.parse(buf).header.tc, 1);
  });

  it('puts the upper bits of an extended rcode in the OPT record', () => {
    const buf = encodeResponse({ id: 1, queryFlags: 0, aa: false, rcode: 16, question: question('x', RRType.A), answer: [], authority: [], additional: [], edns: { dnssecOk: true } }, 512);
    assert.equal(buf.readUInt16BE(2) & 0xf, 0);
    const opt = buf.subarray(buf.length - 11);
    assert.equal(opt.readUInt16BE(1), RRType.OPT);
    assert.equal(opt[5], 1, 'extended rcode 16 >> 4');
    assert.equal(opt.readUInt16BE(7) & 0x8000, 0x8000, 'DO copied');
  });
});

// Message-level rules: what is answered with FORMERR, NOTIMP or REFUSED, what is
// dropped, and that no malformed message takes the server down. Replies are
// decoded by dns2, a second implementation of the format.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FIXTURE, query, startRotor, type Rotor } from './harness.js';
import { decode, makeQuery, Packet, udpExchange } from './raw.js';

const A = Packet.TYPE.A;

describe('message rules', () => {
  let rotor: Rotor;
  before(async () => { rotor = await startRotor(FIXTURE); });
  after(async () => { await rotor.stop(); });

  const stillAnswers = async () => {
    const r = await query(rotor, 'www.example.test', 'A');
    assert.equal(r.status, 'NOERROR');
  };

  it('an opcode other than QUERY is NOTIMP, with the question echoed', async () => {
    const r = await query(rotor, 'www.example.test', 'A', { options: ['+opcode=status'] });
    assert.equal(r.status, 'NOTIMP');
    const msg = makeQuery('www.example.test', A);
    msg.writeUInt16BE((5 << 11), 2); // UPDATE
    const reply = decode((await udpExchange(rotor, msg))!);
    assert.equal(reply.header.rcode, Packet.RCODE.NOTIMP);
    assert.equal(reply.header.opcode, 5);
    assert.equal(reply.questions[0]!.name, 'www.example.test');
  });

  for (const qdcount of [0, 2]) {
    it(`QDCOUNT ${qdcount} is FORMERR`, async () => {
      const msg = makeQuery('www.example.test', A, 99);
      msg.writeUInt16BE(qdcount, 4);
      const reply = decode((await udpExchange(rotor, msg))!);
      assert.equal(reply.header.id, 99);
      assert.equal(reply.header.qr, 1);
      assert.equal(reply.header.rcode, Packet.RCODE.FORMERR);
      assert.equal(reply.answers.length, 0);
    });
  }

  it('a class other than IN is REFUSED, but for the CH names it answers about itself (identity.test.ts)', async () => {
    const r = await query(rotor, 'authors.bind', 'TXT', { options: ['-c', 'CH'] });
    assert.equal(r.status, 'REFUSED');
    const reply = decode((await udpExchange(rotor, makeQuery('www.example.test', A, 5, Packet.CLASS.HS)))!);
    assert.equal(reply.header.rcode, Packet.RCODE.REFUSED);
  });

  it('zone transfers are refused until configured', async () => {
    const r = await query(rotor, 'example.test', 'AXFR', { tcp: true });
    assert.match(r.raw, /Transfer failed|REFUSED/);
  });

  it('responses and runts are dropped without a reply', async () => {
    const response = makeQuery('www.example.test', A);
    response.writeUInt16BE(0x8000, 2);
    assert.equal(await udpExchange(rotor, response, 300), undefined);
    assert.equal(await udpExchange(rotor, Buffer.from([1, 2, 3]), 300), undefined);
    assert.equal(await udpExchange(rotor, Buffer.alloc(0), 300), undefined);
    await stillAnswers();
  });

  const header = (qd = 1) => Buffer.from([0x12, 0x34, 0, 0, 0, qd, 0, 0, 0, 0, 0, 0]);
  const malformed: [string, Buffer][] = [
    ['a compression pointer to itself', Buffer.concat([header(), Buffer.from([0xc0, 12, 0, 1, 0, 1])])],
    ['a forward compression pointer', Buffer.concat([header(), Buffer.from([0xc0, 14, 0, 1, 0, 1, 3, 0x77, 0x77, 0x77, 0])])],
    ['a pointer past the end', Buffer.concat([header(), Buffer.from([0xc3, 0xff, 0, 1, 0, 1])])],
    ['a label type 0x40', Buffer.concat([header(), Buffer.from([0x41, 0x61, 0, 0, 1, 0, 1])])],
    ['a name running past the end', Buffer.concat([header(), Buffer.from([10, 0x61, 0x62])])],
    ['a question without type and class', Buffer.concat([header(), Buffer.from([3, 0x77, 0x77, 0x77, 0])])],
    ['a name over 255 octets', Buffer.concat([header(), ...Array.from({ length: 5 }, () => Buffer.from([63, ...Buffer.alloc(63, 0x61)])), Buffer.from([0, 0, 1, 0, 1])])],
    ['an additional count with no records', Buffer.concat([Buffer.from([0x12, 0x34, 0, 0, 0, 1, 0, 0, 0, 0, 0, 3]), makeQuery('www.example.test', A).subarray(12)])],
  ];
  for (const [what, msg] of malformed) {
    it(`${what} is FORMERR and harms nothing`, async () => {
      const reply = await udpExchange(rotor, msg);
      assert.ok(reply, 'a reply');
      const parsed = decode(reply);
      assert.equal(parsed.header.id, 0x1234);
      assert.equal(parsed.header.rcode, Packet.RCODE.FORMERR);
      await stillAnswers();
    });
  }

  it('the server survived everything above', async () => {
    assert.equal(rotor.process.exitCode, null);
    assert.ok(!rotor.logs.some((l) => l.level >= 50), 'no error logged');
  });
});

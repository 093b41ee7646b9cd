// EDNS(0) and truncation: OPT answered with OPT, the client's UDP size honoured
// (never below 512, never above our 1232), BADVERS for versions we do not speak,
// TC when an answer does not fit so that clients retry over TCP.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FIXTURE, query, startRotor, type Rotor } from './harness.js';
import { decode, makeQuery, Packet, udpExchange } from './raw.js';

describe('EDNS(0) and truncation', () => {
  let rotor: Rotor;
  before(async () => { rotor = await startRotor(FIXTURE); });
  after(async () => { await rotor.stop(); });

  it('answers OPT with OPT advertising 1232', async () => {
    const r = await query(rotor, 'www.example.test', 'A');
    assert.match(r.edns ?? '', /version: 0.*udp: 1232/);
  });

  it('sends no OPT to a client that sent none', async () => {
    const r = await query(rotor, 'www.example.test', 'A', { options: ['+noedns'] });
    assert.equal(r.edns, undefined);
    assert.equal(r.status, 'NOERROR');
  });

  it('copies the DO bit (RFC 3225)', async () => {
    const r = await query(rotor, 'www.example.test', 'A', { options: ['+dnssec'] });
    assert.match(r.edns ?? '', /flags: do;/);
  });

  it('answers EDNS version 1 with BADVERS and an OPT of version 0', async () => {
    const r = await query(rotor, 'www.example.test', 'A', { options: ['+edns=1', '+noednsnegotiation'] });
    assert.equal(r.status, 'BADVERS');
    assert.match(r.edns ?? '', /version: 0/);
    assert.equal(r.answer.length, 0);
  });

  it('rejects two OPT records with FORMERR', async () => {
    const q = new Packet();
    q.header.id = 77;
    q.questions.push(Object.assign(new Packet.Question(), { name: 'www.example.test', type: Packet.TYPE.A, class: Packet.CLASS.IN }));
    const opt = Buffer.from([0, 0, 41, 0x04, 0xd0, 0, 0, 0, 0, 0, 0]);
    const msg = Buffer.concat([q.toBuffer(), opt, opt]);
    msg.writeUInt16BE(2, 10);
    assert.equal(decode((await udpExchange(rotor, msg))!).header.rcode, Packet.RCODE.FORMERR);
  });

  // big.example.test TXT is about 640 octets: over 512, under 1232.
  it('sets TC without EDNS when the answer exceeds 512 octets', async () => {
    const r = await query(rotor, 'big.example.test', 'TXT', { options: ['+noedns', '+ignore'] });
    assert.ok(r.flags.includes('tc'), r.flags.join(' '));
    assert.equal(r.answer.length, 0);
    const raw = (await udpExchange(rotor, makeQuery('big.example.test', Packet.TYPE.TXT)))!;
    assert.ok(raw.length <= 512);
  });

  it('fits the same answer in the 1232 octets EDNS allows', async () => {
    const r = await query(rotor, 'big.example.test', 'TXT', { options: ['+bufsize=1232', '+ignore'] });
    assert.ok(!r.flags.includes('tc'));
    assert.equal(r.answer.length, 3);
  });

  it('treats an advertised size below 512 as 512', async () => {
    const r = await query(rotor, 'example.test', 'MX', { options: ['+bufsize=100', '+ignore'] });
    assert.ok(!r.flags.includes('tc'));
    assert.equal(r.answer.length, 2);
    const big = await query(rotor, 'big.example.test', 'TXT', { options: ['+bufsize=100', '+ignore'] });
    assert.ok(big.flags.includes('tc'));
  });

  it('a client told TC retries over TCP and gets everything', async () => {
    // Without +ignore dig does what resolvers do: it retries over TCP.
    const r = await query(rotor, 'big.example.test', 'TXT', { options: ['+noedns'] });
    assert.ok(!r.flags.includes('tc'));
    assert.equal(r.answer.length, 3);
    assert.match(r.raw, /\(TCP\)/);
  });
});

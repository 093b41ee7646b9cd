import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Packet } from '../e2e/raw.js';
import { WireError } from '../../src/wire/name.js';
import { parseMessage } from '../../src/message/message.js';
import { presentation } from '../../src/rrtypes/registry.js';

/** A response built by dns2, which compresses names inside record data too. */
function dns2Response(): Buffer {
  const p = new Packet();
  p.header.qr = 1;
  p.header.id = 7;
  p.questions.push({ name: 'mail.example.com', type: Packet.TYPE.MX, class: 1 } as never);
  p.answers.push({ name: 'mail.example.com', type: Packet.TYPE.MX, class: 1, ttl: 300, exchange: 'mx1.example.com', priority: 10 } as never);
  p.answers.push({ name: 'mail.example.com', type: Packet.TYPE.AAAA, class: 1, ttl: 300, address: '2001:db8::1' } as never);
  p.authorities.push({
    name: 'example.com', type: Packet.TYPE.SOA, class: 1, ttl: 300,
    primary: 'ns.example.com', admin: 'h.example.com', serial: 1, refresh: 2, retry: 3, expiration: 4, minimum: 5,
  } as never);
  p.additionals.push({ name: 'mx1.example.com', type: Packet.TYPE.TXT, class: 1, ttl: 300, data: ['a', 'bc'] } as never);
  return p.toBuffer();
}

describe('parseMessage', () => {
  it('reads every section of another implementation\'s response, compressed names included', () => {
    const m = parseMessage(dns2Response());
    assert.equal(m.header.id, 7);
    assert.equal(m.question?.name.key, 'mail.example.com.');
    const [mx, aaaa] = m.answer;
    // Names come out whole: the data is the uncompressed wire form.
    assert.equal(presentation(mx!.type, mx!.rdata), '10 mx1.example.com.');
    assert.equal(presentation(aaaa!.type, aaaa!.rdata), '2001:db8::1');
    const soa = m.authority[0]!;
    assert.equal(presentation(soa.type, soa.rdata), 'ns.example.com. h.example.com. 1 2 3 4 5');
    const txt = m.additional[0]!;
    assert.equal(presentation(txt.type, txt.rdata), '"a" "bc"');
  });

  it('decompresses names inside the data of types it keeps as opaque octets (NAPTR)', () => {
    // Question example.com NAPTR; the answer's owner points at it, and so does the replacement name.
    const msg = Buffer.concat([
      Buffer.from('000181800001000100000000', 'hex'),
      Buffer.from('076578616d706c6503636f6d0000230001', 'hex'),
      Buffer.from('c00c002300010000003c000b', 'hex'),
      Buffer.from('000a0014', 'hex'), Buffer.from('0153', 'hex'), Buffer.from('0153', 'hex'), Buffer.from('00', 'hex'), Buffer.from('c00c', 'hex'),
    ]);
    const naptr = parseMessage(msg).answer[0]!;
    // The replacement is written out in full: the record can go into any other message.
    assert.equal(naptr.rdata.toString('hex'), '000a0014' + '0153' + '0153' + '00' + '076578616d706c6503636f6d00');
  });

  it('takes a TTL with the top bit set as zero (RFC 2181 §8)', () => {
    const msg = dns2Response();
    const ttlAt = msg.indexOf(Buffer.from('0000012c', 'hex'));
    msg.writeUInt32BE(0x80000001, ttlAt);
    assert.equal(parseMessage(msg).answer[0]!.ttl, 0);
  });

  it('rejects truncated messages and record data of the wrong length', () => {
    const msg = dns2Response();
    for (let cut = 0; cut < msg.length; cut += 7) assert.throws(() => parseMessage(msg.subarray(0, cut)), WireError, `cut at ${cut}`);
    const longA = Buffer.from('00018180000100010000000001610000010001' + 'c00c000100010000003c0005' + 'c000020101', 'hex');
    assert.throws(() => parseMessage(longA), /left over/);
  });
});

// The canonical RRset form (RFC 4034 §6.2, §6.3) as signing and verifying see
// it: case, order and duplicates do not change what is signed; wildcards sign
// with their label count; and a wrong key, type or algorithm is told apart.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Algorithm, generateKey, keyTag, KSK_FLAGS } from '../../src/dnssec/keys.js';
import { signRRset, verifyRRset, type RRset } from '../../src/dnssec/rrsig.js';
import { Name } from '../../src/wire/name.js';
import { rd } from '../rrtypes/rdata.js';

const validity = { inception: 1_700_000_000, expiration: 1_702_592_000 };
const zone = Name.parse('example.com.');

for (const algorithm of [Algorithm.ECDSAP256SHA256, Algorithm.ED25519, Algorithm.RSASHA256]) {
  describe(`algorithm ${algorithm}`, () => {
    const key = generateKey(zone, algorithm, KSK_FLAGS);
    const mx: RRset = { owner: Name.parse('Mail.Example.COM.'), type: 15, class: 1, ttl: 300, rdatas: [rd('MX', '20 B.example.com.'), rd('MX', '10 a.example.com.'), rd('MX', '20 B.example.com.')] };

    it('verifies over the RRset in another case, order, TTL and without the duplicate', () => {
      const rrsig = signRRset(mx, key, validity);
      const same: RRset = { owner: Name.parse('mail.example.com.'), type: 15, class: 1, ttl: 60, rdatas: [rd('MX', '10 A.EXAMPLE.COM.'), rd('MX', '20 b.example.com.')] };
      assert.equal(verifyRRset(same, rrsig, key.dnskey), undefined);
      assert.equal(rrsig[3], 3, 'labels');
      assert.equal(rrsig.readUInt32BE(4), 300, 'original TTL');
    });

    it('does not verify when a record is added or changed', () => {
      const rrsig = signRRset(mx, key, validity);
      assert.equal(verifyRRset({ ...mx, rdatas: [...mx.rdatas, rd('MX', '30 c.example.com.')] }, rrsig, key.dnskey), 'the signature does not match');
      assert.equal(verifyRRset({ ...mx, rdatas: [rd('MX', '10 a.example.com.'), rd('MX', '21 b.example.com.')] }, rrsig, key.dnskey), 'the signature does not match');
    });

    it('keeps the case of names in data the RFC does not lower (TXT is data)', () => {
      const txt: RRset = { owner: zone, type: 16, class: 1, ttl: 300, rdatas: [rd('TXT', '"Hello"')] };
      const rrsig = signRRset(txt, key, validity);
      assert.equal(verifyRRset({ ...txt, rdatas: [rd('TXT', '"hello"')] }, rrsig, key.dnskey), 'the signature does not match');
    });

    it('signs a wildcard with its label count, and verifies an answer expanded from it', () => {
      const wild: RRset = { owner: Name.parse('*.example.com.'), type: 1, class: 1, ttl: 300, rdatas: [rd('A', '192.0.2.7')] };
      const rrsig = signRRset(wild, key, validity);
      assert.equal(rrsig[3], 2);
      assert.equal(verifyRRset({ ...wild, owner: Name.parse('a.b.example.com.') }, rrsig, key.dnskey), undefined);
    });

    it('tells why it does not verify: another key, another type', () => {
      const rrsig = signRRset(mx, key, validity);
      const other = generateKey(zone, algorithm, KSK_FLAGS);
      assert.match(verifyRRset(mx, rrsig, other.dnskey) ?? '', /key tag/);
      assert.match(verifyRRset({ ...mx, type: 16 }, rrsig, key.dnskey) ?? '', /covers type 15/);
    });
  });
}

describe('verifyRRset on bad input', () => {
  const key = generateKey(zone, Algorithm.ED25519);
  const a: RRset = { owner: zone, type: 1, class: 1, ttl: 300, rdatas: [rd('A', '192.0.2.1')] };
  it('reports short RRSIG data and an algorithm it does not know, without throwing', () => {
    assert.match(verifyRRset(a, Buffer.alloc(10), key.dnskey) ?? '', /bad RRSIG data/);
    // A DSA key (algorithm 3) and an RRSIG that names it: the algorithm is what fails.
    const dsa = Buffer.from(key.dnskey);
    dsa[3] = 3;
    const rrsig = Buffer.from(signRRset(a, key, validity));
    rrsig[2] = 3;
    rrsig.writeUInt16BE(keyTag(dsa), 16);
    assert.equal(verifyRRset(a, rrsig, dsa), 'DNSSEC algorithm 3 is not supported (8, 13 and 15 are)');
  });
});

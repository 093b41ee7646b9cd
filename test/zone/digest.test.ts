// The content digest that tells a reload with changes from a save without any.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Name } from '../../src/wire/name.js';
import { RRType } from '../../src/wire/types.js';
import { versionDigest } from '../../src/zone/digest.js';
import { build } from './version-helpers.js';

const BASE = '@ SOA ns1 hostmaster 1 3600 600 1209600 300\n@ NS ns1\nns1 A 192.0.2.53\nwww A 192.0.2.1\nwww A 192.0.2.2\nmail MX 10 www\n';

function digest(text: string): string {
  const { version, written } = build(text);
  return versionDigest(version, written);
}

describe('versionDigest', () => {
  it('is the same for the same records, whatever the serial and the case of owners', () => {
    assert.equal(digest(BASE), digest(BASE));
    assert.equal(digest(BASE.replace('hostmaster 1 ', 'hostmaster 99 ')), digest(BASE));
    assert.equal(digest(BASE.replace('www A 192.0.2.1', 'WWW A 192.0.2.1')), digest(BASE));
  });

  it('changes with any record, TTL, owner or order of records', () => {
    const variants = [
      BASE.replace('192.0.2.2', '192.0.2.3'),
      BASE.replace('www A 192.0.2.2', 'www 60 A 192.0.2.2'),
      BASE.replace('mail MX', 'mx MX'),
      BASE.replace('hostmaster 1 3600', 'hostmaster 1 7200'),
      BASE.replace('www A 192.0.2.1\nwww A 192.0.2.2', 'www A 192.0.2.2\nwww A 192.0.2.1'),
      BASE + 'extra TXT "x"\n',
    ];
    const all = new Set([digest(BASE), ...variants.map(digest)]);
    assert.equal(all.size, variants.length + 1);
  });
});

describe('versionDigest of a signed zone', () => {
  const SIG = 'www RRSIG A 13 2 3600 20270101000000 20260101000000 12345 example. AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n';
  const HASH = '0p9mhaveqvm6t7vbl5lop2u3t2rp3tom.example. NSEC3 1 0 0 - 2VPTU5TIMAMQTTGL4LUU9KG21E0AOR3S A RRSIG\n';
  const SIGNED = BASE + SIG + HASH;

  it('keeps the signatures and the NSEC3 chain in the slot and the companion it hashes', () => {
    const { version } = build(SIGNED);
    assert.equal(version.nsec3?.recordCount, 1);
    const www = version.rrset(version.find(Name.parse('www.example.')), RRType.A);
    const [s0, s1] = version.signaturesOf(www);
    assert.equal(s1 - s0, 1);
  });

  it('changes when only a signature or the NSEC3 chain changes (a zone signed again is a change)', () => {
    const variants = [
      SIGNED.replace('AAAAAAAAAAAAAAAA', 'BBBBBBBBBBBBBBBB'),
      SIGNED.replace('2VPTU5TIMAMQTTGL4LUU9KG21E0AOR3S A RRSIG', '2VPTU5TIMAMQTTGL4LUU9KG21E0AOR3S A AAAA RRSIG'),
      BASE + HASH,
      BASE + SIG,
    ];
    const all = new Set([digest(SIGNED), ...variants.map(digest)]);
    assert.equal(all.size, variants.length + 1);
  });
});

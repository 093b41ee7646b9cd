// The DNSSEC primitives against the examples published in the RFCs: key tags and
// DS digests (RFC 4034 §5.4, RFC 6605 §6.1, RFC 8080 §6.1), signatures (RFC 6605
// §6.1 verified, RFC 8080 §6.1 reproduced octet for octet: Ed25519 is
// deterministic), NSEC3 hashes (RFC 5155 Appendix A) and a type bitmap (RFC 4034 §4.3).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readBindKeyPair } from '../../src/dnssec/bind-key-files.js';
import { DigestType, dsRData, keyTag } from '../../src/dnssec/keys.js';
import { nsec3Label, typeBitmap } from '../../src/dnssec/nsec3-hash.js';
import { signRRset, verifyRRset } from '../../src/dnssec/rrsig.js';
import { Name } from '../../src/wire/name.js';
import { rd } from '../rrtypes/rdata.js';

const IN = 1;
const n = (s: string): Name => Name.parse(s);
const epoch = (s: string): number => Date.UTC(+s.slice(0, 4), +s.slice(4, 6) - 1, +s.slice(6, 8), +s.slice(8, 10), +s.slice(10, 12), +s.slice(12, 14)) / 1000;

/** A key pair in BIND's files, from the RFC's DNSKEY and private key. */
function rfcKey(owner: string, dnskey: string, priv: string) {
  return readBindKeyPair({ file: 'rfc.key', text: `${owner} 3600 IN DNSKEY ${dnskey}\n` }, { file: 'rfc.private', text: priv });
}

describe('RFC 4034 §5.4: key tag and SHA-1 DS of dskey.example.com.', () => {
  const dnskey = rd('DNSKEY', '256 3 5 AQOeiiR0GOMYkDshWoSKz9XzfwJr1AYtsmx3TGkJaNXVbfi/2pHm822aJ5iI9BMzNXxeYCmZDRD99WYwYqUSdjMmmAphXdvxegXd/M5+X7OrzKBaMbCVdFLUUh6DhweJBjEVv5f2wwjM9XzcnOf+EPbtG9DMBmADjFDc2w/rljwvFw==');
  it('has key tag 60485 and the published DS', () => {
    assert.equal(keyTag(dnskey), 60485);
    assert.deepEqual(dsRData(n('dskey.example.com.'), dnskey, DigestType.SHA1), rd('DS', '60485 5 1 2BB183AF5F22588179A53B0A98631FAD1A292118'));
  });
});

describe('RFC 6605 §6.1: ECDSA P-256', () => {
  const key = rfcKey('example.net.', '257 3 13 GojIhhXUN/u4v54ZQqGSnyhWJwaubCvTmeexv7bR6edbkrSqQpF64cYbcB7wNcP+e+MAnLr+Wi9xMWyQLc8NAA==',
    'Private-key-format: v1.2\nAlgorithm: 13 (ECDSAP256SHA256)\nPrivateKey: GU6SnQ/Ou+xC5RumuIUIuJZteXT2z0O/ok1s38Et6mQ=\n');
  const set = { owner: n('www.example.net.'), type: 1, class: IN, ttl: 3600, rdatas: [rd('A', '192.0.2.1')] };

  it('loads the key: tag 55648 and the published DS', () => {
    assert.equal(key.tag, 55648);
    assert.deepEqual(dsRData(key.owner, key.dnskey), rd('DS', '55648 13 2 b4c8c1fe2e7477127b27115656ad6256f424625bf5c1e2770ce6d6e37df61d17'));
  });

  it("verifies the RFC's RRSIG over www.example.net. A, and rejects it over another address", () => {
    const rrsig = rd('RRSIG', 'A 13 3 3600 20100909100439 20100812100439 55648 example.net. qx6wLYqmh+l9oCKTN6qIc+bw6ya+KJ8oMz0YP107epXAyGmt+3SNruPFKG7tZoLBLlUzGGus7ZwmwWep666VCw==');
    assert.equal(verifyRRset(set, rrsig, key.dnskey), undefined);
    assert.equal(verifyRRset({ ...set, rdatas: [rd('A', '192.0.2.2')] }, rrsig, key.dnskey), 'the signature does not match');
  });

  it('makes the same RRSIG fields, with a 64-octet r||s signature that verifies', () => {
    const validity = { inception: epoch('20100812100439'), expiration: epoch('20100909100439') };
    const ours = signRRset(set, key, validity);
    const theirs = rd('RRSIG', 'A 13 3 3600 20100909100439 20100812100439 55648 example.net. qx6wLYqmh+l9oCKTN6qIc+bw6ya+KJ8oMz0YP107epXAyGmt+3SNruPFKG7tZoLBLlUzGGus7ZwmwWep666VCw==');
    assert.equal(ours.length, theirs.length);
    assert.deepEqual(ours.subarray(0, ours.length - 64), theirs.subarray(0, theirs.length - 64));
    assert.equal(verifyRRset(set, ours, key.dnskey), undefined);
  });
});

describe('RFC 8080 §6.1: Ed25519', () => {
  const key = rfcKey('example.com.', '257 3 15 l02Woi0iS8Aa25FQkUd9RMzZHJpBoRQwAQEX1SxZJA4=',
    'Private-key-format: v1.2\nAlgorithm: 15 (ED25519)\nPrivateKey: ODIyNjAzODQ2MjgwODAxMjI2NDUxOTAyMDQxNDIyNjI=\n');

  it('loads the key: tag 3613 and the published DS', () => {
    assert.equal(key.tag, 3613);
    assert.deepEqual(dsRData(key.owner, key.dnskey), rd('DS', '3613 15 2 3aa5ab37efce57f737fc1627013fee07bdf241bd10f3b1964ab55c78e79a304b'));
  });

  it("signs example.com. MX into the RFC's RRSIG, octet for octet", () => {
    const set = { owner: n('example.com.'), type: 15, class: IN, ttl: 3600, rdatas: [rd('MX', '10 mail.example.com.')] };
    const ours = signRRset(set, key, { inception: 1438207200, expiration: 1440021600 });
    const rfc = rd('RRSIG', 'MX 15 2 3600 1440021600 1438207200 3613 example.com. oL9krJun7xfBOIWcGHi7mag5/hdZrKWw15jPGrHpjQeRAvTdszaPD+QLs3fx8A4M3e23mRZ9VrbpMngwcrqNAg==');
    assert.deepEqual(ours, rfc);
    assert.equal(verifyRRset(set, rfc, key.dnskey), undefined);
  });
});

describe('RFC 5155 Appendix A: NSEC3 hashes (SHA-1, 12 iterations, salt aabbccdd)', () => {
  const salt = Buffer.from('aabbccdd', 'hex');
  const table: [string, string][] = [
    ['example', '0p9mhaveqvm6t7vbl5lop2u3t2rp3tom'],
    ['a.example', '35mthgpgcu1qg68fab165klnsnk3dpvl'],
    ['ai.example', 'gjeqe526plbf1g8mklp59enfd789njgi'],
    ['ns1.example', '2t7b4g4vsa5smi47k61mv5bv1a22bojr'],
    ['ns2.example', 'q04jkcevqvmu85r014c7dkba38o0ji5r'],
    ['w.example', 'k8udemvp1j2f7eg6jebps17vp3n8i58h'],
    ['*.w.example', 'r53bq7cc2uvmubfu5ocmm6pers9tk9en'],
    ['x.w.example', 'b4um86eghhds6nea196smvmlo4ors995'],
    ['y.w.example', 'ji6neoaepv8b5o6k4ev33abha8ht9fgc'],
    ['x.y.w.example', '2vptu5timamqttgl4luu9kg21e0aor3s'],
    ['xx.example', 't644ebqk9bibcna874givr6joj62mlhv'],
  ];
  for (const [name, hash] of table) {
    it(name, () => assert.equal(nsec3Label(n(`${name}.`), salt, 12), hash));
  }
  it('hashes the name case-insensitively', () => assert.equal(nsec3Label(n('A.EXAMPLE.'), salt, 12), '35mthgpgcu1qg68fab165klnsnk3dpvl'));
});

describe('RFC 4034 §4.3: type bitmap', () => {
  it('encodes A MX RRSIG NSEC TYPE1234 in two windows, in any order', () => {
    const expected = Buffer.concat([Buffer.from('0006400100000003041b', 'hex'), Buffer.alloc(26), Buffer.of(0x20)]);
    assert.deepEqual(typeBitmap([1234, 47, 1, 46, 15]), expected);
  });
});

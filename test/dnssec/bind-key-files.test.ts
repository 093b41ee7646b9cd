// BIND's key file pair on bad input: each mistake is a DnssecKeyError placed at
// file:line:col, never a crash; and the files rotor writes have BIND's names and fields.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bindKeyFiles, readBindKeyPair, readKeyTimes } from '../../src/dnssec/bind-key-files.js';
import { since } from './key-times.js';
import { Algorithm, dnskeyPublicKey, DnssecKeyError, generateKey, KSK_FLAGS } from '../../src/dnssec/keys.js';
import { Name } from '../../src/wire/name.js';

const RFC8080_KEY = 'example.com. 3600 IN DNSKEY 257 3 15 l02Woi0iS8Aa25FQkUd9RMzZHJpBoRQwAQEX1SxZJA4=\n';
const RFC8080_PRIVATE = 'Private-key-format: v1.2\nAlgorithm: 15 (ED25519)\nPrivateKey: ODIyNjAzODQ2MjgwODAxMjI2NDUxOTAyMDQxNDIyNjI=\n';

function fails(key: string, priv: string, message: RegExp): void {
  assert.throws(() => readBindKeyPair({ file: 'K.key', text: key }, { file: 'K.private', text: priv }), (e: unknown) => {
    assert.ok(e instanceof DnssecKeyError, String(e));
    assert.match(e.message, message);
    return true;
  });
}

describe('readBindKeyPair on bad files', () => {
  it('reads the RFC 8080 pair with comments, no TTL and no class', () => {
    const key = readBindKeyPair({ file: 'K.key', text: '; a comment\n\nexample.com. DNSKEY 257 3 15 l02Woi0iS8Aa25FQkUd9RMzZHJpBoRQwAQEX1SxZJA4=\n' }, { file: 'K.private', text: RFC8080_PRIVATE });
    assert.equal(key.tag, 3613);
  });
  it('a .key file without a DNSKEY record', () => fails('; nothing\n', RFC8080_PRIVATE, /^K\.key:1:1: no DNSKEY record$/));
  it('another record type', () => fails('; c\nexample.com. IN A 192.0.2.1\n', RFC8080_PRIVATE, /^K\.key:2:1: expected a DNSKEY record$/));
  it('an algorithm rotor does not sign with', () => fails('example.com. IN DNSKEY 257 3 14 AAAA\n', RFC8080_PRIVATE, /^K\.key:1:1: DNSSEC algorithm 14 is not supported/));
  it('a protocol other than 3', () => fails('example.com. IN DNSKEY 257 2 15 AAAA\n', RFC8080_PRIVATE, /^K\.key:1:1: expected DNSKEY flags, protocol 3/));
  it('a public key that is not base64', () => fails('example.com. IN DNSKEY 257 3 15 ***\n', RFC8080_PRIVATE, /^K\.key:1:1: the public key is not base64$/));
  it('a .private line without a colon', () => fails(RFC8080_KEY, 'Algorithm 15\n', /^K\.private:1:1: expected "Field: value"$/));
  it('a .private for another algorithm', () => fails(RFC8080_KEY, 'Algorithm: 13 (ECDSAP256SHA256)\nPrivateKey: AAAA\n', /^K\.private:1:1: algorithm 13 is not the \.key file's 15$/));
  it('a private key of the wrong length', () => fails(RFC8080_KEY, 'Algorithm: 15\nPrivateKey: AAAA\n', /an Ed25519 PrivateKey is 32 octets, not 3/));
  it('a private key that is not base64', () => fails(RFC8080_KEY, 'Algorithm: 15\nPrivateKey: !!\n', /^K\.private:2:13: PrivateKey is not base64$/));
  it('an RSA .private missing a field', () => fails('example.com. IN DNSKEY 256 3 8 AwEAAQ==\n', 'Algorithm: 8\nModulus: AQAB\n', /^K\.private:1:1: no PublicExponent line$/));
  it('an ECDSA scalar that is not a P-256 private key', () => fails('example.com. IN DNSKEY 256 3 13 AAAA\n', `Algorithm: 13\nPrivateKey: ${Buffer.alloc(32, 0xff).toString('base64')}\n`, /not a valid ECDSAP256SHA256 private key/));
  it('a private key that is not the DNSKEY', () => {
    const other = generateKey(Name.parse('example.com.'), Algorithm.ED25519, KSK_FLAGS);
    const priv = bindKeyFiles(other, since(new Date())).private;
    fails(RFC8080_KEY, priv, /the private key is not the one of K\.key's DNSKEY/);
  });
});

describe('dnskeyPublicKey on bad DNSKEY data', () => {
  for (const [what, hex, message] of [
    ['too short', '0101', /shorter than 5 octets/],
    ['an Ed25519 key of 31 octets', `0101030f${'00'.repeat(31)}`, /32 octets, not 31/],
    ['an RSA key cut in its exponent length', '0101030800', /ends early/],
    ['an RSA key cut in its exponent', '010103080301', /ends early/],
  ] as const) {
    it(what, () => assert.throws(() => dnskeyPublicKey(Buffer.from(hex, 'hex')), message));
  }
});

describe('bindKeyFiles', () => {
  it("names the pair as dnssec-keygen does and marks a KSK's comment", () => {
    const key = generateKey(Name.parse('example.com.'), Algorithm.ECDSAP256SHA256, KSK_FLAGS);
    const files = bindKeyFiles(key, since(new Date('2026-12-03T04:52:10Z')));
    assert.equal(files.base, `Kexample.com.+013+${String(key.tag).padStart(5, '0')}`);
    assert.match(files.key, new RegExp(`^; This is a key-signing key, keyid ${key.tag}, for example\\.com\\.\n`));
    assert.match(files.private, /^Private-key-format: v1\.3\nAlgorithm: 13 \(ECDSAP256SHA256\)\nPrivateKey: [A-Za-z0-9+/]{43}=\nCreated: 20261203045210\n/);
  });
});

describe('readKeyTimes', () => {
  const file = (text: string) => ({ file: 'K.private', text: `${RFC8080_PRIVATE}${text}` });
  it('reads the times in both of BIND forms (YYYYMMDDHHMMSS and seconds), and leaves unset ones out', () => {
    assert.deepEqual(readKeyTimes(file('Created: 20261203071642\nPublish: 1796283402\nActivate: 20261213081642\n')), {
      created: new Date('2026-12-03T07:16:42Z'), publish: new Date(1796283402_000), activate: new Date('2026-12-13T08:16:42Z'),
    });
  });
  it('takes a file with no time at all (v1.2) as a key published and active since ever, as dnssec-signzone does', () => {
    assert.deepEqual(readKeyTimes(file('')), { publish: new Date(0), activate: new Date(0) });
  });
  it('names a time that is not one at its line and column', () => {
    assert.throws(() => readKeyTimes(file('Inactive: 20261332000000\n')), (e: unknown) => e instanceof DnssecKeyError && e.message === 'K.private:4:11: Inactive is not a time (YYYYMMDDHHMMSS)');
  });
});

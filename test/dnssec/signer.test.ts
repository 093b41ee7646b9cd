// The zone signer against BIND's dnssec-verify (NSEC, NSEC3, NSEC3 opt-out;
// algorithms 8, 13 and 15; a CSK or a KSK and a ZSK), and re-signing with the
// previous signed version: what did not change keeps its signatures byte for
// byte, what changed (and the NSEC records around it) is signed again, and
// signatures near their expiry are renewed.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Algorithm, ALGORITHM_NAMES, generateKey, KSK_FLAGS, ZSK_FLAGS } from '../../src/dnssec/keys.js';
import type { DnssecPolicy, ZoneKeys } from '../../src/dnssec/policy.js';
import { rrsigFields, verifyRRset } from '../../src/dnssec/rrsig.js';
import { signZone } from '../../src/dnssec/signer.js';
import { Name } from '../../src/wire/name.js';
import { RRType, typeName } from '../../src/wire/types.js';
import type { ZoneVersion } from '../../src/zone/version.js';
import { build } from '../zone/version-helpers.js';
import { dnssecVerify } from './verify.js';

const origin = Name.parse('example.com.');

/** Apex data, a wildcard, a CNAME, a secure and two insecure delegations with glue, empty non-terminals, names in capitals, and a DNSKEY the signer leaves out. */
const ZONE = `$ORIGIN example.com.
$TTL 3600
@        IN SOA ns1 hostmaster 1 3600 600 86400 300
@        IN NS  ns1
@        IN NS  ns2.other.net.
@        IN MX  10 mail
@        IN DNSKEY 257 3 13 mdsswUyr3DPW132mOi8V9xESWE8jTo0dxCjjnopKl+GqJxpVXckHAeF+KkxLbxILfDLUT0rAK9iUzy1L53eKGQ==
ns1      IN A   192.0.2.53
mail     IN A   192.0.2.25
Mail2    IN AAAA 2001:db8::25
*.wild   IN TXT "wild"
www      IN CNAME mail
secure   IN NS  ns.secure
secure   IN DS  12345 13 2 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
ns.secure IN A  192.0.2.1
insecure IN NS  ns.insecure
ns.insecure IN A 192.0.2.2
x.y.deep IN A   192.0.2.3
a.b.unsigned IN NS ns.other.net.
`;

const POLICY: DnssecPolicy = {
  algorithm: Algorithm.ECDSAP256SHA256, keys: 'csk', denial: 'nsec',
  nsec3: { iterations: 0, salt: Buffer.alloc(0), optOut: false },
  signatureValidity: 14 * 86400, refresh: 7 * 86400, dnskeyTtl: 3600, keyDirectory: '/nonexistent',
};

function zoneKeys(algorithm: Algorithm, kind: DnssecPolicy['keys']): ZoneKeys {
  if (kind === 'csk') {
    const csk = generateKey(origin, algorithm, KSK_FLAGS);
    return { published: [csk], keySigning: [csk], zoneSigning: [csk], cds: [csk] };
  }
  const ksk = generateKey(origin, algorithm, KSK_FLAGS);
  const zsk = generateKey(origin, algorithm, ZSK_FLAGS);
  return { published: [ksk, zsk], keySigning: [ksk], zoneSigning: [zsk], cds: [ksk] };
}

const nowSeconds = () => Math.floor(Date.now() / 1000);

const rrsigs = (v: ZoneVersion): string[] => [...v.records()].filter((r) => r.type === RRType.RRSIG).map((r) => `${r.owner.key} ${r.rdata.toString('hex')}`);

describe('signed zones pass dnssec-verify', () => {
  const cases: [DnssecPolicy['denial'], boolean, Algorithm, DnssecPolicy['keys']][] = [
    ['nsec', false, Algorithm.ECDSAP256SHA256, 'csk'],
    ['nsec', false, Algorithm.ED25519, 'ksk+zsk'],
    ['nsec', false, Algorithm.RSASHA256, 'csk'],
    ['nsec3', false, Algorithm.ECDSAP256SHA256, 'ksk+zsk'],
    ['nsec3', false, Algorithm.ED25519, 'csk'],
    ['nsec3', true, Algorithm.ECDSAP256SHA256, 'csk'],
    ['nsec3', true, Algorithm.RSASHA256, 'ksk+zsk'],
  ];
  for (const [denial, optOut, algorithm, kind] of cases) {
    it(`${denial}${optOut ? ' opt-out' : ''}, ${ALGORITHM_NAMES[algorithm]}, ${kind}`, async () => {
      const policy: DnssecPolicy = { ...POLICY, algorithm, keys: kind, denial, nsec3: { ...POLICY.nsec3, optOut } };
      const keys = zoneKeys(algorithm, kind);
      const signed = await signZone(build(ZONE, origin).version, keys, policy, nowSeconds());
      assert.equal(signed.leftOut, 1, 'the DNSKEY of the file is left out');
      dnssecVerify(signed.version, kind);
      const types = [...signed.version.records()].map((r) => r.type);
      assert.equal(types.includes(RRType.NSEC3), denial === 'nsec3');
      assert.equal(types.includes(RRType.NSEC), denial === 'nsec');
      assert.equal(types.filter((t) => t === RRType.CDS).length, 1);
      assert.equal(types.filter((t) => t === RRType.DNSKEY).length, kind === 'csk' ? 1 : 2);
      // Opt-out leaves out the unsigned delegations and the empty non-terminals above them only.
      const nsec3s = types.filter((t) => t === RRType.NSEC3).length;
      if (denial === 'nsec3') assert.equal(nsec3s, optOut ? 11 : 15);
    });
  }

  it('every signature verifies with its key, and none covers glue or the NS of a cut', async () => {
    const keys = zoneKeys(Algorithm.ED25519, 'ksk+zsk');
    const { version } = await signZone(build(ZONE, origin).version, keys, POLICY, nowSeconds());
    const records = [...version.records()];
    const signed = new Set<string>();
    for (const sig of records.filter((r) => r.type === RRType.RRSIG)) {
      const f = rrsigFields(sig.rdata);
      const rdatas = records.filter((r) => r.owner.equals(sig.owner) && r.type === f.typeCovered).map((r) => r.rdata);
      const key = [...keys.published].find((k) => k.tag === f.keyTag)!;
      assert.equal(verifyRRset({ owner: sig.owner, type: f.typeCovered, class: 1, ttl: f.originalTtl, rdatas }, sig.rdata, key.dnskey), undefined);
      assert.equal(key === keys.keySigning[0], [RRType.DNSKEY, RRType.CDS, RRType.CDNSKEY].some((t) => t === f.typeCovered), `${sig.owner} ${typeName(f.typeCovered)}`);
      signed.add(`${sig.owner.key} ${typeName(f.typeCovered)}`);
    }
    for (const unsignedSet of ['ns.secure.example.com. A', 'ns.insecure.example.com. A', 'secure.example.com. NS', 'insecure.example.com. NS']) {
      assert.ok(!signed.has(unsignedSet), unsignedSet);
    }
    assert.ok(signed.has('secure.example.com. DS'));
    assert.ok(signed.has('insecure.example.com. NSEC'));
  });
});

describe('signing with no keys', () => {
  it('fails with why, instead of serving an empty DNSKEY RRset', async () => {
    const keys = zoneKeys(Algorithm.ECDSAP256SHA256, 'csk');
    await assert.rejects(signZone(build(ZONE, origin).version, { ...keys, zoneSigning: [] }, POLICY, nowSeconds()), /no keys to sign example\.com\. with .*zone-signing 0/);
  });
});

describe('signing again with the previous version', () => {
  const keys = zoneKeys(Algorithm.ECDSAP256SHA256, 'csk');
  const edited = ZONE.replace('1 3600 600 86400 300', '2 3600 600 86400 300');

  it('NSEC: an added name re-signs its RRsets, the SOA and the NSEC before it; the rest is kept byte for byte', async () => {
    const now = nowSeconds();
    const first = await signZone(build(ZONE, origin).version, keys, POLICY, now);
    const again = await signZone(build(edited + 'mail1 IN A 192.0.2.26\n', origin).version, keys, POLICY, now + 60, first.version);
    dnssecVerify(again.version, 'csk');
    const before = new Set(rrsigs(first.version));
    const fresh = rrsigs(again.version).filter((s) => !before.has(s));
    // The SOA, mail1's A and NSEC, and mail's NSEC, which now points at mail1.
    assert.equal(again.made, 4);
    assert.deepEqual(fresh.map((s) => s.split(' ')[0]).sort(), ['example.com.', 'mail.example.com.', 'mail1.example.com.', 'mail1.example.com.']);
    assert.equal(again.kept, first.made - 2, 'all but the signatures of the SOA and of mail\'s NSEC');
    assert.equal(rrsigs(again.version).length, first.made + 2);
  });

  it('NSEC3: a changed record re-signs its RRset and the SOA; the chain, unchanged, keeps its signatures', async () => {
    const policy: DnssecPolicy = { ...POLICY, denial: 'nsec3' };
    const now = nowSeconds();
    const first = await signZone(build(ZONE, origin).version, keys, policy, now);
    const again = await signZone(build(edited.replace('192.0.2.25', '192.0.2.26'), origin).version, keys, policy, now + 60, first.version);
    dnssecVerify(again.version, 'csk');
    assert.equal(again.made, 2);
    assert.equal(again.kept, first.made - 2);
  });

  it('a new key signs everything again, and signatures of a key that no longer signs are gone', async () => {
    const now = nowSeconds();
    const first = await signZone(build(ZONE, origin).version, keys, POLICY, now);
    const other = zoneKeys(Algorithm.ECDSAP256SHA256, 'csk');
    const again = await signZone(build(edited, origin).version, other, POLICY, now + 60, first.version);
    dnssecVerify(again.version, 'csk');
    assert.equal(again.kept, 0);
    assert.equal(again.made, first.made);
  });

  it('signatures near their expiry are renewed, the others kept', async () => {
    const policy: DnssecPolicy = { ...POLICY, signatureValidity: 3 * 3600, refresh: 3600 };
    const now = nowSeconds();
    const first = await signZone(build(ZONE, origin).version, keys, policy, now);
    // Expirations fall between 2 and 3 hours from now (the jitter spreads them over the last hour).
    for (const s of rrsigs(first.version)) {
      const left = Buffer.from(s.split(' ')[1]!, 'hex').readUInt32BE(8) - now;
      assert.ok(left > 2 * 3600 - 1 && left <= 3 * 3600, String(left));
    }
    assert.ok(first.refreshAt >= now + 3600 && first.refreshAt <= now + 2 * 3600);
    const soon = await signZone(build(edited, origin).version, keys, policy, now + 600, first.version);
    assert.equal(soon.made, 1, 'only the SOA, whose serial moved');
    const late = await signZone(build(edited, origin).version, keys, policy, now + 9000, soon.version);
    assert.equal(late.kept, 0);
    assert.equal(late.made, first.made);
    for (const s of rrsigs(late.version)) assert.ok(Buffer.from(s.split(' ')[1]!, 'hex').readUInt32BE(8) - (now + 9000) > 3600);
  });
});

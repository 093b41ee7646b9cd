// rotor's dnssec-verify (src/dnssec/verify-zone.ts) on zones signed by BIND's
// dnssec-signzone: the zone as signed passes; each kind of damage is found.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { verifyZone } from '../../src/dnssec/verify-zone.js';
import { loadZoneVersion } from '../../src/zone/load.js';
import type { Diagnostic } from '../../src/zone/errors.js';
import { signZone, SIGNED_EXAMPLE, tamperSignature, type SignedZone } from './signed-zone.js';

const NOW = Math.floor(Date.now() / 1000);
const DAY = 86400;

async function verify(zone: SignedZone, text: string, now = NOW): Promise<Diagnostic[]> {
  const file = join(zone.dir, 'example.com.zone');
  writeFileSync(file, text);
  const { zone: loaded } = await loadZoneVersion(file, { defaultTtl: 3600 });
  return verifyZone(loaded.version, { file, positions: loaded.positions }, now);
}

const errors = (found: Diagnostic[]) => found.filter((d) => d.severity === 'error').map((d) => `${d.pos.line}: ${d.message}`);

for (const denial of ['nsec', 'nsec3', 'nsec3-optout'] as const) {
  describe(`verifyZone on a zone signed by dnssec-signzone with ${denial.toUpperCase()}`, () => {
    let zone: SignedZone;
    before(() => {
      zone = signZone({ origin: 'example.com.', text: SIGNED_EXAMPLE, denial });
    });
    after(() => zone.remove());

    it('finds nothing wrong with the zone as signed', async () => {
      assert.deepEqual(await verify(zone, zone.text), []);
    });

    it('finds a signature with one byte changed, at its line', async () => {
      const found = errors(await verify(zone, tamperSignature(zone.text, 'c1.example.com.')));
      assert.ok(found.some((e) => /RRSIG over CNAME at c1\.example\.com\. by key \d+ \(algorithm 13\) does not verify: the signature does not match/.test(e)), found.join('\n'));
      assert.ok(found.some((e) => /CNAME at c1\.example\.com\. has no valid signature by a key of algorithm 13/.test(e)), found.join('\n'));
      const line = zone.text.split('\n').findIndex((l) => l.startsWith('c1.example.com.')) + 2;
      assert.ok(found.some((e) => e.startsWith(`${line}: RRSIG over CNAME`)), `${line}\n${found.join('\n')}`);
    });

    it('finds a record added without a signature, and the chain that lacks it', async () => {
      const found = errors(await verify(zone, `${zone.text}\nextra.example.com. 3600 IN A 192.0.2.99\n`));
      assert.ok(found.some((e) => /A at extra\.example\.com\. has no valid signature/.test(e)), found.join('\n'));
      const chain = denial === 'nsec' ? /extra\.example\.com\. has no NSEC record/ : /extra\.example\.com\. has no NSEC3 record/;
      assert.ok(found.some((e) => chain.test(e)), found.join('\n'));
    });

    it('finds signatures expired, and not yet valid, at the time given', async () => {
      const late = errors(await verify(zone, zone.text, NOW + 400 * DAY));
      assert.ok(late.length > 0 && late.some((e) => /RRSIG over SOA at example\.com\. by key \d+ expired at/.test(e)), late.join('\n'));
      const early = errors(await verify(zone, zone.text, NOW - 2 * DAY));
      assert.ok(early.some((e) => /RRSIG over SOA at example\.com\. by key \d+ is not valid before/.test(e)), early.join('\n'));
    });
  });
}

describe('verifyZone and the denial chain', () => {
  for (const algorithm of ['ED25519', 'RSASHA256'] as const) {
    it(`finds nothing wrong with a zone signed with ${algorithm}`, async () => {
      const zone = signZone({ origin: 'example.com.', text: SIGNED_EXAMPLE, algorithm });
      try {
        assert.deepEqual(await verify(zone, zone.text), []);
        assert.ok(errors(await verify(zone, tamperSignature(zone.text, 'c1.example.com.'))).length > 0);
      } finally {
        zone.remove();
      }
    });
  }

  it('finds an NSEC removed', async () => {
    const zone = signZone({ origin: 'example.com.', text: SIGNED_EXAMPLE, denial: 'nsec' });
    try {
      const lines = zone.text.split('\n');
      const www = lines.findIndex((l) => l.startsWith('www.example.com.'));
      const nsec = lines.findIndex((l, i) => i > www && /^\s+\d+\s+NSEC\s/.test(l));
      lines.splice(nsec, 1);
      const found = errors(await verify(zone, lines.join('\n')));
      assert.ok(found.some((e) => e.endsWith('www.example.com. has no NSEC record: the NSEC chain is broken there')), found.join('\n'));
    } finally {
      zone.remove();
    }
  });

  it('finds NSEC3PARAM parameters the chain was not made with', async () => {
    const zone = signZone({ origin: 'example.com.', text: SIGNED_EXAMPLE, denial: 'nsec3' });
    try {
      const found = errors(await verify(zone, zone.text.replace(/NSEC3PARAM 1 0 0 -/, 'NSEC3PARAM 1 0 0 ab')));
      assert.ok(found.some((e) => /RRSIG over NSEC3PARAM at example\.com\. .* does not verify/.test(e)), found.join('\n'));
      assert.ok(found.some((e) => /www\.example\.com\. has no NSEC3 record/.test(e)), found.join('\n'));
    } finally {
      zone.remove();
    }
  });

  it('finds the DNSKEY RRset not signed by a key with the SEP bit, as a warning', async () => {
    const zone = signZone({ origin: 'example.com.', text: SIGNED_EXAMPLE, denial: 'nsec' });
    try {
      // Leave out the KSK's signature over the DNSKEY set: only the ZSK's is left.
      const ksk = /key id = (\d+)/.exec(zone.text.split('\n').find((l) => l.includes('; KSK;'))!)![1]!;
      const text = zone.text.replace(new RegExp(`\\n\\s+\\d+\\s+RRSIG\\s+DNSKEY 13 2 \\d+ \\(\\n\\s+\\d+ \\d+ ${ksk} [^)]*\\)`), '');
      assert.notEqual(text, zone.text);
      const found = await verify(zone, text);
      assert.deepEqual(found.map((d) => [d.severity, d.message]), [['warning', 'the DNSKEY RRset is not signed by a key with the SEP bit (a KSK)']]);
    } finally {
      zone.remove();
    }
  });
});

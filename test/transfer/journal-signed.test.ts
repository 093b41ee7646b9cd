// The IXFR journal of a pre-signed zone re-signed between two reloads (new
// signatures, one record changed, NSEC traded for NSEC3): the change it keeps
// holds the signatures and the NSEC3 chain, and applied to the old version
// gives the new one record for record.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { DEFAULT_JOURNAL_BYTES, recordChange } from '../../src/transfer/journal.js';
import { Name } from '../../src/wire/name.js';
import { RRType } from '../../src/wire/types.js';
import { buildZone } from '../../src/zone/build-zone.js';
import { apply, changeRecords } from '../../src/zone/changeset.js';
import { parseMasterFile } from '../../src/zone/masterfile.js';
import type { ZoneVersion } from '../../src/zone/version.js';
import type { Zone } from '../../src/zone/zone.js';
import { signZone, SIGNED_EXAMPLE, type Denial, type SignedZone } from '../dnssec/signed-zone.js';

const ORIGIN = Name.parse('example.');
const made: SignedZone[] = [];
after(() => made.forEach((z) => z.remove()));

function signed(serial: number, denial: Denial, text = SIGNED_EXAMPLE): Zone {
  const z = signZone({ origin: 'example.', text: text.replace(' 1 7200 900', ` ${serial} 7200 900`), denial });
  made.push(z);
  return buildZone(ORIGIN, z.file, parseMasterFile(z.text, z.file, ORIGIN, 3600).records, { serial, ttl: 3600 }).zone;
}

const lines = (v: ZoneVersion) => [...v.records()].map((r) => `${r.owner.key} ${r.type} ${r.ttl} ${r.rdata.toString('hex')}`).sort();

describe('the IXFR journal of a re-signed zone', () => {
  it('keeps the signatures and the NSEC3 chain, and its change turns the old version into the new', async () => {
    const v1 = signed(1, 'nsec');
    const v2 = signed(2, 'nsec3', SIGNED_EXAMPLE.replace('192.0.2.11', '192.0.2.12'));
    await recordChange(v1, v2, DEFAULT_JOURNAL_BYTES);
    assert.equal(v2.changes.length, 1);
    const [change] = v2.changes;
    const types = (buf: Buffer) => new Set([...changeRecords(buf)].map((r) => r.type));
    for (const t of [RRType.RRSIG, RRType.NSEC]) assert.ok(types(change!.removed).has(t));
    for (const t of [RRType.RRSIG, RRType.NSEC3, RRType.NSEC3PARAM]) assert.ok(types(change!.added).has(t));
    assert.deepEqual(lines(apply(v1.version, change!)), lines(v2.version));
  });
});

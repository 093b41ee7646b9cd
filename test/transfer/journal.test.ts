import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { changeBytes, changesSince, DEFAULT_JOURNAL_BYTES, recordChange } from '../../src/transfer/journal.js';
import { changeRecords } from '../../src/zone/changeset.js';
import { planTransfer } from '../../src/transfer/xfr.js';
import { Name } from '../../src/wire/name.js';
import { presentation } from '../../src/rrtypes/registry.js';
import { RRType, typeName } from '../../src/wire/types.js';
import { parseYamlZone } from '../../src/zone/yaml.js';
import { soaSerial } from '../../src/rrtypes/soa.js';
import { type Zone, type ZoneRecord } from '../../src/zone/zone.js';
import { buildZone } from '../../src/zone/build-zone.js';

const origin = Name.parse('corp.example.');
function zone(serial: number, addresses: string[]): Zone {
  const text = `'':\n  - type: SOA\n    value: {mname: ns1, rname: h, serial: ${serial}, refresh: 3600, retry: 600, expire: 1209600, minimum: 300}\n  - type: NS\n    value: ns1\nns1:\n  type: A\n  value: 192.0.2.1\nwww:\n  type: A\n  values: [${addresses.join(', ')}]\n`;
  return buildZone(origin, 'z.yaml', parseYamlZone(text, 'z.yaml', origin, 3600).records, { serial, ttl: 3600 }).zone;
}
const detail = (r: ZoneRecord) => (r.type === RRType.A ? ` ${presentation(r.type, r.rdata)}` : r.type === RRType.SOA ? ` ${soaSerial(r.rdata)}` : '');
const show = (rs: Iterable<ZoneRecord>) => [...rs].map((r) => `${r.owner.relativeTo(origin) || '@'} ${typeName(r.type)}${detail(r)}`);

describe('IXFR journal', () => {
  const v1 = zone(1, ['192.0.2.10', '192.0.2.11']);
  const v2 = zone(2, ['192.0.2.10', '192.0.2.12']);
  const v3 = zone(3, ['192.0.2.12']);
  before(async () => {
    await recordChange(v1, v2, DEFAULT_JOURNAL_BYTES);
    await recordChange(v2, v3, DEFAULT_JOURNAL_BYTES);
  });

  it('keeps what each reload changed, SOA apart', () => {
    assert.equal(v3.changes.length, 2);
    assert.deepEqual(show(changeRecords(v3.changes[0]!.removed)), ['www A 192.0.2.11']);
    assert.deepEqual(show(changeRecords(v3.changes[0]!.added)), ['www A 192.0.2.12']);
    assert.deepEqual(show(changeRecords(v3.changes[1]!.removed)), ['www A 192.0.2.10']);
    assert.deepEqual(show(changeRecords(v3.changes[1]!.added)), []);
  });

  it('answers IXFR from serial 1 with both steps (RFC 1995 §4)', () => {
    const plan = planTransfer(v3, RRType.IXFR, 1);
    assert.equal(plan.kind, 'IXFR');
    assert.deepEqual(show(plan.records), [
      '@ SOA 3',
      '@ SOA 1', 'www A 192.0.2.11', '@ SOA 2', 'www A 192.0.2.12',
      '@ SOA 2', 'www A 192.0.2.10', '@ SOA 3',
      '@ SOA 3',
    ]);
  });

  it('a secondary already current (or ahead) gets the SOA alone; an unknown serial a full transfer', () => {
    assert.deepEqual(show(planTransfer(v3, RRType.IXFR, 3).records), ['@ SOA 3']);
    assert.equal(planTransfer(v3, RRType.IXFR, 77).kind, 'IXFR-up-to-date');
    const full = planTransfer(v3, RRType.IXFR, 0);
    assert.equal(full.kind, 'IXFR-as-AXFR');
    assert.deepEqual(show(full.records), ['@ SOA 3', '@ NS', 'ns1 A 192.0.2.1', 'www A 192.0.2.12', '@ SOA 3']);
  });

  it('a serial that did not move records nothing; a gap in the chain means a full transfer', async () => {
    const same = zone(3, ['192.0.2.99']);
    await recordChange(v3, same, DEFAULT_JOURNAL_BYTES);
    assert.equal(same.changes.length, 0);
    const v5 = zone(5, ['192.0.2.5']);
    v5.changes = [v3.changes[0]!]; // 1 → 2 only: nothing reaches 5
    assert.equal(changesSince(v5, 1), undefined);
  });

  /** Versions 100, 101, ... each with one address changed, every one recorded with `maxBytes`. */
  async function history(versions: number, maxBytes: number): Promise<Zone> {
    let prev = zone(100, ['192.0.2.100']);
    for (let s = 101; s < 100 + versions; s++) {
      const next = zone(s, [`192.0.2.${s % 250}`]);
      await recordChange(prev, next, maxBytes);
      prev = next;
    }
    return prev;
  }

  it('keeps the newest changes that fit in the byte cap, dropping the oldest first', async () => {
    const one = changeBytes(v2.changes[0]!);
    const latest = await history(30, 5 * one + 10);
    assert.deepEqual(latest.changes.map((c) => soaSerial(c.from.rdata)), [124, 125, 126, 127, 128]);
    assert.equal(planTransfer(latest, RRType.IXFR, 124).kind, 'IXFR', 'the oldest change kept');
    assert.deepEqual(show(changeRecords(latest.changes[0]!.added)), ['www A 192.0.2.125']);
    assert.equal(planTransfer(latest, RRType.IXFR, 123).kind, 'IXFR-as-AXFR', 'a dropped serial: a full transfer');
    assert.equal((await history(30, DEFAULT_JOURNAL_BYTES)).changes.length, 29, 'small changes: every one fits the default');
  });

  it('a change larger than the cap empties the journal; a cap of 0 (a zone nobody may transfer) keeps none', async () => {
    const one = changeBytes(v2.changes[0]!);
    assert.equal((await history(5, one - 1)).changes.length, 0);
    assert.equal(planTransfer(await history(5, one - 1), RRType.IXFR, 103).kind, 'IXFR-as-AXFR');
    assert.equal((await history(5, 0)).changes.length, 0);
  });
});

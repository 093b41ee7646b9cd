// Rollovers through time: the keys in force at each phase, read back from the
// files every time (the state is only there, so a restart loses nothing), and
// BIND's dnssec-signzone following the same times.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { KSK_FLAGS, type SigningKey } from '../../src/dnssec/keys.js';
import { nextKeyEvent, readZoneKeys, zoneKeys } from '../../src/dnssec/key-store.js';
import type { DnssecPolicy } from '../../src/dnssec/policy.js';
import { MAX_ZONE_TTL, PARENT_DS_WAIT, PROPAGATION, rollKey, RolloverError } from '../../src/dnssec/rollover.js';
import { DNSSEC_DEFAULTS } from '../../src/dnssec/settings.js';
import { Name } from '../../src/wire/name.js';

const root = mkdtempSync(join(tmpdir(), 'rotor-rollover-'));
after(() => rmSync(root, { recursive: true, force: true }));
const zone = Name.parse('example.com.');
const t0 = new Date('2026-12-01T00:00:00Z');
const t1 = new Date('2026-12-02T00:00:00Z');
const later = (when: Date, seconds: number) => new Date(when.getTime() + seconds * 1000);

function policy(keys: DnssecPolicy['keys']): DnssecPolicy {
  return { ...DNSSEC_DEFAULTS, keys, dnskeyTtl: 600, keyDirectory: mkdtempSync(join(root, 'keys-')) };
}

const tags = (keys: SigningKey[]) => keys.map((k) => k.tag).sort((a, b) => a - b);

describe('a ZSK rollover (pre-publication)', () => {
  it('publishes the new ZSK first, lets it sign after the DNSKEY TTL, then retires and removes the old', async () => {
    const p = policy('ksk+zsk');
    const first = await zoneKeys(zone, p, t0);
    const ksk = first.keySigning[0]!.tag;
    const old = first.zoneSigning[0]!.tag;
    const { successor } = await rollKey(zone, p, 'ZSK', t1);
    const next = successor.key.tag;
    const active = later(t1, 600 + PROPAGATION);
    const gone = later(active, MAX_ZONE_TTL + PROPAGATION);

    const published = await zoneKeys(zone, p, t1);
    assert.deepEqual(tags(published.published), tags([first.keySigning[0]!, first.zoneSigning[0]!, successor.key]), 'the new ZSK is published');
    assert.deepEqual(published.zoneSigning.map((k) => k.tag), [old], 'the old one still signs');
    assert.deepEqual(await nextKeyEvent(zone, p, t1), active);

    const swapped = await zoneKeys(zone, p, active);
    assert.deepEqual(swapped.zoneSigning.map((k) => k.tag), [next], 'the new one signs');
    assert.equal(swapped.published.length, 3, 'the old one is still published, retired');
    assert.deepEqual(swapped.keySigning.map((k) => k.tag), [ksk]);
    assert.deepEqual(await nextKeyEvent(zone, p, active), gone);

    const after = await zoneKeys(zone, p, gone);
    assert.deepEqual(tags(after.published), tags([first.keySigning[0]!, successor.key]), 'the old one is gone');
    assert.equal(await nextKeyEvent(zone, p, gone), undefined);
    assert.equal((await readZoneKeys(zone, p.keyDirectory)).length, 3, 'its files stay, as BIND leaves them');
  });

  it('refuses a second rollover of the same role while one is under way', async () => {
    const p = policy('ksk+zsk');
    await zoneKeys(zone, p, t0);
    await rollKey(zone, p, 'ZSK', t1);
    await assert.rejects(rollKey(zone, p, 'ZSK', later(t1, 60)), (e: unknown) => e instanceof RolloverError && /^a ZSK rollover is under way: key \d+ becomes active at 2026-12-02T01:10:00\.000Z$/.test(e.message));
    await rollKey(zone, p, 'KSK', later(t1, 60));
  });
});

describe('a KSK rollover (double-KSK, CDS for the new key)', () => {
  it('signs the DNSKEY RRset with both KSKs while the parent changes its DS', async () => {
    const p = policy('ksk+zsk');
    const first = await zoneKeys(zone, p, t0);
    const old = first.keySigning[0]!.tag;
    const zsk = first.zoneSigning[0]!.tag;
    const { successor } = await rollKey(zone, p, 'KSK', t1);
    const next = successor.key.tag;
    const active = later(t1, 600 + PROPAGATION);
    const inactive = later(active, PARENT_DS_WAIT);
    const gone = later(inactive, 600 + PROPAGATION);

    // BIND reads the same times from the files.
    const settime = (tag: number) => spawnSync('dnssec-settime', ['-u', '-p', 'all', `Kexample.com.+013+${String(tag).padStart(5, '0')}`], { cwd: p.keyDirectory, encoding: 'utf8' }).stdout;
    const seconds = (when: Date) => String(when.getTime() / 1000);
    assert.match(settime(old), new RegExp(`^Inactive: ${seconds(inactive)}\nDelete: ${seconds(gone)}\nSYNC Publish: UNSET\nSYNC Delete: ${seconds(active)}$`, 'm'));
    assert.match(settime(next), new RegExp(`^Publish: ${seconds(t1)}\nActivate: ${seconds(active)}\n.*\n.*\n.*\nSYNC Publish: ${seconds(active)}$`, 'm'));

    const before = await zoneKeys(zone, p, t1);
    assert.deepEqual([before.keySigning.map((k) => k.tag), before.cds.map((k) => k.tag), before.published.length], [[old], [old], 3]);
    const both = await zoneKeys(zone, p, active);
    assert.deepEqual(tags(both.keySigning), tags([first.keySigning[0]!, successor.key]), 'both KSKs sign the DNSKEY RRset');
    assert.deepEqual(both.cds.map((k) => k.tag), [next], 'CDS names the new key only');
    assert.deepEqual(both.zoneSigning.map((k) => k.tag), [zsk]);
    const retired = await zoneKeys(zone, p, inactive);
    assert.deepEqual([retired.keySigning.map((k) => k.tag), retired.published.length], [[next], 3]);
    const after = await zoneKeys(zone, p, gone);
    assert.deepEqual(tags(after.published), tags([first.zoneSigning[0]!, successor.key]));
    assert.deepEqual(after.cds.map((k) => k.tag), [next]);
  });
});

describe('a CSK rollover', () => {
  it('hands the zone to the new key at its activation and the DNSKEY RRset after the DS wait', async () => {
    const p = policy('csk');
    const first = await zoneKeys(zone, p, t0);
    const old = first.keySigning[0]!.tag;
    const { successor } = await rollKey(zone, p, 'CSK', t1);
    assert.equal(successor.key.flags, KSK_FLAGS);
    const next = successor.key.tag;
    const active = later(t1, 600 + PROPAGATION);
    const during = await zoneKeys(zone, p, active);
    assert.deepEqual(during.zoneSigning.map((k) => k.tag), [next]);
    assert.deepEqual(tags(during.keySigning), [old, next].sort((a, b) => a - b));
    assert.deepEqual(during.cds.map((k) => k.tag), [next]);
    const end = await zoneKeys(zone, p, later(active, PARENT_DS_WAIT + MAX_ZONE_TTL + PROPAGATION));
    assert.deepEqual(end.published.map((k) => k.tag), [next]);
  });
});

describe("BIND's dnssec-signzone reads the rollover's times", () => {
  it('publishes the new ZSK and signs with the old one only, as rotor does', async () => {
    const p = policy('ksk+zsk');
    const now = new Date();
    const first = await zoneKeys(zone, p, later(now, -86_400));
    const { successor } = await rollKey(zone, p, 'ZSK', later(now, -60));
    const unsigned = join(p.keyDirectory, 'example.com.zone');
    writeFileSync(unsigned, 'example.com. 300 IN SOA ns1.example.com. hostmaster.example.com. 1 3600 600 86400 300\nexample.com. 300 IN NS ns1.example.com.\nns1.example.com. 300 IN A 192.0.2.53\n');
    const r = spawnSync('dnssec-signzone', ['-S', '-K', p.keyDirectory, '-o', 'example.com.', '-f', `${unsigned}.signed`, '-O', 'full', unsigned], { cwd: p.keyDirectory, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const signed = readFileSync(`${unsigned}.signed`, 'utf8');
    const records = signed.split('\n').map((l) => l.trim().split(/\s+/));
    const dnskeys = records.filter((t) => t[3] === 'DNSKEY');
    const signers = new Set(records.filter((t) => t[3] === 'RRSIG').map((t) => Number(t[10])));
    assert.equal(dnskeys.length, 3, 'KSK, old ZSK and the new one published');
    assert.deepEqual([...signers].sort((a, b) => a - b), tags([first.keySigning[0]!, first.zoneSigning[0]!]), 'the new ZSK signs nothing yet');
    assert.ok(!signers.has(successor.key.tag));
  });
});

// The signing stage of the zone lifecycle: a zone with a DNSSEC policy is
// served signed (dnssec-verify accepts it), an edit is signed again with the
// signatures of what did not change kept, the served serial rises with every
// signing and takes the file's when that is ahead, a timer signs again before
// signatures are due, the journal records each change, and a signing that
// fails keeps the previous version serving.
import assert from 'node:assert/strict';
import { unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Algorithm, generateKey, KSK_FLAGS } from '../../src/dnssec/keys.js';
import type { DnssecPolicy, ZoneKeys } from '../../src/dnssec/policy.js';
import { Catalog } from '../../src/lifecycle/catalog.js';
import type { ZoneSigning } from '../../src/lifecycle/signing.js';
import { ZoneFiles } from '../../src/lifecycle/zones.js';
import { createLogger } from '../../src/log.js';
import { Name } from '../../src/wire/name.js';
import { RRType } from '../../src/wire/types.js';
import { changeRecords } from '../../src/zone/changeset.js';
import type { Zone } from '../../src/zone/zone.js';
import { tempDir } from '../e2e/harness.js';
import { dnssecVerify } from '../dnssec/verify.js';

const origin = Name.parse('signed.test.');

const zoneText = (serial: number, address = '192.0.2.1') => `$ORIGIN signed.test.
$TTL 300
@    IN SOA ns1 hostmaster ${serial} 3600 600 86400 300
@    IN NS  ns1
ns1  IN A   192.0.2.53
www  IN A   ${address}
mail IN MX  10 www
`;

const POLICY: DnssecPolicy = {
  algorithm: Algorithm.ECDSAP256SHA256, keys: 'csk', denial: 'nsec',
  nsec3: { iterations: 0, salt: Buffer.alloc(0), optOut: false },
  signatureValidity: 14 * 86400, refresh: 7 * 86400, dnskeyTtl: 3600, keyDirectory: '/nonexistent',
};

/** A provider on one CSK made here; `fail` makes keys() throw, as a key directory that cannot be read would. */
function provider(policy: DnssecPolicy): { signing: ZoneSigning; fail: { now: boolean } } {
  const csk = generateKey(origin, Algorithm.ECDSAP256SHA256, KSK_FLAGS);
  const keys: ZoneKeys = { published: [csk], keySigning: [csk], zoneSigning: [csk], cds: [csk] };
  const fail = { now: false };
  return {
    fail,
    signing: {
      policy,
      keys: () => (fail.now ? Promise.reject(new Error('the key directory cannot be read')) : Promise.resolve(keys)),
    },
  };
}

const signatures = (zone: Zone) => new Set([...zone.version.records()].filter((r) => r.type === RRType.RRSIG).map((r) => r.rdata.toString('hex')));

async function setUp(policy: DnssecPolicy, signing = provider(policy).signing, fail = { now: false }) {
  const dir = await tempDir({ 'signed.test.zone': zoneText(10) });
  const file = join(dir, 'signed.test.zone');
  const catalog = new Catalog();
  const zones = new ZoneFiles(catalog, dir, { defaultTtl: 300 }, createLogger('silent'), {
    journalBytes: () => 1 << 20,
    retry: { firstMs: 60_000, maxMs: 60_000 },
    dnssec: (o) => (o === origin.key ? signing : undefined),
  });
  const served = () => catalog.get(origin.key)!;
  const nextLoad = () => new Promise<[Zone, Zone | undefined]>((resolve) => zones.events.once('loaded', (zone, _f, previous) => resolve([zone, previous])));
  return { dir, file, zones, served, fail, nextLoad };
}

describe('zones with a DNSSEC policy', () => {
  it('are served signed; an edit is signed again, keeping what did not change; the serial rises with each signing', async () => {
    const { signing, fail: failure } = provider(POLICY);
    const { file, zones, served, fail, nextLoad } = await setUp(POLICY, signing, failure);
    try {
      await zones.loadAll('here');
      const first = served();
      assert.equal(first.serial, 10);
      dnssecVerify(first.version, 'csk');

      // The same serial in the file: the served one moves on by one.
      await writeFile(file, zoneText(10, '192.0.2.2'));
      let loaded = nextLoad();
      await zones.reload(file);
      const [second, previous] = await loaded;
      assert.equal(previous, first);
      assert.equal(second.serial, 11);
      dnssecVerify(second.version, 'csk');
      const before = signatures(first);
      const fresh = [...signatures(second)].filter((s) => !before.has(s));
      assert.equal(fresh.length, 2, 'the SOA and www A');
      // The journal has the change, signatures included: IXFR carries them.
      assert.equal(second.changes.length, 1);
      const added = [...changeRecords(second.changes[0]!.added)].map((r) => `${r.owner} ${r.type}`).sort();
      // www's A and its signature, and the new SOA's signature (the SOA itself is the changeset's `to`).
      assert.deepEqual(added, ['signed.test. 46', 'www.signed.test. 1', 'www.signed.test. 46']);

      // Saved unchanged: not signed again, nothing new served.
      await writeFile(file, zoneText(10, '192.0.2.2') + '; a comment\n');
      await zones.reload(file);
      assert.equal(served(), second);

      // A file's serial ahead of the served one is taken.
      await writeFile(file, zoneText(50, '192.0.2.3'));
      loaded = nextLoad();
      await zones.reload(file);
      assert.equal((await loaded)[0].serial, 50);

      // A signing that fails: the previous version stays served, the failure is reported.
      fail.now = true;
      await writeFile(file, zoneText(51, '192.0.2.4'));
      const rejected = new Promise<string>((resolve) => zones.events.once('rejected', (_f, d) => resolve(d[0]!.message)));
      await zones.reload(file);
      assert.match(await rejected, /could not be signed: the key directory cannot be read/);
      assert.equal(served().serial, 50);
      fail.now = false;
      loaded = nextLoad();
      await zones.reload(file);
      assert.equal((await loaded)[0].serial, 51);

      // A new policy (a configuration reload): the unchanged file is signed again under it.
      signing.policy = { ...POLICY, denial: 'nsec3' };
      loaded = nextLoad();
      await zones.reload(file);
      const [underNsec3] = await loaded;
      assert.equal(underNsec3.serial, 52);
      assert.ok(underNsec3.version.nsec3);
      dnssecVerify(underNsec3.version, 'csk');
    } finally {
      await zones.close();
    }
  });

  it('are signed again when the keys in force change (a rollover\'s step)', async () => {
    const first = generateKey(origin, Algorithm.ECDSAP256SHA256, KSK_FLAGS);
    const second = generateKey(origin, Algorithm.ECDSAP256SHA256, KSK_FLAGS);
    const step = Date.now() / 1000 + 2;
    // The second key is published two seconds from now, as a pre-publication rollover's first step.
    const signing: ZoneSigning = {
      policy: POLICY,
      keys: (now) => Promise.resolve({ published: now < step ? [first] : [first, second], keySigning: [first], zoneSigning: [first], cds: [first] }),
      nextKeyEvent: (now) => Promise.resolve(now < step ? step : undefined),
    };
    const { zones, served, nextLoad } = await setUp(POLICY, signing);
    const keepAlive = setInterval(() => {}, 1000);
    try {
      await zones.loadAll('here');
      const dnskeys = (zone: Zone) => [...zone.version.records()].filter((r) => r.type === RRType.DNSKEY).length;
      assert.equal(dnskeys(served()), 1);
      const [again] = await nextLoad();
      assert.ok(Date.now() / 1000 >= step);
      assert.equal(dnskeys(again), 2);
      assert.equal(again.serial, 11);
      dnssecVerify(again.version, 'csk');
    } finally {
      clearInterval(keepAlive);
      await zones.close();
    }
  });

  it('are signed again by a timer before their signatures are due; removing the zone stops it', async () => {
    // Signatures valid 8 s, refreshed with 4 s left: due 2 to 4 s after signing.
    const { file, zones, served, nextLoad } = await setUp({ ...POLICY, signatureValidity: 8, refresh: 4 });
    // The re-signing timer does not hold a process (a server's sockets do): this test has no sockets.
    const keepAlive = setInterval(() => {}, 1000);
    try {
      await zones.loadAll('here');
      const first = served();
      const started = Date.now();
      const [again, previous] = await nextLoad();
      const after = (Date.now() - started) / 1000;
      assert.equal(previous, first);
      assert.equal(again.serial, 11);
      assert.ok(after >= 1 && after < 10, `signed again after ${after} s`);
      // Every signature was due or nearly: all are new.
      const before = signatures(first);
      assert.ok([...signatures(again)].every((s) => !before.has(s)));
      dnssecVerify(again.version, 'csk');

      const removed = new Promise((resolve) => zones.events.once('removed', resolve));
      await unlink(file);
      await zones.loadAll('here');
      await removed;
      let more = 0;
      zones.events.on('loaded', () => more++);
      await new Promise((r) => setTimeout(r, 5000));
      assert.equal(more, 0);
    } finally {
      clearInterval(keepAlive);
      await zones.close();
    }
  });
});

// The key directory: keys made on first use in BIND's files (0700 directory,
// 0600 files, timing metadata BIND reads), keys made by dnssec-keygen used as
// they are, files that are not keys left out with file:line warnings.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { DnssecKeyError, dsRData, KSK_FLAGS, ZSK_FLAGS } from '../../src/dnssec/keys.js';
import { nextKeyEvent, readZoneKeys, zoneKeys } from '../../src/dnssec/key-store.js';
import type { DnssecPolicy } from '../../src/dnssec/policy.js';
import { DNSSEC_DEFAULTS } from '../../src/dnssec/settings.js';
import { Name } from '../../src/wire/name.js';
import { rd } from '../rrtypes/rdata.js';

const root = mkdtempSync(join(tmpdir(), 'rotor-keystore-'));
after(() => rmSync(root, { recursive: true, force: true }));
const zone = Name.parse('example.com.');
const now = new Date('2026-12-03T08:00:00Z');

function policy(extra: Partial<DnssecPolicy> = {}): DnssecPolicy {
  return { ...DNSSEC_DEFAULTS, keyDirectory: mkdtempSync(join(root, 'keys-')) + '/sub', ...extra };
}

function run(cwd: string, cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8' });
  assert.equal(r.status, 0, `${cmd} ${args.join(' ')}: ${r.stderr}${r.error?.message ?? ''}`);
  return r.stdout;
}

describe('zoneKeys on first use', () => {
  it('makes one CSK (flags 257) that signs everything, in a 0700 directory of 0600 files', async () => {
    const p = policy();
    const keys = await zoneKeys(zone, p, now);
    assert.equal(keys.published.length, 1);
    const [csk] = keys.published;
    assert.equal(csk!.flags, KSK_FLAGS);
    assert.deepEqual([keys.keySigning, keys.zoneSigning, keys.cds], [[csk], [csk], [csk]]);
    assert.equal(statSync(p.keyDirectory).mode & 0o777, 0o700);
    const files = readdirSync(p.keyDirectory).sort();
    const base = `Kexample.com.+013+${String(csk!.tag).padStart(5, '0')}`;
    assert.deepEqual(files, [`${base}.key`, `${base}.private`]);
    for (const f of files) assert.equal(statSync(join(p.keyDirectory, f)).mode & 0o777, 0o600, f);
    // The next use reads the same key back.
    const again = await zoneKeys(zone, p, new Date(now.getTime() + 1000));
    assert.deepEqual(again.published.map((k) => k.dnskey), [csk!.dnskey]);
  });

  it('makes a KSK and a ZSK with keys: ksk+zsk, of the policy algorithm', async () => {
    const keys = await zoneKeys(zone, policy({ keys: 'ksk+zsk', algorithm: 15 }), now);
    assert.deepEqual(keys.published.map((k) => [k.flags, k.algorithm]).sort(), [[256, 15], [257, 15]]);
    assert.deepEqual(keys.keySigning.map((k) => k.flags), [KSK_FLAGS]);
    assert.deepEqual(keys.zoneSigning.map((k) => k.flags), [ZSK_FLAGS]);
    assert.deepEqual(keys.cds, keys.keySigning);
  });

  it('makes the keys once when several ask at the same time (the lock)', async () => {
    const p = policy();
    const all = await Promise.all([1, 2, 3, 4].map(() => zoneKeys(zone, p, now)));
    assert.equal(new Set(all.map((k) => k.published[0]!.tag)).size, 1);
    assert.equal(readdirSync(p.keyDirectory).length, 2);
  });
});

describe('keys of BIND and rotor, both ways', () => {
  it("uses dnssec-keygen's KSK and ZSK as they are, and leaves out a key of another algorithm with a warning", async () => {
    const p = policy({ keys: 'ksk+zsk' });
    const dir = p.keyDirectory.replace(/\/sub$/, '');
    p.keyDirectory = dir;
    const ksk = run(dir, 'dnssec-keygen', ['-q', '-a', 'ECDSAP256SHA256', '-f', 'KSK', 'example.com']).trim();
    const zsk = run(dir, 'dnssec-keygen', ['-q', '-a', 'ECDSAP256SHA256', 'example.com']).trim();
    const other = run(dir, 'dnssec-keygen', ['-q', '-a', 'ED25519', 'example.com']).trim();
    const warnings: string[] = [];
    const keys = await zoneKeys(zone, p, new Date(), (w) => warnings.push(w));
    const tag = (base: string) => Number(base.split('+')[2]);
    assert.deepEqual(keys.keySigning.map((k) => k.tag), [tag(ksk)]);
    assert.deepEqual(keys.zoneSigning.map((k) => k.tag), [tag(zsk)]);
    assert.equal(readdirSync(dir).length, 6, 'no key made');
    assert.deepEqual(warnings, [`${join(dir, other)}.key: algorithm ED25519, but the policy signs with ECDSAP256SHA256: key left out`]);
    // dnssec-keygen's times, read as BIND wrote them.
    const [stored] = (await readZoneKeys(zone, dir)).filter((k) => k.key.tag === tag(ksk));
    const created = /Created: (\d{14})/.exec(readFileSync(join(dir, `${ksk}.private`), 'utf8'))![1]!;
    assert.equal(stored!.times.activate!.toISOString().replace(/[-T:]/g, '').slice(0, 14), created);
  });

  it('leaves out a ZSK under keys: csk, with a warning, and makes the CSK', async () => {
    const p = policy();
    p.keyDirectory = p.keyDirectory.replace(/\/sub$/, '');
    const zsk = run(p.keyDirectory, 'dnssec-keygen', ['-q', '-a', 'ECDSAP256SHA256', 'example.com']).trim();
    const warnings: string[] = [];
    const keys = await zoneKeys(zone, p, new Date(), (w) => warnings.push(w));
    assert.deepEqual(keys.published.map((k) => k.flags), [KSK_FLAGS]);
    assert.deepEqual(warnings, [`${join(p.keyDirectory, zsk)}.key: flags 256, but keys: csk uses one key with flags 257: key left out`]);
  });

  it("rotor's keys: dnssec-dsfromkey gives rotor's DS, and dnssec-settime reads their times", async () => {
    const p = policy({ keys: 'ksk+zsk' });
    const keys = await zoneKeys(zone, p, now);
    const ksk = keys.keySigning[0]!;
    const base = `Kexample.com.+013+${String(ksk.tag).padStart(5, '0')}`;
    const ds = run(p.keyDirectory, 'dnssec-dsfromkey', ['-2', `${base}.key`]).trim().split(/\s+/);
    assert.deepEqual(rd('DS', ds.slice(ds.indexOf('DS') + 1).join(' ')), dsRData(zone, ksk.dnskey));
    const times = run(p.keyDirectory, 'dnssec-settime', ['-u', '-p', 'all', base]);
    for (const field of ['Created', 'Publish', 'Activate']) assert.match(times, new RegExp(`^${field}: ${now.getTime() / 1000}$`, 'm'), times);
    assert.match(times, /^Inactive: UNSET$/m);
  });
});

describe('files that are not keys', () => {
  it('are left out with a warning at file:line:col; while they are there, no key is made in their place', async () => {
    const p = policy();
    const dir = p.keyDirectory.replace(/\/sub$/, '');
    p.keyDirectory = dir;
    writeFileSync(join(dir, 'Kexample.com.+013+00001.key'), 'example.com. IN DNSKEY 257 3 13 !!!\n');
    writeFileSync(join(dir, 'Kexample.com.+013+00001.private'), 'Private-key-format: v1.3\n');
    writeFileSync(join(dir, 'Kexample.com.+013+00002.key'), 'example.com. IN DNSKEY 257 3 13 AAAA\n');
    writeFileSync(join(dir, 'Kexample.com.+013+00003.private'), 'garbage\n');
    const warnings: string[] = [];
    await assert.rejects(zoneKeys(zone, p, now, (w) => warnings.push(w)), (e: unknown) => e instanceof DnssecKeyError
      && e.message === `example.com.: no usable key, and 2 of its key files in ${dir} cannot be read (logged): fix or remove them; rotor makes new keys only where none is broken`);
    assert.deepEqual(warnings, [
      `${join(dir, 'Kexample.com.+013+00001.key')}:1:1: the public key is not base64: key left out`,
      `${join(dir, 'Kexample.com.+013+00002')}.key: no ${join(dir, 'Kexample.com.+013+00002')}.private beside it: key left out`,
    ]);
    assert.equal(readdirSync(dir).length, 4, 'no key made');
    rmSync(join(dir, 'Kexample.com.+013+00001.key'));
    rmSync(join(dir, 'Kexample.com.+013+00002.key'));
    assert.equal((await zoneKeys(zone, p, now)).published.length, 1, 'keys made once the broken files are gone');
  });

  it('a bad time in a .private file is named at its line', async () => {
    const p = policy();
    await zoneKeys(zone, p, now);
    const priv = readdirSync(p.keyDirectory).find((f) => f.endsWith('.private'))!;
    const file = join(p.keyDirectory, priv);
    writeFileSync(file, readFileSync(file, 'utf8').replace(/^Activate: .*$/m, 'Activate: 2026-12-03'));
    const warnings: string[] = [];
    assert.equal((await readZoneKeys(zone, p.keyDirectory, (w) => warnings.push(w))).length, 0);
    assert.deepEqual(warnings, [`${file}:6:11: Activate is not a time (YYYYMMDDHHMMSS): key left out`]);
  });
});

describe('nextKeyEvent', () => {
  it('is undefined while no key has a time to come, then the earliest one', async () => {
    const p = policy({ keys: 'ksk+zsk' });
    await zoneKeys(zone, p, now);
    assert.equal(await nextKeyEvent(zone, p, now), undefined);
    const inactive = '20261210000000';
    const zsk = readdirSync(p.keyDirectory).find((f) => f.endsWith('.key') && readFileSync(join(p.keyDirectory, f), 'utf8').includes('DNSKEY 256'))!;
    run(p.keyDirectory, 'dnssec-settime', ['-I', inactive, '-D', '20261211000000', zsk.slice(0, -4)]);
    assert.deepEqual(await nextKeyEvent(zone, p, now), new Date('2026-12-10T00:00:00Z'));
    assert.deepEqual(await nextKeyEvent(zone, p, new Date('2026-12-10T00:00:00Z')), new Date('2026-12-11T00:00:00Z'));
  });
});

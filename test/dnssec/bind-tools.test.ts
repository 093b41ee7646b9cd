// The DNSSEC primitives against BIND's own tools (bind9-utils): keys made by
// dnssec-keygen load with the tag and DS dnssec-dsfromkey gives; keys rotor
// writes are read by dnssec-dsfromkey and signed with by dnssec-signzone; a zone
// rotor signs passes dnssec-verify; every RRSIG dnssec-signzone makes verifies here.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { bindKeyFiles, readBindKeyPair } from '../../src/dnssec/bind-key-files.js';
import { since } from './key-times.js';
import { Algorithm, ALGORITHM_NAMES, DigestType, dsRData, generateKey, KSK_FLAGS, ZSK_FLAGS, type SigningKey } from '../../src/dnssec/keys.js';
import { typeBitmap } from '../../src/dnssec/nsec3-hash.js';
import { signRRset, verifyRRset, type RRset } from '../../src/dnssec/rrsig.js';
import { presentation } from '../../src/rrtypes/registry.js';
import { Name } from '../../src/wire/name.js';
import { typeFromName, typeName } from '../../src/wire/types.js';
import { parseMasterFile } from '../../src/zone/masterfile.js';
import { rd } from '../rrtypes/rdata.js';

const dir = mkdtempSync(join(tmpdir(), 'rotor-dnssec-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const zone = Name.parse('example.com.');
/** A BIND tool's output; its stderr in the failure when it exits non-zero. */
function run(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { cwd: dir, encoding: 'utf8' });
  assert.equal(r.status, 0, `${cmd} ${args.join(' ')}: ${r.stderr}${r.error?.message ?? ''}`);
  return r.stdout;
}

function load(base: string): SigningKey {
  const file = (ext: string) => ({ file: `${base}${ext}`, text: readFileSync(join(dir, `${base}${ext}`), 'utf8') });
  return readBindKeyPair(file('.key'), file('.private'));
}

/** dnssec-dsfromkey's DS for a .key file, as RDATA. */
function bindDs(base: string, digest: '-2' | '-a'): Buffer {
  const out = run('dnssec-dsfromkey', digest === '-2' ? ['-2', `${base}.key`] : ['-a', 'SHA-384', `${base}.key`]);
  const tokens = out.trim().split(/\s+/);
  return rd('DS', tokens.slice(tokens.indexOf('DS') + 1).join(' '));
}

const ALGORITHMS = [Algorithm.ECDSAP256SHA256, Algorithm.ED25519, Algorithm.RSASHA256];

describe('keys made by dnssec-keygen', () => {
  for (const algorithm of ALGORITHMS) {
    it(`${ALGORITHM_NAMES[algorithm]}: loads with the tag in its name and the DS of dnssec-dsfromkey`, () => {
      const base = run('dnssec-keygen', ['-q', '-a', ALGORITHM_NAMES[algorithm], '-f', 'KSK', 'example.com']).trim();
      const key = load(base);
      assert.equal(key.tag, Number(base.split('+')[2]));
      assert.equal(key.flags, KSK_FLAGS);
      assert.deepEqual(dsRData(key.owner, key.dnskey, DigestType.SHA256), bindDs(base, '-2'));
      assert.deepEqual(dsRData(key.owner, key.dnskey, DigestType.SHA384), bindDs(base, '-a'));
    });
  }
});

describe('keys rotor writes', () => {
  for (const algorithm of ALGORITHMS) {
    it(`${ALGORITHM_NAMES[algorithm]}: dnssec-dsfromkey reads them, and they load back the same`, () => {
      const key = generateKey(zone, algorithm, KSK_FLAGS);
      const files = bindKeyFiles(key, since(new Date('2026-01-01T00:00:00Z')));
      writeFileSync(join(dir, `${files.base}.key`), files.key);
      writeFileSync(join(dir, `${files.base}.private`), files.private, { mode: 0o600 });
      assert.deepEqual(bindDs(files.base, '-2'), dsRData(zone, key.dnskey));
      const back = load(files.base);
      assert.deepEqual(back.dnskey, key.dnskey);
      assert.equal(back.tag, key.tag);
    });
  }
});

describe('key files with every time', () => {
  for (const algorithm of ALGORITHMS) {
    it(`${ALGORITHM_NAMES[algorithm]}: are what dnssec-settime writes for the same times, octet for octet`, () => {
      const at = (s: string) => new Date(s);
      const key = generateKey(zone, algorithm, KSK_FLAGS);
      const files = bindKeyFiles(key, {
        created: at('2026-12-03T07:16:42Z'), publish: at('2026-12-03T07:16:42Z'), activate: at('2026-12-13T08:16:42Z'),
        inactive: at('2027-01-04T07:16:42Z'), delete: at('2027-01-15T07:16:42Z'), syncPublish: at('2026-12-13T08:16:42Z'), syncDelete: at('2027-01-04T07:16:42Z'),
      });
      writeFileSync(join(dir, `${files.base}.key`), files.key);
      writeFileSync(join(dir, `${files.base}.private`), files.private, { mode: 0o600 });
      // Setting a time to what it is has BIND write both files again in its own form.
      run('dnssec-settime', ['-I', '20270104071642', files.base]);
      assert.equal(readFileSync(join(dir, `${files.base}.key`), 'utf8'), files.key);
      assert.equal(readFileSync(join(dir, `${files.base}.private`), 'utf8'), files.private);
    });
  }
});

/** A small zone: [owner, type, text]. */
const RECORDS: [string, string, string][] = [
  ['example.com.', 'SOA', 'ns1.example.com. hostmaster.example.com. 1 3600 600 86400 300'],
  ['example.com.', 'NS', 'ns1.example.com.'],
  ['example.com.', 'MX', '10 Mail.Example.com.'],
  ['example.com.', 'MX', '20 mx2.example.com.'],
  ['*.example.com.', 'TXT', '"wild"'],
  ['mail.example.com.', 'A', '192.0.2.25'],
  ['ns1.example.com.', 'A', '192.0.2.53'],
  ['ns1.example.com.', 'AAAA', '2001:db8::53'],
];

/** The zone's RRsets, in the order of RECORDS; owners are listed in canonical order already. */
function rrsets(): RRset[] {
  const sets = new Map<string, { owner: Name; type: number; class: number; ttl: number; rdatas: Buffer[] }>();
  for (const [owner, type, text] of RECORDS) {
    const rdata = rd(type, text);
    const set = sets.get(`${owner} ${type}`);
    if (set) set.rdatas.push(rdata);
    else sets.set(`${owner} ${type}`, { owner: Name.parse(owner), type: typeFromName(type)!, class: 1, ttl: 300, rdatas: [rdata] });
  }
  return [...sets.values()];
}

const line = (set: RRset, rdata: Buffer, type = set.type): string => `${set.owner} ${set.ttl} IN ${typeName(type)} ${presentation(type, rdata)}`;

describe('a zone rotor signs', () => {
  for (const algorithm of ALGORITHMS) {
    it(`${ALGORITHM_NAMES[algorithm]}: passes dnssec-verify`, () => {
      const ksk = generateKey(zone, algorithm, KSK_FLAGS);
      const zsk = generateKey(zone, algorithm, ZSK_FLAGS);
      const sets = rrsets();
      sets.splice(1, 0, { owner: zone, type: 48, class: 1, ttl: 300, rdatas: [zsk.dnskey, ksk.dnskey] });
      // The NSEC chain by hand: each owner to the next, the last back to the apex (RFC 4034 §4.1.1).
      const owners = [...new Set(sets.map((s) => s.owner.key))];
      for (const [i, owner] of owners.entries()) {
        const types = sets.filter((s) => s.owner.key === owner).map((s) => s.type);
        const next = Name.parse(owners[(i + 1) % owners.length]!);
        const rdata = Buffer.concat([rd('NS', next.toString()), typeBitmap([...types, 46, 47])]);
        sets.push({ owner: Name.parse(owner), type: 47, class: 1, ttl: 300, rdatas: [rdata] });
      }
      const validity = { inception: Math.floor(Date.now() / 1000) - 3600, expiration: Math.floor(Date.now() / 1000) + 30 * 86400 };
      const text: string[] = [];
      for (const set of sets) {
        for (const rdata of set.rdatas) text.push(line(set, rdata));
        text.push(line(set, signRRset(set, set.type === 48 ? ksk : zsk, validity), 46));
      }
      const file = join(dir, `signed-${algorithm}.zone`);
      writeFileSync(file, text.join('\n') + '\n');
      run('dnssec-verify', ['-o', 'example.com.', file]);
    });
  }
});

describe('a zone dnssec-signzone signs', () => {
  for (const algorithm of ALGORITHMS) {
    it(`${ALGORITHM_NAMES[algorithm]} with keys rotor made: every RRSIG verifies here`, () => {
      const keys = [generateKey(zone, algorithm, KSK_FLAGS), generateKey(zone, algorithm, ZSK_FLAGS)];
      const keyDir = mkdtempSync(join(dir, 'keys-'));
      for (const key of keys) {
        const files = bindKeyFiles(key, since(new Date(Date.now() - 86400_000)));
        writeFileSync(join(keyDir, `${files.base}.key`), files.key);
        writeFileSync(join(keyDir, `${files.base}.private`), files.private, { mode: 0o600 });
      }
      const unsigned = join(keyDir, 'zone');
      writeFileSync(unsigned, rrsets().flatMap((set) => set.rdatas.map((r) => line(set, r))).join('\n') + '\n');
      run('dnssec-signzone', ['-S', '-K', keyDir, '-o', 'example.com.', '-f', `${unsigned}.signed`, unsigned]);
      const parsed = parseMasterFile(readFileSync(`${unsigned}.signed`, 'utf8'), 'signed', zone, 300);
      assert.deepEqual(parsed.diagnostics, []);
      const sets = new Map<string, { owner: Name; type: number; class: number; ttl: number; rdatas: Buffer[] }>();
      const sigs: { key: string; rrsig: Buffer }[] = [];
      for (const r of parsed.records) {
        if (r.type === 46) {
          sigs.push({ key: `${r.owner.key} ${r.rdata.readUInt16BE(0)}`, rrsig: r.rdata });
          continue;
        }
        const k = `${r.owner.key} ${r.type}`;
        const set = sets.get(k);
        if (set) set.rdatas.push(r.rdata);
        else sets.set(k, { owner: r.owner, type: r.type, class: 1, ttl: r.ttl, rdatas: [r.rdata] });
      }
      assert.ok(sigs.length >= 10, `${sigs.length} RRSIGs`);
      for (const { key: k, rrsig } of sigs) {
        const key = keys.find((candidate) => candidate.tag === rrsig.readUInt16BE(16))!;
        assert.equal(verifyRRset(sets.get(k)!, rrsig, key.dnskey), undefined, k);
      }
    });
  }
});

// The signed-zone model: a zone signed by BIND's dnssec-signzone loads with
// every RRSIG in the signature slot of the RRset it covers and the NSEC3 chain
// in the companion version; records() gives back the signed file's records
// (as named-checkzone reads them); diffs, apply, the hand-over between threads
// and `rotor convert` carry the signatures.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { keyTag } from '../../src/dnssec/keys.js';
import { verifyRRset } from '../../src/dnssec/rrsig.js';
import { RRClass, RRType } from '../../src/wire/types.js';
import { Name } from '../../src/wire/name.js';
import { apply, diff } from '../../src/zone/changeset.js';
import { loadZoneFile } from '../../src/zone/load.js';
import { NodeFlag, ZoneVersion } from '../../src/zone/version.js';
import { runCli } from '../e2e/harness.js';
import { signZone, SIGNED_EXAMPLE, type Denial, type SignedZone } from '../dnssec/signed-zone.js';
import { build, parse } from './version-helpers.js';

const ORIGIN = Name.parse('example.');
const zones: SignedZone[] = [];
const work = mkdtempSync(join(tmpdir(), 'rotor-signed-version-'));
after(() => {
  for (const z of zones) z.remove();
  rmSync(work, { recursive: true, force: true });
});

function signed(denial: Denial, text = SIGNED_EXAMPLE, algorithm: 'ECDSAP256SHA256' | 'ED25519' = 'ECDSAP256SHA256'): SignedZone {
  const z = signZone({ origin: 'example.', text, denial, algorithm });
  zones.push(z);
  return z;
}

/** A record as a line: owner lowercase, type, TTL, RDATA in hex. */
const line = (r: { owner: Name; type: number; ttl: number; rdata: Buffer }) => `${r.owner.key} ${r.type} ${r.ttl} ${r.rdata.toString('hex')}`;

/** A master file as named-checkzone writes it (-D: every record on one line, full names). */
function namedText(file: string): string {
  const r = spawnSync('named-checkzone', ['-q', '-D', '-o', '-', 'example.', file], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

/** The records of a master file as named-checkzone reads them, read back by rotor's parser. */
const namedRecords = (file: string): string[] => parse(namedText(file), ORIGIN).map(line).sort();

/** How many records of `type` named-checkzone reads in a file. */
const countOf = (file: string, type: number): number => parse(namedText(file), ORIGIN).filter((r) => r.type === type).length;

const sorted = (v: ZoneVersion) => [...v.records()].map(line).sort();

for (const denial of ['nsec', 'nsec3'] as const) {
  describe(`a zone signed by dnssec-signzone (${denial})`, () => {
    const zone = signed(denial);
    const built = build(zone.text, ORIGIN);
    const v = built.version;

    it('loads with no diagnostic but the zone\'s own (its dangling CNAME)', () => {
      assert.deepEqual(built.diagnostics.map((d) => d.message), ['CNAME target nothere.example. of dangling.example. does not exist in the zone']);
    });

    it('every RRSIG is in the slot of the RRset it covers, and verifies over it', () => {
      const apexKeys = v.rrset(0, RRType.DNSKEY);
      const keys = new Map<number, Buffer>();
      for (let r = v.recordsOf(apexKeys)[0]; r < v.recordsOf(apexKeys)[1]; r++) keys.set(keyTag(v.rdata(r)), v.rdata(r));
      let checked = 0;
      for (const tree of [v, v.nsec3].filter((t): t is ZoneVersion => t !== undefined)) {
        for (let n = 0; n < tree.nodeCount; n++) {
          for (let s = tree.setsOf(n)[0]; s < tree.setsOf(n)[1]; s++) {
            const [r0, r1] = tree.recordsOf(s);
            const [g0, g1] = tree.signaturesOf(s);
            const occluded = (tree.flags(n) & NodeFlag.OCCLUDED) !== 0;
            const delegated = (tree.flags(n) & NodeFlag.DELEGATION) !== 0 && tree.setType(s) === RRType.NS;
            // Glue and a delegation's NS are not signed (RFC 4035 §2.2); everything else is.
            assert.equal(g1 > g0, !occluded && !delegated, `${tree.ownerName(n)} ${tree.setType(s)}`);
            const set = { owner: tree.ownerName(n), type: tree.setType(s), class: RRClass.IN, ttl: tree.setTtl(s), rdatas: Array.from({ length: r1 - r0 }, (_, i) => tree.rdata(r0 + i)) };
            for (let g = g0; g < g1; g++) {
              const sig = tree.rdata(g);
              assert.equal(verifyRRset(set, sig, keys.get(sig.readUInt16BE(16))!), undefined, `${set.owner} ${set.type}`);
              checked++;
            }
          }
        }
      }
      assert.equal(checked, countOf(zone.file, RRType.RRSIG));
    });

    it(denial === 'nsec' ? 'has no NSEC3 companion' : 'keeps the NSEC3 chain apart: hashed owners are no names of the zone', () => {
      if (denial === 'nsec') {
        assert.equal(v.nsec3, undefined);
        return;
      }
      const chain = v.nsec3!;
      assert.equal(chain.origin.toString(), 'example.');
      assert.deepEqual(chain.setsOf(0), [0, 0]);
      assert.equal(chain.nodeCount - 1, countOf(zone.file, RRType.NSEC3));
      for (let n = 1; n < chain.nodeCount; n++) {
        assert.equal(v.find(chain.ownerName(n)), -1);
        assert.ok(chain.rrset(n, RRType.NSEC3) >= 0);
        // Canonical order: each hashed owner is its own predecessor, and comes after the one before.
        assert.equal(chain.predecessor(chain.ownerName(n)), n);
        if (n > 1) assert.ok(chain.ownerName(n - 1).key < chain.ownerName(n).key);
      }
      assert.ok(v.rrset(0, RRType.NSEC3PARAM) >= 0);
    });

    it('records() gives back exactly the records of the signed file, as named-checkzone reads it', () => {
      assert.deepEqual(sorted(v), namedRecords(zone.file));
    });

    it('crosses to another thread with its companion', () => {
      const again = build(zone.text, ORIGIN).version;
      const { message, transfer } = again.handOver();
      const copy = ZoneVersion.receive(structuredClone(message, { transfer }));
      assert.deepEqual(sorted(copy), sorted(v));
      assert.equal(copy.nsec3?.nodeCount, v.nsec3?.nodeCount);
    });

    it('rotor convert keeps every DNSSEC record, to a master file and to YAML', async () => {
      for (const to of ['zone', 'yaml']) {
        const out = join(work, `${denial}.${to === 'zone' ? 'out.zone' : 'yaml'}`);
        const r = await runCli(['convert', zone.file, '--origin', 'example.', '--to', to, '-o', out]);
        assert.equal(r.code, 0, r.stderr);
        const back = await loadZoneFile(out, { origin: ORIGIN, defaultTtl: 3600 });
        assert.deepEqual([...back.zone.records()].map(line).sort(), namedRecords(zone.file), to);
        if (to === 'zone') assert.deepEqual(namedRecords(out), namedRecords(zone.file));
      }
    });
  });
}

describe('signatures between versions', () => {
  const nsec = build(signed('nsec').text, ORIGIN).version;
  const changedText = SIGNED_EXAMPLE.replace('www      IN A   192.0.2.10', 'www      IN A   192.0.2.12\nnew      IN TXT "new"');
  const nsec3 = build(signed('nsec3', changedText).text, ORIGIN).version;
  const nsec3b = build(signed('nsec3', SIGNED_EXAMPLE, 'ED25519').text, ORIGIN).version;

  for (const [what, a, b] of [['NSEC to NSEC3', nsec, nsec3], ['NSEC3 to NSEC', nsec3, nsec], ['NSEC3 to NSEC3, other keys', nsec3, nsec3b]] as const) {
    it(`apply(A, diff(A, B)) has the records of B: ${what}`, () => {
      const cs = diff(a, b);
      assert.ok(cs.added.length > 0 && cs.removed.length > 0);
      const c = apply(a, cs);
      assert.deepEqual(sorted(c), sorted(b));
      assert.equal(c.nsec3?.nodeCount, b.nsec3?.nodeCount);
      // Every signature is in its slot: the same RRsets with the same signatures as B.
      for (let n = 0; n < b.nodeCount; n++) {
        const m = c.find(b.ownerName(n));
        for (let s = b.setsOf(n)[0]; s < b.setsOf(n)[1]; s++) {
          const t = c.rrset(m, b.setType(s));
          const sigs = (v: ZoneVersion, x: number) => Array.from({ length: v.signaturesOf(x)[1] - v.signaturesOf(x)[0] }, (_, i) => v.rdata(v.signaturesOf(x)[0] + i).toString('hex')).sort();
          assert.deepEqual(sigs(c, t), sigs(b, s));
        }
      }
      assert.equal(diff(c, b).added.length, 0);
    });
  }
});

describe('RRSIG records the builder meets', () => {
  const zone = signed('nsec');

  it('an RRSIG whose RRset is absent is dropped with one warning at its line', () => {
    // The signature of www's A set, moved to a name without an A set.
    const text = namedText(zone.file);
    const sig = text.split('\n').find((l) => /^www\.example\.\s.*\sRRSIG\s+A\s/.test(l));
    assert.ok(sig);
    const lines = text.trimEnd().split('\n');
    const { version, diagnostics } = build(`${lines.join('\n')}\n${sig.replace(/^www/, 'ns9')}\n`, ORIGIN);
    assert.deepEqual(diagnostics.map((d) => [d.pos.line, d.severity, d.message]).filter(([, , m]) => !String(m).startsWith('CNAME target')), [
      [lines.length + 1, 'warning', 'RRSIG at ns9.example. covers A, which has no records there: ignored'],
    ]);
    assert.equal(version.find(Name.parse('ns9.example.')), -1);
    assert.deepEqual(sorted(version), sorted(build(text, ORIGIN).version));
  });

  it('a signature with another TTL than its RRset takes the RRset\'s, with a warning', () => {
    const text = `@ 300 IN SOA ns hostmaster 1 7200 900 1209600 300
@ 300 IN NS ns
ns 300 IN A 192.0.2.1
ns 60 IN RRSIG A 13 2 300 20300101000000 20200101000000 1 example. AAAA
`;
    const { version, diagnostics } = build(text, ORIGIN);
    assert.deepEqual(diagnostics.map((d) => [d.pos.line, d.message]), [[4, 'TTL 60 of an RRSIG differs from 300 of the A records it covers at ns.example.: 300 is used']]);
    const [rrsig] = [...version.records()].filter((r) => r.type === RRType.RRSIG);
    assert.equal(rrsig!.ttl, 300);
  });
});

describe('predecessor: the node at or before a name in canonical order', () => {
  const v = build(`@ IN SOA ns hostmaster 1 2 3 4 5
@ IN NS ns
ns IN A 192.0.2.9
a IN A 192.0.2.1
z.b IN A 192.0.2.2
\\000.c IN A 192.0.2.3
`, ORIGIN).version;
  const name = (n: number) => v.ownerName(n).toString();
  for (const [q, want] of [
    ['example.', 'example.'], ['a.example.', 'a.example.'], ['0.example.', 'example.'], ['aa.example.', 'a.example.'],
    ['b.example.', 'b.example.'], ['a.b.example.', 'b.example.'], ['zz.b.example.', 'z.b.example.'], ['c.example.', 'c.example.'],
    ['\\001.c.example.', '\\000.c.example.'], ['d.example.', '\\000.c.example.'], ['x.ns.example.', 'ns.example.'],
  ]) {
    it(`${q} → ${want}`, () => assert.equal(name(v.predecessor(Name.parse(q!))), want));
  }
});

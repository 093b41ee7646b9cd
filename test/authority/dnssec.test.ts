// answer() with DO=1 on zones signed by dnssec-signzone (NSEC, NSEC3, NSEC3
// with opt-out; ECDSA and Ed25519), as a table: each row a question, the
// outcome it must give, and what its denial records must prove. Every RRSIG of
// every answer is verified over the RRset it follows, and the proofs are
// checked from the records' own fields (dnssec-proofs.ts), not by asking the
// code that chose them. Without DO the answer has neither.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { answer, type Answer, type AnsweredRRset, type AnswerKind } from '../../src/authority/answer.js';
import { Name } from '../../src/wire/name.js';
import { Rcode, RRType, typeFromName, typeName } from '../../src/wire/types.js';
import { buildZone } from '../../src/zone/build-zone.js';
import { parseMasterFile } from '../../src/zone/masterfile.js';
import type { Zone } from '../../src/zone/zone.js';
import { signZone, SIGNED_EXAMPLE, type Denial, type SignedZone } from '../dnssec/signed-zone.js';
import { Denials, signatureFaults } from './dnssec-proofs.js';

const ORIGIN = Name.parse('example.');
const n = (text: string) => Name.parse(text);

interface Row {
  q: string;
  type: string;
  rcode?: number;
  kind: AnswerKind;
  /** Owner and type of each RRset of the answer section, in order. */
  answer?: string[];
  /** What the authority section must prove (undefined: nothing is missing). */
  proves?: (d: Denials, denial: Denial) => string | undefined;
  /** RRsets that go out without signatures: a delegation's NS, glue, a DNAME's synthesised CNAME. */
  unsigned?: string[];
  /** The DS set must be in the authority section (a referral to a signed child). */
  ds?: boolean;
}

const ROWS: Row[] = [
  { q: 'www.example.', type: 'A', kind: 'answer', answer: ['www.example. A'] },
  { q: 'example.', type: 'DNSKEY', kind: 'answer', answer: ['example. DNSKEY'] },
  { q: 'example.', type: 'SOA', kind: 'answer', answer: ['example. SOA'] },
  { q: 'mail.example.', type: 'MX', kind: 'answer', answer: ['mail.example. MX'] },
  { q: 'nx.example.', type: 'A', rcode: Rcode.NXDOMAIN, kind: 'nxdomain', proves: (d) => d.nxdomain(n('nx.example.'), ORIGIN) },
  { q: 'x.y.mail.example.', type: 'A', rcode: Rcode.NXDOMAIN, kind: 'nxdomain', proves: (d) => d.nxdomain(n('x.y.mail.example.'), n('mail.example.')) },
  { q: 'x.b.ent.example.', type: 'A', rcode: Rcode.NXDOMAIN, kind: 'nxdomain', proves: (d) => d.nxdomain(n('x.b.ent.example.'), n('b.ent.example.')) },
  { q: 'www.example.', type: 'TXT', kind: 'nodata', proves: (d) => d.nodata(n('www.example.'), RRType.TXT) },
  { q: 'ent.example.', type: 'A', kind: 'nodata', proves: (d) => d.nodata(n('ent.example.'), RRType.A, true) },
  { q: 'b.ent.example.', type: 'A', kind: 'nodata', proves: (d) => d.nodata(n('b.ent.example.'), RRType.A, true) },
  { q: 'x.wild.example.', type: 'TXT', kind: 'wildcard', answer: ['x.wild.example. TXT'], proves: (d) => d.wildcard(n('x.wild.example.'), n('wild.example.')) },
  { q: 'a.b.wild.example.', type: 'TXT', kind: 'wildcard', answer: ['a.b.wild.example. TXT'], proves: (d) => d.wildcard(n('a.b.wild.example.'), n('wild.example.')) },
  { q: 'x.wild.example.', type: 'A', kind: 'nodata', proves: (d) => d.wildcardNodata(n('x.wild.example.'), n('wild.example.'), RRType.A) },
  { q: 'c1.example.', type: 'A', kind: 'cname', answer: ['c1.example. CNAME', 'c2.example. CNAME', 'www.example. A'] },
  { q: 'dangling.example.', type: 'A', rcode: Rcode.NXDOMAIN, kind: 'nxdomain', answer: ['dangling.example. CNAME'], proves: (d) => d.nxdomain(n('nothere.example.'), ORIGIN) },
  { q: 'ext.example.', type: 'A', kind: 'cname', answer: ['ext.example. CNAME'] },
  {
    q: 'host.unsigned.example.', type: 'A', kind: 'referral', proves: (d) => d.noDs(n('unsigned.example.')),
    unsigned: ['unsigned.example. NS', 'ns.unsigned.example. A'],
  },
  { q: 'unsigned.example.', type: 'DS', kind: 'nodata', proves: (d) => d.noDs(n('unsigned.example.')) },
  { q: 'host.secure.example.', type: 'A', kind: 'referral', ds: true, unsigned: ['secure.example. NS', 'ns.secure.example. A'] },
  { q: 'secure.example.', type: 'DS', kind: 'answer', answer: ['secure.example. DS'] },
  { q: 'www.example.', type: 'RRSIG', kind: 'answer' },
  // The wildcard's own NSEC is not synthesised, nor its signature (RFC 4592 §4.4).
  { q: 'x.wild.example.', type: 'RRSIG', kind: 'wildcard', answer: ['x.wild.example. RRSIG'], proves: (d) => d.wildcard(n('x.wild.example.'), n('wild.example.')) },
  { q: 'x.wild.example.', type: 'ANY', kind: 'wildcard', answer: ['x.wild.example. TXT'], proves: (d) => d.wildcard(n('x.wild.example.'), n('wild.example.')) },
  { q: 'x.old.example.', type: 'A', kind: 'dname', answer: ['old.example. DNAME', 'x.old.example. CNAME'], unsigned: ['x.old.example. CNAME'] },
];

const zones: SignedZone[] = [];
after(() => zones.forEach((z) => z.remove()));

function load(denial: Denial, algorithm: 'ECDSAP256SHA256' | 'ED25519'): Zone {
  const signed = signZone({ origin: 'example.', text: SIGNED_EXAMPLE, denial, algorithm });
  zones.push(signed);
  const parsed = parseMasterFile(signed.text, signed.file, ORIGIN, 3600);
  return buildZone(ORIGIN, signed.file, parsed.records, { serial: 1, ttl: 3600 }).zone;
}

const label = (s: AnsweredRRset) => `${s.owner} ${typeName(s.type)}`;
const sections = (a: Answer) => [...a.answer, ...a.authority, ...a.additional];

for (const [denial, algorithm] of [['nsec', 'ECDSAP256SHA256'], ['nsec3', 'ECDSAP256SHA256'], ['nsec3-optout', 'ED25519'], ['nsec', 'ED25519']] as const) {
  describe(`DO=1 answers of a zone signed with ${denial}, ${algorithm}`, () => {
    const zone = load(denial, algorithm);
    const dnskeys = zone.rrset(0, RRType.DNSKEY)!.rdata;

    for (const row of ROWS) {
      it(`${row.q} ${row.type}: ${row.kind}`, () => {
        const a = answer({ zone, qname: n(row.q), qtype: typeFromName(row.type)!, dnssecOk: true, any: 'one' });
        assert.equal(a.rcode, row.rcode ?? Rcode.NOERROR);
        assert.equal(a.kind, row.kind);
        if (row.answer) assert.deepEqual(a.answer.map(label), row.answer);
        for (const s of sections(a)) {
          if (row.unsigned?.includes(label(s)) || s.type === RRType.RRSIG) {
            assert.equal(s.signatures, undefined, `${label(s)} is signed`);
            continue;
          }
          assert.deepEqual(signatureFaults({ ...s, signatures: s.signatures ?? [] }, dnskeys), []);
        }
        // An RRSIG question is answered with the signatures themselves: each verifies over its RRset.
        if (row.type === 'RRSIG') {
          if (row.q === 'www.example.') assert.equal(a.answer.length, zone.rrsetsAt(zone.node(n(row.q))).length);
          for (const s of a.answer) {
            assert.equal(label(s), `${row.q} RRSIG`);
            // At a name a wildcard answers for, the wildcard's set, signed as the wildcard (the RRSIG's label count says so).
            const node = zone.node(s.owner) >= 0 ? zone.node(s.owner) : zone.lookup(s.owner).wildcard;
            const covered = zone.rrset(node, s.rdata[0]!.readUInt16BE(0))!;
            assert.deepEqual(signatureFaults({ ...covered, owner: s.owner, signatures: s.rdata }, dnskeys), []);
          }
        }
        const denials = new Denials(ORIGIN, a.authority.map((s) => ({ ...s, signatures: s.signatures ?? [] })));
        if (row.proves) assert.equal(row.proves(denials, denial), undefined);
        else assert.equal(denials.kind, 'none', 'denial records in an answer that needs none');
        const types = a.authority.map((s) => s.type);
        assert.equal(types.includes(RRType.DS), row.ds ?? false);
        if (a.kind === 'nodata' || a.kind === 'nxdomain') assert.equal(a.authority[0]!.type, RRType.SOA);
      });
    }

    it('without DO, the same questions get no signature, no NSEC or NSEC3, no DS in a referral', () => {
      for (const row of ROWS) {
        const a = answer({ zone, qname: n(row.q), qtype: typeFromName(row.type)!, dnssecOk: false, any: 'one' });
        assert.equal(a.kind, row.kind);
        for (const s of sections(a)) {
          assert.equal(s.signatures, undefined);
          if (s.type === RRType.NSEC || s.type === RRType.NSEC3) assert.fail(`${row.q} ${row.type}: ${label(s)}`);
          if (a.kind === 'referral' && s.type === RRType.DS) assert.fail(`${row.q}: DS in a referral without DO`);
        }
      }
    });
  });
}

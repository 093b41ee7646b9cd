// answer() in-process, as a table: zones built from master-file text by the
// loader's own functions, each row an answer input and the outcome it must
// give — its kind, rcode, AA and sections in base order (rotation is the next
// stage and must not show here).
import { presentation } from '../../src/rrtypes/registry.js';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { answer, type Answer, type AnswerInput, type AnswerKind } from '../../src/authority/answer.js';
import { Name } from '../../src/wire/name.js';
import { Rcode, RRType, typeName } from '../../src/wire/types.js';
import { parseMasterFile } from '../../src/zone/masterfile.js';
import { type Zone } from '../../src/zone/zone.js';
import { buildZone } from '../../src/zone/build-zone.js';

const ZONE = `
$TTL 300
@         SOA   ns1 hostmaster 1 7200 900 1209600 60
@         NS    ns1
@         MX    10 mail
ns1       A     192.0.2.1
mail      A     192.0.2.25
mail      AAAA  2001:db8::25
www       A     192.0.2.80
www       A     192.0.2.81
www       A     192.0.2.82
alias     CNAME chain1
chain1    CNAME www
outside   CNAME www.elsewhere.test.
loop1     CNAME loop2
loop2     CNAME loop1
to-nodata CNAME mail
a.b.c     A     192.0.2.3
*.wild    A     192.0.2.99
*.wild    TXT   "wild"
explicit.wild TXT "explicit"
*.cwild   CNAME www
sub       NS    ns.sub
sub       NS    ns.elsewhere.test.
sub       TYPE43 \\# 4 01020304
ns.sub    A     192.0.2.53
to-sub    CNAME host.sub
`;

function zoneOf(text: string, origin = 'example.test.'): Zone {
  const name = Name.parse(origin);
  const parsed = parseMasterFile(text, 'example.test.zone', name, 300);
  assert.deepEqual(parsed.diagnostics.filter((d) => d.severity === 'error'), []);
  return buildZone(name, 'example.test.zone', parsed.records, { serial: 1, ttl: 300 }).zone;
}

const zone = zoneOf(ZONE);

function ask(qname: string, qtype: number, more: Partial<AnswerInput> = {}): Answer {
  return answer({ zone, qname: Name.parse(qname), qtype, dnssecOk: false, any: 'one', ...more });
}

/** A section as `owner TYPE count`, in the order answer() put it. */
const show = (section: Answer['answer']) => section.map((s) => `${s.owner.toString()} ${typeName(s.type)} ${s.rdata.length}`);

interface Row {
  q: [string, number, Partial<AnswerInput>?];
  kind: AnswerKind;
  rcode?: number;
  aa?: boolean;
  answer?: string[];
  authority?: string[];
  additional?: string[];
  wildcard?: string;
}

const SOA = 'example.test. SOA 1';

const TABLE: Row[] = [
  { q: ['www.example.test.', RRType.A], kind: 'answer', answer: ['www.example.test. A 3'] },
  { q: ['WWW.Example.TEST.', RRType.A], kind: 'answer', answer: ['WWW.Example.TEST. A 3'] },
  { q: ['example.test.', RRType.MX], kind: 'answer', answer: ['example.test. MX 1'], additional: ['mail.example.test. A 1', 'mail.example.test. AAAA 1'] },
  // CNAME chains: followed inside the zone, left to the resolver outside it, cut at loops.
  { q: ['alias.example.test.', RRType.A], kind: 'cname', answer: ['alias.example.test. CNAME 1', 'chain1.example.test. CNAME 1', 'www.example.test. A 3'] },
  { q: ['alias.example.test.', RRType.CNAME], kind: 'answer', answer: ['alias.example.test. CNAME 1'] },
  { q: ['outside.example.test.', RRType.A], kind: 'cname', answer: ['outside.example.test. CNAME 1'] },
  { q: ['loop1.example.test.', RRType.A], kind: 'cname', answer: ['loop1.example.test. CNAME 1', 'loop2.example.test. CNAME 1'] },
  { q: ['to-nodata.example.test.', RRType.TXT], kind: 'nodata', answer: ['to-nodata.example.test. CNAME 1'], authority: [SOA] },
  { q: ['to-sub.example.test.', RRType.A], kind: 'referral', aa: true, answer: ['to-sub.example.test. CNAME 1'], authority: ['sub.example.test. NS 2'], additional: ['ns.sub.example.test. A 1'] },
  // Negative answers: NODATA at a name and at an empty non-terminal, NXDOMAIN below nothing.
  { q: ['www.example.test.', RRType.TXT], kind: 'nodata', authority: [SOA] },
  { q: ['b.c.example.test.', RRType.A], kind: 'nodata', authority: [SOA] },
  { q: ['c.example.test.', RRType.A], kind: 'nodata', authority: [SOA] },
  { q: ['nothere.example.test.', RRType.A], kind: 'nxdomain', rcode: Rcode.NXDOMAIN, authority: [SOA] },
  { q: ['x.a.b.c.example.test.', RRType.A], kind: 'nxdomain', rcode: Rcode.NXDOMAIN, authority: [SOA] },
  // Wildcards (RFC 4592): synthesised at the query name, not for names that exist.
  { q: ['x.wild.example.test.', RRType.A], kind: 'wildcard', answer: ['x.wild.example.test. A 1'], wildcard: '*.wild.example.test.' },
  { q: ['y.x.wild.example.test.', RRType.TXT], kind: 'wildcard', answer: ['y.x.wild.example.test. TXT 1'], wildcard: '*.wild.example.test.' },
  { q: ['x.wild.example.test.', RRType.MX], kind: 'nodata', authority: [SOA], wildcard: '*.wild.example.test.' },
  { q: ['explicit.wild.example.test.', RRType.A], kind: 'nodata', authority: [SOA] },
  { q: ['q.cwild.example.test.', RRType.A], kind: 'cname', answer: ['q.cwild.example.test. CNAME 1', 'www.example.test. A 3'], wildcard: '*.cwild.example.test.' },
  // A delegation: a referral with glue for the in-zone server only, AA off; DS answered by the parent side.
  { q: ['host.sub.example.test.', RRType.A], kind: 'referral', aa: false, authority: ['sub.example.test. NS 2'], additional: ['ns.sub.example.test. A 1'] },
  { q: ['sub.example.test.', RRType.NS], kind: 'referral', aa: false, authority: ['sub.example.test. NS 2'], additional: ['ns.sub.example.test. A 1'] },
  { q: ['sub.example.test.', RRType.DS], kind: 'answer', answer: ['sub.example.test. DS 1'] },
  { q: ['host.sub.example.test.', RRType.DS], kind: 'referral', aa: false, authority: ['sub.example.test. NS 2'], additional: ['ns.sub.example.test. A 1'] },
  // ANY (RFC 8482): one RRset over UDP, all of them over TCP.
  { q: ['mail.example.test.', RRType.ANY], kind: 'answer', answer: ['mail.example.test. A 1'] },
  { q: ['mail.example.test.', RRType.ANY, { any: 'all' }], kind: 'answer', answer: ['mail.example.test. A 1', 'mail.example.test. AAAA 1'] },
  { q: ['b.c.example.test.', RRType.ANY, { any: 'all' }], kind: 'nodata', authority: [SOA] },
];

describe('answer()', () => {
  for (const row of TABLE) {
    const [qname, qtype, more] = row.q;
    it(`${qname} ${typeName(qtype)}${more ? ' ' + JSON.stringify(more) : ''}: ${row.kind}`, () => {
      const out = ask(qname, qtype, more);
      assert.equal(out.kind, row.kind);
      assert.equal(out.rcode, row.rcode ?? Rcode.NOERROR);
      assert.equal(out.aa, row.aa ?? true);
      assert.equal(out.referral, row.kind === 'referral');
      assert.equal(out.zone, zone);
      assert.deepEqual(show(out.answer), row.answer ?? []);
      assert.deepEqual(show(out.authority), row.authority ?? []);
      assert.deepEqual(show(out.additional), row.additional ?? []);
      assert.equal(out.wildcard?.toString(), row.wildcard);
    });
  }

  it('puts the SOA of a negative answer with its TTL capped by MINIMUM (RFC 2308 §3)', () => {
    assert.equal(ask('nothere.example.test.', RRType.A).authority[0]!.ttl, 60);
  });

  it('leaves the records in the zone\'s order, whatever was asked before: rotation is not its work', () => {
    const order = () => ask('www.example.test.', RRType.A).answer[0]!.rdata.map((r) => presentation(RRType.A, r));
    const first = order();
    for (let i = 0; i < 5; i++) assert.deepEqual(order(), first);
    assert.deepEqual(first, ['192.0.2.80', '192.0.2.81', '192.0.2.82']);
  });

  it('takes DO as part of its input and gives the same answer for it while no DNSSEC records are served', () => {
    for (const [qname, qtype] of [['www.example.test.', RRType.A], ['nothere.example.test.', RRType.A], ['host.sub.example.test.', RRType.A]] as const) {
      const plain = ask(qname, qtype);
      const dnssec = ask(qname, qtype, { dnssecOk: true });
      assert.deepEqual([dnssec.kind, show(dnssec.answer), show(dnssec.authority), show(dnssec.additional)], [plain.kind, show(plain.answer), show(plain.authority), show(plain.additional)]);
    }
  });

  it('writes nothing into the zone: a frozen zone answers alike', () => {
    const frozen = zoneOf(ZONE);
    for (let n = 0; n < frozen.version.nodeCount; n++) for (const set of frozen.rrsetsAt(n)) Object.freeze(set);
    const out = answer({ zone: frozen, qname: Name.parse('www.example.test.'), qtype: RRType.A, dnssecOk: false, any: 'one' });
    assert.deepEqual(show(out.answer), ['www.example.test. A 3']);
  });
});

const DNAME_ZONE = `
$TTL 300
@         SOA   ns1 hostmaster 1 7200 900 1209600 60
@         NS    ns1
ns1       A     192.0.2.1
host.t    A     192.0.2.10
dn   30   DNAME t
x.dn      A     192.0.2.66
out  30   DNAME elsewhere.test.
up   30   DNAME long-target-name.t
via       CNAME host.dn
sub       NS    ns.sub
sub  30   DNAME t
deep      NS    ns.sub
sub.deep  DNAME t
grow      DNAME sub.grow
ns.sub    A     192.0.2.53
`;

describe('answer() with DNAMEs (RFC 6672)', () => {
  const dzone = zoneOf(DNAME_ZONE);
  const dask = (qname: string, qtype: number) => answer({ zone: dzone, qname: Name.parse(qname), qtype, dnssecOk: false, any: 'one' });
  /** Sections as `owner TTL TYPE data`. */
  const full = (section: Answer['answer']) => section.flatMap((s) => s.rdata.map((r) => `${s.owner.toString()} ${s.ttl} ${typeName(s.type)} ${presentation(s.type, r)}`));

  it('answers below a DNAME with it, a CNAME owned by the query name with the DNAME\'s TTL, and the data it leads to', () => {
    const out = dask('host.dn.example.test.', RRType.A);
    assert.equal(out.kind, 'dname');
    assert.equal(out.rcode, Rcode.NOERROR);
    assert.deepEqual(full(out.answer), [
      'dn.example.test. 30 DNAME t.example.test.',
      'host.dn.example.test. 30 CNAME host.t.example.test.',
      'host.t.example.test. 300 A 192.0.2.10',
    ]);
  });

  it('occludes the data below a DNAME', () => {
    const out = dask('x.dn.example.test.', RRType.A);
    assert.equal(out.kind, 'nxdomain');
    assert.equal(out.rcode, Rcode.NXDOMAIN);
    assert.deepEqual(full(out.answer), ['dn.example.test. 30 DNAME t.example.test.', 'x.dn.example.test. 30 CNAME x.t.example.test.']);
  });

  it('follows a CNAME into a DNAME\'s subtree, and leaves an out-of-zone target to the resolver', () => {
    assert.deepEqual(show(dask('via.example.test.', RRType.A).answer), [
      'via.example.test. CNAME 1', 'dn.example.test. DNAME 1', 'host.dn.example.test. CNAME 1', 'host.t.example.test. A 1',
    ]);
    const out = dask('a.out.example.test.', RRType.A);
    assert.equal(out.kind, 'dname');
    assert.deepEqual(full(out.answer), ['out.example.test. 30 DNAME elsewhere.test.', 'a.out.example.test. 30 CNAME a.elsewhere.test.']);
  });

  it('gives the same answer for every case of the question: only the synthesised CNAME\'s owner keeps it', () => {
    const out = dask('HoSt.Dn.example.test.', RRType.A);
    assert.deepEqual(full(out.answer).slice(1, 2), ['HoSt.Dn.example.test. 30 CNAME host.t.example.test.']);
  });

  it('is YXDOMAIN with the DNAME alone when the new name would pass 255 octets', () => {
    const label = 'x'.repeat(63);
    // 255 octets, to which the DNAME adds 16 (long-target-name.t. for up.).
    const qname = `${label}.${label}.${label}.${'y'.repeat(45)}.up.example.test.`;
    const out = dask(qname, RRType.A);
    assert.equal(out.kind, 'dname');
    assert.equal(out.rcode, Rcode.YXDOMAIN);
    assert.deepEqual(show(out.answer), ['up.example.test. DNAME 1']);
    assert.deepEqual(show(out.authority), []);
    // 16 octets less, the new name is 255 octets: it fits, and is not in the zone.
    assert.equal(dask(qname.replace('y'.repeat(16), ''), RRType.A).rcode, Rcode.NXDOMAIN);
  });

  it('writes a DNAME met again once, and stops a chain that grows the name after 16 CNAMEs', () => {
    const out = dask('a.grow.example.test.', RRType.A);
    assert.equal(out.rcode, Rcode.NOERROR);
    const types = out.answer.map((s) => typeName(s.type));
    assert.deepEqual([types[0], types.filter((t) => t === 'CNAME').length, types.length], ['DNAME', 16, 17]);
    assert.equal(out.answer.at(-1)!.owner.toString(), `a.${'sub.'.repeat(15)}grow.example.test.`);
  });

  it('lets the higher of a delegation and a DNAME apply', () => {
    // sub has both: the cut is the higher (the DNAME there is the child's data).
    assert.equal(dask('host.sub.example.test.', RRType.A).kind, 'referral');
    // deep is a cut above the DNAME at sub.deep: a referral.
    assert.equal(dask('a.sub.deep.example.test.', RRType.A).kind, 'referral');
  });
});

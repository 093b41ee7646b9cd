// Zone versions: canonical order, lookups, node flags, and the builder's rules
// (the diagnostics buildZone gave for the Map-based zone).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Name } from '../../src/wire/name.js';
import { RRType } from '../../src/wire/types.js';
import { ZoneLoadError, type Diagnostic } from '../../src/zone/errors.js';
import { soaSerial } from '../../src/rrtypes/soa.js';
import { NodeFlag, ZoneVersion } from '../../src/zone/version.js';
import { build, buildRecords, FILE, lines, owners, parse } from './version-helpers.js';

const SOA = '@ 3600 IN SOA ns1 hostmaster 1 3600 600 1209600 300\n@ NS ns1\nns1 A 192.0.2.53\n';

describe('canonical order (RFC 4034 §6.1)', () => {
  it('sorts the RFC example as the RFC does, keeping the case written', () => {
    // The RFC's list, in its order, shuffled into the file.
    const expected = ['example.', 'a.example.', 'yljkjljk.a.example.', 'Z.a.example.', 'zABC.a.example.', 'z.example.', '\\001.z.example.', '*.z.example.', '\\200.z.example.'];
    const text = '@ SOA ns hostmaster 1 3600 600 1209600 300\n' +
      [...expected.slice(1)].reverse().map((n) => `${n} A 192.0.2.1\n`).join('');
    const { version } = build(text);
    assert.deepEqual(owners(version), expected);
  });

  it('orders labels holding 0x00 and 0x01 apart and before longer ones', () => {
    const names = ['a.example.', 'a\\000.example.', 'a\\000\\001.example.', 'a\\001.example.', 'a\\002.example.', 'aa.example.', 'b.example.'];
    const text = '@ SOA ns hostmaster 1 3600 600 1209600 300\n' + [...names].reverse().map((n) => `${n} A 192.0.2.1\n`).join('');
    const { version } = build(text);
    assert.deepEqual(owners(version), ['example.', ...names]);
    for (const n of names) assert.notEqual(version.find(Name.parse(n)), -1, n);
  });

  it('finds names whatever their case, and keeps one node per name', () => {
    const { version } = build(SOA + 'WWW A 192.0.2.1\nwww A 192.0.2.2\n');
    const n = version.find(Name.parse('wWw.EXAMPLE.'));
    assert.equal(version.ownerName(n).toString(), 'WWW.example.');
    const set = version.rrset(n, RRType.A);
    assert.deepEqual(version.recordsOf(set)[1] - version.recordsOf(set)[0], 2);
  });
});

describe('lookups and node flags', () => {
  const text = SOA +
    'a.b.c A 192.0.2.1\n' +
    '*.w A 192.0.2.2\n' +
    '*.e.w A 192.0.2.3\n' +
    'sub NS ns.sub\nns.sub A 192.0.2.4\ndeep.x.sub A 192.0.2.5\n' +
    'x.*.ent TXT "below a wildcard"\n';
  const { version } = build(text);
  const find = (s: string) => version.find(Name.parse(s + '.example.'));
  const flags = (s: string) => version.flags(find(s));

  it('has the apex first, its RRsets in the order written', () => {
    assert.equal(version.flags(0) & NodeFlag.APEX, NodeFlag.APEX);
    assert.equal(version.setType(version.setsOf(0)[0]), RRType.SOA);
    assert.equal(version.setType(version.setsOf(0)[0] + 1), RRType.NS);
    // A made-up SOA comes after the RRsets written, as buildZone put it.
    const made = build('@ NS ns1\n@ MX 10 mx\n').version;
    assert.deepEqual([0, 1, 2].map((i) => made.setType(made.setsOf(0)[0] + i)), [RRType.NS, RRType.MX, RRType.SOA]);
    assert.equal(version.serial, 1);
    assert.equal(version.find(Name.parse('example.')), 0);
  });

  it('makes empty non-terminals nodes of their own', () => {
    assert.equal(flags('b.c'), NodeFlag.EMPTY);
    assert.equal(flags('c'), NodeFlag.EMPTY);
    assert.equal(flags('a.b.c'), 0);
    assert.equal(find('d.c'), -1);
    assert.equal(version.find(Name.parse('a.b.c.other.')), -1);
  });

  it('marks delegations and what lies below them', () => {
    assert.equal(flags('sub'), NodeFlag.DELEGATION);
    assert.equal(flags('ns.sub'), NodeFlag.OCCLUDED);
    assert.equal(flags('x.sub'), NodeFlag.EMPTY | NodeFlag.OCCLUDED);
    assert.equal(flags('deep.x.sub'), NodeFlag.OCCLUDED);
    assert.equal(version.findCut(Name.parse('deep.x.sub.example.')), find('sub'));
    assert.equal(version.findCut(Name.parse('nothere.deep.x.sub.example.')), find('sub'));
    assert.equal(version.findCut(Name.parse('sub.example.')), find('sub'));
    assert.equal(version.findCut(Name.parse('a.b.c.example.')), -1);
  });

  it('marks wildcards, empty ones too, and finds the one below the closest encloser', () => {
    assert.equal(flags('*.w'), NodeFlag.WILDCARD);
    assert.equal(flags('*.ent'), NodeFlag.WILDCARD | NodeFlag.EMPTY);
    const l = version.lookup(Name.parse('q.r.w.example.'));
    assert.deepEqual(l, { node: -1, encloser: find('w'), cut: -1, wildcard: find('*.w') });
    // e.w exists (it has a wildcard child), so it is the closest encloser of q.e.w.
    assert.equal(version.lookup(Name.parse('q.e.w.example.')).wildcard, find('*.e.w'));
    assert.equal(version.lookup(Name.parse('q.ent.example.')).wildcard, find('*.ent'));
    assert.equal(version.lookup(Name.parse('q.b.c.example.')).wildcard, -1);
    assert.deepEqual(version.lookup(Name.parse('a.b.c.example.')), { node: find('a.b.c'), encloser: find('a.b.c'), cut: -1, wildcard: -1 });
    assert.deepEqual(version.lookup(Name.parse('example.')), { node: 0, encloser: 0, cut: -1, wildcard: -1 });
  });

  it('gives the next name with records that is not occluded, wrapping to the apex', () => {
    const next: string[] = [];
    for (let n = version.nextName(0); n !== 0; n = version.nextName(n)) next.push(version.ownerName(n).toString());
    assert.deepEqual(next, owners(version).filter((o) => o !== 'example.' && !o.endsWith('.sub.example.')));
    assert.ok(next.includes('sub.example.'));
  });

  it('reads the records of an RRset as RDATA in wire form', () => {
    const set = version.rrset(find('a.b.c'), RRType.A);
    const [r0, r1] = version.recordsOf(set);
    assert.equal(r1 - r0, 1);
    assert.deepEqual([...version.rdata(r0)], [192, 0, 2, 1]);
    assert.equal(version.setTtl(set), 3600);
    assert.deepEqual(version.signaturesOf(set), [r1, r1]);
    assert.equal(version.rrset(find('a.b.c'), RRType.AAAA), -1);
  });
});

/** The diagnostics of building, or of the ZoneLoadError thrown. */
function diagnosticsOf(run: () => { diagnostics: Diagnostic[] }): string[] {
  try {
    return run().diagnostics.map((d) => `${d.pos.line}:${d.pos.col} ${d.severity} ${d.message}`);
  } catch (e) {
    if (!(e instanceof ZoneLoadError)) throw e;
    return e.diagnostics.map((d) => `${d.pos.line}:${d.pos.col} ${d.severity} ${d.message}`);
  }
}

describe('the builder applies the rules of a servable zone', () => {
  const origin = Name.parse('example.');
  // What the Map-based zone's buildZone gave for the same records, when both were there to compare.
  const cases: [string, string, string[]][] = [
    ['duplicates and TTL mismatches', SOA + 'www A 192.0.2.1\nwww 60 A 192.0.2.2\nwww A 192.0.2.1\nWWW 70 A 192.0.2.3\n', [
      '5:1 warning TTL 60 differs from 3600 of the other A records at www.example.: 60 is used',
      '6:1 warning duplicate A record at www.example.: ignored',
      '7:1 warning TTL 70 differs from 60 of the other A records at WWW.example.: 60 is used',
    ]],
    ['duplicates in a large RRset', SOA + Array.from({ length: 20 }, (_, i) => `big TXT "t${i % 12}"\n`).join(''),
      Array.from({ length: 8 }, (_, i) => `${16 + i}:1 warning duplicate TXT record at big.example.: ignored`)],
    ['CNAME beside other data, either order', SOA + 'a CNAME x\na A 192.0.2.1\nb TXT "x"\nb CNAME y\n', [
      '5:1 error CNAME at a.example. beside other data (A): a CNAME must be alone at its name',
      '7:1 error CNAME at b.example. beside other data (TXT): a CNAME must be alone at its name',
    ]],
    ['two CNAMEs, two SOAs', SOA + 'c CNAME x\nc CNAME y\n@ SOA ns2 h 2 3600 600 1209600 300\n',
      ['5:1 error more than one CNAME record at c.example.', '6:1 error more than one SOA record at example.']],
    ['a CNAME at the apex', SOA + '@ CNAME elsewhere.\n', [
      '4:1 error CNAME at example. beside other data (SOA, NS): a CNAME must be alone at its name',
      '4:1 error CNAME at the zone apex example.',
    ]],
    ['records outside the zone and an SOA below the apex', SOA + 'www.other. A 192.0.2.1\nsub SOA ns h 1 1 1 1 1\n', [
      '4:1 error owner www.other. is outside the zone example.',
      '5:1 error SOA record at sub.example.: only the apex of example. may have one',
    ]],
    ['no SOA and no NS', 'www A 192.0.2.1\n', ['1:1 warning no NS records at the apex of example.']],
    ['no SOA: one is made from the first NS', '@ NS ns2.elsewhere.\n@ NS ns1\nns1 A 192.0.2.1\n', []],
    ['interleaved owners', SOA + 'a A 192.0.2.1\nb A 192.0.2.2\na A 192.0.2.3\na TXT "x"\nb A 192.0.2.2\n', ['8:1 warning duplicate A record at b.example.: ignored']],
    ['targets without addresses, behind CNAMEs and below cuts, written out of order', SOA +
      'z MX 10 nowhere\nsub NS ns.sub\nsub NS ns2.sub\nns.sub A 192.0.2.9\nhost.sub TXT "occluded"\nalias CNAME ns1\nb SRV 0 0 1 alias\nsub2 NS ns.sub\n', [
      '4:1 warning MX target nowhere.example. of z.example. has no A or AAAA record in the zone',
      '6:1 warning NS target ns2.sub.example. of sub.example. is inside the delegated zone and has no glue (A/AAAA): the delegation cannot be followed',
      '8:1 warning TXT at host.sub.example. is below the delegation sub.example. and is never served (occluded)',
      '10:1 warning SRV target alias.example. of b.example. is a CNAME; MX, NS and SRV must point at the name that has the addresses (RFC 2181 §10.3)',
    ]],
  ];
  for (const [what, text, expected] of cases) {
    it(what, () => {
      assert.deepEqual(diagnosticsOf(() => buildRecords(parse(text, origin), origin)), expected);
    });
  }

  it('synthesizes the SOA from the first NS, with the given serial and TTL', () => {
    const { version } = build('@ NS ns2.elsewhere.\n@ NS ns1\n');
    const soa = version.soa;
    assert.equal(soa.ttl, 3600);
    assert.equal(soaSerial(soa.rdata), 7);
    assert.ok(soa.rdata.toString('latin1').startsWith('\x03ns2\x09elsewhere\x00\x0ahostmaster\x07example\x00'));
  });

  it('keeps where each record was written beside the version', () => {
    const { version, positions } = build(SOA + 'zz A 192.0.2.1\naa A 192.0.2.2\n');
    const [r] = version.recordsOf(version.rrset(version.find(Name.parse('aa.example.')), RRType.A));
    assert.deepEqual(positions.at(r), { file: FILE, line: 5, col: 1 });
  });
});

describe('moving a version', () => {
  it('is a handful of buffers, whole again on the other side', () => {
    const { version } = build(SOA + 'a.b A 192.0.2.1\nsub NS ns.sub\n');
    const before = lines(version);
    const { message, transfer } = version.handOver();
    assert.ok(transfer.length <= 12);
    const copy = ZoneVersion.receive(structuredClone(message, { transfer }));
    assert.equal(version.columns.keys.byteLength, 0, 'the buffers moved, not copied');
    assert.deepEqual(lines(copy), before);
    assert.equal(copy.flags(copy.find(Name.parse('sub.example.'))), NodeFlag.DELEGATION);
  });
});

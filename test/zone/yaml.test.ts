import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Name } from '../../src/wire/name.js';
import { presentation, targetOf } from '../../src/rrtypes/registry.js';
import { RRType, typeName } from '../../src/wire/types.js';
import { formatDiagnostic, ZoneLoadError } from '../../src/zone/errors.js';
import { parseYamlZone } from '../../src/zone/yaml.js';
import { buildZone } from '../../src/zone/build-zone.js';

const origin = Name.parse('corp.example.');
const FILE = 'corp.example.yaml';

/** Every error a text produces, as the server logs them. */
function errorsOf(text: string): string[] {
  const parsed = parseYamlZone(text, FILE, origin, 3600);
  const errors = parsed.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length) return errors.map(formatDiagnostic);
  try {
    buildZone(origin, FILE, parsed.records, { serial: 1, ttl: 3600 });
    return [];
  } catch (e) {
    return (e as ZoneLoadError).diagnostics.filter((d) => d.severity === 'error').map(formatDiagnostic);
  }
}

function recordsOf(text: string) {
  const parsed = parseYamlZone(text, FILE, origin, 3600);
  assert.deepEqual(parsed.diagnostics, []);
  return parsed.records;
}

describe('YAML zone validation: every error names file:line:col', () => {
  const cases: [string, string, string][] = [
    ['a bad IPv4 address', 'www:\n  type: A\n  value: 1.2.3.256\n', '3:10: error: "1.2.3.256" is not an IPv4 address'],
    ['a prefix instead of an address', 'www:\n  type: A\n  value: 192.0.2.0/24\n', '3:10: error: "192.0.2.0/24" is a prefix'],
    ['an IPv6 zone ID', 'www:\n  type: AAAA\n  value: fe80::1%eth0\n', '3:10: error: "fe80::1%eth0" has a zone ID'],
    ['an IPv4 address in AAAA', 'www:\n  type: AAAA\n  value: 192.0.2.1\n', '3:10: error: "192.0.2.1" is not an IPv6 address'],
    ['an unknown type', 'www:\n  type: BOGUS\n  value: x\n', '2:9: error: unknown record type "BOGUS"'],
    ['a type YAML zones do not carry', 'www:\n  type: TYPE65280\n  value: x\n', '2:9: error: record type TYPE65280 is not supported'],
    ['an empty label', "'a..b':\n  type: A\n  value: 192.0.2.1\n", '1:1: error: bad name: empty label'],
    ['a label over 63 octets', `${'x'.repeat(64)}:\n  type: A\n  value: 192.0.2.1\n`, '1:1: error: bad name: label longer than 63 octets'],
    ['a target name over 255 octets', `www:\n  type: CNAME\n  value: ${Array.from({ length: 5 }, () => 'y'.repeat(60)).join('.')}\n`, '3:10: error: bad name: name longer than 255 octets'],
    ['a missing MX exchange', "'':\n  type: MX\n  value:\n    preference: 10\n", '4:5: error: MX value has no "exchange"'],
    ['an MX preference out of range', "'':\n  type: MX\n  value:\n    preference: 99999\n    exchange: mx\n", '4:17: error: MX preference must be an integer from 0 to 65535'],
    ['a missing SRV port', "_x._tcp:\n  type: SRV\n  value: {priority: 1, weight: 1, target: t}\n", '3:10: error: SRV value has no "port"'],
    ['a CNAME beside other data', 'www:\n  - type: CNAME\n    value: x\n  - type: A\n    value: 192.0.2.1\n', '5:12: error: CNAME at www.corp.example. beside other data (A)'],
    ['two CNAMEs', 'www:\n  type: CNAME\n  values: [a, b]\n', '3:11: error: a CNAME record has exactly one value'],
    ['a duplicate owner name', 'www:\n  type: A\n  value: 192.0.2.1\nwww:\n  type: A\n  value: 192.0.2.2\n', '4:1: error: duplicate owner name "www" (first at line 1)'],
    ['a negative TTL', 'www:\n  type: A\n  ttl: -5\n  value: 192.0.2.1\n', '3:8: error: ttl must be an integer'],
    ['a YAML syntax error', 'www:\n  type: A\n  value: [192.0.2.1\n', '4:1: error: '],
    ['no value', 'www:\n  type: A\n', '2:3: error: A record has no "value" or "values"'],
    ['a misspelt key', 'www:\n  type: A\n  vaule: 192.0.2.1\n', '3:3: error: unknown record key "vaule"'],
    ['an SOA below the apex', 'www:\n  - type: SOA\n    value: {mname: a, rname: b, serial: 1, refresh: 1, retry: 1, expire: 1, minimum: 1}\n', "2:11: error: an SOA record belongs at the zone apex"],
    ['an owner outside the zone', "www.other.test.:\n  type: A\n  value: 192.0.2.1\n", '3:10: error: owner www.other.test. is outside the zone corp.example.'],
    ['a CAA tag with punctuation', "'':\n  type: CAA\n  value: {tag: 'is-sue', value: ca.test}\n", "3:16: error: CAA tag \"is-sue\" must be letters and digits"],
    ['a record that is not a mapping', 'www: 192.0.2.1\n', '1:6: error: a record is a mapping'],
  ];
  for (const [what, text, expected] of cases) {
    it(what, () => {
      const errors = errorsOf(text);
      assert.ok(errors.length >= 1, 'an error');
      assert.ok(errors[0]!.startsWith(`${FILE}:${expected}`), `got: ${errors.join(' | ')}`);
    });
  }
  it('reports every error in a file, not only the first', () => {
    assert.equal(errorsOf('a:\n  type: A\n  value: x\nb:\n  type: A\n  value: y\n').length, 2);
  });
});

describe('YAML zone values (octoDNS shapes)', () => {
  it('relative names take the zone, absolute ones stay, apex and wildcard keys', () => {
    const recs = recordsOf("'':\n  type: NS\n  values: [ns1, ns2.other.test.]\n'*.w':\n  type: CNAME\n  value: www\n");
    assert.deepEqual(recs.map((r) => r.owner.key), ['corp.example.', 'corp.example.', '*.w.corp.example.']);
    assert.deepEqual(recs.map((r) => targetOf(r.type, r.rdata)!.key), ['ns1.corp.example.', 'ns2.other.test.', 'www.corp.example.']);
  });
  it('numeric keys of a reverse zone keep their text', () => {
    const rev = Name.parse('2.0.192.in-addr.arpa.');
    const parsed = parseYamlZone("10:\n  type: PTR\n  value: host.corp.example.\n010:\n  type: PTR\n  value: x.corp.example.\n", 'r.yaml', rev, 3600);
    assert.deepEqual(parsed.records.map((r) => r.owner.key), ['10.2.0.192.in-addr.arpa.', '010.2.0.192.in-addr.arpa.']);
  });
  it('TTL defaults to the configured one and can be set per record', () => {
    const recs = recordsOf('a:\n  type: A\n  value: 192.0.2.1\nb:\n  type: A\n  ttl: 60\n  value: 192.0.2.2\n');
    assert.deepEqual(recs.map((r) => r.ttl), [3600, 60]);
  });
  it('TXT: long strings split at 255 octets, \\; unescaped, a list is one record', () => {
    const long = 'k'.repeat(600);
    const recs = recordsOf(`a:\n  type: TXT\n  values:\n    - ${long}\n    - v=DMARC1\\; p=reject\n    - [one, two]\n`);
    const texts = recs.map((r) => presentation(r.type, r.rdata));
    const k = (n: number) => `"${'k'.repeat(n)}"`;
    assert.deepEqual(texts, [`${k(255)} ${k(255)} ${k(90)}`, '"v=DMARC1; p=reject"', '"one" "two"']);
  });
  it('MX in both octoDNS spellings, SRV and CAA', () => {
    const recs = recordsOf([
      "'':",
      '  - type: MX',
      '    values:',
      '      - {exchange: mx1, preference: 10}',
      '      - {value: mx2.corp.example., priority: 20}',
      '  - type: CAA',
      '    value: {flags: 128, tag: issue, value: ca.test}',
      '_imap._tcp:',
      '  type: SRV',
      '  value: {priority: 1, weight: 2, port: 993, target: mail}',
      '',
    ].join('\n'));
    assert.deepEqual(recs.map((r) => `${typeName(r.type)} ${presentation(r.type, r.rdata)}`), [
      'MX 10 mx1.corp.example.', 'MX 20 mx2.corp.example.', 'CAA 128 issue "ca.test"', 'SRV 1 2 993 mail.corp.example.',
    ]);
  });
  it('an SOA rname may be a mail address; serial auto asks the loader for one', () => {
    const parsed = parseYamlZone("'':\n  type: SOA\n  value: {mname: ns1, rname: host.master@corp.example, serial: auto, refresh: 1, retry: 2, expire: 3, minimum: 4}\n", FILE, origin, 3600);
    assert.equal(presentation(RRType.SOA, parsed.records[0]!.rdata), 'ns1.corp.example. host\\.master.corp.example. 0 1 2 3 4');
    assert.equal(parsed.autoSerial, true);
    const fixed = parseYamlZone("'':\n  type: SOA\n  value: {mname: ns1, rname: h, serial: 5, refresh: 1, retry: 2, expire: 3, minimum: 4}\n", FILE, origin, 3600);
    assert.equal(fixed.autoSerial, false);
  });
});

describe('buildZone', () => {
  it('synthesizes an SOA from the first NS when the zone has none', () => {
    const { zone } = buildZone(origin, FILE, recordsOf("'':\n  type: NS\n  values: [ns1, ns2]\n"), { serial: 1234, ttl: 3600 });
    assert.equal(presentation(RRType.SOA, zone.soa.rdata[0]!), 'ns1.corp.example. hostmaster.corp.example. 1234 3600 600 1209600 300');
  });
  it('knows empty non-terminals and delegation points', () => {
    const { zone } = buildZone(origin, FILE, recordsOf('a.b.c:\n  type: A\n  value: 192.0.2.1\nsub:\n  type: NS\n  value: ns.sub\n'), { serial: 1, ttl: 3600 });
    const at = (name: string) => zone.lookup(Name.parse(name));
    assert.ok(at('b.c.corp.example.').node >= 0 && at('c.corp.example.').node >= 0);
    assert.equal(zone.node(Name.parse('c.corp.example.')), -1);
    assert.equal(zone.findCut(Name.parse('x.sub.corp.example.')), at('sub.corp.example.').node);
    assert.equal(zone.findCut(Name.parse('a.b.c.corp.example.')), -1);
  });
  it('merges duplicate records with a warning and gives an RRset its lowest TTL (RFC 2181 §5.2)', () => {
    const text = 'a:\n  - type: A\n    values: [192.0.2.1, 192.0.2.1]\nb:\n  - type: A\n    ttl: 10\n    value: 192.0.2.1\n  - type: A\n    ttl: 5\n    value: 192.0.2.2\n';
    const { zone, diagnostics } = buildZone(origin, FILE, recordsOf(text), { serial: 1, ttl: 3600 });
    assert.equal(zone.get(Name.parse('a.corp.example.'), RRType.A)!.rdata.length, 1);
    const b = zone.get(Name.parse('b.corp.example.'), RRType.A)!;
    assert.equal(b.rdata.length, 2);
    assert.equal(b.ttl, 5);
    const messages = diagnostics.map(formatDiagnostic).join('\n');
    assert.match(messages, /:3:25: warning: duplicate A record/);
    assert.match(messages, /:10:12: warning: TTL 5 differs from 10 of the other A records at b\.corp\.example\.: 5 is used/);
  });
});

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { Name } from '../../src/wire/name.js';
import { typeName } from '../../src/wire/types.js';
import { formatDiagnostic } from '../../src/zone/errors.js';
import { presentation } from '../../src/rrtypes/registry.js';
import { toMasterFile, toYaml } from '../../src/zone/export.js';
import { parseMasterFile } from '../../src/zone/masterfile.js';
import { parseYamlZone } from '../../src/zone/yaml.js';
import { type Zone } from '../../src/zone/zone.js';
import { buildZone } from '../../src/zone/build-zone.js';
import { REPO } from '../e2e/harness.js';

const FIXTURE = join(REPO, 'test', 'fixtures', 'masterfile', 'legacy.example.zone');
const LEGACY = Name.parse('legacy.example.');
const TRICKY = Name.parse('tricky.test.');

function zoneFrom(kind: 'zone' | 'yaml', text: string, file: string, origin: Name): Zone {
  const parsed = kind === 'zone'
    ? parseMasterFile(text, file, origin, 3600, (p) => readFileSync(p, 'utf8'))
    : parseYamlZone(text, file, origin, 3600);
  assert.deepEqual(parsed.diagnostics.map(formatDiagnostic), []);
  const { zone, diagnostics } = buildZone(origin, file, parsed.records, { serial: 1, ttl: 3600 });
  assert.deepEqual(diagnostics.filter((d) => d.severity === 'error'), []);
  return zone;
}

/** Every record as "owner ttl TYPE data", names in the case they were written; `skip` holds "owner TYPE"s to leave out. */
function recordsOf(zone: Zone, skip = new Set<string>()): string[] {
  const out: string[] = [];
  for (const set of zone.rrsets()) {
    if (skip.has(`${set.owner} ${typeName(set.type)}`)) continue;
    for (const rd of set.rdata) out.push(`${set.owner} ${set.ttl} ${typeName(set.type)} ${presentation(set.type, rd)}`);
  }
  return out.sort();
}

const trickyYaml = `'':
  - type: SOA
    value: {mname: ns1, rname: admin.hostmaster@tricky.test, serial: 42, refresh: 7200, retry: 900, expire: 1209600, minimum: 60}
  - type: NS
    values: [ns1, ns2.elsewhere.test.]
  - type: TXT
    ttl: 120
    values:
      - 'semi\\; colon'
      - [two, strings]
      - 'quote " backslash \\ and é'
      - ''
      - '${'0123456789'.repeat(30)}'
'1':
  type: PTR
  value: Host.Tricky.Test.
'*':
  type: TXT
  value: wild
a\\.b:
  type: TXT
  value: dotted
_sip._udp:
  type: SRV
  value: {priority: 0, weight: 0, port: 5060, target: sip}
caa:
  type: CAA
  values:
    - {flags: 128, tag: issue, value: 'ca.test; account=1'}
    - {tag: iodef, value: 'mailto:x@tricky.test'}
MiXeD:
  - type: A
    ttl: 30
    value: 192.0.2.7
  - type: AAAA
    value: 2001:DB8::1
ns1:
  type: A
  value: 192.0.2.53
sip:
  type: A
  value: 192.0.2.60
spf:
  type: SPF
  value: v=spf1 -all
Upper.TRICKY.TEST.:
  type: TXT
  value: the case of every label is kept
`;

describe('round trips keep every record', () => {
  it('master file → YAML → master file: all but the RFC 3597 records, which are reported', () => {
    const original = zoneFrom('zone', readFileSync(FIXTURE, 'utf8'), FIXTURE, LEGACY);
    const { text: yamlText, unconverted } = toYaml(original);
    assert.deepEqual(unconverted.map((u) => `${u.pos.line}:${u.pos.col} ${u.owner} ${typeName(u.type)} ${presentation(u.type, u.rdata)}`), [
      '32:1 gen.legacy.example. TYPE65534 \\# 3 ABCDEF',
      '34:1 empty.legacy.example. TYPE65280 \\# 0',
    ]);
    const viaYaml = zoneFrom('yaml', yamlText, 'legacy.example.yaml', LEGACY);
    const expected = recordsOf(original, new Set(unconverted.map((u) => `${u.owner} ${typeName(u.type)}`)));
    assert.equal(expected.length, recordsOf(original).length - 2);
    assert.deepEqual(recordsOf(viaYaml), expected);
    const back = zoneFrom('zone', toMasterFile(viaYaml), 'again.zone', LEGACY);
    assert.deepEqual(recordsOf(back), expected);
  });

  it('master file → master file keeps everything, RFC 3597 records included', () => {
    const original = zoneFrom('zone', readFileSync(FIXTURE, 'utf8'), FIXTURE, LEGACY);
    const again = zoneFrom('zone', toMasterFile(original), 'again.zone', LEGACY);
    assert.deepEqual(recordsOf(again), recordsOf(original));
    assert.ok(recordsOf(again).some((r) => r.includes('TYPE65534')));
  });

  for (const [what, text, file, origin] of [
    ['zones/corp.example.yaml', readFileSync(join(REPO, 'zones', 'corp.example.yaml'), 'utf8'), 'corp.example.yaml', Name.parse('corp.example.')],
    ['a zone of awkward values', trickyYaml, 'tricky.test.yaml', TRICKY],
  ] as const) {
    it(`YAML → master file → YAML: ${what}`, () => {
      const original = zoneFrom('yaml', text, file, origin);
      const master = toMasterFile(original);
      const viaMaster = zoneFrom('zone', master, 'x.zone', origin);
      assert.deepEqual(recordsOf(viaMaster), recordsOf(original));
      const first = toYaml(original);
      assert.deepEqual(first.unconverted, []);
      const back = zoneFrom('yaml', toYaml(viaMaster).text, file, origin);
      assert.deepEqual(recordsOf(back), recordsOf(original));
      // Written from equal zones, the YAML is the same text.
      assert.equal(toYaml(back).text, first.text);
    });
  }
});

it('a zone of thousands of owners round-trips through YAML whole', () => {
  const hosts = Array.from({ length: 2500 }, (_, i) => `h${i} 60 A 192.0.${i >> 8}.${i & 255}\nh${i} 60 TXT "n=${i}"`);
  const original = zoneFrom('zone', `@ 60 SOA ns1 hm 1 2 3 1209600 5\n@ 60 NS ns1\nns1 60 A 192.0.2.1\n${hosts.join('\n')}\n`, 'big.zone', TRICKY);
  const { text, unconverted } = toYaml(original);
  assert.deepEqual(unconverted, []);
  assert.deepEqual(recordsOf(zoneFrom('yaml', text, 'big.yaml', TRICKY)), recordsOf(original));
  assert.equal(recordsOf(original).length, 5003);
});

describe('toYaml writes the octoDNS layout', () => {
  const zone = zoneFrom('yaml', trickyYaml, 'tricky.test.yaml', TRICKY);
  const doc = parseYaml(toYaml(zone).text) as Record<string, unknown>;

  it('apex first, as \'\', with the SOA first and its numbers', () => {
    assert.equal(Object.keys(doc).includes(''), true);
    assert.equal(toYaml(zone).text.startsWith("'':\n  - type: SOA\n"), true);
    const apex = doc[''] as Record<string, unknown>[];
    assert.deepEqual(apex[0], {
      type: 'SOA', ttl: 3600,
      value: { mname: 'ns1.tricky.test.', rname: 'admin\\.hostmaster.tricky.test.', serial: 42, refresh: 7200, retry: 900, expire: 1209600, minimum: 60 },
    });
  });

  it('value for one record, values for several; TXT lists for several strings, ";" escaped', () => {
    const apex = doc[''] as Record<string, unknown>[];
    assert.deepEqual(apex[1], { type: 'NS', ttl: 3600, values: ['ns1.tricky.test.', 'ns2.elsewhere.test.'] });
    assert.deepEqual(apex[2], {
      type: 'TXT', ttl: 120,
      values: ['semi\\; colon', ['two', 'strings'], 'quote " backslash \\ and é', '', ['0123456789'.repeat(25) + '01234', '56789' + '0123456789'.repeat(4)]],
    });
    assert.deepEqual(doc['*'], { type: 'TXT', ttl: 3600, value: 'wild' });
  });

  it('MX, SRV and CAA as mappings; a name with several types as a list', () => {
    const corp = zoneFrom('yaml', readFileSync(join(REPO, 'zones', 'corp.example.yaml'), 'utf8'), 'corp.example.yaml', Name.parse('corp.example.'));
    const corpDoc = parseYaml(toYaml(corp).text) as Record<string, Record<string, unknown>[]>;
    assert.deepEqual(corpDoc['']!.find((r) => r.type === 'MX')!.values, [
      ...['mx1', 'mx2', 'mx3', 'mx4'].map((h) => ({ exchange: `${h}.corp.example.`, preference: 10 })),
      { exchange: 'backup-mx.corp.example.', preference: 50 },
    ]);
    assert.deepEqual(doc['_sip._udp'], { type: 'SRV', ttl: 3600, value: { priority: 0, weight: 0, port: 5060, target: 'sip.tricky.test.' } });
    assert.deepEqual(doc['caa'], {
      type: 'CAA', ttl: 3600,
      values: [{ flags: 128, tag: 'issue', value: 'ca.test; account=1' }, { flags: 0, tag: 'iodef', value: 'mailto:x@tricky.test' }],
    });
    assert.deepEqual(doc['MiXeD'], [{ type: 'A', ttl: 30, value: '192.0.2.7' }, { type: 'AAAA', ttl: 3600, value: '2001:db8::1' }]);
    assert.deepEqual(doc['1'], { type: 'PTR', ttl: 3600, value: 'Host.Tricky.Test.' });
    // Relative, the name would take the origin's case.
    assert.deepEqual(doc['Upper.TRICKY.TEST.'], { type: 'TXT', ttl: 3600, value: 'the case of every label is kept' });
  });

  it('reports text that is not UTF-8 instead of mangling it', () => {
    const z = zoneFrom('zone', '$TTL 60\n@ SOA ns1 hm 1 2 3 4 5\n@ NS ns1\nns1 A 192.0.2.1\nbin TXT "\\255\\254"\n', 'b.zone', TRICKY);
    const { text, unconverted } = toYaml(z);
    assert.deepEqual(unconverted.map((u) => `${u.pos.line}:${u.pos.col} ${u.owner} ${u.reason}`), ['5:1 bin.tricky.test. YAML zones hold UTF-8 text and this is not']);
    assert.equal(text.includes('bin'), false);
  });
});

describe('toMasterFile', () => {
  const zone = zoneFrom('yaml', trickyYaml, 'tricky.test.yaml', TRICKY);
  const lines = toMasterFile(zone).split('\n');

  it('starts with $ORIGIN and $TTL, then the SOA', () => {
    assert.equal(lines[0], '$ORIGIN tricky.test.');
    assert.equal(lines[1], '$TTL 3600');
    assert.match(lines[2]!, /^@\s+IN SOA\s+ns1 admin\\\.hostmaster 42 7200 900 1209600 60$/);
  });

  it('writes owners relative and once, TXT quoted with escapes, TTLs that differ from $TTL', () => {
    assert.equal(lines.filter((l) => l.startsWith('@')).length, 1, 'the apex owner is written once');
    assert.ok(lines.some((l) => /^\s+IN NS\s+ns1$/.test(l)), lines.join('\n'));
    assert.ok(lines.some((l) => /^\s+IN NS\s+ns2\.elsewhere\.test\.$/.test(l)));
    assert.ok(lines.some((l) => /^\s+120 IN TXT\s+"quote \\" backslash \\\\ and \\195\\169"$/.test(l)), lines.join('\n'));
    assert.ok(lines.some((l) => /^\s+120 IN TXT\s+"two" "strings"$/.test(l)));
    assert.ok(lines.some((l) => /^MiXeD\s+30\s+IN A\s+192\.0\.2\.7$/.test(l)));
    assert.ok(lines.some((l) => /^\s+IN AAAA\s+2001:db8::1$/.test(l)));
    assert.ok(lines.some((l) => /^a\\\.b\s+IN TXT\s+"dotted"$/.test(l)));
  });

  it('writes RFC 3597 data in \\# form', () => {
    const z = zoneFrom('zone', '$TTL 60\n@ SOA ns1 hm 1 2 3 4 5\n@ NS ns1\nns1 A 192.0.2.1\ng TYPE65534 \\# 2 ABCD\ne TYPE65280 \\# 0\n', 'g.zone', TRICKY);
    const text = toMasterFile(z);
    assert.match(text, /^g\s+IN TYPE65534 \\# 2 ABCD$/m);
    assert.match(text, /^e\s+IN TYPE65280 \\# 0$/m);
  });
});

// The record types of issue 14, one row each: master-file text to wire form and
// back to the text BIND 9.18 prints (named-checkzone -D), YAML value to wire form
// and back, bad input with its error, and the per-type checks of `rotor check`.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { canonicalRData, checkRData, presentation, readRData, toYaml, writeRData } from '../../src/rrtypes/registry.js';
import { MessageWriter } from '../../src/wire/writer.js';
import { Name } from '../../src/wire/name.js';
import { typeFromName } from '../../src/wire/types.js';
import { formatDiagnostic, ZoneLoadError } from '../../src/zone/errors.js';
import { parseMasterFile } from '../../src/zone/masterfile.js';
import { parseYamlZone } from '../../src/zone/yaml.js';
import { buildZone } from '../../src/zone/build-zone.js';
import { rd } from './rdata.js';

const origin = Name.parse('example.');

/** [type, text as written, text as BIND prints it (when different), wire hex (where pinned by an RFC's example)] */
const TEXT: [string, string, string?, string?][] = [
  ['DNAME', 'target.Example.net.', undefined, '06746172676574074578616d706c65036e657400'],
  ['HINFO', '"PC-Intel-700mhz" "Linux 2.4"'],
  ['RP', 'admin.example. txt.example.'],
  ['AFSDB', '1 afs.example.'],
  ['NAPTR', '100 10 "U" "E2U+sip" "!^.*$!sip:info@example.com!" .'],
  ['CERT', 'PGP 0 0 AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyAhIiMkJSYnKCkqKywtLi8w', 'PGP 0 0 AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyAhIiMkJSYnKCkq KywtLi8w'],
  ['CERT', '65000 1 RSASHA256 AQID', '65000 1 8 AQID', 'fde8000108010203'],
  ['DS', '12345 8 2 49FD46E6C4B45C55D4AC69CBD3CD34AC1AFE51DE0123456789ABCDEF01234567', '12345 8 2 49FD46E6C4B45C55D4AC69CBD3CD34AC1AFE51DE0123456789ABCDEF 01234567'],
  ['DS', '12345 8 1 2bb183af5f22588179a53b0a ( 98631fad1a292118 )', '12345 8 1 2BB183AF5F22588179A53B0A98631FAD1A292118', '3039080' + '12bb183af5f22588179a53b0a98631fad1a292118'],
  ['CDS', '0 0 0 00', undefined, '0000000000'],
  ['DS', '1 RSASHA256 2 49FD46E6C4B45C55D4AC69CBD3CD34AC1AFE51DE0123456789ABCDEF01234567', '1 8 2 49FD46E6C4B45C55D4AC69CBD3CD34AC1AFE51DE0123456789ABCDEF 01234567'],
  ['DNSKEY', '256 3 ECDSAP256SHA256 AQID', '256 3 13 AQID'],
  ['SSHFP', '1 1 dd465c09cfa51fb45020cc83316fff21b9ec74ac', '1 1 DD465C09CFA51FB45020CC83316FFF21B9EC74AC'],
  ['IPSECKEY', '10 1 2 192.0.2.38 AQNRU3mG7TVTO2BkR47usntb102uFJtugbo6BSGvgqt4AQ=='],
  ['IPSECKEY', '10 0 2 . AQNRU3mG7TVTO2BkR47usntb102uFJtugbo6BSGvgqt4AQ=='],
  ['IPSECKEY', '10 3 2 gw.example. AQNR', undefined, '0a0302' + '026777076578616d706c6500' + '010351'],
  ['IPSECKEY', '10 2 0 2001:db8::1'],
  ['RRSIG', 'A 8 2 300 20300101000000 20200101000000 12345 example. AwEAAagAIKlVZrpC'],
  ['NSEC', 'host.example. A MX RRSIG NSEC TYPE1234', undefined, '04686f7374076578616d706c6500' + '0006400100000003' + '04' + '1b' + '00'.repeat(26) + '20'],
  ['NSEC', 'host.example.'],
  ['DNSKEY', '257 3 8 AwEAAagAIKlVZrpC6Ia7gEzahOR+9W29euxhJhVVLOyQbSEW0O8gcCjFFVQUTf6v58fLjwBd0YI0', '257 3 8 AwEAAagAIKlVZrpC6Ia7gEzahOR+9W29euxhJhVVLOyQbSEW0O8gcCjF FVQUTf6v58fLjwBd0YI0'],
  ['CDNSKEY', '0 3 0 AA==', undefined, '0000030000'],
  ['NSEC3', '1 1 12 aabbccdd 2t7b4g4vsa5smi47k61mv5bv1a22bojr A RRSIG', '1 1 12 AABBCCDD 2T7B4G4VSA5SMI47K61MV5BV1A22BOJR A RRSIG'],
  ['NSEC3', '1 0 0 - 2T7B4G4VSA5SMI47K61MV5BV1A22BOJR'],
  ['NSEC3PARAM', '1 0 10 aabbccdd', '1 0 10 AABBCCDD', '01' + '00' + '000a' + '04aabbccdd'],
  ['NSEC3PARAM', '1 0 0 -', undefined, '0100000000'],
  ['TLSA', '3 1 1 0c72ac70b745ac19998811b131d662c9ac69dbdbe7cb23e5b514b56664c5d3d6', '3 1 1 0C72AC70B745AC19998811B131D662C9AC69DBDBE7CB23E5B514B566 64C5D3D6'],
  ['SMIMEA', '3 1 1 0C72AC70B745AC19998811B131D662C9AC69DBDBE7CB23E5B514B566 64C5D3D6'],
  ['OPENPGPKEY', 'AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyAhIiMkJSYnKCkqKywtLi8wMTIzNDU2Nzg5Ojs8PT4/QA==',
    'AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyAhIiMkJSYnKCkq KywtLi8wMTIzNDU2Nzg5Ojs8PT4/QA=='],
  ['CSYNC', '66 3 A NS AAAA', undefined, '00000042' + '0003' + '0004' + '60000008'],
  ['ZONEMD', '2018031900 1 1 FEBE3D4CE2EC2FFA4BA99D46CD69D6D29711E55217057BEE7EB1A7B641A47BA7FED2DD5B97AE499FAFA4F22C6BD647DE',
    '2018031900 1 1 FEBE3D4CE2EC2FFA4BA99D46CD69D6D29711E55217057BEE7EB1A7B6 41A47BA7FED2DD5B97AE499FAFA4F22C6BD647DE'],
  // RFC 9460 Appendix D.1 and D.2.
  ['HTTPS', '0 foo.example.com.', undefined, '000003666f6f076578616d706c6503636f6d00'],
  ['SVCB', '1 . port=53', undefined, '0001' + '00' + '0003' + '0002' + '0035'],
  ['SVCB', '16 foo.example.org. alpn=h2,h3-19 mandatory=ipv4hint,alpn ipv4hint=192.0.2.1', '16 foo.example.org. mandatory=alpn,ipv4hint alpn="h2,h3-19" ipv4hint=192.0.2.1',
    '0010' + '03666f6f076578616d706c65036f726700' + '0000000400010004' + '000100090268320568332d3139' + '00040004c0000201'],
  ['SVCB', '1 foo.example.com. key667="hello\\210qoo"', undefined, '0001' + '03666f6f076578616d706c6503636f6d00' + '029b0009' + '68656c6c6fd2716f6f'],
  ['SVCB', '1 foo.example.com. ipv6hint="2001:db8::1,2001:db8::53:1"', '1 foo.example.com. ipv6hint=2001:db8::1,2001:db8::53:1'],
  ['SVCB', '1 . alpn="f\\\\\\\\oo\\\\,bar,h2"', undefined, '0001' + '00' + '0001000c' + '08665c6f6f2c626172' + '026832'],
  ['SVCB', '2 . no-default-alpn alpn=h2 ech=AEn+DQBF', '2 . alpn="h2" no-default-alpn ech=AEn+DQBF'],
  // RFC 9461's dohpath: printed by name, as BIND 9.20 does (9.18 reads the name but prints key7).
  ['HTTPS', '1 . key7=/q{?dns} port=443', '1 . port=443 dohpath="/q{?dns}"'],
  ['SVCB', '1 doh.example. alpn=h2 dohpath=/dns-query{?dns}', '1 doh.example. alpn="h2" dohpath="/dns-query{?dns}"', '0001' + '03646f68076578616d706c6500' + '000100030268320007' + '0010' + Buffer.from('/dns-query{?dns}').toString('hex')],
  ['URI', '10 1 "ftp://ftp1.example.com/public"'],
  ['LOC', '52 22 23.000 N 4 53 32.000 E -2.00m 0.00m 10000m 10m'],
  ['LOC', '42 21 54 N 71 06 18 W -24m 30m', '42 21 54.000 N 71 6 18.000 W -24.00m 30m 10000m 10m'],
  ['LOC', '0 0 0.5 S 0 0 0 W 0m 1m 10000m 10m', '0 0 0.500 S 0 0 0.000 E 0.00m 1m 10000m 10m'],
  // RFC 1876's example: the wire form pins precision octets, angles and altitude.
  ['LOC', '42 21 54 N 71 06 18 W -24m 30m', '42 21 54.000 N 71 6 18.000 W -24.00m 30m 10000m 10m', '00' + '33' + '16' + '13' + '89172dd0' + '70be15f0' + '00988d20'],
  ['LOC', '31 S 106 28 29.5 E 10m', '31 0 0.000 S 106 28 29.500 E 10.00m 1m 10000m 10m'],
  ['EUI48', '00-00-5E-00-53-2a', '00-00-5e-00-53-2a', '00005e00532a'],
  ['EUI64', '00-00-5e-ef-10-00-00-2a', undefined, '00005eef1000002a'],
];

describe('record types of every real zone: text → wire → text as BIND prints it', () => {
  for (const [type, text, printed, hex] of TEXT) {
    it(`${type} ${text}`, () => {
      const code = typeFromName(type)!;
      const data = rd(type, text, origin);
      if (hex) assert.equal(data.toString('hex'), hex);
      assert.equal(presentation(code, data), printed ?? text);
      // Read back from its printed form and from RFC 3597 form: the same data.
      assert.deepEqual(rd(type, printed ?? text, origin), data);
      assert.deepEqual(rd(type, `\\# ${data.length} ${data.toString('hex')}`, origin), data);
    });
  }
});

/** [type, YAML flow value, the value toYaml gives back (default: as parsed from the flow text), text it means] */
const YAML: [string, string, unknown, string][] = [
  ['DNAME', 'target.example.net.', 'target.example.net.', 'target.example.net.'],
  ['DS', '{key_tag: 12345, algorithm: 8, digest_type: 1, digest: 2BB183AF5F22588179A53B0A98631FAD1A292118}',
    { key_tag: 12345, algorithm: 8, digest_type: 1, digest: '2bb183af5f22588179a53b0a98631fad1a292118' }, '12345 8 1 2BB183AF5F22588179A53B0A98631FAD1A292118'],
  ['SSHFP', '{algorithm: 1, fingerprint_type: 1, fingerprint: dd465c09cfa51fb45020cc83316fff21b9ec74ac}',
    { algorithm: 1, fingerprint_type: 1, fingerprint: 'dd465c09cfa51fb45020cc83316fff21b9ec74ac' }, '1 1 DD465C09CFA51FB45020CC83316FFF21B9EC74AC'],
  ['TLSA', '{certificate_usage: 3, selector: 1, matching_type: 0, certificate_association_data: abcd}',
    { certificate_usage: 3, selector: 1, matching_type: 0, certificate_association_data: 'abcd' }, '3 1 0 ABCD'],
  ['NAPTR', '{order: 100, preference: 10, flags: U, service: E2U+sip, regexp: "!^.*$!sip:info@example.com!", replacement: .}',
    { order: 100, preference: 10, flags: 'U', service: 'E2U+sip', regexp: '!^.*$!sip:info@example.com!', replacement: '.' }, '100 10 "U" "E2U+sip" "!^.*$!sip:info@example.com!" .'],
  ['LOC', '{lat_degrees: 42, lat_minutes: 21, lat_seconds: 54.5, lat_direction: N, long_degrees: 71, long_minutes: 6, long_seconds: 18, long_direction: W, altitude: -24, size: 30, precision_horz: 10000, precision_vert: 10}',
    { lat_degrees: 42, lat_minutes: 21, lat_seconds: 54.5, lat_direction: 'N', long_degrees: 71, long_minutes: 6, long_seconds: 18, long_direction: 'W', altitude: -24, size: 30, precision_horz: 10000, precision_vert: 10 },
    '42 21 54.500 N 71 6 18.000 W -24.00m 30m 10000m 10m'],
  ['HTTPS', '{svcpriority: 1, targetname: ., svcparams: {alpn: [h3, h2], port: 443, no-default-alpn: null, ipv4hint: [192.0.2.1], mandatory: [ipv4hint], key65000: abc}}',
    { svcpriority: 1, targetname: '.', svcparams: { mandatory: ['ipv4hint'], alpn: ['h3', 'h2'], 'no-default-alpn': null, port: 443, ipv4hint: ['192.0.2.1'], key65000: 'abc' } },
    '1 . mandatory=ipv4hint alpn="h3,h2" no-default-alpn port=443 ipv4hint=192.0.2.1 key65000="abc"'],
  ['SVCB', '{svcpriority: 0, targetname: svc.example.net.}', { svcpriority: 0, targetname: 'svc.example.net.', svcparams: {} }, '0 svc.example.net.'],
  ['SVCB', '{svcpriority: 1, targetname: ., svcparams: {alpn: [h2], key7: "/q{?dns}"}}', { svcpriority: 1, targetname: '.', svcparams: { alpn: ['h2'], dohpath: '/q{?dns}' } }, '1 . alpn=h2 dohpath=/q{?dns}'],
  ['URI', '{priority: 10, weight: 1, target: "ftp://ftp1.example.com/public"}', { priority: 10, weight: 1, target: 'ftp://ftp1.example.com/public' }, '10 1 "ftp://ftp1.example.com/public"'],
  // rotor's URI shape before octoDNS had one: still read.
  ['URI', '10 1 "ftp://ftp1.example.com/public"', { priority: 10, weight: 1, target: 'ftp://ftp1.example.com/public' }, '10 1 "ftp://ftp1.example.com/public"'],
  ['ALIAS', 'www', 'www.example.', 'www.example.'],
  // The types octoDNS has no shape for: the master-file text as the value, names in full.
  ['DNSKEY', '"257 3 8 AwEAAagAIKlV"', '257 3 8 AwEAAagAIKlV', '257 3 8 AwEAAagAIKlV'],
  ['RP', 'admin txt', 'admin.example. txt.example.', 'admin.example. txt.example.'],
  ['EUI48', '00-00-5e-00-53-2a', '00-00-5e-00-53-2a', '00-00-5e-00-53-2a'],
];

describe('RRSIG times', () => {
  // BIND's dns_time32_totext: of the dates congruent modulo 2^32, the closest to now (checked against named-checkzone -D in 2026).
  const text = 'A 8 2 300 20960101000000 21070101000000 12345 example. AQID';
  const printed = () => presentation(typeFromName('RRSIG')!, rd('RRSIG', text));
  it('print the date closest to now, as BIND does: today 2096 is in the past', (t) => {
    t.mock.timers.enable({ apis: ['Date'], now: Date.UTC(2026, 11, 3) });
    assert.equal(printed(), 'A 8 2 300 19591125173144 19701124173144 12345 example. AQID');
  });
  it('and after 2038, 2096 and 2107 are in the future', (t) => {
    t.mock.timers.enable({ apis: ['Date'], now: Date.UTC(2040, 0, 1) });
    assert.equal(printed(), 'A 8 2 300 20960101000000 21070101000000 12345 example. AQID');
  });
});

describe('record types of every real zone: YAML → wire → YAML', () => {
  for (const [type, flow, printed, text] of YAML) {
    it(`${type} ${flow}`, () => {
      const parsed = parseYamlZone(`x:\n  type: ${type}\n  value: ${flow}\n`, 'z.yaml', origin, 60);
      assert.deepEqual(parsed.diagnostics.map(formatDiagnostic), []);
      const data = parsed.records[0]!.rdata;
      assert.deepEqual(data, rd(type, text, origin));
      assert.deepEqual(toYaml(typeFromName(type)!, data), { value: printed });
    });
  }
});

function errors(text: string): string[] {
  return parseMasterFile(`$TTL 60\n${text}\n`, 'z.zone', origin, 60).diagnostics.map(formatDiagnostic);
}

const BAD: [string, string][] = [
  ['x DS 1 8 2 ABC', 'z.zone:2:12: error: "ABC" is not hexadecimal octets'],
  ['x DS 1 8 2', 'z.zone:2:3: error: DS record is missing its digest'],
  ['x DS 1 RSA 2 ABCD', 'z.zone:2:8: error: DS algorithm must be an integer from 0 to 255, not "RSA"'],
  ['x DNSKEY 257 3 8 AwE', 'z.zone:2:18: error: "AwE" is not base64'],
  ['x SVCB 1 . port=1 port=2', 'z.zone:2:19: error: SvcParam port appears twice'],
  ['x SVCB 1 . mandatory=alpn port=1', 'z.zone:2:12: error: mandatory lists alpn, which the record does not have'],
  ['x SVCB 1 . mandatory=mandatory', 'z.zone:2:12: error: mandatory must not list itself'],
  ['x SVCB 1 . no-default-alpn', 'z.zone:2:12: error: no-default-alpn needs alpn beside it'],
  ['x SVCB 1 . port=70000', 'z.zone:2:12: error: port "70000" is not a number from 0 to 65535'],
  ['x SVCB 1 . key3=1', 'z.zone:2:12: error: port is 2 octets'],
  ['x SVCB 1 . foo=1', 'z.zone:2:12: error: "foo" is not a SvcParamKey'],
  ['x SVCB 1 . alpn=', 'z.zone:2:12: error: SvcParam alpn needs a value'],
  // BIND 9.18 refuses these too.
  ['x SVCB 1 . alpn=h2 dohpath=/dns-query', 'z.zone:2:20: error: dohpath is a URI template from "/" with a dns variable, such as /dns-query{?dns} (RFC 9461 §5)'],
  ['x SVCB 1 . alpn=h2 key7="x{?dns}"', 'z.zone:2:20: error: dohpath is a URI template from "/" with a dns variable, such as /dns-query{?dns} (RFC 9461 §5)'],
  ['x LOC 42 21 54 X 71 06 18 W -24m', 'z.zone:2:16: error: LOC latitude direction must be N or S'],
  ['x LOC 91 N 71 W 0m', 'z.zone:2:7: error: LOC latitude degrees "91" must be an integer from 0 to 90'],
  ['x LOC 90 1 N 71 W 0m', 'z.zone:2:12: error: LOC latitude is out of range'],
  ['x LOC 42 N 71 W', 'z.zone:2:15: error: LOC record is missing its altitude'],
  ['x EUI48 00-00-5e-00-53', 'z.zone:2:9: error: "00-00-5e-00-53" is not an EUI48 address'],
  ['x NSEC3 1 0 0 - 2T7B4G4VS!', 'z.zone:2:17: error: "2T7B4G4VS!" is not a base32hex hash'],
  ['x NSEC3PARAM 1 0 0 abc', 'z.zone:2:20: error: "abc" is not a salt'],
  ['x CERT FOO 0 0 AQID', 'z.zone:2:8: error: "FOO" is not a CERT type'],
  ['x RRSIG A 8 2 300 20301301000000 20200101000000 1 example. AQID', 'z.zone:2:19: error: "20301301000000" is not a valid date and time'],
  ['x NSEC host.example. A BOGUS', 'z.zone:2:24: error: unknown record type "BOGUS" in the type list'],
  ['x IPSECKEY 10 4 2 . AQID', 'z.zone:2:15: error: IPSECKEY gateway type 4 is not 0 (none), 1 (IPv4), 2 (IPv6) or 3 (name)'],
  ['x EUI48 \\# 3 000102', 'z.zone:2:9: error: EUI48 data is 6 octets'],
  ['x SVCB \\# 8 0001 00 0003 0001 35', 'z.zone:2:8: error: port is 2 octets'],
  ['x BOGUS 1', 'z.zone:2:3: error: unknown record type "BOGUS"'],
  ['x SVCB', 'z.zone:2:3: error: SVCB record has no data'],
  ['x LOC 42 N', 'z.zone:2:10: error: LOC record is missing its longitude degrees'],
  ['x LOC 42 N 71 W 1m 2m 3m 4m 5m', 'z.zone:2:29: error: unexpected "5m" after the LOC data'],
  ['x IPSECKEY 1', 'z.zone:2:12: error: IPSECKEY needs precedence, gateway type, algorithm and gateway'],
];

describe('record types of every real zone: bad input is an error at file:line:col', () => {
  for (const [text, expected] of BAD) {
    it(text, () => {
      const got = errors(text);
      assert.equal(got.length, 1, got.join('\n'));
      assert.ok(got[0]!.startsWith(expected), `${got[0]}\ndoes not start with\n${expected}`);
    });
  }

  it('YAML values are checked at their node', () => {
    const bad = (value: string) => parseYamlZone(`x:\n  type: HTTPS\n  value: ${value}\n`, 'z.yaml', origin, 60).diagnostics.map(formatDiagnostic);
    assert.deepEqual(bad('{svcpriority: 1, targetname: ., svcparams: {port: x}}'), ['z.yaml:3:60: error: HTTPS port: port "x" is not a number from 0 to 65535']);
    assert.deepEqual(bad('{svcpriority: 1, targetname: ., svcparams: {no-default-alpn: null}}'), ['z.yaml:3:53: error: HTTPS svcparams: no-default-alpn needs alpn beside it (RFC 9460 §7.1.1)']);
    const ds = parseYamlZone('x:\n  type: DS\n  value: {key_tag: 1, algorithm: 8, digest_type: 1, digest: xyz}\n', 'z.yaml', origin, 60);
    assert.match(formatDiagnostic(ds.diagnostics[0]!), /^z\.yaml:3:61: error: DS digest: "xyz" is not hexadecimal/);
    const text = parseYamlZone('x:\n  type: DNSKEY\n  value: 257 3 8 !!!!\n', 'z.yaml', origin, 60);
    assert.match(formatDiagnostic(text.diagnostics[0]!), /^z\.yaml:3:10: error: DNSKEY value: "!!!!" is not base64/);
  });
});

describe('record types of every real zone: names in the data', () => {
  // [type, text, its canonical form (RFC 4034 §6.2, RFC 6840 §5.1) where names are lowercased]
  const rows: [string, string, string?][] = [
    ['DNAME', 'Target.Example.', 'target.example.'], ['RP', 'Admin.Example. Txt.Example.', 'admin.example. txt.example.'],
    ['AFSDB', '1 Afs.Example.', '1 afs.example.'], ['NAPTR', '1 2 "" "" "" Repl.Example.', '1 2 "" "" "" repl.example.'],
    ['RRSIG', 'A 8 2 300 20300101000000 20200101000000 1 Example. AQID', 'A 8 2 300 20300101000000 20200101000000 1 example. AQID'],
    ['NSEC', 'Host.Example. A'], ['SVCB', '1 Svc.Example. port=1'], ['IPSECKEY', '1 3 0 Gw.Example.'],
  ];
  for (const [type, text, lowered] of rows) {
    it(`${type}: never compressed when written, ${lowered ? '' : 'not '}lowercased in canonical form`, () => {
      const code = typeFromName(type)!;
      const data = rd(type, text, origin);
      const w = new MessageWriter(512, true);
      w.pos = 12;
      w.name(origin, true);
      const start = w.pos;
      writeRData(w, code, data);
      assert.deepEqual(w.buf.subarray(start, w.pos), data);
      assert.deepEqual(canonicalRData(code, data), lowered ? rd(type, lowered, origin) : data);
    });
  }

  it('a DNAME target a sender compressed is read in full', () => {
    // Header, then the owner example. at 12, then the data: a pointer to it.
    const msg = Buffer.concat([Buffer.alloc(12), Buffer.from('076578616d706c6500', 'hex'), Buffer.from('c00c', 'hex')]);
    assert.equal(readRData(msg, 21, 23, 39).toString('hex'), '076578616d706c6500');
  });
});

describe('record types of every real zone: data from the wire that its text cannot show', () => {
  it('is printed in RFC 3597 form (SVCB params out of order, an IPSECKEY gateway of an unknown type)', () => {
    const svcb = Buffer.from('0001' + '00' + '00030002' + '0035' + '00010003' + '026832', 'hex');
    assert.equal(presentation(64, svcb), `\\# ${svcb.length} ${svcb.toString('hex').toUpperCase()}`);
    assert.deepEqual(toYaml(64, svcb), { reason: 'SVCB data is malformed: SvcParam alpn is out of order or repeated' });
    assert.equal(presentation(45, Buffer.from('0a0402', 'hex')), '\\# 3 0A0402');
    assert.equal(presentation(45, Buffer.from('0a010201', 'hex')), '\\# 4 0A010201');
  });
});

describe('record types of every real zone: rotor check warnings', () => {
  const check = (type: string, text: string) => checkRData(typeFromName(type)!, rd(type, text, origin));
  it('a digest whose length does not fit its digest type', () => {
    assert.deepEqual(check('DS', '1 8 2 ABCD'), ['DS digest is 2 octets; digest type 2 takes 32']);
    assert.deepEqual(check('DS', '1 8 1 2BB183AF5F22588179A53B0A98631FAD1A292118'), []);
    assert.deepEqual(check('SSHFP', '1 2 ABCD'), ['SSHFP digest is 2 octets; digest type 2 takes 32']);
    assert.deepEqual(check('TLSA', '3 1 1 ABCD'), ['TLSA digest is 2 octets; digest type 1 takes 32']);
    assert.deepEqual(check('TLSA', '3 1 0 ABCD'), [], 'matching type 0 is the whole certificate, any length');
    assert.deepEqual(check('ZONEMD', '1 1 2 ABCD'), ['ZONEMD digest is 2 octets; digest type 2 takes 64']);
  });
  it('SVCB params RFC 9460 advises against', () => {
    assert.deepEqual(check('HTTPS', '1 . mandatory=port port=443'), ['HTTPS mandatory lists port, which is automatically mandatory (RFC 9460 §8)']);
    assert.deepEqual(check('SVCB', '0 . port=443'), ['SVCB in AliasMode (priority 0) should have no SvcParams (RFC 9460 §2.4.2)']);
    assert.deepEqual(check('SVCB', '1 . mandatory=port port=443'), []);
  });
});

describe('ALIAS: what a zone may hold', () => {
  /** The zone's findings: the master file's lines after an SOA and NS at the apex. */
  const findings = (lines: string) => {
    const parsed = parseMasterFile(`$TTL 60\n@ SOA ns h 1 7200 900 1209600 300\n@ NS ns.example.net.\n${lines}\n`, 'z.zone', origin, 60);
    try {
      return [...parsed.diagnostics, ...buildZone(origin, 'z.zone', parsed.records, { serial: 1, ttl: 60 }).diagnostics].map(formatDiagnostic);
    } catch (e) {
      if (!(e instanceof ZoneLoadError)) throw e;
      return e.diagnostics.map(formatDiagnostic);
    }
  };
  it('one ALIAS at the apex, beside anything but addresses and a CNAME', () => {
    assert.deepEqual(findings('@ ALIAS www\n@ MX 10 mail.example.net.\nwww A 192.0.2.1'), []);
    assert.deepEqual(findings('@ ALIAS www\n@ A 192.0.2.1\nwww A 192.0.2.1'), ['z.zone:4:1: error: ALIAS at example. beside A or AAAA records: the ALIAS gives the name its addresses']);
    assert.deepEqual(findings('x ALIAS www\nx CNAME www\nwww A 192.0.2.1').filter((f) => f.includes('error')),
      ['z.zone:5:1: error: CNAME at x.example. beside other data (ALIAS): a CNAME must be alone at its name']);
    assert.deepEqual(findings('@ ALIAS www\n@ ALIAS mail\nwww A 192.0.2.1\nmail A 192.0.2.2'), ['z.zone:5:1: error: more than one ALIAS record at example.']);
  });
  it('warnings: below the apex (octoDNS refuses it), an in-zone target with no data', () => {
    assert.deepEqual(findings('x ALIAS nowhere'), [
      'z.zone:4:1: warning: ALIAS target nowhere.example. of x.example. does not exist in the zone',
      'z.zone:4:1: warning: ALIAS at x.example. is below the apex: rotor serves it, but octoDNS refuses it ("non-root ALIAS not allowed"); a CNAME does this job there',
    ]);
  });
  it('YAML holds one value', () => {
    const parsed = parseYamlZone("'':\n  type: ALIAS\n  values: [a.example.net., b.example.net.]\n", 'z.yaml', origin, 60);
    assert.deepEqual(parsed.diagnostics.map(formatDiagnostic), ['z.yaml:3:11: error: a ALIAS record has exactly one value']);
  });
});

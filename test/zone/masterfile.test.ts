import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { Name } from '../../src/wire/name.js';
import { typeName } from '../../src/wire/types.js';
import { formatDiagnostic } from '../../src/zone/errors.js';
import { presentation } from '../../src/rrtypes/registry.js';
import { parseMasterFile, parseTtl } from '../../src/zone/masterfile.js';

const origin = Name.parse('ex.test.');
const FILE = 'zones/ex.test.zone';

/** Included files by the path the parser asks for (relative to the including file's directory). */
function reader(files: Record<string, string>) {
  return (path: string): string => {
    const text = files[path];
    if (text === undefined) throw new Error('ENOENT: no such file');
    return text;
  };
}

function parse(text: string, files: Record<string, string> = {}) {
  return parseMasterFile(text, FILE, origin, 86400, reader(files));
}

/** Records as "owner ttl TYPE data" with absolute names, in file order. */
function recordsOf(text: string, files: Record<string, string> = {}): string[] {
  const parsed = parse(text, files);
  assert.deepEqual(parsed.diagnostics.map(formatDiagnostic), []);
  return parsed.records.map((r) => `${r.owner} ${r.ttl} ${typeName(r.type)} ${presentation(r.type, r.rdata)}`);
}

function errorsOf(text: string, files: Record<string, string> = {}): string[] {
  return parse(text, files).diagnostics.map(formatDiagnostic);
}

describe('master files: what each feature reads as', () => {
  const cases: [string, string, string[]][] = [
    ['relative and absolute names, @ for the origin', '$TTL 60\n@ A 192.0.2.1\nwww CNAME @\nftp CNAME www.other.test.\n', [
      'ex.test. 60 A 192.0.2.1', 'www.ex.test. 60 CNAME ex.test.', 'ftp.ex.test. 60 CNAME www.other.test.',
    ]],
    ['$ORIGIN, absolute and relative to the current one', '$TTL 60\n$ORIGIN sub.ex.test.\nwww A 192.0.2.1\n$ORIGIN deeper\nx CNAME www\n', [
      'www.sub.ex.test. 60 A 192.0.2.1', 'x.deeper.sub.ex.test. 60 CNAME www.deeper.sub.ex.test.',
    ]],
    ['a blank owner is the previous owner', '$TTL 60\nwww A 192.0.2.1\n  AAAA 2001:db8::1\n\tTXT "t"\n', [
      'www.ex.test. 60 A 192.0.2.1', 'www.ex.test. 60 AAAA 2001:db8::1', 'www.ex.test. 60 TXT "t"',
    ]],
    ['comments, blank lines and CRLF line ends', '; heading\r\n\r\n$TTL 60 ; default\r\nwww A 192.0.2.1 ; trailing\r\n   ; only a comment\r\n', [
      'www.ex.test. 60 A 192.0.2.1',
    ]],
    ['parentheses join lines, comments inside', '@ 60 SOA ns1 hostmaster ( 1 ; serial\n  2 ; refresh\n  3 4\n  5 )\n', [
      'ex.test. 60 SOA ns1.ex.test. hostmaster.ex.test. 1 2 3 4 5',
    ]],
    ['TTL units, any case', 'a 1h30m A 192.0.2.1\nb 1W2D A 192.0.2.2\nc 90 A 192.0.2.3\nd 2h A 192.0.2.4\ne 0 A 192.0.2.5\n', [
      'a.ex.test. 5400 A 192.0.2.1', 'b.ex.test. 777600 A 192.0.2.2', 'c.ex.test. 90 A 192.0.2.3', 'd.ex.test. 7200 A 192.0.2.4', 'e.ex.test. 0 A 192.0.2.5',
    ]],
    ['class IN is optional and goes before or after the TTL', 'a IN 60 A 192.0.2.1\nb 60 IN A 192.0.2.2\nc in 60 A 192.0.2.3\nd 60 A 192.0.2.4\n', [
      'a.ex.test. 60 A 192.0.2.1', 'b.ex.test. 60 A 192.0.2.2', 'c.ex.test. 60 A 192.0.2.3', 'd.ex.test. 60 A 192.0.2.4',
    ]],
    ['$TTL applies to records without a TTL, and TTLs written win', '$TTL 1h\na A 192.0.2.1\nb 60 A 192.0.2.2\nc A 192.0.2.3\n', [
      'a.ex.test. 3600 A 192.0.2.1', 'b.ex.test. 60 A 192.0.2.2', 'c.ex.test. 3600 A 192.0.2.3',
    ]],
    ['without $TTL a record takes the last TTL written (RFC 1035, as BIND)', 'a 60 A 192.0.2.1\nb A 192.0.2.2\nc 70 A 192.0.2.3\nd A 192.0.2.4\n', [
      'a.ex.test. 60 A 192.0.2.1', 'b.ex.test. 60 A 192.0.2.2', 'c.ex.test. 70 A 192.0.2.3', 'd.ex.test. 70 A 192.0.2.4',
    ]],
    ['with no TTL anywhere an SOA takes its MINIMUM, which then serves as $TTL', '@ SOA ns1 hm 1 2 3 4 300\nwww A 192.0.2.1\n', [
      'ex.test. 300 SOA ns1.ex.test. hm.ex.test. 1 2 3 4 300', 'www.ex.test. 300 A 192.0.2.1',
    ]],
    ['with no TTL at all and no SOA the default TTL applies', 'www A 192.0.2.1\n', ['www.ex.test. 86400 A 192.0.2.1']],
    ['every type with its own syntax', [
      '$TTL 60',
      '@ SOA ns1.ex.test. hostmaster 2024010101 3h 15m 1w 5m',
      '@ NS ns1', 'ns1 A 192.0.2.53', 'ns1 AAAA 2001:DB8:0:0::53',
      '@ MX 10 mail', 'mail CNAME host.other.test.', 'p PTR ex.test.',
      '_sip._tcp SRV 10 60 5060 sip', 'v TXT "v=spf1 -all"', 'v SPF "v=spf1 -all"',
      '@ CAA 128 issue "ca.example.net; account=1"',
    ].join('\n'), [
      'ex.test. 60 SOA ns1.ex.test. hostmaster.ex.test. 2024010101 10800 900 604800 300',
      'ex.test. 60 NS ns1.ex.test.', 'ns1.ex.test. 60 A 192.0.2.53', 'ns1.ex.test. 60 AAAA 2001:db8::53',
      'ex.test. 60 MX 10 mail.ex.test.', 'mail.ex.test. 60 CNAME host.other.test.', 'p.ex.test. 60 PTR ex.test.',
      '_sip._tcp.ex.test. 60 SRV 10 60 5060 sip.ex.test.', 'v.ex.test. 60 TXT "v=spf1 -all"', 'v.ex.test. 60 SPF "v=spf1 -all"',
      'ex.test. 60 CAA 128 issue "ca.example.net; account=1"',
    ]],
    ['quoted strings: \\" \\\\ \\DDD, and ; ( ) inside quotes', '$TTL 60\nt TXT "a \\"b\\" c\\\\d \\065\\066 ; ( ) é"\n', [
      't.ex.test. 60 TXT "a \\"b\\" c\\\\d AB ; ( ) \\195\\169"',
    ]],
    ['several character-strings, quoted and not, an escaped blank', '$TTL 60\nt TXT one "two" three\\ four ""\n', [
      't.ex.test. 60 TXT "one" "two" "three four" ""',
    ]],
    ['escapes in owner names', '$TTL 60\na\\.b TXT "x"\n\\065bc TXT "y"\n', ['a\\.b.ex.test. 60 TXT "x"', 'Abc.ex.test. 60 TXT "y"']],
    ['RFC 3597 data of an unknown type, and empty data', '$TTL 60\ng TYPE65534 \\# 3 abcdef\ne TYPE65280 \\# 0\n', [
      'g.ex.test. 60 TYPE65534 \\# 3 ABCDEF', 'e.ex.test. 60 TYPE65280 \\# 0',
    ]],
    ['RFC 3597 hex in several words, over lines in parentheses', '$TTL 60\nh HINFO \\# 8 ( 03504331\n  034F5331 )\n', ['h.ex.test. 60 HINFO "PC1" "OS1"']],
    ['RFC 3597 data of a type with its own syntax is that type', [
      '$TTL 60', 'a A \\# 4 C0000201', 'm MX \\# 8 000A 046D61696C 00', 't TXT \\# 4 03616263',
      '@ SOA \\# 29 036E7331 00 02686D 00 00000001 00000002 00000003 00000004 00000005',
    ].join('\n'), [
      'a.ex.test. 60 A 192.0.2.1', 'm.ex.test. 60 MX 10 mail.', 't.ex.test. 60 TXT "abc"', 'ex.test. 60 SOA ns1. hm. 1 2 3 4 5',
    ]],
    ['$INCLUDE reads a file beside the including one, with its own origin', '$TTL 60\na A 192.0.2.1\n$INCLUDE hosts.inc hosts\nb A 192.0.2.2\n', [
      'a.ex.test. 60 A 192.0.2.1', 'hosts.ex.test. 60 A 192.0.2.10', 'pc.hosts.ex.test. 60 A 192.0.2.11', 'b.ex.test. 60 A 192.0.2.2',
    ]],
    ['$INCLUDE without an origin keeps the current one', '$TTL 60\n$INCLUDE hosts.inc\n', ['ex.test. 60 A 192.0.2.10', 'pc.ex.test. 60 A 192.0.2.11']],
    ['after $INCLUDE the origin and owner return, the $TTL set inside stays (as BIND)', 'a 60 A 192.0.2.1\n$INCLUDE ttl.inc sub\n  AAAA 2001:db8::1\nb A 192.0.2.2\n', [
      'a.ex.test. 60 A 192.0.2.1', 'x.sub.ex.test. 300 A 192.0.2.9', 'a.ex.test. 300 AAAA 2001:db8::1', 'b.ex.test. 300 A 192.0.2.2',
    ]],
  ];
  const files = {
    'zones/hosts.inc': '@ A 192.0.2.10\npc A 192.0.2.11\n',
    'zones/ttl.inc': '$TTL 300\nx A 192.0.2.9\n',
  };
  for (const [what, text, expected] of cases) {
    it(what, () => assert.deepEqual(recordsOf(text, files), expected));
  }

  it('records point at their first token: the owner, or the first token of a line with none', () => {
    const parsed = parse('$TTL 60\nwww A 192.0.2.1\n   AAAA 2001:db8::1\n$INCLUDE hosts.inc\n', { 'zones/hosts.inc': '\n\npc A 192.0.2.11\n' });
    assert.deepEqual(parsed.diagnostics, []);
    assert.deepEqual(parsed.records.map((r) => `${r.pos.file}:${r.pos.line}:${r.pos.col}`), ['zones/ex.test.zone:2:1', 'zones/ex.test.zone:3:4', 'zones/hosts.inc:3:1']);
  });

  it('an SOA makes the serial the file\'s; without one the loader picks it', () => {
    assert.equal(parse('@ 60 SOA ns1 hm 7 1 1 1 1\n').autoSerial, false);
    assert.equal(parse('@ 60 NS ns1\n').autoSerial, true);
  });
});

describe('master files: every error names file:line:col', () => {
  const cases: [string, string, string][] = [
    ['an unknown type', 'www 60 BOGUS x\n', '1:8: error: unknown record type "BOGUS"'],
    ['a class other than IN', 'www 60 CH A 192.0.2.1\n', '1:8: error: class CH: only IN zones are served'],
    ['a generic class other than IN', 'www CLASS3 60 A 192.0.2.1\n', '1:5: error: class CLASS3: only IN zones are served'],
    ['two TTLs', 'www 60 70 A 192.0.2.1\n', '1:8: error: a second TTL "70"'],
    ['a TTL with a bare number after units', 'www 1h30 A 192.0.2.1\n', '1:5: error: TTL "1h30" is not a TTL'],
    ['a TTL over 2^31-1', 'www 2147483648 A 192.0.2.1\n', '1:5: error: TTL "2147483648" is not a TTL'],
    ['a bad $TTL', '$TTL forever\n', '1:6: error: $TTL "forever" is not a TTL'],
    ['$TTL with two arguments', '$TTL 60 70\n', '1:9: error: unexpected "70" after $TTL 60'],
    ['a bad IPv4 address', '$TTL 60\nwww A 192.0.2.256\n', '2:7: error: "192.0.2.256" is not an IPv4 address'],
    ['a bad IPv6 address', '$TTL 60\nwww AAAA 2001:db8::g\n', '2:10: error: "2001:db8::g" is not an IPv6 address'],
    ['a missing field', '$TTL 60\n@ MX 10\n', '2:3: error: MX record is missing its exchange'],
    ['fields missing from an SOA', '$TTL 60\n@ SOA ns1 hm 1 2\n', '2:3: error: SOA record is missing its retry, expire, minimum'],
    ['a field too many', '$TTL 60\n@ A 192.0.2.1 192.0.2.2\n', '2:15: error: unexpected "192.0.2.2" after the A data'],
    ['a preference out of range', '$TTL 60\n@ MX 65536 mail\n', '2:6: error: MX preference must be an integer from 0 to 65535'],
    ['an SRV port that is not a number', '$TTL 60\n_x._tcp SRV 1 2 http t\n', '2:17: error: SRV port must be an integer'],
    ['an SOA serial with units', '$TTL 60\n@ SOA ns1 hm 1h 1 1 1 1\n', '2:14: error: SOA serial must be an integer'],
    ['an SOA timer that is not a duration', '$TTL 60\n@ SOA ns1 hm 1 1 x 1 1\n', '2:18: error: SOA retry "x" is not a number of seconds'],
    ['a CAA tag with punctuation', '$TTL 60\n@ CAA 0 is-sue "ca"\n', '2:9: error: CAA tag "is-sue" must be letters and digits'],
    ['a character-string over 255 octets', `$TTL 60\nt TXT "${'x'.repeat(256)}"\n`, '2:7: error: character-string of 256 octets: at most 255 fit'],
    ['a \\DDD escape over 255', '$TTL 60\nt TXT "a\\256"\n', '2:7: error: bad escape \\256'],
    ['a bad name in record data', '$TTL 60\nwww CNAME a..b\n', '2:11: error: bad name: empty label in "a..b"'],
    ['a bad owner name', '$TTL 60\na..b A 192.0.2.1\n  AAAA 2001:db8::1\n', '2:1: error: bad name: empty label in "a..b"'],
    ['a quoted string left open', '$TTL 60\nt TXT "open\nu TXT "ok"\n', '2:7: error: quoted string is not closed on its line'],
    ['a "(" never closed', '$TTL 60\n@ SOA ns1 hm ( 1 2\n 3 4 5\n', '2:14: error: "(" is never closed'],
    ['a ")" with no "("', '$TTL 60\nwww A 192.0.2.1 )\n', '2:17: error: ")" without a "(" before it'],
    ['nested parentheses', '$TTL 60\nt TXT ( "a" ( "b" ) )\n', '2:13: error: nested "(": the one at line 2:7 is still open'],
    ['an error inside parentheses costs only its own entry', '$TTL 60\n@ SOA ns1 hm ( 1 "open\n  3 4 5 )\nwww A 192.0.2.1\n', '2:18: error: quoted string is not closed on its line'],
    ['an error on the second line of parentheses points there', '$TTL 60\n@ SOA ns1 hm (\n  1 2 3\n  4 x )\n', '4:5: error: SOA minimum "x" is not a number of seconds'],
    ['the first record without an owner', '$TTL 60\n  A 192.0.2.1\n', '2:3: error: the first record has no owner name'],
    ['a directive that does not start its line', '$TTL 60\nwww A 192.0.2.1\n $TTL 30\n', '3:2: error: unknown record type "$TTL" (directives start at the beginning of a line)'],
    ['an unknown directive', '$GENERATE 1-10 h$ A 192.0.2.$\n', '1:1: error: unknown directive $GENERATE'],
    ['a record with no type', '$TTL 60\nwww 60 IN\n', '2:8: error: record has no type'],
    ['RFC 3597 length that does not match', '$TTL 60\ng TYPE65534 \\# 4 abcdef\n', '2:16: error: RFC 3597 length says 4 octets but 3 follow'],
    ['RFC 3597 data that is not hex', '$TTL 60\ng TYPE65534 \\# 1 zz\n', '2:18: error: "zz" is not hexadecimal'],
    ['RFC 3597 hex with an odd number of digits', '$TTL 60\ng TYPE65534 \\# 2 abc\n', '2:18: error: hexadecimal data has an odd number of digits'],
    ['RFC 3597 with no length', '$TTL 60\ng TYPE65534 \\#\n', '2:13: error: TYPE65534 record in RFC 3597 form needs a length'],
    ['RFC 3597 data that is not valid for its type', '$TTL 60\na A \\# 3 C00002\n', '2:5: error: A data ends early'],
    ['RFC 3597 data with a compressed name', '$TTL 60\nm MX \\# 4 000A C000\n', '2:6: error: MX data holds a bad name'],
    ['a query type', '$TTL 60\nx ANY \\# 0\n', '2:3: error: ANY is a query or meta type, not a record type'],
    ['a meta type by number', '$TTL 60\nx TYPE41 \\# 0\n', '2:3: error: OPT is a query or meta type'],
    ['$INCLUDE of a missing file', '$INCLUDE nowhere.inc\n', '1:10: error: cannot read $INCLUDE file zones/nowhere.inc'],
    ['an error inside an included file points into that file', '$TTL 60\n$INCLUDE bad.inc\n', 'zones/bad.inc:2:7: error: "999.0.2.1" is not an IPv4 address'],
    ['an $INCLUDE loop', '$INCLUDE loop1.inc\n', 'zones/loop2.inc:1:10: error: $INCLUDE loop: zones/loop1.inc is already being read'],
    ['a file that includes itself', '$INCLUDE ex.test.zone\n', '1:10: error: $INCLUDE loop: zones/ex.test.zone is already being read'],
    ['$INCLUDE with too many arguments', '$INCLUDE hosts.inc sub extra\n', '1:24: error: unexpected "extra" after $INCLUDE hosts.inc sub'],
  ];
  const files = {
    'zones/bad.inc': '; a comment\nwww A 999.0.2.1\n',
    'zones/loop1.inc': '$INCLUDE loop2.inc\n',
    'zones/loop2.inc': '$INCLUDE loop1.inc\n',
    'zones/hosts.inc': '',
  };
  for (const [what, text, expected] of cases) {
    it(what, () => {
      const errors = errorsOf(text, files);
      const full = expected.startsWith('zones/') ? expected : `${FILE}:${expected}`;
      assert.equal(errors.length, 1, errors.join('\n'));
      assert.ok(errors[0]!.startsWith(full), `${errors[0]}\ndoes not start with\n${full}`);
    });
  }

  it('a type without a module of its own is RFC 3597 data only, and the error names it', () => {
    assert.deepEqual(errorsOf('$TTL 60\nx TYPE65280 abcd\n'), [
      `${FILE}:2:3: error: record type TYPE65280 has no presentation syntax in rotor; write it in RFC 3597 form (TYPE65280 \\# LENGTH HEX)`,
    ]);
  });

  it('$INCLUDE without a reader is an error, not a silent skip', () => {
    const parsed = parseMasterFile('$INCLUDE hosts.inc\n', FILE, origin, 60);
    assert.deepEqual(parsed.diagnostics.map(formatDiagnostic), [`${FILE}:1:10: error: $INCLUDE is not available here`]);
  });

  it('goes on after an error and reports every one', () => {
    const errors = errorsOf('$TTL 60\na A 192.0.2.300\nb A 192.0.2.2\nc MX x y\nd TXT "open\ne A 192.0.2.5\n');
    assert.deepEqual(errors.map((e) => e.split(': error')[0]), [`${FILE}:2:5`, `${FILE}:4:6`, `${FILE}:5:7`]);
    assert.deepEqual(parse('$TTL 60\na A 192.0.2.300\nb A 192.0.2.2\nc MX x y\nd TXT "open\ne A 192.0.2.5\n').records.map((r) => r.owner.toString()), ['b.ex.test.', 'e.ex.test.']);
  });

  it('never throws, whatever the text', () => {
    const piece = fc.constantFrom('@', 'www', '60', '1h', 'IN', 'CH', 'A', 'MX', 'SOA', 'TXT', 'TYPE65534', '\\#', '3', 'abcdef', '"q', '"', '(', ')', ';', '\\', '\\0', '$TTL', '$ORIGIN', '$INCLUDE', '\n', ' ', '\t', '192.0.2.1', '..', 'é');
    fc.assert(fc.property(fc.array(piece, { maxLength: 40 }), (parts) => {
      const parsed = parse(parts.join(' ').replace(/ \n /g, '\n'), { 'zones/x': parts.join('') });
      assert.ok(Array.isArray(parsed.records));
    }), { numRuns: 500 });
  });
});

describe('parseTtl', () => {
  const cases: [string, number | undefined][] = [
    ['0', 0], ['3600', 3600], ['1h', 3600], ['1H30M', 5400], ['1w2d', 777600], ['2d3h4m5s', 183845], ['4294967295', 4294967295],
    ['', undefined], ['h', undefined], ['1h30', undefined], ['1y', undefined], ['-1', undefined], ['4294967296', undefined], ['1.5h', undefined],
  ];
  for (const [text, seconds] of cases) it(`${JSON.stringify(text)} → ${seconds}`, () => assert.equal(parseTtl(text), seconds));
});

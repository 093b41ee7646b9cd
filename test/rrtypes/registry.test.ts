// Every registered type, one row each: master-file text to wire form and back,
// YAML value to wire form and back, canonical form, compression when written
// into a message and decompression when read from one.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { canonicalRData, presentation, readRData, rrType, toYaml, writeRData } from '../../src/rrtypes/registry.js';
import { Name } from '../../src/wire/name.js';
import { typeFromName } from '../../src/wire/types.js';
import { MessageWriter } from '../../src/wire/writer.js';
import { parseYamlZone } from '../../src/zone/yaml.js';
import { rd } from './rdata.js';

const origin = Name.parse('Corp.Example.');

interface Row {
  type: string;
  text: string;
  /** The uncompressed RDATA. */
  hex: string;
  /** The octoDNS value as YAML flow text, and the value toYaml gives back. */
  yaml?: [string, unknown];
  /** The canonical form, where it differs (names lowercased). */
  canonical?: string;
  /** Written after an owner of corp.example.: the compressed form, where it differs. */
  compressed?: string;
  /** As a sender that compresses every name would send it, where that differs from `compressed`. */
  sent?: string;
}

const corp = '04436f7270074578616d706c6500'; // Corp.Example. as written
const TABLE: Row[] = [
  { type: 'A', text: '192.0.2.1', hex: 'c0000201', yaml: ['192.0.2.1', '192.0.2.1'] },
  { type: 'AAAA', text: '2001:db8::1', hex: '20010db8000000000000000000000001', yaml: ['2001:db8::1', '2001:db8::1'] },
  {
    type: 'NS', text: 'NS1.Corp.Example.', hex: '034e5331' + corp, yaml: ['NS1', 'NS1.Corp.Example.'],
    canonical: '036e7331' + '04636f7270076578616d706c6500', compressed: '034e5331c00c',
  },
  { type: 'CNAME', text: 'www.Corp.Example.', hex: '03777777' + corp, yaml: ['www', 'www.Corp.Example.'], canonical: '03777777' + '04636f7270076578616d706c6500', compressed: '03777777c00c' },
  { type: 'PTR', text: 'host.Corp.Example.', hex: '04686f7374' + corp, yaml: ['host', 'host.Corp.Example.'], canonical: '04686f7374' + '04636f7270076578616d706c6500', compressed: '04686f7374c00c' },
  {
    type: 'MX', text: '10 mx.Corp.Example.', hex: '000a' + '026d78' + corp, yaml: ['{exchange: mx, preference: 10}', { exchange: 'mx.Corp.Example.', preference: 10 }],
    canonical: '000a026d78' + '04636f7270076578616d706c6500', compressed: '000a026d78c00c',
  },
  {
    // RFC 2782 names are never compressed (RFC 3597 §4).
    type: 'SRV', text: '1 2 993 mail.Corp.Example.', hex: '0001' + '0002' + '03e1' + '046d61696c' + corp,
    yaml: ['{priority: 1, weight: 2, port: 993, target: mail}', { priority: 1, weight: 2, port: 993, target: 'mail.Corp.Example.' }],
    canonical: '0001000203e1046d61696c' + '04636f7270076578616d706c6500', sent: '0001000203e1046d61696cc00c',
  },
  { type: 'TXT', text: '"v=spf1 -all" "a\\"b"', hex: '0b763d73706631202d616c6c' + '03612262', yaml: ['[v=spf1 -all, a"b]', ['v=spf1 -all', 'a"b']] },
  { type: 'SPF', text: '"v=spf1 -all"', hex: '0b763d73706631202d616c6c', yaml: ['v=spf1 -all', 'v=spf1 -all'] },
  {
    type: 'CAA', text: '0 issue "ca.example"', hex: '00' + '056973737565' + '63612e6578616d706c65',
    yaml: ['{flags: 0, tag: issue, value: ca.example}', { flags: 0, tag: 'issue', value: 'ca.example' }],
  },
  {
    type: 'SOA', text: 'ns1.Corp.Example. h.Corp.Example. 7 3600 600 1209600 300',
    hex: '036e7331' + corp + '0168' + corp + '00000007' + '00000e10' + '00000258' + '00127500' + '0000012c',
    yaml: ['{mname: ns1, rname: h, serial: 7, refresh: 3600, retry: 600, expire: 1209600, minimum: 300}',
      { mname: 'ns1.Corp.Example.', rname: 'h.Corp.Example.', serial: 7, refresh: 3600, retry: 600, expire: 1209600, minimum: 300 }],
    canonical: '036e7331' + '04636f7270076578616d706c6500' + '0168' + '04636f7270076578616d706c6500' + '00000007' + '00000e10' + '00000258' + '00127500' + '0000012c',
    compressed: '036e7331c00c' + '0168c00c' + '00000007' + '00000e10' + '00000258' + '00127500' + '0000012c',
  },
];

/** The data written as a record's RDATA after an owner name at offset 12, as in a response. */
function written(type: number, rdata: Buffer, compression: boolean): string {
  const w = new MessageWriter(512, compression);
  w.pos = 12;
  w.name(origin, true);
  const start = w.pos;
  writeRData(w, type, rdata);
  return w.buf.subarray(start, w.pos).toString('hex');
}

describe('record types: one row per registered type', () => {
  for (const row of TABLE) {
    const type = typeFromName(row.type)!;
    it(`${row.type}: text → wire → text`, () => {
      const data = rd(row.type, row.text, origin);
      assert.equal(data.toString('hex'), row.hex);
      assert.equal(presentation(type, data), row.text);
      assert.equal(rrType(type).mnemonic, row.type);
    });
    it(`${row.type}: canonical form and compression`, () => {
      const data = Buffer.from(row.hex, 'hex');
      assert.equal(canonicalRData(type, data).toString('hex'), row.canonical ?? row.hex);
      assert.equal(written(type, data, true), row.compressed ?? row.hex);
      assert.equal(written(type, data, false), row.hex, 'with compression off every name is whole');
    });
    it(`${row.type}: read from a message whose names are compressed, written out whole`, () => {
      const head = Buffer.concat([Buffer.alloc(12), Buffer.from(corp, 'hex')]);
      const msg = Buffer.concat([head, Buffer.from(row.sent ?? row.compressed ?? row.hex, 'hex')]);
      assert.equal(readRData(msg, head.length, msg.length, type).toString('hex'), row.hex);
    });
    if (row.yaml) {
      const [yamlText, printed] = row.yaml;
      it(`${row.type}: YAML → wire → YAML`, () => {
        const parsed = parseYamlZone(`'':\n  type: ${row.type}\n  value: ${yamlText}\n`, 'z.yaml', origin, 60);
        assert.deepEqual(parsed.diagnostics, []);
        const data = parsed.records[0]!.rdata;
        assert.equal(data.toString('hex'), row.hex);
        assert.deepEqual(toYaml(type, data), { value: printed });
      });
    }
  }
});

describe('record types: names that need escapes in text', () => {
  it('are compressed like any other (the writer takes the slow path through a Name)', () => {
    const data = rd('MX', '10 a\\.b.Corp.Example.', origin);
    assert.equal(data.toString('hex'), '000a' + '03612e62' + corp);
    assert.equal(written(15, data, true), '000a03612e62c00c');
    assert.equal(presentation(15, data), '10 a\\.b.Corp.Example.');
  });
});

describe('record types: the rest is RFC 3597 data', () => {
  it('an unknown type is opaque octets in text, on the wire and in canonical form', () => {
    const data = rd('TYPE65280', '\\# 4 0102ABCD');
    assert.equal(data.toString('hex'), '0102abcd');
    assert.equal(presentation(65280, data), '\\# 4 0102ABCD');
    assert.equal(presentation(65280, Buffer.alloc(0)), '\\# 0');
    assert.equal(written(65280, data, true), '0102abcd');
    assert.equal(canonicalRData(65280, data), data);
    assert.deepEqual(toYaml(65280, data), { reason: 'YAML zones have no syntax for RFC 3597 data' });
    assert.equal(rrType(65280).mnemonic, 'TYPE65280');
  });

  it('names inside the RFC 1035 types rotor has no module for are decompressed when read (MX-like RT)', () => {
    // RT (21): preference, then a name that points at the owner.
    const msg = Buffer.concat([Buffer.alloc(12), Buffer.from(corp, 'hex'), Buffer.from('000a' + 'c00c', 'hex')]);
    const start = 12 + corp.length / 2;
    assert.equal(readRData(msg, start, msg.length, 21).toString('hex'), '000a' + corp);
    // Written back as they are: no compression for a type without a module.
    assert.equal(written(21, Buffer.from('000a' + corp, 'hex'), true), '000a' + corp);
  });

  it('data of the wrong length for its type is refused when read', () => {
    assert.throws(() => readRData(Buffer.from('c0000201ff', 'hex'), 0, 5, 1), /1 octets left over after the A data/);
    assert.throws(() => readRData(Buffer.from('000a', 'hex'), 0, 2, 15), /MX data holds a bad name/);
  });

  it('RFC 3597 text for a type with a module must be valid data of that type', () => {
    assert.equal(rd('MX', '\\# 6 000A026D7800').toString('hex'), '000a026d7800');
    assert.throws(() => rd('CAA', '\\# 5 0003612D62'), /CAA tag "a-b" must be letters and digits/);
  });
});

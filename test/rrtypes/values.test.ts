import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Address4, Address6 } from 'ip-address';
import fc from 'fast-check';
import { ipv6Bytes, parseIPv4, parseIPv6, ValueError } from '../../src/rrtypes/values.js';

// parseIPv4/parseIPv6 read the usual forms themselves and leave the rest to
// ip-address: whatever the path, the result must be what ip-address gives, and
// what it rejects must be rejected.
function sameAs<T>(parse: (t: string) => unknown, text: string, library: (t: string) => T): void {
  let expected: T;
  try {
    expected = library(text);
  } catch {
    assert.throws(() => parse(text), ValueError, text);
    return;
  }
  assert.deepEqual(parse(text), expected, text);
}
const v4 = (t: string) => {
  const a = new Address4(t);
  return { address: a.correctForm(), bytes: Buffer.from(a.toArray()) };
};
const v6 = (t: string) => {
  const a = new Address6(t);
  return { address: a.correctForm(), bytes: Buffer.from(a.toByteArray().slice(-16)) };
};

describe('addresses read as ip-address reads them', () => {
  it('IPv4: dotted quads, with and without leading zeros', () => {
    const octet = fc.integer({ min: 0, max: 255 });
    const written = fc.tuple(octet, fc.boolean()).map(([v, pad]) => (pad ? String(v).padStart(3, '0') : String(v)));
    fc.assert(fc.property(fc.array(written, { minLength: 4, maxLength: 4 }), (parts) => {
      sameAs(parseIPv4, parts.join('.'), v4);
    }), { numRuns: 2000 });
  });

  it('IPv4: runs of digits joined by dots, read as ip-address reads them or rejected', () => {
    // Mostly four parts of up to four digits: near-misses of a dotted quad (empty parts, leading zeros, 256 and up).
    const part = fc.array(fc.constantFrom(...'0123456789'), { maxLength: 4 }).map((d) => d.join(''));
    fc.assert(fc.property(fc.array(part, { minLength: 3, maxLength: 5 }), (parts) => {
      sameAs(parseIPv4, parts.join('.'), v4);
    }), { numRuns: 5000 });
  });

  it('IPv6: ipv6Bytes gives what parseIPv6 gives, or rejects what it rejects', () => {
    for (const text of ['::', '::1', '2001:db8::1', '2001:DB8:0:0:1:0:0:1', '::ffff:192.0.2.1', '1::2::3', 'fe80::1%eth0', 'x']) {
      let expected: Buffer;
      try {
        expected = parseIPv6(text).bytes;
      } catch {
        assert.throws(() => ipv6Bytes(text), ValueError, text);
        continue;
      }
      assert.deepEqual(ipv6Bytes(text), expected, text);
    }
  });

  it('IPv6: any 16 octets, written full, compressed anywhere, in either case, with leading zeros', () => {
    // Zero groups are likely, so that runs of them (and ties between runs) come up.
    const group = fc.oneof(fc.constant(0), fc.constant(0), fc.integer({ min: 0, max: 0xffff }));
    const form = fc.record({ groups: fc.array(group, { minLength: 8, maxLength: 8 }), pad: fc.boolean(), upper: fc.boolean(), gapAt: fc.integer({ min: 0, max: 8 }), gapLength: fc.integer({ min: 0, max: 8 }) });
    fc.assert(fc.property(form, ({ groups, pad, upper, gapAt, gapLength }) => {
      let parts = groups.map((g) => (pad ? g.toString(16).padStart(4, '0') : g.toString(16)));
      if (upper) parts = parts.map((p) => p.toUpperCase());
      const length = Math.min(gapLength, 8 - gapAt);
      let text = parts.join(':');
      if (length > 0 && groups.slice(gapAt, gapAt + length).every((g) => g === 0)) {
        text = `${parts.slice(0, gapAt).join(':')}::${parts.slice(gapAt + length).join(':')}`;
      }
      sameAs(parseIPv6, text, v6);
    }), { numRuns: 3000 });
  });

  const same: string[] = ['::', '::1', '1::', '2001:db8::', '::ffff:192.0.2.1', '2001:db8:0:0:1:0:0:1', '0:0:1:0:0:0:1:0', 'fe80::1:0:0:0'];
  for (const text of same) {
    it(`IPv6 ${text}`, () => sameAs(parseIPv6, text, v6));
  }

  const bad: [string, (t: string) => unknown][] = [
    ['1.2.3', parseIPv4], ['1.2.3.256', parseIPv4], ['1.2.3.4/24', parseIPv4], [' 1.2.3.4', parseIPv4],
    ['1:2:3:4:5:6:7:8:9', parseIPv6], ['1::2::3', parseIPv6], [':::', parseIPv6], ['12345::', parseIPv6], ['1:2:3:4:5:6:7', parseIPv6], ['fe80::1%eth0', parseIPv6],
  ];
  for (const [text, parse] of bad) it(`rejects ${JSON.stringify(text)}`, () => assert.throws(() => parse(text), ValueError));
});

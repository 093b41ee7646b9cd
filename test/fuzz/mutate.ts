// The mutation fuzzer: a real query (seeds.ts) put through a few of the
// mutations below. Mutations are data, so fast-check can shrink a failing case
// to the fewest and smallest mutations, and print them.
import fc from 'fast-check';
import { SEEDS } from './seeds.js';

export type Mutation =
  | { op: 'flip'; at: number; bit: number }
  | { op: 'set'; at: number; value: number }
  | { op: 'truncate'; at: number }
  | { op: 'insert'; at: number; bytes: Uint8Array }
  | { op: 'delete'; at: number; count: number }
  /** One of QDCOUNT, ANCOUNT, NSCOUNT, ARCOUNT. */
  | { op: 'count'; field: number; value: number }
  /** A compression pointer written where a name starts: at itself, forwards, backwards, out of bounds. */
  | { op: 'pointer'; name: number; target: number }
  /** Two pointers in the question pointing at each other. */
  | { op: 'loop' }
  /** A label whose length octet is over 63 (the 0x40 and 0x80 label types). */
  | { op: 'longLabel'; length: number }
  /** The question name replaced by one of `labels` labels of `length` octets (over 255 in all when both are big). */
  | { op: 'longName'; labels: number; length: number }
  /** The question name replaced by labels from served names and random octets, below a served zone. */
  | { op: 'rename'; labels: (number | Uint8Array)[]; zone: number }
  /**
   * The records after the question replaced by one OPT: any size and version,
   * options whose lengths lie unless null, RDLENGTH off by `lie`.
   */
  | { op: 'opt'; size: number; ttl: number; options: { code: number; length: number | null; data: Uint8Array }[]; lie: number; owner: number }
  | { op: 'qtype'; type: number; klass: number }
  | { op: 'flags'; value: number }
  | { op: 'repeatQuestion'; times: number }
  /** Zero-length, or padded/cut to a size such as 65535. */
  | { op: 'resize'; length: number };

const HEADER = 12;

/** Where a name starting at `at` ends (pointers end it); the buffer's end when it runs off. */
function nameEnd(buf: Buffer, at: number): number {
  let pos = at;
  while (pos < buf.length) {
    const len = buf[pos]!;
    if (len === 0) return pos + 1;
    if (len >= 0xc0) return Math.min(pos + 2, buf.length);
    pos += 1 + len;
  }
  return buf.length;
}

/** Offsets where names start: the question's, and the owner of every record after it that can be walked. */
function nameStarts(buf: Buffer): number[] {
  const starts = [HEADER];
  let pos = nameEnd(buf, HEADER) + 4;
  while (pos < buf.length && starts.length < 8) {
    starts.push(pos);
    const end = nameEnd(buf, pos);
    if (end + 10 > buf.length) break;
    pos = end + 10 + buf.readUInt16BE(end + 8);
  }
  return starts.filter((s) => s < buf.length);
}

function splice(buf: Buffer, at: number, remove: number, insert: Uint8Array = new Uint8Array()): Buffer {
  return Buffer.concat([buf.subarray(0, at), insert, buf.subarray(at + remove)]);
}

function withQuestionName(buf: Buffer, name: Buffer): Buffer {
  if (buf.length < HEADER) return buf;
  return splice(buf, HEADER, nameEnd(buf, HEADER) - HEADER, name);
}

export function apply(seed: Buffer, mutations: readonly Mutation[]): Buffer {
  let buf: Buffer = Buffer.from(seed);
  for (const m of mutations) {
    const at = (n: number) => (buf.length === 0 ? 0 : n % buf.length);
    switch (m.op) {
      case 'flip':
        if (buf.length) buf[at(m.at)] ^= 1 << m.bit;
        break;
      case 'set':
        if (buf.length) buf[at(m.at)] = m.value;
        break;
      case 'truncate':
        buf = buf.subarray(0, m.at % (buf.length + 1));
        break;
      case 'insert':
        buf = splice(buf, m.at % (buf.length + 1), 0, m.bytes);
        break;
      case 'delete':
        buf = splice(buf, at(m.at), m.count);
        break;
      case 'count':
        if (buf.length >= HEADER) buf.writeUInt16BE(m.value, 4 + 2 * m.field);
        break;
      case 'pointer': {
        const starts = nameStarts(buf);
        if (buf.length < HEADER + 2) break;
        const start = starts[m.name % starts.length]!;
        // target 0 is the pointer itself, so loops come up often.
        const target = m.target === 0 ? start : m.target - 1;
        const ptr = Buffer.from([0xc0 | ((target >> 8) & 0x3f), target & 0xff]);
        buf = splice(buf, start, nameEnd(buf, start) - start, ptr);
        break;
      }
      case 'loop':
        buf = withQuestionName(buf, Buffer.from([0xc0, HEADER + 2, 0xc0, HEADER]));
        break;
      case 'longLabel':
        if (buf.length >= HEADER) buf = splice(buf, HEADER, 0, Buffer.concat([Buffer.from([m.length]), Buffer.alloc(m.length, 0x61)]));
        break;
      case 'longName': {
        const label = Buffer.concat([Buffer.from([m.length]), Buffer.alloc(m.length, 0x62)]);
        buf = withQuestionName(buf, Buffer.concat([...Array.from({ length: m.labels }, () => label), Buffer.from([0])]));
        break;
      }
      case 'rename': {
        const labels = m.labels.map((l) => (typeof l === 'number' ? Buffer.from(LABELS[l % LABELS.length]!) : Buffer.from(l)));
        const zone = Buffer.from(ZONES[m.zone % ZONES.length]!, 'hex');
        buf = withQuestionName(buf, Buffer.concat([...labels.flatMap((l) => [Buffer.from([l.length]), l]), zone]));
        break;
      }
      case 'opt': {
        const options = Buffer.concat(m.options.map((o) => {
          const head = Buffer.alloc(4);
          head.writeUInt16BE(o.code, 0);
          head.writeUInt16BE(o.length ?? o.data.length, 2);
          return Buffer.concat([head, o.data]);
        }));
        const owner = m.owner === 0 ? Buffer.from([0]) : Buffer.from([1, 0x78, 0]);
        const fixed = Buffer.alloc(10);
        fixed.writeUInt16BE(41, 0);
        fixed.writeUInt16BE(m.size, 2);
        fixed.writeUInt32BE(m.ttl >>> 0, 4);
        fixed.writeUInt16BE(Math.max(0, Math.min(0xffff, options.length + m.lie)), 8);
        buf = Buffer.concat([buf.subarray(0, nameEnd(buf, HEADER) + 4), owner, fixed, options]);
        if (buf.length >= HEADER) buf.writeUInt32BE(0, 6);
        if (buf.length >= HEADER) buf.writeUInt16BE(1, 10);
        break;
      }
      case 'qtype': {
        const end = nameEnd(buf, HEADER);
        if (buf.length >= end + 4) {
          buf.writeUInt16BE(m.type, end);
          buf.writeUInt16BE(m.klass, end + 2);
        }
        break;
      }
      case 'flags':
        if (buf.length >= HEADER) buf.writeUInt16BE(m.value, 2);
        break;
      case 'repeatQuestion': {
        const end = nameEnd(buf, HEADER) + 4;
        if (buf.length < end) break;
        const q = buf.subarray(HEADER, end);
        buf = splice(buf, end, 0, Buffer.concat(Array.from({ length: m.times }, () => q)));
        buf.writeUInt16BE((1 + m.times) & 0xffff, 4);
        break;
      }
      case 'resize':
        buf = buf.length >= m.length ? buf.subarray(0, m.length) : Buffer.concat([buf, Buffer.alloc(m.length - buf.length, 0x3f)]);
        break;
    }
  }
  return buf;
}

const LABELS = ['www', 'mail', 'mx1', 'mx2', 'sub', 'ns', 'host', 'wild', '*', 'alias', 'loop1', 'chain1', 'ent', 'b', 'c', 'big', '_sip', '_tcp', 'to-delegated', 'child', 'WWW', 'Mx1'];
/** Served zones in wire form: corp.example., example.test., child.example.test. */
const ZONES = ['04636f7270076578616d706c6500', '076578616d706c65047465737400', '056368696c64076578616d706c65047465737400'];

const offset = fc.nat({ max: 0xffff });
const interesting16 = fc.oneof(fc.constantFrom(0, 1, 2, 0x7fff, 0x8000, 0xfffe, 0xffff), fc.nat({ max: 0xffff }));
const bytes = (max: number) => fc.uint8Array({ maxLength: max });

export const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ op: fc.constant('flip' as const), at: offset, bit: fc.nat({ max: 7 }) }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('set' as const), at: offset, value: fc.nat({ max: 255 }) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('truncate' as const), at: offset }) },
  fc.record({ op: fc.constant('insert' as const), at: offset, bytes: bytes(32) }),
  fc.record({ op: fc.constant('delete' as const), at: offset, count: fc.integer({ min: 1, max: 16 }) }),
  { weight: 2, arbitrary: fc.record({ op: fc.constant('count' as const), field: fc.nat({ max: 3 }), value: interesting16 }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('pointer' as const), name: fc.nat({ max: 7 }), target: fc.oneof(fc.constant(0), fc.nat({ max: 0x3fff })) }) },
  fc.record({ op: fc.constant('loop' as const) }),
  {
    weight: 4,
    arbitrary: fc.record({
      op: fc.constant('rename' as const),
      labels: fc.array(fc.oneof({ weight: 3, arbitrary: fc.nat() }, fc.uint8Array({ minLength: 1, maxLength: 63 })), { maxLength: 4 }),
      zone: fc.nat(),
    }),
  },
  fc.record({ op: fc.constant('longLabel' as const), length: fc.integer({ min: 64, max: 255 }) }),
  fc.record({ op: fc.constant('longName' as const), labels: fc.integer({ min: 1, max: 130 }), length: fc.integer({ min: 1, max: 63 }) }),
  {
    weight: 3,
    arbitrary: fc.record({
      op: fc.constant('opt' as const),
      size: interesting16,
      ttl: fc.oneof(fc.constantFrom(0, 0x8000, 0x10000, 0x01000000), fc.nat()),
      options: fc.array(fc.record({ code: interesting16, length: fc.oneof({ weight: 3, arbitrary: fc.constant(null) }, fc.nat({ max: 40 }), interesting16), data: bytes(40) }), { maxLength: 4 }),
      lie: fc.oneof({ weight: 4, arbitrary: fc.constant(0) }, fc.integer({ min: -8, max: 8 }), fc.constant(0xffff)),
      owner: fc.oneof({ weight: 4, arbitrary: fc.constant(0) }, fc.constant(1)),
    }),
  },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('qtype' as const), type: fc.oneof(fc.constantFrom(0, 1, 6, 15, 28, 41, 43, 251, 252, 253, 254, 255, 0xffff), fc.nat({ max: 0xffff })), klass: fc.oneof(fc.constantFrom(1, 3, 4, 254, 255, 0), fc.nat({ max: 0xffff })) }) },
  fc.record({ op: fc.constant('flags' as const), value: fc.nat({ max: 0xffff }) }),
  fc.record({ op: fc.constant('repeatQuestion' as const), times: fc.integer({ min: 1, max: 40 }) }),
  fc.record({ op: fc.constant('resize' as const), length: fc.constantFrom(0, 11, 12, 13, 511, 512, 513, 1232, 1233, 65535) }),
);

export interface Case {
  seed: number;
  mutations: Mutation[];
}

export const hostileCase: fc.Arbitrary<Case> = fc.record({
  seed: fc.nat({ max: SEEDS.length - 1 }),
  mutations: fc.array(mutation, { minLength: 1, maxLength: 3 }),
});

export function build(c: Case): Buffer {
  return apply(SEEDS[c.seed]!, c.mutations);
}

/** How a message is framed on a TCP stream: an honest length prefix, or one that lies. */
export type Framing = 'honest' | 'longer' | 'shorter' | 'zero' | 'max';

export function frameHostile(msg: Buffer, framing: Framing): Buffer {
  const length = { honest: msg.length, longer: msg.length + 7, shorter: Math.max(0, msg.length - 5), zero: 0, max: 0xffff }[framing];
  const prefix = Buffer.alloc(2);
  prefix.writeUInt16BE(Math.min(length, 0xffff));
  return Buffer.concat([prefix, msg.subarray(0, 0xffff)]);
}

export const framing: fc.Arbitrary<Framing> = fc.oneof(
  { weight: 6, arbitrary: fc.constant('honest' as const) },
  fc.constantFrom('longer' as const, 'shorter' as const, 'zero' as const, 'max' as const),
);

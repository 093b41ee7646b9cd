// Name compression in the message writer: names are compared with those
// already in the message, octet by octet. The reference here is the simplest
// correct compressor, a table from each suffix's lowercase text to the offset
// of its first copy, which the writer must match octet for octet.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MessageWriter } from '../../src/wire/writer.js';
import { Name, readName } from '../../src/wire/name.js';

/** The name's uncompressed wire form, as record data holds it. */
function wire(name: Name): Buffer {
  return Buffer.concat([...name.labels.flatMap((l) => [Buffer.from([l.length]), l]), Buffer.from([0])]);
}

/** A message's header: names start after it, as readName requires of pointers. */
const HEADER = Buffer.alloc(12);

/** The reference: a Map keyed by each suffix's lowercase octets. */
function referenceCompress(names: Name[]): Buffer {
  const out: number[] = [...HEADER];
  const targets = new Map<string, number>();
  for (const name of names) {
    const labels = name.labels;
    let i = 0;
    for (; i < labels.length; i++) {
      const key = labels.slice(i).map((l) => Buffer.from(l).toString('latin1').toLowerCase()).join('\u0100');
      const at = targets.get(key);
      if (at !== undefined) {
        out.push(0xc0 | (at >> 8), at & 0xff);
        break;
      }
      if (out.length < 0x4000) targets.set(key, out.length);
      out.push(labels[i]!.length, ...labels[i]!);
    }
    if (i === labels.length) out.push(0);
  }
  return Buffer.from(out);
}

function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** Names over a small alphabet of labels, so that suffixes repeat; some octets need escapes (dots, capitals, 0xff). */
function randomNames(random: () => number, count: number): Name[] {
  const pool = ['a', 'A', 'b', 'mx1', 'MX1', 'corp', 'example', 'Example', 'x.y', '\xff', 'com'].map((t) => Buffer.from(t, 'latin1'));
  return Array.from({ length: count }, () => Name.fromLabels(Array.from({ length: Math.floor(random() * 5) }, () => pool[Math.floor(random() * pool.length)]!)));
}

describe('message writer: name compression', () => {
  it('compresses as a table of lowercase suffixes would, from Names and from record data alike', () => {
    const random = seeded(7);
    for (let round = 0; round < 300; round++) {
      const names = randomNames(random, 1 + Math.floor(random() * 30));
      const fromNames = new MessageWriter();
      const fromWire = new MessageWriter();
      fromNames.bytes(HEADER);
      fromWire.bytes(HEADER);
      for (const n of names) {
        fromNames.name(n, true);
        const data = wire(n);
        assert.equal(fromWire.wireName(data, 0, true), data.length);
      }
      const expected = referenceCompress(names);
      assert.deepEqual(fromNames.result(), expected, names.map(String).join(' '));
      assert.deepEqual(fromWire.result(), expected);
      // Every name reads back as written (pointers resolve, case kept where written in full).
      let at = HEADER.length;
      for (const n of names) {
        const r = readName(expected, at);
        assert.equal(r.name.key, n.key);
        at = r.end;
      }
    }
  });

  it('compresses against a question copied into the buffer, and forgets targets past a rewind', () => {
    const w = new MessageWriter();
    w.bytes(HEADER);
    const q = Name.parse('www.Corp.Example.');
    w.bytes(wire(q));
    w.addTarget(q, HEADER.length);
    const mark = w.pos;
    w.name(Name.parse('mx1.other.test.'), true);
    w.rewind(mark);
    w.name(Name.parse('mail.corp.example.'), true);
    w.name(Name.parse('other.test.'), true);
    const out = w.result();
    // mail + pointer to "Corp.Example" at 16; other.test written in full (its first copy was rewound).
    assert.deepEqual(out.subarray(mark), Buffer.from([4, ...Buffer.from('mail'), 0xc0, 16, 5, ...Buffer.from('other'), 4, ...Buffer.from('test'), 0]));
  });

  it('writes names in full once its table of targets is full, and stays readable', () => {
    const w = new MessageWriter();
    w.bytes(HEADER);
    const names = Array.from({ length: 700 }, (_, i) => Name.parse(`n${i}.test.`));
    for (const n of names) w.name(n, true);
    w.name(Name.parse('n699.test.'), true);
    const buf = w.result();
    let at = HEADER.length;
    for (const n of [...names, Name.parse('n699.test.')]) {
      const r = readName(buf, at);
      assert.equal(r.name.key, n.key);
      at = r.end;
    }
    assert.equal(at, buf.length);
  });

  it('never points at or beyond 0x4000', () => {
    const w = new MessageWriter();
    w.bytes(Buffer.alloc(0x4000));
    w.name(Name.parse('far.test.'), true);
    w.name(Name.parse('far.test.'), true);
    assert.equal(w.pos, 0x4000 + 2 * 10);
  });
});

describe('nameText: a name written from its presentation text', () => {
  const origin = Name.parse('Zone.EXAMPLE.');
  const written = (text: string, under = origin): Buffer | undefined => {
    const w = new MessageWriter(65535, false);
    return w.nameText(text, under) ? Buffer.from(w.buf.subarray(0, w.pos)) : undefined;
  };
  const long = (n: number) => 'a'.repeat(n);

  it('writes what name() writes of Name.parse, for plain text, relative or absolute', () => {
    const texts = ['www', 'MiXeD.case', 'host.', 'a.b.c.d.e', '*.wild', '_sip._tcp', long(63), `${long(63)}.${long(63)}.${long(60)}`, `${long(63)}.${long(63)}.${long(63)}.${long(61)}.`];
    for (const under of [origin, Name.root]) {
      for (const text of texts) {
        const name = Name.parse(text, under);
        const w = new MessageWriter(65535, false);
        w.name(name, false);
        assert.deepEqual(written(text, under), Buffer.from(w.buf.subarray(0, w.pos)), text);
        assert.deepEqual(readName(written(text, under)!, 0).name.toString(), name.toString(), text);
      }
    }
  });

  it('leaves every other text to Name.parse, writing nothing', () => {
    // Escapes, empty labels, the origin's "@", the root, and labels or names past their limits (Name.parse's errors).
    for (const text of ['a\\.b', '\\065', 'a..b', '.a', '..', '.', '', '@', 'a b', long(64), `${long(63)}.${long(63)}.${long(63)}.${long(62)}.`, `${long(63)}.${long(63)}.${long(63)}.${long(50)}`]) {
      const w = new MessageWriter(65535, false);
      assert.equal(w.nameText(text, origin), false, text);
      assert.equal(w.pos, 0, text);
    }
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { rotateLeft, Rotation, rotationResolver, shuffle, type RotationPolicy } from '../../src/authority/rotation.js';
import { LazyShuffle } from '../../src/wire/shuffle.js';
import { ConfigError, parseRotationSettings } from '../../src/config.js';
import { seededRandom } from '../../src/mxsim/prng.js';
import { Name } from '../../src/wire/name.js';
import { RRType } from '../../src/wire/types.js';
import type { RRset, Zone } from '../../src/zone/zone.js';

const set = (owner: string, type: number, n: number): RRset => ({
  owner: Name.parse(owner), type, ttl: 60, signatures: [], pos: { file: 'f', line: 1, col: 1 },
  rdata: Array.from({ length: n }, (_, i) => Buffer.from(String(i))),
});
const labels = (rs: readonly Buffer[]) => rs.map((r) => r.toString()).join('');

/** The records of one RRset in the order this write of it by `stage` sends them, as the encoder applies a turn. */
function write(stage: Rotation, s: RRset): string {
  const out = stage.rotate(undefined, { answer: [{ owner: s.owner, type: s.type, ttl: s.ttl, rdata: s.rdata, set: s }], authority: [], additional: [] }).answer[0]!;
  const turn = out.turn;
  if (turn === 'random') throw new Error('a random order has no turn to apply');
  return labels(turn === undefined ? out.rdata : rotateLeft(out.rdata, turn));
}

describe('the rotation stage', () => {
  const stage = (policy: RotationPolicy) => new Rotation(() => policy);

  it('cyclic turns one step per write, per RRset', () => {
    const cyclic = stage('cyclic');
    const a = set('a.test.', RRType.TXT, 4);
    const b = set('b.test.', RRType.TXT, 2);
    assert.deepEqual([1, 2, 3, 4, 5].map(() => write(cyclic, a)), ['0123', '1230', '2301', '3012', '0123']);
    assert.deepEqual([1, 2].map(() => write(cyclic, b)), ['01', '10']);
    assert.equal(cyclic.served(a), 5);
    assert.deepEqual(cyclic.upcoming(undefined, a).map((r) => labels([r])).join(''), '1230', 'the next order, shown without turning');
    assert.equal(cyclic.served(a), 5);
  });

  it('keeps its counters to itself: the RRset is not written to, and another stage starts from 0', () => {
    const a = set('a.test.', RRType.TXT, 3);
    const frozen = Object.freeze(a);
    const one = stage('cyclic');
    write(one, frozen);
    write(one, frozen);
    assert.equal(write(stage('cyclic'), frozen), '012');
    assert.equal(write(one, frozen), '201');
  });

  it('fixed keeps the order written in the zone', () => {
    const fixed = stage('fixed');
    const a = set('a.test.', RRType.TXT, 3);
    assert.deepEqual([1, 2, 3].map(() => write(fixed, a)), ['012', '012', '012']);
    assert.equal(fixed.served(a), 3);
  });

  it('random asks the encoder for a fresh order each time, and counts the writes', () => {
    const random = stage('random');
    const a = set('a.test.', RRType.TXT, 3);
    const out = random.rotate(undefined, { answer: [{ ...a, set: a }], authority: [], additional: [] });
    assert.equal(out.answer[0]!.turn, 'random');
    assert.equal(out.rotation, undefined);
    assert.equal(random.served(a), 1);
  });

  it('a single record is never rotated', () => {
    const cyclic = stage('cyclic');
    const one = set('a.test.', RRType.SOA, 1);
    assert.equal(write(cyclic, one), '0');
    assert.equal(cyclic.served(one), 0);
  });

  it("turns the sections in the order written and reports the answer's first turn", () => {
    const cyclic = stage('cyclic');
    const [a, ns, glue] = [set('a.test.', RRType.TXT, 2), set('a.test.', RRType.NS, 3), set('ns.a.test.', RRType.A, 2)];
    const placed = (s: RRset) => ({ owner: s.owner, type: s.type, ttl: s.ttl, rdata: s.rdata, set: s });
    write(cyclic, ns);
    const out = cyclic.rotate(undefined, { answer: [placed(a)], authority: [placed(ns)], additional: [placed(glue)] });
    assert.deepEqual([out.answer[0]!.turn, out.authority[0]!.turn, out.additional[0]!.turn, out.rotation], [0, 1, 0, 0]);
    const again = cyclic.rotate(undefined, { answer: [placed(a)], authority: [], additional: [] });
    assert.equal(again.rotation, 1);
  });

  // The shuffle that makes a copy, and the one the encoder draws from as it writes.
  const randomOrders: [string, (random: () => number) => (items: string[]) => string[]][] = [
    ['shuffle', (random) => (items) => shuffle(items, random)],
    ['LazyShuffle', (random) => {
      const order = new LazyShuffle(random);
      return (items) => {
        order.start(items.length);
        return items.map(() => items[order.next()]!);
      };
    }],
  ];
  for (const [label, make] of randomOrders) {
    it(`random is a uniform permutation (${label}): every order of 3 about 1/6 of the time`, () => {
      const counts = new Map<string, number>();
      const draws = 60_000;
      const draw = make(seededRandom('rotation-test'));
      for (let i = 0; i < draws; i++) {
        const k = draw(['a', 'b', 'c']).join('');
        counts.set(k, (counts.get(k) ?? 0) + 1);
      }
      assert.equal(counts.size, 6);
      // Chi-square with 5 degrees of freedom: 20.5 is the 0.999 quantile.
      const expected = draws / 6;
      const chi2 = [...counts.values()].reduce((s, c) => s + (c - expected) ** 2 / expected, 0);
      assert.ok(chi2 < 20.5, `chi2 ${chi2.toFixed(1)} ${JSON.stringify([...counts])}`);
    });
  }

  it('LazyShuffle draws each position once, whatever was drawn before', () => {
    const order = new LazyShuffle(seededRandom('lazy'));
    for (const n of [5, 1000, 3, 70_000, 2]) {
      order.start(n);
      // A draw left half done must not leak into the next one.
      order.next();
      order.start(n);
      const seen = new Set(Array.from({ length: n }, () => order.next()));
      assert.equal(seen.size, n);
      assert.ok([...seen].every((i) => i >= 0 && i < n));
    }
  });

  it('rotateLeft wraps around', () => {
    assert.deepEqual(rotateLeft([1, 2, 3], 7), [2, 3, 1]);
  });
});

describe('rotation settings', () => {
  const zone = { origin: Name.parse('corp.example.') } as Zone;
  const other = { origin: Name.parse('other.test.') } as Zone;

  it('the most specific setting wins: name and type, name, zone, default', () => {
    const resolve = rotationResolver(parseRotationSettings({
      policy: 'cyclic',
      zones: { 'corp.example': 'random' },
      names: [{ name: 'corp.example', type: 'MX', policy: 'fixed' }, { name: 'mx1.corp.example.', policy: 'cyclic' }],
    }));
    assert.equal(resolve(zone, set('corp.example.', RRType.MX, 2)), 'fixed');
    assert.equal(resolve(zone, set('corp.example.', RRType.TXT, 2)), 'random');
    assert.equal(resolve(zone, set('mx1.corp.example.', RRType.A, 2)), 'cyclic');
    assert.equal(resolve(other, set('www.other.test.', RRType.A, 2)), 'cyclic');
  });

  it('a plain string sets the default', () => {
    assert.equal(rotationResolver(parseRotationSettings('random'))(zone, set('x.corp.example.', RRType.A, 2)), 'random');
  });

  const bad: [unknown, RegExp][] = [
    ['sorted', /rotation: expected one of cyclic, random, fixed/],
    [{ policy: 'cyclic', zone: {} }, /unknown key "zone"/],
    [{ names: [{ name: 'x', policy: 'fixed', type: 'BOGUS' }] }, /rotation.names\[0\]\.type: unknown record type "BOGUS"/],
    [{ names: [{ name: 'x..y', policy: 'fixed' }] }, /rotation.names\[0\]\.name: empty label/],
    [{ zones: { 'corp.example': 'shuffle' } }, /rotation.zones.corp.example: expected one of/],
  ];
  for (const [value, message] of bad) {
    it(`rejects ${JSON.stringify(value)}`, () => assert.throws(() => parseRotationSettings(value), (e: Error) => e instanceof ConfigError && message.test(e.message)));
  }
});

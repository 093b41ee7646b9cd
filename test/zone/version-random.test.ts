// Zone versions against straightforward references, on random zones from a
// fixed seed: the order of owners against RFC 4034 §6.1 spelled out label by
// label, and apply(a, diff(a, b)) against b.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Name } from '../../src/wire/name.js';
import { RRType } from '../../src/wire/types.js';
import { apply, diff } from '../../src/zone/changeset.js';
import { VersionBuilder } from '../../src/zone/version-builder.js';
import { NodeFlag, type ZoneVersion } from '../../src/zone/version.js';
import { owners } from './version-helpers.js';

const origin = Name.parse('Zone.Test.');
const pos = { file: 'random', line: 1, col: 1 };

/** xorshift32: the same zones on every run. */
function random(seed: number): (n: number) => number {
  let x = seed;
  return (n) => {
    x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
    return (x >>> 0) % n;
  };
}

// The escaping edges: octets below and at the key's escapes, `*`, letters of both cases, and what presentation form escapes (space, `.`, `\`, `(`, 0x7f and above).
const OCTETS = [0x00, 0x01, 0x02, 0x20, 0x28, 0x2a, 0x2d, 0x2e, 0x41, 0x5a, 0x5c, 0x61, 0x62, 0x7a, 0x7f, 0xff];

function randomName(r: (n: number) => number): Name {
  const labels = Array.from({ length: 1 + r(3) }, () => Buffer.from(Array.from({ length: 1 + r(3) }, () => OCTETS[r(OCTETS.length)]!)));
  return Name.fromLabels([...labels, ...origin.labels]);
}

const lower = (b: Buffer) => Buffer.from(b.map((c) => (c >= 0x41 && c <= 0x5a ? c + 0x20 : c)));

/** RFC 4034 §6.1: compare labels from the most significant, each as a lowercase octet string. */
function canonicalCompare(a: Name, b: Name): number {
  const x = a.labels.map(lower).reverse();
  const y = b.labels.map(lower).reverse();
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const c = Buffer.compare(x[i]!, y[i]!);
    if (c !== 0) return c;
  }
  return x.length - y.length;
}

function buildOf(records: { owner: Name; type: number; ttl: number; rdata: Buffer }[], serial: number): ZoneVersion {
  const b = new VersionBuilder(origin, 'random', { serial, ttl: 3600 });
  b.add({ owner: origin, type: RRType.NS, ttl: 3600, rdata: Buffer.from('\x02ns\x00', 'latin1') }, pos);
  for (const rec of records) b.add(rec, pos);
  return b.finish().version;
}

describe('random zones', () => {
  it('are in canonical order, with every ancestor a node', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const r = random(seed);
      const names = Array.from({ length: 60 }, () => randomName(r));
      const v = buildOf(names.map((owner) => ({ owner, type: RRType.A, ttl: 60, rdata: Buffer.from([192, 0, 2, r(256)]) })), 1);
      const unique = [...new Map(names.map((n) => [n.key, n])).values()].sort(canonicalCompare);
      const expected = [origin, ...unique].map((n) => n.key);
      assert.deepEqual(owners(v).map((o) => Name.parse(o).key), expected, `seed ${seed}`);
      for (const n of names) {
        for (let up = n; up.labelCount > origin.labelCount; up = up.parent()) {
          const node = v.find(up);
          assert.notEqual(node, -1, `${up} exists (seed ${seed})`);
          assert.equal((v.flags(node) & NodeFlag.EMPTY) !== 0, !names.some((m) => m.equals(up)));
        }
      }
    }
  });

  it('turn into each other by apply(a, diff(a, b))', () => {
    for (let seed = 1; seed <= 30; seed++) {
      const r = random(seed * 7919);
      const pool = Array.from({ length: 12 }, () => randomName(r));
      const records = () => Array.from({ length: r(40) }, () => {
        const type = [RRType.A, RRType.TXT, RRType.NS][r(3)]!;
        const rdata = type === RRType.A ? Buffer.from([10, 0, 0, r(4)]) : type === RRType.TXT ? Buffer.from([1, 0x61 + r(3)]) : Buffer.from(`\x02n${r(3)}\x00`, 'latin1');
        return { owner: pool[r(pool.length)]!, type, ttl: [60, 300][r(2)]!, rdata };
      });
      const a = buildOf(records(), 1);
      const b = buildOf(records(), 2);
      const next = apply(a, diff(a, b));
      const lines = (v: ZoneVersion) => [...v.records()].map((x) => `${x.owner.key} ${x.type} ${x.ttl} ${x.rdata.toString('hex')}`).sort();
      const flags = (v: ZoneVersion) => Array.from({ length: v.nodeCount }, (_, n) => `${v.ownerName(n).key} ${v.flags(n)}`);
      assert.deepEqual(lines(next), lines(b), `seed ${seed}`);
      assert.deepEqual(flags(next), flags(b), `seed ${seed}`);
      assert.deepEqual(diff(next, b).added.length + diff(next, b).removed.length, 0);
    }
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { shuffle } from '../../src/authority/rotation.js';
import { randomInt, seededRandom } from '../../src/mxsim/prng.js';
import { chiSquareEven } from '../../src/mxsim/stats.js';

const draws = (random: () => number, n: number): number[] => Array.from({ length: n }, random);

describe('seededRandom', () => {
  it('replays a stream from its seed and name', () => {
    assert.deepEqual(draws(seededRandom('42', 7), 50), draws(seededRandom('42', 7), 50));
  });

  it('gives other seeds and other streams other numbers', () => {
    const base = draws(seededRandom('42', 7), 20);
    assert.notDeepEqual(draws(seededRandom('43', 7), 20), base);
    assert.notDeepEqual(draws(seededRandom('42', 8), 20), base);
  });

  it('stays in [0, 1) with mean ½ and variance 1/12', () => {
    const xs = draws(seededRandom('moments'), 200_000);
    assert.ok(xs.every((x) => x >= 0 && x < 1));
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    const variance = xs.reduce((a, x) => a + (x - mean) ** 2, 0) / xs.length;
    // Standard errors are 0.00065 and 0.00019: these bounds are over 4 of them.
    assert.ok(Math.abs(mean - 0.5) < 0.003, `mean ${mean}`);
    assert.ok(Math.abs(variance - 1 / 12) < 0.001, `variance ${variance}`);
  });

  it('fills 20 bins evenly (chi-square)', () => {
    const random = seededRandom('bins');
    const bins = Array<number>(20).fill(0);
    for (let i = 0; i < 100_000; i++) bins[randomInt(random, 20)]!++;
    assert.ok(chiSquareEven(bins).pValue > 0.001, `bins ${bins.join(' ')}`);
  });

  it('has no correlation between one draw and the next', () => {
    const xs = draws(seededRandom('lag'), 100_000);
    let sum = 0;
    for (let i = 1; i < xs.length; i++) sum += (xs[i - 1]! - 0.5) * (xs[i]! - 0.5);
    const correlation = sum / (xs.length - 1) / (1 / 12);
    assert.ok(Math.abs(correlation) < 0.015, `lag-1 correlation ${correlation}`);
  });

  it('gives the first draws of neighbouring streams no common bias', () => {
    const firsts = Array.from({ length: 50_000 }, (_, i) => seededRandom('s', i)());
    const bins = Array<number>(10).fill(0);
    for (const x of firsts) bins[Math.floor(x * 10)]!++;
    assert.ok(chiSquareEven(bins).pValue > 0.001, `bins ${bins.join(' ')}`);
  });
});

describe('Fisher–Yates shuffle driven by the seeded generator', () => {
  it('makes all 24 orders of four items equally likely', () => {
    const random = seededRandom('perm');
    const seen = new Map<string, number>();
    for (let i = 0; i < 48_000; i++) {
      const key = shuffle(['a', 'b', 'c', 'd'], random).join('');
      seen.set(key, (seen.get(key) ?? 0) + 1);
    }
    assert.equal(seen.size, 24);
    const { pValue } = chiSquareEven([...seen.values()]);
    assert.ok(pValue > 0.001, `counts ${[...seen.values()].join(' ')}, p ${pValue}`);
  });

  it('puts each item first a quarter of the time, within 1 point', () => {
    const random = seededRandom('first');
    const firsts = new Map<string, number>();
    const n = 40_000;
    for (let i = 0; i < n; i++) {
      const first = shuffle(['a', 'b', 'c', 'd'], random)[0]!;
      firsts.set(first, (firsts.get(first) ?? 0) + 1);
    }
    for (const [item, count] of firsts) assert.ok(Math.abs(count / n - 0.25) < 0.01, `${item}: ${count}`);
  });

  it('leaves its input alone', () => {
    const items = ['a', 'b', 'c'];
    shuffle(items, seededRandom('x'));
    assert.deepEqual(items, ['a', 'b', 'c']);
  });
});

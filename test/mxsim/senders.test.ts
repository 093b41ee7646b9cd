import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { seededRandom } from '../../src/mxsim/prng.js';
import { assignModels, exchangeOrder } from '../../src/mxsim/senders.js';
import { chiSquareEven } from '../../src/mxsim/stats.js';
import { MX } from './fake.js';

const BACKUP_FIRST = [MX[4]!, ...MX.slice(0, 4)];

describe('exchangeOrder', () => {
  it('rfc5321: the backup comes last whatever the answer order', () => {
    const random = seededRandom('pref');
    for (let i = 0; i < 200; i++) {
      const order = exchangeOrder('rfc5321', BACKUP_FIRST, random);
      assert.equal(order.length, 5);
      assert.equal(order[4], 'backup-mx.corp.example.');
      assert.deepEqual(new Set(order.slice(0, 4)), new Set(MX.slice(0, 4).map((r) => r.exchange)));
    }
  });

  it('rfc5321: each equal-preference gateway comes first equally often, whatever the answer order', () => {
    const random = seededRandom('even');
    const firsts = new Map<string, number>();
    for (let i = 0; i < 20_000; i++) {
      const first = exchangeOrder('rfc5321', MX, random)[0]!;
      firsts.set(first, (firsts.get(first) ?? 0) + 1);
    }
    assert.equal(firsts.size, 4);
    assert.ok(chiSquareEven([...firsts.values()]).pValue > 0.001, [...firsts.values()].join(' '));
  });

  it('rfc5321 draws from the random stream: the same seed, the same order', () => {
    assert.deepEqual(exchangeOrder('rfc5321', MX, seededRandom('s', 1)), exchangeOrder('rfc5321', MX, seededRandom('s', 1)));
  });

  it('rfc5321: the same seed chooses the same order whatever order the answer came in', () => {
    for (let i = 0; i < 50; i++) {
      assert.deepEqual(exchangeOrder('rfc5321', BACKUP_FIRST, seededRandom('o', i)), exchangeOrder('rfc5321', [...MX].reverse(), seededRandom('o', i)));
    }
  });

  it('first-record: the answer order, preference ignored', () => {
    assert.deepEqual(exchangeOrder('first-record', BACKUP_FIRST, seededRandom('x')), BACKUP_FIRST.map((r) => r.exchange));
  });

  it('sticky chooses as rfc5321 does', () => {
    assert.deepEqual(exchangeOrder('sticky', MX, seededRandom('y')), exchangeOrder('rfc5321', MX, seededRandom('y')));
  });
});

describe('assignModels', () => {
  const tally = (models: string[]): Record<string, number> => models.reduce<Record<string, number>>((t, m) => ({ ...t, [m]: (t[m] ?? 0) + 1 }), {});

  it('splits 70/30 of 1,000 into exactly 700 and 300', () => {
    const models = assignModels([{ model: 'rfc5321', weight: 70 }, { model: 'first-record', weight: 30 }], 1000);
    assert.deepEqual(tally(models), { rfc5321: 700, 'first-record': 300 });
  });

  it('hands the remainder to the largest fractions, then to the earlier entry', () => {
    const models = assignModels([{ model: 'rfc5321', weight: 1 }, { model: 'first-record', weight: 1 }, { model: 'sticky', weight: 1 }], 10);
    assert.deepEqual(tally(models), { rfc5321: 4, 'first-record': 3, sticky: 3 });
    assert.equal(assignModels([{ model: 'sticky', weight: 2 }], 7).length, 7);
  });
});

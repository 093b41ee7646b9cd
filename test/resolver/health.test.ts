import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UpstreamSet } from '../../src/resolver/health.js';
import type { ListenAddress } from '../../src/net/address.js';

const up = (port: number): ListenAddress => ({ host: '127.0.0.1', port, family: 4 });

describe('UpstreamSet', () => {
  it('keeps the configured order until scores differ, then puts the fastest first', () => {
    const [a, b] = [up(1), up(2)];
    const set = new UpstreamSet([a, b], 1000, () => 0);
    assert.deepEqual(set.order(), [a, b]);
    set.answered(a, 40);
    set.answered(b, 10);
    assert.deepEqual(set.order(), [b, a]);
  });

  it('moves a failing upstream back, and forgives it as its penalty decays', () => {
    let now = 0;
    const [a, b] = [up(1), up(2)];
    const set = new UpstreamSet([a, b], 1000, () => now);
    set.answered(a, 5);
    set.answered(b, 50);
    set.failed(a);
    assert.deepEqual(set.order(), [b, a]);
    assert.equal(set.health()[0]!.failures, 1);
    now = 5 * 30_000; // five half-lives: 1000 ms × 1/32 + 5 < 50
    assert.deepEqual(set.order(), [a, b]);
  });
});

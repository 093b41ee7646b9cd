import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LruCache } from '../../src/resolver/cache.js';

describe('LruCache', () => {
  it('evicts the least recently used entry when full; a hit makes an entry recent', () => {
    const cache = new LruCache<{ expiresAt: number; v: string }>(2);
    cache.set('a', { expiresAt: 100, v: 'a' });
    cache.set('b', { expiresAt: 100, v: 'b' });
    assert.equal(cache.get('a', 0)?.v, 'a');
    cache.set('c', { expiresAt: 100, v: 'c' });
    assert.deepEqual(['a', 'b', 'c'].map((k) => cache.get(k, 0)?.v), ['a', undefined, 'c']);
    assert.deepEqual([cache.size, cache.evictions], [2, 1]);
  });

  it('forgets entries at their expiry time', () => {
    const cache = new LruCache<{ expiresAt: number }>(10);
    cache.set('a', { expiresAt: 1000 });
    assert.ok(cache.get('a', 999));
    assert.equal(cache.get('a', 1000), undefined);
    assert.equal(cache.size, 0);
  });
});

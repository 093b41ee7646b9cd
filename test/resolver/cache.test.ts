import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LruCache } from '../../src/resolver/cache.js';

describe('LruCache', () => {
  it('evicts the least recently used entry when full; a hit makes an entry recent', () => {
    const cache = new LruCache<{ expiresAt: number; bytes: number; v: string }>(2);
    cache.set('a', { expiresAt: 100, bytes: 0, v: 'a' });
    cache.set('b', { expiresAt: 100, bytes: 0, v: 'b' });
    assert.equal(cache.get('a', 0)?.v, 'a');
    cache.set('c', { expiresAt: 100, bytes: 0, v: 'c' });
    assert.deepEqual(['a', 'b', 'c'].map((k) => cache.get(k, 0)?.v), ['a', undefined, 'c']);
    assert.deepEqual([cache.size, cache.evictions], [2, 1]);
  });

  it('forgets entries at their expiry time', () => {
    const cache = new LruCache<{ expiresAt: number; bytes: number }>(10);
    cache.set('a', { expiresAt: 1000, bytes: 0 });
    assert.ok(cache.get('a', 999));
    assert.equal(cache.get('a', 1000), undefined);
    assert.equal(cache.size, 0);
  });

  it('evicts the least recently used entries while the bytes held exceed the bound, and never keeps one larger than it', () => {
    const cache = new LruCache<{ expiresAt: number; bytes: number }>(1000, 1000);
    for (const k of ['a', 'b', 'c']) cache.set(k, { expiresAt: 100, bytes: 300 }); // 3 × (300 + 2) octets
    assert.deepEqual([cache.size, cache.bytes], [3, 906]);
    cache.get('a', 0);
    cache.set('d', { expiresAt: 100, bytes: 300 });
    assert.deepEqual(['a', 'b', 'c', 'd'].map((k) => !!cache.get(k, 0)), [true, false, true, true], 'b was the least recently used');
    assert.deepEqual([cache.bytes, cache.evictions], [906, 1]);
    cache.set('huge', { expiresAt: 100, bytes: 5000 });
    assert.deepEqual([cache.get('huge', 0), cache.size], [undefined, 3], 'too large to keep; the others stay');
    cache.set('a', { expiresAt: 100, bytes: 10 });
    assert.equal(cache.bytes, 616, 'a replaced entry counts once');
    cache.get('c', 200);
    assert.equal(cache.bytes, 314, 'an expired entry met on the way stops counting');
  });
});

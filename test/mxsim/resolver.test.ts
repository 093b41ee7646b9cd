import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { seededRandom } from '../../src/mxsim/prng.js';
import { Resolver } from '../../src/mxsim/resolver.js';
import { FakeAuthority, MX } from './fake.js';

const random = seededRandom('resolver');
const exchanges = (l: { mx: readonly { exchange: string }[] }): string => l.mx.map((r) => r.exchange).join(' ');

describe('Resolver', () => {
  it('without a cache, asks the server every time and passes its order on', async () => {
    const server = new FakeAuthority({ policy: 'cyclic' });
    const resolver = new Resolver(server, { cache: false, rotation: false });
    const a = await resolver.mx('corp.example.', 0, random);
    const b = await resolver.mx('corp.example.', 0, random);
    assert.equal(server.mxQueries, 2);
    assert.notEqual(exchanges(a), exchanges(b));
  });

  it('with a cache, replays one answer, order and addresses, until the TTL runs out', async () => {
    const server = new FakeAuthority({ policy: 'cyclic', ttl: 300 });
    const resolver = new Resolver(server, { cache: true, rotation: false });
    const first = await resolver.mx('corp.example.', 0, random);
    for (const t of [1, 150, 299.9]) {
      const again = await resolver.mx('corp.example.', t, random);
      assert.equal(exchanges(again), exchanges(first), `at ${t} s`);
      assert.deepEqual(again.addresses[4].get('mx1.corp.example.'), first.addresses[4].get('mx1.corp.example.'));
    }
    assert.equal(server.mxQueries, 1);
    const later = await resolver.mx('corp.example.', 300, random);
    assert.equal(server.mxQueries, 2, 'expired at fetch time + TTL');
    assert.notEqual(exchanges(later), exchanges(first));
    assert.notDeepEqual(later.addresses[4].get('mx1.corp.example.'), first.addresses[4].get('mx1.corp.example.'));
  });

  it('shares one query among lookups made while it is in flight', async () => {
    const server = new FakeAuthority({ policy: 'cyclic' });
    const resolver = new Resolver(server, { cache: true, rotation: false });
    const all = await Promise.all([0, 1, 2, 3].map((t) => resolver.mx('corp.example.', t, random)));
    assert.equal(server.mxQueries, 1);
    assert.equal(new Set(all.map(exchanges)).size, 1);
  });

  it('does not hand a lookup an answer that was still in flight but had expired by its time', async () => {
    const server = new FakeAuthority({ policy: 'cyclic', ttl: 300 });
    let release!: () => void;
    const gate = new Promise<void>((resolve) => { release = resolve; });
    const slow = { mx: async () => { await gate; return server.mx(); }, addresses: server.addresses.bind(server) };
    const resolver = new Resolver(slow, { cache: true, rotation: false });
    const early = resolver.mx('corp.example.', 0, random);
    const within = resolver.mx('corp.example.', 299, random);
    const late = resolver.mx('corp.example.', 400, random);
    release();
    const [a, b, c] = await Promise.all([early, within, late]);
    assert.equal(exchanges(a), exchanges(b));
    assert.notEqual(exchanges(c), exchanges(a));
    assert.equal(server.mxQueries, 2);
  });

  it('with rotation, turns the cached RRsets on each use without asking again', async () => {
    const server = new FakeAuthority({ policy: 'fixed' });
    const resolver = new Resolver(server, { cache: true, rotation: true });
    const firsts = new Map<string, number>();
    for (let i = 0; i < 5000; i++) {
      const l = await resolver.mx('corp.example.', i * 0.01, random);
      assert.equal(l.mx.length, 5);
      firsts.set(l.mx[0]!.exchange, (firsts.get(l.mx[0]!.exchange) ?? 0) + 1);
      // A turn keeps the cyclic order: whatever comes first, the rest follow it.
      const names = l.mx.map((r) => r.exchange);
      const k = names.indexOf(MX[0]!.exchange);
      assert.deepEqual([...names.slice(k), ...names.slice(0, k)], MX.map((r) => r.exchange));
    }
    assert.equal(server.mxQueries, 1);
    assert.equal(firsts.size, 5);
    for (const [name, n] of firsts) assert.ok(Math.abs(n / 5000 - 0.2) < 0.03, `${name}: ${n}`);
  });

  it('asks for A records when the answer had no additional section, and caches them', async () => {
    const server = new FakeAuthority({ policy: 'cyclic', noAdditional: true });
    const resolver = new Resolver(server, { cache: true, rotation: false });
    const l = await resolver.mx('corp.example.', 0, random);
    assert.equal(l.addresses[4].size, 0);
    const first = await resolver.addresses('mx1.corp.example.', 4, 0, random);
    assert.deepEqual(await resolver.addresses('mx1.corp.example.', 4, 10, random), first);
    assert.equal(server.aQueries, 1);
    // Once cached, the A RRset travels with later MX lookups like additional data.
    assert.deepEqual((await resolver.mx('corp.example.', 20, random)).addresses[4].get('mx1.corp.example.'), first);
  });

  it('keeps a cached A RRset for its own TTL when a new MX answer brings other addresses', async () => {
    const server = new FakeAuthority({ policy: 'cyclic', ttl: 300 });
    const resolver = new Resolver(server, { cache: true, rotation: false });
    const early = await resolver.addresses('mx1.corp.example.', 4, 250, random);
    await resolver.mx('corp.example.', 260, random);
    const l = await resolver.mx('corp.example.', 270, random);
    assert.deepEqual(l.addresses[4].get('mx1.corp.example.'), early);
  });
});

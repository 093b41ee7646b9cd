import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ForwardConfig } from '../../src/resolver/resolver.js';
import { createLogger } from '../../src/log.js';
import { Resolver } from '../../src/resolver/resolver.js';
import { parseAcl } from '../../src/net/acl.js';
import type { RequestContext } from '../../src/net/context.js';
import { parseQuery } from '../../src/wire/query.js';
import { decode, makeQuery } from '../e2e/raw.js';
import { answerWith, fakeUpstreams, type DnsPacket, type FakeUpstream } from './fake-upstream.js';

const CTX: RequestContext = { transport: 'udp', client: { address: '127.0.0.1', port: 5353 } };

function resolver(upstreams: FakeUpstream[], timeoutMs = 1000): Resolver {
  const forward: ForwardConfig = {
    upstreams: upstreams.map((u) => u.address),
    allowRecursion: parseAcl(['127.0.0.0/8']),
    timeoutMs,
    cache: { maxEntries: 100, maxBytes: 1 << 20, maxTtl: 3600, minTtl: 0 },
  };
  return new Resolver({ forward, rotation: 'cyclic', logger: createLogger('silent') });
}

const ask = (r: Resolver, name: string) => r.resolve(parseQuery(makeQuery(name, 1)), CTX, 512);
const servfail = (q: DnsPacket) => [answerWith(q, [], (p) => { p.header.rcode = 2; })];

describe('Resolver', () => {
  const start = fakeUpstreams();

  it('answers with RA from the upstream, then from the cache', async () => {
    const u = await start((q) => [answerWith(q, ['192.0.2.1', '192.0.2.2'])]);
    const r = resolver([u]);
    const first = await ask(r, 'www.example.com');
    const second = await ask(r, 'WWW.example.com');
    assert.deepEqual([first.recursion, second.recursion], ['upstream', 'cache']);
    // What the final step, RRL and the query log read: the outcome, which says it as the bytes do.
    assert.deepEqual([first.aa, first.answers, second.aa, second.answers], [false, 2, false, 2]);
    const reply = decode(second.response);
    assert.deepEqual([reply.header.ra, reply.header.aa, reply.questions[0]!.name], [1, 0, 'WWW.example.com']);
    assert.deepEqual(reply.answers.map((a) => a.address), ['192.0.2.2', '192.0.2.1'], 'rotated one step');
    assert.equal(u.seen.length, 1);
    assert.deepEqual([r.stats.cacheHits, r.stats.cacheMisses], [1, 1]);
  });

  it('shares one upstream exchange between identical questions in flight', async () => {
    const u = await start(async (q) => {
      await new Promise((resolve) => setTimeout(resolve, 50));
      return [answerWith(q, ['192.0.2.1'])];
    });
    const r = resolver([u]);
    const both = await Promise.all([ask(r, 'shared.example'), ask(r, 'shared.example')]);
    assert.deepEqual(both.map((o) => o.rcode), [0, 0]);
    assert.equal(u.seen.length, 1);
  });

  it('goes on to the next upstream after a timeout or a SERVFAIL, and ranks them by it', async () => {
    const silent = await start(() => []);
    const failing = await start(servfail);
    const good = await start((q) => [answerWith(q, ['192.0.2.1'])]);
    const r = resolver([silent, failing, good], 100);
    assert.equal((await ask(r, 'a.example')).recursion, 'upstream');
    assert.deepEqual([silent, failing, good].map((u) => u.seen.length), [1, 1, 1]);
    assert.equal(r.upstreams.order()[0], good.address);
    await ask(r, 'b.example');
    assert.equal(good.seen.length, 2, 'the good one is asked first now');
    assert.equal(silent.seen.length, 1);
  });

  it('answers SERVFAIL with RA when no upstream answers', async () => {
    const failing = await start(servfail);
    const r = resolver([failing]);
    const out = await ask(r, 'down.example');
    assert.deepEqual([out.rcode, out.recursion, decode(out.response).header.ra], [2, 'failed', 1]);
    assert.equal(failing.seen.length, 2, 'a single upstream is tried twice');
  });

  it('detects a question that comes back while it is in flight, and not a client asking the same', async () => {
    let r: Resolver;
    let looped: Promise<unknown> | undefined;
    let client: Promise<unknown> | undefined;
    const u = await start(async (q) => {
      // The upstream asks rotor back with the name as it got it: a loop.
      looped = r.resolve(parseQuery(makeQuery(q.questions[0]!.name, 1)), CTX, 512).then((o) => o.recursion);
      // Meanwhile a client asks the same question in lower case: it waits for the answer.
      client = ask(r, 'loop.example.com').then((o) => o.recursion);
      await looped;
      return [answerWith(q, ['192.0.2.1'])];
    });
    r = resolver([u]);
    assert.equal((await ask(r, 'loop.example.com')).recursion, 'upstream');
    assert.deepEqual([await looped, await client], ['loop', 'upstream']);
    assert.equal(r.stats.loops, 1);
  });
});

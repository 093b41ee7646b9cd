// ALIAS targets outside rotor's zones, looked up through forward.upstreams
// (src/query/alias.ts, Resolver.lookup): the answer, its TTL, the forwarder's
// cache, and SERVFAIL with an Extended DNS Error when no upstream answers or
// none is configured. The own-zone rows are the table test/query/answers/alias.ts.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { parseMessage } from '../../src/message/message.js';
import { parseAcl } from '../../src/net/acl.js';
import type { ForwardConfig } from '../../src/resolver/resolver.js';
import { RRType } from '../../src/wire/types.js';
import { REPO } from '../e2e/harness.js';
import { answerWith, fakeUpstreams, type FakeUpstream } from '../resolver/fake-upstream.js';
import { startHandler, type Handler } from './answers/handler.js';
import { present } from './answers/present.js';

const ZONES = join(REPO, 'test', 'fixtures', 'alias');

function forward(upstreams: FakeUpstream[]): ForwardConfig {
  return {
    upstreams: upstreams.map((u) => u.address),
    // Nobody may recurse: an ALIAS's lookup is the server's own question.
    allowRecursion: parseAcl([]),
    timeoutMs: 200,
    cache: { maxEntries: 100, maxBytes: 1 << 20, maxTtl: 3600, minTtl: 0 },
  };
}

/** The Extended DNS Error (RFC 8914) of a response: [INFO-CODE, EXTRA-TEXT], or undefined. */
function ede(response: Buffer): [number, string] | undefined {
  const opt = parseMessage(response).additional.find((r) => r.type === RRType.OPT);
  for (let at = 0; opt && at + 4 <= opt.rdata.length; at += 4 + opt.rdata.readUInt16BE(at + 2)) {
    if (opt.rdata.readUInt16BE(at) !== 15) continue;
    const end = at + 4 + opt.rdata.readUInt16BE(at + 2);
    return [opt.rdata.readUInt16BE(at + 4), opt.rdata.subarray(at + 6, end).toString('utf8')];
  }
  return undefined;
}

const A = 1;
const rows = (r: ReturnType<typeof present>) => r.answer.map((x) => `${x.name} ${x.ttl} ${x.type} ${x.data}`);

describe('ALIAS through forward.upstreams', () => {
  const start = fakeUpstreams();
  const handlers: Handler[] = [];
  after(() => Promise.all(handlers.map((h) => h.close())));
  const handler = async (upstreams?: FakeUpstream[]) => {
    const h = await startHandler(ZONES, true, upstreams ? { forward: forward(upstreams) } : {});
    handlers.push(h);
    return h;
  };

  it('answers with the upstream\'s addresses under the owner, TTL the smaller, then from the cache', async () => {
    const u = await start((q) => [answerWith(q, ['192.0.2.77', '192.0.2.78'])]);
    const h = await handler([u]);
    const first = present(await h.ask({ name: 'outside.alias.test', type: A }));
    assert.equal(first.status, 'NOERROR');
    assert.ok(first.flags.includes('aa'));
    // The upstream's TTL is 60, the ALIAS's 3600.
    assert.deepEqual(rows(first).sort(), ['outside.alias.test. 60 A 192.0.2.77', 'outside.alias.test. 60 A 192.0.2.78']);
    const second = present(await h.ask({ name: 'outside.alias.test', type: A }));
    assert.equal(second.answer.length, 2);
    assert.equal(u.seen.length, 1, 'the second answer came from the cache');
    assert.equal(u.seen[0]!.packet.questions[0]!.name.toLowerCase(), 'host.example.net', 'the target was asked, not the owner');
  });

  it('asks the upstreams for a target delegated away from the zone', async () => {
    const u = await start((q) => [answerWith(q, ['192.0.2.99'])]);
    const h = await handler([u]);
    const r = present(await h.ask({ name: 'to-sub.alias.test', type: A }));
    assert.deepEqual(rows(r), ['to-sub.alias.test. 60 A 192.0.2.99']);
    assert.equal(u.seen[0]!.packet.questions[0]!.name.toLowerCase(), 'host.sub.alias.test');
  });

  it('gives NODATA when the upstream says the target has no such name', async () => {
    const u = await start((q) => [answerWith(q, [], (p) => { p.header.rcode = 3; })]);
    const h = await handler([u]);
    const r = present(await h.ask({ name: 'outside.alias.test', type: A }));
    assert.deepEqual([r.status, r.answer.length, r.authority.map((x) => x.type)], ['NOERROR', 0, ['SOA']]);
  });

  it('answers SERVFAIL with EDE 22 when no upstream answers', async () => {
    const u = await start((q) => [answerWith(q, [], (p) => { p.header.rcode = 2; })]);
    const h = await handler([u]);
    const response = await h.ask({ name: 'outside.alias.test', type: A });
    assert.equal(present(response).status, 'SERVFAIL');
    assert.deepEqual(ede(response), [22, 'ALIAS at outside.alias.test.: no upstream answered for host.example.net.']);
  });

  it('answers SERVFAIL with EDE 0 saying why when there are no upstreams, or the chain loops', async () => {
    const h = await handler();
    assert.deepEqual(ede(await h.ask({ name: 'outside.alias.test', type: A })),
      [0, 'ALIAS at outside.alias.test.: host.example.net. is outside the served zones and forward.upstreams is not set']);
    assert.deepEqual(ede(await h.ask({ name: 'loop1.alias.test', type: A })),
      [0, 'ALIAS at loop1.alias.test.: the chain to its addresses loops or is longer than 8']);
  });
});

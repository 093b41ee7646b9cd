import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { summarize } from '../../src/mxsim/report.js';
import { simulate, type SimOptions, type Tally } from '../../src/mxsim/simulate.js';
import { FakeAuthority, type FakeOptions } from './fake.js';

const BASE: SimOptions = {
  domain: 'corp.example.', senders: 200, messages: 4000, mix: [{ model: 'rfc5321', weight: 1 }],
  family: 'ipv4', dualPreference: 'ipv6', retries: 2, retryAfterSeconds: 300,
  resolvers: 4, cache: false, rotation: false, durationSeconds: 3600, down: new Set(), seed: 'unit', concurrency: 8,
};

async function run(overrides: Partial<SimOptions>, fake: FakeOptions = { policy: 'fixed' }) {
  const server = new FakeAuthority(fake);
  const opts = { ...BASE, ...overrides };
  const tally = await simulate(opts, server);
  return { server, tally, summary: summarize(tally, { domain: opts.domain, family: opts.family, messages: opts.messages, down: opts.down, sent: server.mxQueries + server.aQueries + server.aaaaQueries }) };
}

const byGateway = (tally: Tally): Record<string, number> =>
  Object.fromEntries([...tally.connections].map(([g, a]) => [g, [...a.values()].reduce((x, y) => x + y, 0)]));

describe('simulate', () => {
  it('rfc5321 senders split evenly over the preferred gateways even when the server never rotates', async () => {
    const { tally, summary } = await run({});
    assert.equal(byGateway(tally)['backup-mx.corp.example.'], 0);
    assert.ok(summary.group!.spreadPoints < 3, `spread ${summary.group!.spreadPoints}`);
    assert.ok(summary.group!.chiSquare.pValue > 0.001);
  });

  it('first-record senders against a fixed server all go to the first gateway', async () => {
    const { tally } = await run({ mix: [{ model: 'first-record', weight: 1 }] });
    assert.equal(byGateway(tally)['mx1.corp.example.'], 4000);
    assert.equal(tally.connections.get('mx1.corp.example.')!.get('192.0.2.11'), 4000);
  });

  it('first-record senders against a cyclic server without caches follow the rotation, backup included', async () => {
    const { tally } = await run({ mix: [{ model: 'first-record', weight: 1 }], concurrency: 1 }, { policy: 'cyclic' });
    for (const n of Object.values(byGateway(tally))) assert.equal(n, 800);
  });

  it('a caching resolver sends one query per TTL and its senders all follow the one answer', async () => {
    const { server, tally } = await run({ mix: [{ model: 'first-record', weight: 1 }], cache: true, resolvers: 1, durationSeconds: 299 }, { policy: 'cyclic', ttl: 300 });
    assert.equal(server.mxQueries, 1);
    assert.equal(byGateway(tally)['mx1.corp.example.'], 4000);
  });

  it('a gateway that is down gets nothing, refuses each of its addresses, and the rest carry the mail', async () => {
    const { tally, summary } = await run({ down: new Set(['mx1.corp.example.']) });
    const counts = byGateway(tally);
    assert.equal(counts['mx1.corp.example.'], 0);
    assert.equal(tally.undelivered, 0);
    assert.equal(counts['mx2.corp.example.']! + counts['mx3.corp.example.']! + counts['mx4.corp.example.']!, 4000);
    // About a quarter of the senders picked mx1 first, and tried both its addresses.
    const refused = tally.refused.get('mx1.corp.example.')!;
    assert.ok(refused > 2 * 4000 * 0.2 && refused < 2 * 4000 * 0.3, `refused ${refused}`);
    assert.deepEqual(summary.group!.gateways, ['mx2.corp.example.', 'mx3.corp.example.', 'mx4.corp.example.']);
  });

  it('counts first-record senders that fall through a down gateway as following the order', async () => {
    const { tally, summary } = await run({ mix: [{ model: 'first-record', weight: 1 }], down: new Set(['mx1.corp.example.']) });
    assert.equal(byGateway(tally)['mx2.corp.example.'], 4000);
    assert.equal(tally.toFirstUp, 4000);
    assert.deepEqual([...tally.firstUp], [['mx2.corp.example.', 4000]]);
    assert.match(summary.conclusion[1]!, /went to the first gateway in the answer that was up, against 33\.3% for an order-blind choice: the order of the answers decided/);
  });

  it('a down address sends its gateway\'s mail to the next address', async () => {
    const { tally } = await run({ mix: [{ model: 'first-record', weight: 1 }], down: new Set(['192.0.2.11']) });
    assert.equal(tally.connections.get('mx1.corp.example.')!.get('192.0.2.12'), 4000);
    assert.equal(tally.refused.get('mx1.corp.example.'), 4000);
  });

  it('with every gateway down, the mail stays undelivered', async () => {
    const { tally, summary } = await run({ messages: 50, down: new Set(['mx1.corp.example.', 'mx2.corp.example.', 'mx3.corp.example.', 'mx4.corp.example.', 'backup-mx.corp.example.']) });
    assert.equal(tally.undelivered, 50);
    assert.equal(tally.deferrals, 100, 'each message deferred twice, then given up');
    assert.equal(summary.group, undefined);
    assert.match(summary.conclusion.join('\n'), /0 messages went through on a later try and 50 were given up\.\nNo gateway accepted a connection: all 50 messages stayed undelivered/);
  });

  it('sticky senders look up once each and keep their gateway', async () => {
    const { server, tally } = await run({ mix: [{ model: 'sticky', weight: 1 }] });
    assert.equal(tally.lookups, server.mxQueries);
    assert.ok(server.mxQueries <= 200, `${server.mxQueries} lookups for 200 senders`);
  });

  it('asks for A records when the server gives no additional section', async () => {
    const { server, tally } = await run({ messages: 100 }, { policy: 'fixed', noAdditional: true });
    assert.equal(server.mxQueries, 100);
    assert.equal(server.aQueries, 100);
    assert.equal(tally.undelivered, 0);
  });

  it('repeats itself exactly for the same seed, whatever the concurrency', async () => {
    const a = await run({ concurrency: 1 });
    const b = await run({ concurrency: 16 });
    const c = await run({ seed: 'other' });
    assert.deepEqual(byGateway(a.tally), byGateway(b.tally));
    assert.notDeepEqual(byGateway(a.tally), byGateway(c.tally));
  });
});

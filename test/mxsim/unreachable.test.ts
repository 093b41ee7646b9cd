// mxsim on a mail zone unlike the example: a gateway with three A records (and
// one AAAA), one with one A record, one with only an AAAA record, an in-zone
// name that does not exist, and a backup MX outside the zone. Senders skip
// what they cannot reach, defer what nothing took, and the conclusion says which.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { summarize } from '../../src/mxsim/report.js';
import { SENDER_FAMILIES } from '../../src/mxsim/senders.js';
import { simulate, type SimOptions } from '../../src/mxsim/simulate.js';
import { FakeAuthority, type FakeOptions, type FakeZone } from './fake.js';

const MX1 = 'mx1.odd.example.';
const MX2 = 'mx2.odd.example.';
const MX3 = 'mx3.odd.example.';
const GONE = 'gone.odd.example.';
const BACKUP = 'mx-backup.outside.test.';

const ODD: FakeZone = {
  // The backup comes first: a first-record sender meets it before anything else.
  mx: [{ preference: 50, exchange: BACKUP }, { preference: 10, exchange: MX1 }, { preference: 10, exchange: MX2 },
    { preference: 10, exchange: MX3 }, { preference: 20, exchange: GONE }],
  a: { [MX1]: ['192.0.2.11', '192.0.2.12', '192.0.2.13'], [MX2]: ['192.0.2.21'] },
  aaaa: { [MX1]: ['2001:db8::11'], [MX3]: ['2001:db8::31'] },
  failing: { [BACKUP]: 'REFUSED', [GONE]: 'NXDOMAIN' },
};

const BASE: SimOptions = {
  domain: 'odd.example.', senders: 100, messages: 1500, mix: [{ model: 'rfc5321', weight: 1 }],
  family: 'ipv4', dualPreference: 'ipv6', retries: 2, retryAfterSeconds: 300,
  resolvers: 4, cache: false, rotation: false, durationSeconds: 3600, down: new Set(), seed: 'odd', concurrency: 8,
};

async function run(overrides: Partial<SimOptions>, fake: Partial<FakeOptions> = {}) {
  const server = new FakeAuthority({ policy: 'fixed', zone: ODD, ...fake });
  const opts = { ...BASE, ...overrides };
  const tally = await simulate(opts, server);
  const summary = summarize(tally, { domain: opts.domain, family: opts.family, messages: opts.messages, down: opts.down, sent: 0 });
  return { server, tally, summary };
}

const row = (s: Awaited<ReturnType<typeof run>>['summary'], exchange: string) => s.gateways.find((g) => g.exchange === exchange)!;

describe('mxsim on a zone with unresolvable, IPv6-only and out-of-zone exchanges', () => {
  for (const family of SENDER_FAMILIES) {
    for (const sender of ['rfc5321', 'first-record', 'sticky', 'rfc5321=50,first-record=30,sticky=20']) {
      it(`finishes with ${sender} senders over ${family}, every message delivered`, async () => {
        const mix = sender.split(',').map((m) => ({ model: m.split('=')[0] as 'rfc5321', weight: Number(m.split('=')[1] ?? 1) }));
        const { summary } = await run({ mix, family });
        assert.equal(summary.delivered, 1500);
        assert.equal(summary.undelivered, 0);
        assert.ok(summary.verdict.unreachable.some((u) => u.exchange === BACKUP) || !sender.includes('first-record'),
          'first-record senders meet the backup first and skip it');
      });
    }
  }

  it('first-record senders skip the out-of-zone backup the server refuses, count it, and take the next exchange', async () => {
    const { summary, tally } = await run({ mix: [{ model: 'first-record', weight: 1 }] });
    assert.equal(row(summary, BACKUP).skipped, 1500);
    assert.deepEqual([...tally.unresolved.get(BACKUP)!], [['A REFUSED', 1500]]);
    assert.equal(row(summary, MX1).connections, 1500);
    assert.equal(row(summary, BACKUP).unreachable, 'the server refused to answer for its name (REFUSED), as an authoritative server does for names outside its zones');
    assert.match(summary.conclusion[0]!, /^Unreachable for these senders, not uneven: mx-backup\.outside\.test\. \(preference 50\) took no mail because the server refused/);
  });

  it('IPv4 senders never reach the AAAA-only gateway, and the conclusion says so instead of calling the split uneven', async () => {
    const { summary, server } = await run({ family: 'ipv4' });
    assert.equal(row(summary, MX3).connections, 0);
    assert.equal(row(summary, MX3).unreachable, 'it has only IPv6 addresses (AAAA) and these senders use IPv4 only (--family ipv4)');
    assert.deepEqual(summary.group!.gateways, [MX1, MX2]);
    assert.equal(summary.verdict.split, 'even');
    assert.deepEqual(summary.verdict.unreachable.map((u) => u.exchange), [MX3]);
    const text = summary.conclusion.join('\n');
    assert.match(text, /Unreachable for these senders, not uneven: mx3\.odd\.example\. \(preference 10\) took no mail because it has only IPv6 addresses \(AAAA\) and these senders use IPv4 only/);
    assert.doesNotMatch(text, /Uneven/);
    assert.match(text, /The 2 up preference-10 gateways each took/);
    assert.equal(server.aaaaQueries, 0, 'IPv4 senders ask for no AAAA records');
  });

  it('IPv6 senders reach only the gateways with AAAA records, through AAAA lookups', async () => {
    const { summary, server } = await run({ family: 'ipv6' });
    assert.ok(server.aaaaQueries > 0);
    assert.equal(server.aQueries, 0);
    assert.equal(row(summary, MX2).unreachable, 'it has only IPv4 addresses (A) and these senders use IPv6 only (--family ipv6)');
    assert.deepEqual(summary.group!.gateways, [MX1, MX3]);
    assert.deepEqual(row(summary, MX1).addresses.filter((a) => a.connections > 0).map((a) => a.address), ['2001:db8::11']);
  });

  it('dual-stack senders that prefer IPv6 use it wherever there is an AAAA record, and reach all three gateways', async () => {
    const { summary, server } = await run({ family: 'dual', dualPreference: 'ipv6' }, { noAdditional: true });
    assert.ok(server.aaaaQueries > 0 && server.aQueries > 0);
    assert.deepEqual(summary.group!.gateways, [MX1, MX2, MX3]);
    assert.equal(summary.verdict.split, 'even');
    const mx1 = row(summary, MX1);
    assert.equal(mx1.addresses.find((a) => a.address === '2001:db8::11')!.connections, mx1.connections);
  });

  it('dual-stack senders with address preference any split a dual-stack gateway between its families', async () => {
    const { summary } = await run({ family: 'dual', dualPreference: 'any' });
    const mx1 = row(summary, MX1);
    const v6 = mx1.addresses.find((a) => a.address === '2001:db8::11')!.connections / mx1.connections;
    assert.ok(v6 > 0.4 && v6 < 0.6, `IPv6 share of mx1 ${v6}`);
  });

  it('a message no exchange takes is deferred and tried again later in simulated time', async () => {
    const zone = (): FakeZone => ({ mx: [{ preference: 10, exchange: MX1 }], a: { [MX1]: ['192.0.2.11'] }, aaaa: {}, flaky: { [MX1]: 1 } });
    // The MX answer is cached for 60 s: a retry 30 s later reuses it, one 300 s later asks again.
    const soon = await run({ messages: 1, resolvers: 1, cache: true, retryAfterSeconds: 30 }, { zone: zone(), noAdditional: true, ttl: 60 });
    assert.equal(soon.summary.deferrals, 1);
    assert.equal(soon.summary.deliveredLater, 1);
    assert.equal(soon.summary.delivered, 1);
    assert.equal(soon.server.mxQueries, 1);
    const later = await run({ messages: 1, resolvers: 1, cache: true, retryAfterSeconds: 300 }, { zone: zone(), noAdditional: true, ttl: 60 });
    assert.equal(later.summary.deliveredLater, 1);
    assert.equal(later.server.mxQueries, 2);
    assert.match(later.summary.conclusion.join('\n'), /1 tries found no exchange that would take the message and were deferred; 1 messages went through on a later try and 0 were given up/);
  });

  it('gives a message up after its retries, each one a new lookup', async () => {
    const zone: FakeZone = { mx: [{ preference: 10, exchange: GONE }], a: {}, aaaa: {}, failing: { [GONE]: 'NXDOMAIN' } };
    const { summary, server } = await run({ messages: 10, retries: 3 }, { zone });
    assert.equal(summary.undelivered, 10);
    assert.equal(summary.deferrals, 30);
    assert.equal(server.mxQueries, 40);
    assert.equal(row(summary, GONE).unreachable, 'its name does not exist (NXDOMAIN)');
  });

  it('the summary has the verdict and the reasons for JSON', async () => {
    const { summary } = await run({});
    const json = JSON.parse(JSON.stringify(summary)) as typeof summary;
    assert.deepEqual(json.verdict.unreachable[0], { exchange: MX3, preference: 10, reason: row(summary, MX3).unreachable, skipped: row(summary, MX3).skipped });
  });
});

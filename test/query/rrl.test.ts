// Response rate limiting on a clock the test turns: real answers from the
// answer fixture, classified, counted per netblock, slipped and dropped.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { parseAcl } from '../../src/net/acl.js';
import { netblock } from '../../src/net/address.js';
import type { Outcome, PipelineOptions } from '../../src/query/pipeline.js';
import { classify, RateLimiter, RRL_DEFAULTS, truncatedReply, type RrlSettings } from '../../src/query/rrl.js';
import { createLogger } from '../../src/log.js';
import { DEFAULTS } from '../../src/config.js';
import { DnsServer } from '../../src/server/server.js';
import { FIXTURE } from '../e2e/harness.js';
import { dname } from './answers/dname.js';
import { decode, makeQuery, Packet } from '../e2e/raw.js';
import { fuzzPipeline, outcomeOf } from '../fuzz/property.js';
import { checkReply, signRequest } from '../wire/tsig-client.js';
import { defaultTransferSettings, parseKeys } from '../../src/transfer/settings.js';

describe('response rate limiting', () => {
  let opts: PipelineOptions;
  const answers: Record<string, Outcome> = {};
  before(async () => {
    opts = await fuzzPipeline();
    const ask = (name: string, type: number, klass: number = Packet.CLASS.IN) => outcomeOf(opts, makeQuery(name, type, 7, klass), 'udp')!;
    answers.answer = ask('www.example.test', Packet.TYPE.A);
    answers.nxdomain = ask('nothere.example.test', Packet.TYPE.A);
    answers.nxdomain2 = ask('elsewhere.example.test', Packet.TYPE.A);
    answers.nodata = ask('www.example.test', Packet.TYPE.MX);
    answers.referral = ask('x.sub.example.test', Packet.TYPE.A);
    answers.error = ask('www.example.test', Packet.TYPE.A, Packet.CLASS.CS);
  });

  let clock = 0;
  const limiter = (settings: Partial<RrlSettings> = {}) => {
    clock = 1000;
    return new RateLimiter({ ...RRL_DEFAULTS, responsesPerSecond: 5, nxdomainsPerSecond: 5, nodataPerSecond: 5, errorsPerSecond: 5, referralsPerSecond: 5, ...settings }, createLogger('silent'), () => clock);
  };
  const verdicts = (rrl: RateLimiter, outcome: Outcome, client: string, n: number) => Array.from({ length: n }, () => rrl.check(outcome, client));
  const count = (v: string[], what: string) => v.filter((x) => x === what).length;

  it('classifies answers as BIND does: same answer, NXDOMAIN per zone, NODATA, referral per zone, errors together', () => {
    assert.deepEqual(classify(answers.answer!), { cls: 'answer', name: 'www.example.test./1' });
    assert.deepEqual(classify(answers.nxdomain!), { cls: 'nxdomain', name: 'example.test.' });
    assert.deepEqual(classify(answers.nodata!), { cls: 'nodata', name: 'www.example.test.' });
    assert.deepEqual(classify(answers.referral!), { cls: 'referral', name: 'example.test.' });
    assert.deepEqual(classify(answers.error!), { cls: 'error', name: '' });
  });

  it('counts answers synthesised from a wildcard against the wildcard, first answered, memoized and without the memo', () => {
    const rrl = limiter({ slip: 0 });
    const slow = { ...opts, memo: undefined };
    const names = Array.from({ length: 100 }, (_, i) => `r${i}x${Math.random().toString(36).slice(2, 8)}.wild.example.test`);
    const outcomes = names.flatMap((name) => [opts, opts, slow].map((o) => outcomeOf(o, makeQuery(name, Packet.TYPE.A, 7), 'udp')!));
    assert.ok(outcomes.every((o) => decode(o.response).answers[0]?.address === '192.0.2.99'), 'every one a wildcard answer');
    assert.deepEqual(classify(outcomes[0]!), { cls: 'answer', name: '*.wild.example.test./1' });
    assert.deepEqual(classify(outcomes[1]!), classify(outcomes[0]!), 'the memoized answer says so too');
    assert.deepEqual(classify(outcomes[2]!), classify(outcomes[0]!), 'and the full pipeline');
    assert.equal(outcomes.filter((o) => rrl.check(o, '192.0.2.1') === 'send').length, 5, '300 answers for 100 random names: one budget');
    // NODATA from the wildcard shares one budget as well; an explicit name under it keeps its own.
    const nodata = ['n1', 'n2', 'n3'].map((n) => classify(outcomeOf(opts, makeQuery(`${n}.wild.example.test`, Packet.TYPE.TXT, 7), 'udp')!));
    assert.deepEqual(nodata, Array(3).fill({ cls: 'nodata', name: '*.wild.example.test.' }));
    assert.deepEqual(classify(outcomeOf(opts, makeQuery('explicit.wild.example.test', Packet.TYPE.TXT, 7), 'udp')!), { cls: 'answer', name: 'explicit.wild.example.test./16' });
    // A CNAME synthesised from a wildcard is counted against that wildcard, whatever its target.
    assert.deepEqual(classify(outcomeOf(opts, makeQuery('q1.cnamewild.example.test', Packet.TYPE.A, 7), 'udp')!), { cls: 'answer', name: '*.cnamewild.example.test./1' });
  });

  it('counts answers synthesised from a DNAME against its owner, first answered, memoized and without the memo', async () => {
    const dn = await fuzzPipeline([dname.zonesDir!]);
    const slow = { ...dn, memo: undefined };
    const names = Array.from({ length: 3 }, (_, i) => `r${i}x${Math.random().toString(36).slice(2, 8)}.out.dname.test`);
    const outcomes = names.flatMap((name) => [dn, dn, slow].map((o) => outcomeOf(o, makeQuery(name, Packet.TYPE.A, 7), 'udp')!));
    for (const o of outcomes) assert.deepEqual([o.kind, classify(o)], ['dname', { cls: 'answer', name: 'out.dname.test./1' }]);
    // A name reached through a CNAME into a DNAME's subtree is counted as the CNAME's owner.
    assert.deepEqual(classify(outcomeOf(dn, makeQuery('alias.dname.test', Packet.TYPE.A, 7), 'udp')!), { cls: 'answer', name: 'alias.dname.test./1' });
  });

  it('reads the outcome (answer count, AA, rcode), never the bytes of the response', () => {
    // A header of zeros: ANCOUNT 0, AA off. The class must not change.
    const blank = Buffer.alloc(12);
    for (const k of ['answer', 'nxdomain', 'nodata', 'referral', 'error']) {
      assert.deepEqual(classify({ ...answers[k]!, response: blank }), classify(answers[k]!), k);
    }
    assert.deepEqual(['answer', 'nxdomain', 'nodata', 'referral'].map((k) => answers[k]!.kind), ['answer', 'nxdomain', 'nodata', 'referral']);
    assert.deepEqual([answers.answer!.answers, answers.referral!.answers, answers.referral!.aa, answers.nodata!.aa], [1, 0, false, true]);
    // What the outcome says decides it: the same bytes with another answer count are another class.
    assert.deepEqual(classify({ ...answers.nodata!, answers: 1 }), { cls: 'answer', name: 'www.example.test./15' });
  });

  it('groups clients by /24 and /56', () => {
    assert.equal(netblock('192.0.2.77', 24, 56), '192.0.2.0/24');
    assert.equal(netblock('::ffff:192.0.2.77', 24, 56), '192.0.2.0/24');
    assert.equal(netblock('2001:db8:1:2ff:5::1', 24, 56), '2001:db8:1:200:0:0:0:0/56');
    assert.equal(netblock('10.1.2.3', 12, 56), '10.0.0.0/12');
  });

  it('sends the rate, then every second limited answer truncated, and the rest not at all', () => {
    const rrl = limiter();
    const v = verdicts(rrl, answers.answer!, '192.0.2.1', 105);
    assert.equal(count(v, 'send'), 5);
    assert.equal(count(v, 'slip'), 50);
    assert.equal(count(v, 'drop'), 50);
    assert.deepEqual(v.slice(5, 9), ['drop', 'slip', 'drop', 'slip']);
    assert.deepEqual(rrl.counts, { limited: 100, slipped: 50 });
  });

  it('credits the rate each second, but a flood stays limited for the window after it stops', () => {
    const rrl = limiter({ window: 3, slip: 0 });
    verdicts(rrl, answers.answer!, '192.0.2.1', 100); // deep in debt: -15
    clock += 1;
    assert.equal(count(verdicts(rrl, answers.answer!, '192.0.2.1', 5), 'send'), 0, 'one second of credit does not pay the debt');
    clock += 3;
    assert.equal(rrl.check(answers.answer!, '192.0.2.1'), 'drop', 'the window has only paid the debt');
    clock += 2;
    assert.equal(count(verdicts(rrl, answers.answer!, '192.0.2.1', 10), 'send'), 5, 'then the full rate again, never more');
  });

  it('keeps netblocks, names and classes apart; NXDOMAIN for any name of a zone shares one budget', () => {
    const rrl = limiter({ slip: 0 });
    verdicts(rrl, answers.answer!, '192.0.2.1', 50);
    assert.equal(rrl.check(answers.answer!, '192.0.2.200'), 'drop', 'same /24');
    assert.equal(rrl.check(answers.answer!, '192.0.3.1'), 'send', 'another /24');
    assert.equal(rrl.check(answers.nodata!, '192.0.2.1'), 'send', 'another class');
    verdicts(rrl, answers.nxdomain!, '192.0.2.1', 5);
    assert.equal(rrl.check(answers.nxdomain2!, '192.0.2.1'), 'drop', 'random names in one zone');
  });

  it('per-class rates, 0 for unlimited', () => {
    const rrl = limiter({ errorsPerSecond: 0, referralsPerSecond: 1 });
    assert.equal(count(verdicts(rrl, answers.error!, '192.0.2.1', 100), 'send'), 100);
    assert.equal(count(verdicts(rrl, answers.referral!, '192.0.2.1', 10), 'send'), 1);
  });

  it('exempts exempt-clients and only counts in log-only mode', () => {
    const exempt = limiter({ exemptClients: parseAcl(['192.0.2.0/28']) });
    assert.equal(count(verdicts(exempt, answers.answer!, '192.0.2.5', 100), 'send'), 100);
    assert.equal(count(verdicts(exempt, answers.answer!, '192.0.2.50', 100), 'send'), 5);
    const logOnly = limiter({ logOnly: true });
    assert.equal(count(verdicts(logOnly, answers.answer!, '192.0.2.1', 100), 'send'), 100);
    assert.equal(logOnly.counts.limited, 95);
  });

  it('holds at most max-table-size buckets, dropping the least recently used', () => {
    const rrl = limiter({ maxTableSize: 100, slip: 0 });
    verdicts(rrl, answers.answer!, '198.51.100.1', 50);
    for (let i = 0; i < 5000; i++) {
      rrl.check(answers.answer!, `10.${i >> 8}.${i & 255}.1`);
      if (i % 50 === 0) rrl.check(answers.answer!, '198.51.100.1');
    }
    assert.equal(rrl.size, 100);
    assert.equal(rrl.check(answers.answer!, '198.51.100.1'), 'drop', 'a bucket in use is kept');
  });

  it('is on by default: a server as rotor serve makes it without rrl in rotor.yaml limits a client afar, not this host', async () => {
    const server = new DnsServer({ ...DEFAULTS, zonesDir: FIXTURE, logger: createLogger('silent') });
    await server.loadZones();
    const q = makeQuery('www.example.test', Packet.TYPE.A, 7);
    const full = (address: string, transport: 'udp' | 'tcp' = 'udp') => Array.from({ length: 50 }, () => server.handle(q, { transport, client: { address, port: 5353 } }) as Buffer | undefined)
      .filter((r) => r && decode(r).answers.length === 1).length;
    assert.equal(full('192.0.2.1'), 10, 'responses-per-second 10 for a client afar');
    assert.equal(full('2001:db8::1'), 10);
    assert.equal(full('192.0.2.1', 'tcp'), 50, 'never over TCP');
    for (const local of ['127.0.0.1', '127.0.0.9', '::1']) assert.equal(full(local), 50, `${local} is exempt`);
    await server.close(0);
  });

  it('signs the slipped reply to a signed request: RRL comes before the final signing step', async () => {
    const secret = Buffer.from('rotor-test-key-not-a-real-secret');
    const transfer = { ...defaultTransferSettings(), keys: parseKeys({ 'rrl-key': { algorithm: 'hmac-sha256', secret: secret.toString('base64') } }, '.') };
    const rrl = { ...RRL_DEFAULTS, responsesPerSecond: 1, slip: 1, exemptClients: parseAcl([]) };
    const server = new DnsServer({ ...DEFAULTS, zonesDir: FIXTURE, rrl, transfer, logger: createLogger('silent') });
    await server.loadZones();
    const key = { name: 'rrl-key', secret };
    const replies = Array.from({ length: 3 }, () => {
      const { message, mac } = signRequest(makeQuery('www.example.test', Packet.TYPE.A, 9), key);
      const reply = server.handle(message, { transport: 'udp', client: { address: '192.0.2.7', port: 5353 } }) as Buffer;
      return { tc: (reply.readUInt16BE(2) & 0x0200) !== 0, answers: reply.readUInt16BE(6), verified: checkReply(reply, mac, key).verified };
    });
    await server.close(0);
    assert.deepEqual(replies, [
      { tc: false, answers: 1, verified: true },
      { tc: true, answers: 0, verified: true },
      { tc: true, answers: 0, verified: true },
    ]);
  });

  it('a slipped reply is the header and question with TC set and nothing else', () => {
    const reply = decode(truncatedReply(answers.answer!.response));
    assert.equal(reply.header.tc, 1);
    assert.equal(reply.header.id, 7);
    assert.equal(reply.header.aa, 1);
    assert.deepEqual([reply.questions.length, reply.answers.length, reply.authorities.length, reply.additionals.length], [1, 0, 0, 0]);
    assert.equal(reply.questions[0]!.name, 'www.example.test');
  });
});

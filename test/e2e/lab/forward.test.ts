// rotor in front of a real BIND: names outside rotor's zones are forwarded to
// it, answered with RA, cached (the query log says so), still served once BIND
// is stopped, and gone when their TTL has run out. Clients outside
// allow-recursion, and queries without RD, are refused as before.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { query, REPO, startRotor, tempDir, type LogLine, type Rotor } from '../harness.js';
import { startNamed, type Daemon } from '../daemons.js';

// Short TTLs where the test waits for expiry: `short` (3 s) and negative answers (SOA minimum 3).
const UPSTREAM_ZONE = `$TTL 300
@ SOA ns.upstream.test. hostmaster.upstream.test. 1 3600 600 86400 3
@ NS ns
ns A 192.0.2.53
www A 192.0.2.80
short 3 A 192.0.2.81
mail MX 10 mx1
mail MX 10 mx2
mail MX 10 mx3
mx1 A 192.0.2.11
mx2 A 192.0.2.12
mx3 A 192.0.2.13
alias CNAME www
`;

const rec = ['+rec'];

describe('forwarding to BIND', () => {
  let named: Daemon;
  let rotor: Rotor;
  /** The query-log lines for `qname`, once `count` of them have come through rotor's stdout (3 s at most). */
  const queryLog = async (qname: string, count: number) => {
    const lines = () => rotor.logs.filter((l: LogLine) => l.msg === 'query' && l.qname === qname);
    for (let waited = 0; lines().length < count && waited < 3000; waited += 20) await new Promise((r) => setTimeout(r, 20));
    return lines();
  };

  before(async () => {
    named = await startNamed({ 'upstream.test': UPSTREAM_ZONE });
    const dir = await tempDir();
    const config = join(dir, 'rotor.yaml');
    await writeFile(config, [
      'query-log: on',
      'forward:',
      `  upstreams: [127.0.0.1:${named.port}]`,
      '  allow-recursion: [127.0.0.1/32]',
      '  timeout-ms: 500',
      '  cache: {max-ttl: 60, max-entries: 100}',
    ].join('\n'));
    rotor = await startRotor(join(REPO, 'zones'), ['--config', config]);
  });
  after(async () => {
    await rotor?.stop();
    await named?.stop();
  });

  it('answers names outside its zones from the upstream, with RA and without AA', async () => {
    const r = await query(rotor, 'www.upstream.test', 'A', { options: rec });
    assert.equal(r.status, 'NOERROR', r.raw);
    assert.deepEqual(r.answer.map((a) => a.data), ['192.0.2.80']);
    assert.ok(r.flags.includes('ra') && !r.flags.includes('aa'), r.flags.join(' '));
    const tcp = await query(rotor, 'www.upstream.test', 'A', { options: rec, tcp: true });
    assert.deepEqual([tcp.status, tcp.answer[0]?.data], ['NOERROR', '192.0.2.80'], 'over TCP too');
    const alias = await query(rotor, 'alias.upstream.test', 'A', { options: rec });
    assert.deepEqual(alias.answer.map((a) => `${a.type} ${a.data}`), ['CNAME www.upstream.test.', 'A 192.0.2.80']);
  });

  it('answers its own zones from local data: AA, no RA, never forwarded', async () => {
    const r = await query(rotor, 'corp.example', 'SOA', { options: rec });
    assert.equal(r.status, 'NOERROR');
    assert.ok(r.flags.includes('aa') && !r.flags.includes('ra'), r.flags.join(' '));
    assert.equal((await query(rotor, 'nothing-here.corp.example', 'A', { options: rec })).status, 'NXDOMAIN');
    const local = await queryLog('nothing-here.corp.example.', 1);
    assert.equal(local.length, 1);
    assert.equal(local[0]!.recursion, undefined);
  });

  it('turns a cached multi-record RRset on every answer', async () => {
    const first = await query(rotor, 'mail.upstream.test', 'MX', { options: rec });
    const second = await query(rotor, 'mail.upstream.test', 'MX', { options: rec });
    const order = (r: typeof first) => r.answer.map((a) => a.data.split(' ')[1]);
    assert.deepEqual(order(second), [...order(first).slice(1), order(first)[0]], 'one step further');
    assert.deepEqual(second.additional.map((a) => a.name).sort(), ['mx1.upstream.test.', 'mx2.upstream.test.', 'mx3.upstream.test.']);
    assert.ok(second.answer[0]!.ttl <= 60, 'clamped by max-ttl');
    assert.deepEqual((await queryLog('mail.upstream.test.', 2)).map((l) => l.recursion), ['upstream', 'cache']);
  });

  it('refuses clients outside allow-recursion and queries without RD', async () => {
    const outside = await query(rotor, 'www.upstream.test', 'A', { options: [...rec, '-b', '127.0.0.2'] });
    assert.equal(outside.status, 'REFUSED');
    assert.ok(!outside.flags.includes('ra'));
    assert.equal((await query(rotor, 'www.upstream.test', 'A')).status, 'REFUSED', 'RD off');
    // Local zones still answer everyone.
    assert.equal((await query(rotor, 'corp.example', 'MX', { options: ['-b', '127.0.0.2'] })).status, 'NOERROR');
  });

  // Last: it stops BIND.
  it('serves cached answers without the upstream, until their TTL runs out', async () => {
    const positive = await query(rotor, 'short.upstream.test', 'A', { options: rec });
    assert.equal(positive.answer[0]?.ttl, 3, positive.raw);
    const negative = await query(rotor, 'missing.upstream.test', 'A', { options: rec });
    assert.equal(negative.status, 'NXDOMAIN');
    assert.equal(negative.authority[0]?.type, 'SOA');
    const fetchedAt = Date.now();
    await named.stop();

    const cached = await query(rotor, 'short.upstream.test', 'A', { options: rec });
    assert.deepEqual(cached.answer.map((a) => a.data), ['192.0.2.81']);
    assert.ok(cached.answer[0]!.ttl <= 3);
    assert.equal((await query(rotor, 'missing.upstream.test', 'A', { options: rec })).status, 'NXDOMAIN');
    assert.deepEqual((await queryLog('short.upstream.test.', 2)).map((l) => l.recursion), ['upstream', 'cache']);
    assert.deepEqual((await queryLog('missing.upstream.test.', 2)).map((l) => l.recursion), ['upstream', 'cache']);

    await new Promise((resolve) => setTimeout(resolve, 3100 - (Date.now() - fetchedAt)));
    const expired = await query(rotor, 'short.upstream.test', 'A', { options: rec });
    assert.equal(expired.status, 'SERVFAIL', 'expired, and the upstream is gone');
    assert.equal((await query(rotor, 'missing.upstream.test', 'A', { options: rec })).status, 'SERVFAIL');
    // www (TTL 300, max-ttl 60) is still cached.
    assert.equal((await query(rotor, 'www.upstream.test', 'A', { options: rec })).status, 'NOERROR');
  });
});

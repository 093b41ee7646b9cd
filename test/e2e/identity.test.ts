// What the server says about itself and why it refuses (issue 18, findings 2
// and 7): CH TXT version.bind / id.server / hostname.bind and NSID (RFC 5001),
// set, hidden and reloaded; Extended DNS Errors (RFC 8914) on REFUSED and
// SERVFAIL with the reason, and the rate-limited log line. Real dig, loopback.
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { VERSION } from '../../src/version.js';
import { query, REPO, startRotor, tempDir } from './harness.js';

const corp = () => readFile(join(REPO, 'zones', 'corp.example.yaml'), 'utf8');
const ch = (server: { host: string; port: number }, name: string, options: string[] = []) => query(server, name, 'TXT', { options: ['-c', 'CH', ...options] });
/** dig's line for an extended error: `; EDE: 20 (Not Authoritative): (text)`. */
const ede = (raw: string) => /; EDE: (\d+) \([^)]*\): \((.*)\)/.exec(raw)?.slice(1);
const nsid = (raw: string) => /; NSID: [0-9a-f ]+ \("(.*)"\)/.exec(raw)?.[1];

async function withRotor(config: string, test: (rotor: Awaited<ReturnType<typeof startRotor>>, file: string) => Promise<void>) {
  const dir = await tempDir({ 'corp.example.yaml': await corp(), 'rotor.yaml': config });
  const rotor = await startRotor(dir, ['--config', join(dir, 'rotor.yaml')]);
  try {
    await test(rotor, join(dir, 'rotor.yaml'));
  } finally {
    await rotor.stop();
  }
}

describe('finding 2: CH TXT and NSID', () => {
  it('tells the version and the host name by default, and no NSID', () => withRotor('default-ttl: 3600\n', async (rotor) => {
    for (const name of ['version.bind', 'version.server']) {
      const r = await ch(rotor, name);
      assert.deepEqual([r.status, r.answer.map((a) => [a.class, a.type, a.data])], ['NOERROR', [['CH', 'TXT', `"rotor ${VERSION}"`]]], name);
    }
    for (const name of ['id.server', 'hostname.bind']) assert.deepEqual((await ch(rotor, name)).answer.map((a) => a.data), [`"${hostname()}"`], name);
    assert.equal(nsid((await query(rotor, 'corp.example', 'SOA', { options: ['+nsid'] })).raw), undefined);
    // Other CH names are not ours.
    const other = await ch(rotor, 'authors.bind');
    assert.deepEqual([other.status, ede(other.raw)?.[0]], ['REFUSED', '20']);
  }));

  it('says what rotor.yaml sets, hides what it hides, sends NSID to those who ask, and follows a reload', () => withRotor(
    'server-version: "ns-1 build"\nserver-hostname: hidden\nnsid: ns1-lab\n', async (rotor, file) => {
      assert.deepEqual((await ch(rotor, 'version.bind')).answer.map((a) => a.data), ['"ns-1 build"']);
      const hidden = await ch(rotor, 'hostname.bind');
      assert.equal(hidden.status, 'REFUSED');
      assert.deepEqual(ede(hidden.raw), ['18', 'hostname.bind is hidden']);
      assert.equal(nsid((await query(rotor, 'corp.example', 'MX', { options: ['+nsid'] })).raw), 'ns1-lab');
      assert.equal(nsid((await query(rotor, 'corp.example', 'MX')).raw), undefined, 'only when asked');
      assert.equal(nsid((await ch(rotor, 'version.bind', ['+nsid'])).raw), 'ns1-lab');

      await writeFile(file, 'server-version: hidden\nnsid: "0x6e7332"\n');
      rotor.process.kill('SIGHUP');
      await rotor.waitForLog((l) => String(l.msg).startsWith('rotor.yaml reloaded'));
      assert.equal((await ch(rotor, 'version.bind')).status, 'REFUSED');
      assert.deepEqual((await ch(rotor, 'id.server')).answer.map((a) => a.data), [`"${hostname()}"`], 'server-hostname is back to its default');
      assert.equal(nsid((await query(rotor, 'corp.example', 'MX', { options: ['+nsid'] })).raw), 'ns2');
    }));
});

describe('finding 7: Extended DNS Errors', () => {
  it('say why a query was REFUSED, only to EDNS clients, and a line is logged a second at most', () => withRotor(
    'zone-settings:\n  corp.example: { allow-query: [192.0.2.0/24] }\n', async (rotor) => {
      const outside = await query(rotor, 'example.org', 'A');
      assert.equal(outside.status, 'REFUSED');
      assert.deepEqual(ede(outside.raw), ['20', 'not authoritative for this name, and recursion is not configured']);
      const denied = await query(rotor, 'corp.example', 'MX');
      assert.equal(denied.status, 'REFUSED');
      assert.deepEqual(ede(denied.raw), ['18', 'allow-query of corp.example. does not list this client']);
      assert.equal(ede((await query(rotor, 'corp.example', 'MX', { options: ['+noedns'] })).raw), undefined, 'no OPT, no option');
      const axfr = await query(rotor, 'corp.example', 'AXFR', { tcp: true });
      assert.match(axfr.raw, /Transfer failed|REFUSED/);

      const line = await rotor.waitForLog((l) => l.msg === 'REFUSED: not authoritative for this name, and recursion is not configured');
      assert.deepEqual([line.client, line.qname, line.qtype, line.ede], ['127.0.0.1', 'example.org.', 'A', 20]);
      for (let i = 0; i < 20; i++) await query(rotor, `n${i}.example.org`, 'A');
      const refusals = rotor.logs.filter((l) => String(l.msg).startsWith('REFUSED: '));
      assert.ok(refusals.length < 12, `${refusals.length} lines for 23 refusals`);
    }));

  it('tell a client outside forward.allow-recursion from one that did not ask, and a dead upstream from the rest', () => withRotor(
    'forward:\n  upstreams: [127.0.0.1:9]\n  timeout-ms: 100\n  allow-recursion: [192.0.2.0/24]\n', async (rotor) => {
      assert.deepEqual(ede((await query(rotor, 'example.org', 'A')).raw)?.[0], '20', 'RD not set');
      const denied = await query(rotor, 'example.org', 'A', { options: ['+rec'] });
      assert.deepEqual(ede(denied.raw), ['18', 'recursion is not allowed for this client (forward.allow-recursion)']);
    }));

  it('say why a forwarded query failed', () => withRotor('forward:\n  upstreams: [127.0.0.1:9]\n  timeout-ms: 100\n', async (rotor) => {
    const failed = await query(rotor, 'example.org', 'A', { options: ['+rec'] });
    assert.equal(failed.status, 'SERVFAIL');
    assert.deepEqual(ede(failed.raw), ['22', 'no upstream answered']);
    await rotor.waitForLog((l) => l.msg === 'SERVFAIL: no upstream answered' && l.level === 40);
  }));
});

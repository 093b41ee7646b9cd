// rotor as the primary that standard secondaries copy: a real Knot DNS and a
// real BIND transfer the zone with TSIG, answer what rotor answers, follow an
// edit through NOTIFY and IXFR, and anyone without the key or from elsewhere is
// refused.
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { asSet, query, REPO, startRotor, tempDir, type DigResult, type Rotor } from './harness.js';
import { knotConfig, knotRotorPrimary, namedConfig, onFreePorts, startDaemon, type Daemon } from './daemons.js';

const SECRET = 'cm90b3ItdGVzdC1rZXktbm90LWEtcmVhbC1zZWNyZXQ='; // an obvious test key
const KEY = `hmac-sha256:transfer-key:${SECRET}`;

/** 3,000 TXT records at as many names (BIND takes at most 100 per RRset): far over one 64 KiB message. */
function bigZone(): string {
  const lines = ["'':", '  type: NS', '  value: ns1.corp.example.'];
  for (let i = 0; i < 3000; i++) lines.push(`r${i}:`, '  type: TXT', `  value: record-${i}-${'x'.repeat(40)}`);
  return lines.join('\n') + '\n';
}

async function startKnotSecondary(port: number, rotorPort: number): Promise<Daemon> {
  const dir = await tempDir();
  await writeFile(join(dir, 'knot.conf'), knotConfig(dir, port, `${knotRotorPrimary(rotorPort, 'transfer-key', SECRET)}template:
  - id: default
    storage: "${dir}"
    master: rotor
    acl: notify-from-rotor
zone:
  - domain: corp.example
  - domain: big.test
`));
  return startDaemon('knotd', ['-c', join(dir, 'knot.conf')], dir, port, 'corp.example');
}

async function startBindSecondary(port: number, rotorPort: number): Promise<Daemon> {
  const dir = await tempDir();
  const zone = (name: string) => `zone "${name}" { type secondary; primaries port ${rotorPort} { 127.0.0.1 key "transfer-key"; }; file "${join(dir, name)}.db"; };`;
  const body = `key "transfer-key" { algorithm hmac-sha256; secret "${SECRET}"; };\n${zone('corp.example')}\n${zone('big.test')}`;
  await writeFile(join(dir, 'named.conf'), namedConfig(dir, port, body));
  return startDaemon('named', ['-g', '-c', join(dir, 'named.conf')], dir, port, 'corp.example');
}

const serialOf = (r: DigResult) => Number(r.answer.find((a) => a.type === 'SOA')?.data.split(' ')[2] ?? NaN);

/** Polls `server` until its SOA for `zone` has `serial`. */
async function waitForSerial(server: { host: string; port: number }, zone: string, serial: number, ms = 15_000): Promise<number> {
  const started = Date.now();
  let seen = NaN;
  while (Date.now() - started < ms) {
    seen = serialOf(await query(server, zone, 'SOA'));
    if (seen === serial) return Date.now() - started;
    await sleep(100);
  }
  throw new Error(`${zone} on port ${server.port} has serial ${seen}, not ${serial}, after ${ms} ms`);
}

describe('zone transfers to real secondaries', () => {
  let rotor: Rotor;
  let knot: Daemon;
  let bind: Daemon;
  let zoneFile: string;

  before(async () => {
    const zones = await tempDir({
      'corp.example.yaml': await readFile(join(REPO, 'zones', 'corp.example.yaml'), 'utf8'),
      'big.test.yaml': bigZone(),
    });
    zoneFile = join(zones, 'corp.example.yaml');
    const config = join(await tempDir(), 'rotor.yaml');
    // The secondaries' ports go into rotor's also-notify before they start: all three start again if one was taken.
    [rotor, knot, bind] = await onFreePorts(2, async ([knotPort, bindPort]) => {
      await writeFile(config, [
        'keys:',
        `  transfer-key: { algorithm: hmac-sha256, secret: "${SECRET}" }`,
        'allow-transfer: [127.0.0.1]',
        'transfer-key: transfer-key',
        `also-notify: [127.0.0.1:${knotPort}, 127.0.0.1:${bindPort}]`,
        '',
      ].join('\n'));
      const primary = await startRotor(zones, ['--config', config]);
      const started = await Promise.allSettled([startKnotSecondary(knotPort!, primary.port), startBindSecondary(bindPort!, primary.port)]);
      const failed = started.find((x) => x.status === 'rejected');
      if (failed) {
        await Promise.all([primary.stop(), ...started.map((x) => (x.status === 'fulfilled' ? x.value.stop() : undefined))]);
        throw failed.reason;
      }
      const [k, b] = started.map((x) => (x as PromiseFulfilledResult<Daemon>).value) as [Daemon, Daemon];
      return [primary, k, b] as const;
    });
  });
  after(async () => {
    await Promise.all([knot?.stop(), bind?.stop(), rotor?.stop()]);
  });

  const secondaries = () => [['Knot DNS', knot], ['BIND', bind]] as const;

  it('both secondaries transfer every zone, the one over 64 KiB included', async () => {
    for (const zone of ['corp.example', 'big.test']) {
      const serial = serialOf(await query(rotor, zone, 'SOA'));
      for (const [name, server] of secondaries()) {
        await waitForSerial(server, zone, serial).catch((e: Error) => { throw new Error(`${name}: ${e.message}\n${server.output().slice(-2000)}`); });
      }
    }
    for (const [name, server] of secondaries()) {
      for (const i of [0, 1500, 2999]) {
        const txt = await query(server, `r${i}.big.test`, 'TXT');
        assert.equal(txt.answer[0]?.data, `"record-${i}-${'x'.repeat(40)}"`, `${name} has r${i}`);
      }
    }
    const transfers = rotor.logs.filter((l) => l.msg === 'transfer' && l.zone === 'big.test.');
    assert.ok(transfers.some((l) => Number(l.messages) > 1 && l.records === 3003), JSON.stringify(transfers));
  });

  const QUERIES: [string, string][] = [
    ['corp.example', 'MX'], ['corp.example', 'NS'], ['corp.example', 'TXT'], ['corp.example', 'A'], ['corp.example', 'SOA'],
    ['mx1.corp.example', 'A'], ['mx1.corp.example', 'AAAA'], ['mx2.corp.example', 'A'], ['backup-mx.corp.example', 'A'],
    ['www.corp.example', 'A'], ['webmail.corp.example', 'A'], ['_submission._tcp.corp.example', 'SRV'],
    ['_dmarc.corp.example', 'TXT'], ['intranet.corp.example', 'A'],
    ['nothere.corp.example', 'A'], ['mx3.corp.example', 'AAAA'], ['_tcp.corp.example', 'SRV'],
  ];

  it('the secondaries answer what rotor answers, as sets', async () => {
    for (const [name, type] of QUERIES) {
      const ours = await query(rotor, name, type);
      for (const [peer, server] of secondaries()) {
        const theirs = await query(server, name, type);
        const what = `${peer}: ${name} ${type}`;
        assert.equal(theirs.status, ours.status, what);
        assert.equal(theirs.flags.includes('aa'), ours.flags.includes('aa'), what);
        assert.deepEqual(asSet(theirs.answer), asSet(ours.answer), what);
        assert.deepEqual(theirs.answer.map((r) => r.ttl).sort(), ours.answer.map((r) => r.ttl).sort(), `${what} TTLs`);
        if (ours.answer.length === 0) assert.deepEqual(asSet(theirs.authority), asSet(ours.authority), `${what} authority`);
      }
    }
  });

  it('an edit reaches both secondaries through NOTIFY and IXFR within seconds', async () => {
    const before = rotor.logs.length;
    const text = await readFile(zoneFile, 'utf8');
    await writeFile(zoneFile, text.replace('192.0.2.100', '192.0.2.109').replace('value: 192.0.2.80', 'value: 192.0.2.81'));
    const loaded = await rotor.waitForLog((l) => rotor.logs.indexOf(l) >= before && l.msg === 'zone loaded' && l.zone === 'corp.example.');
    const serial = Number(loaded.serial);
    for (const [name, server] of secondaries()) {
      const took = await waitForSerial(server, 'corp.example', serial, 10_000);
      assert.ok(took < 10_000, `${name} took ${took} ms`);
      const intranet = await query(server, 'intranet.corp.example', 'A');
      assert.deepEqual(intranet.answer.map((a) => a.data).sort(), ['192.0.2.101', '192.0.2.102', '192.0.2.109']);
      assert.equal((await query(server, 'corp.example', 'A')).answer[0]?.data, '192.0.2.81');
    }
    // Log lines come through rotor's stdout a moment after they are written.
    const acks = () => rotor.logs.slice(before).filter((l) => l.msg === 'NOTIFY acknowledged').length;
    await rotor.waitForLog(() => acks() >= 2, 5000).catch(() => undefined);
    const since = rotor.logs.slice(before);
    assert.equal(acks(), 2, JSON.stringify(since.map((l) => l.msg)));
    const incremental = since.filter((l) => l.msg === 'transfer' && l.kind === 'IXFR' && l.zone === 'corp.example.');
    assert.equal(incremental.length, 2, JSON.stringify(since.filter((l) => l.msg === 'transfer')));
    // Only what changed went over: the new SOA, the old SOA, two deletions, the new SOA, two additions, the new SOA again.
    assert.ok(incremental.every((l) => l.records === 8), JSON.stringify(incremental));
  });

  it('refuses, and logs, a transfer without the key, with a wrong key, or from an address not allowed', async () => {
    const attempts: [string, string[], RegExp][] = [
      ['no key', [], /transfer refused: not signed/],
      ['a wrong key', ['-y', `hmac-sha256:transfer-key:${Buffer.from('not the secret at all').toString('base64')}`], /TSIG verification failed: bad signature/],
      ['an unknown key', ['-y', `hmac-sha256:other-key:${SECRET}`], /TSIG verification failed: unknown key/],
      ['another address', ['-y', KEY, '-b', '127.0.0.2'], /transfer refused: address not in allow-transfer/],
    ];
    for (const [what, options, logged] of attempts) {
      const before = rotor.logs.length;
      const r = await query(rotor, 'corp.example', 'AXFR', { tcp: true, options });
      assert.equal(r.answer.length, 0, `${what}: nothing transferred`);
      assert.match(r.raw, /Transfer failed|; Transfer failed|tsig verify failure|NOTAUTH|REFUSED/, `${what}: ${r.raw}`);
      await rotor.waitForLog((l) => rotor.logs.indexOf(l) >= before && logged.test(l.msg));
    }
    const signed = await query(rotor, 'corp.example', 'AXFR', { tcp: true, options: ['-y', KEY] });
    assert.ok(signed.answer.length > 20, 'with the key from 127.0.0.1 it goes through');
  });

  it('AXFR over UDP is FORMERR, as BIND answers it; IXFR over UDP gets the SOA only', async () => {
    const axfr = await query(rotor, 'corp.example', 'AXFR', { tool: 'kdig', options: ['-y', KEY] }).catch((e: { stdout: string; stderr: string }) => ({ raw: e.stdout + e.stderr }));
    assert.match(axfr.raw, /FORMERR/);
    const serial = serialOf(await query(rotor, 'corp.example', 'SOA'));
    const ixfr = await query(rotor, 'corp.example', `IXFR=${serial - 1}`, { options: ['+notcp', '-y', KEY] });
    assert.deepEqual(ixfr.answer.map((a) => a.type), ['SOA']);
  });
});

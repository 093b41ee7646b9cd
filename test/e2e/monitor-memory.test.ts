// Issue 12: "2,000 /api/events clients that never read: +57 MB in 24 s, no
// limit". The spawned server, its status document made large by many mail
// zones and changed by a steady trickle of queries, while 2,000 clients ask
// for the live stream and never read a byte: the listener holds at most 256
// connections, streams to at most 64 of them (the rest get 503), and drops a
// streamed client once it leaves 256 KiB unread. Its resident set must stay
// within what those limits allow plus the noise of a process that goes on
// serving.
//
// Why 150 MB. Each of the 64 streamed clients may hold 256 KiB unsent plus
// the document written last (198 KB here): 29 MB; the burst of 2,000
// connections, accepted and closed or answered 503, grows the heap besides.
// Measured on this 2-core machine (busy): +59, +68, +78 and +87 MB at the
// peak, the streams dropped 5 to 14 s in; the same trickle of queries without
// the clients, +4 MB. The code before the cap and the drop: +1,235 MB in 15 s
// (its /healthz no longer answering within 5 s), and +2,005 MB at the first
// sample on another run. On Node 24, with the young generation fixed as on
// Node 20 (MEASURED_NODE_ARGS), +117 and +133 MB; with Node 24's own
// default, +162 MB.
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { rm } from 'node:fs/promises';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { MEASURED_NODE_ARGS, rssMb, tempDir } from './harness.js';
import { get, startMonitored, type Monitored } from './monitor.js';
import { makeQuery, Packet } from './raw.js';

const CLIENTS = 2000;
const MAIL_ZONES = 300;
const LIMIT_MB = 150;
const DROPPED = 'live updates: dropped a client that does not read';
const REFUSED = 'live updates: too many clients, one refused';

/** A mail zone, so that the status document shows its MX set and gateways. */
function mailZone(i: number): string {
  return [
    `$ORIGIN m${i}.test.`, '$TTL 300', '@ SOA ns hostmaster 1 3600 600 86400 300', '@ NS ns', 'ns A 192.0.2.1',
    '@ MX 10 mx1', '@ MX 10 mx2', '@ MX 20 mx3',
    'mx1 A 192.0.2.11', 'mx1 A 192.0.2.12', 'mx2 A 192.0.2.21', 'mx2 AAAA 2001:db8::21', 'mx3 A 192.0.2.31', '',
  ].join('\n');
}

/** Connects, asks for the live stream and never reads; resolves once connected. */
function stalledClient(port: number, open: Set<net.Socket>): Promise<void> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.on('error', () => {});
    s.once('close', () => { open.delete(s); resolve(); });
    s.once('connect', () => {
      open.add(s);
      s.write(`GET /api/events HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`);
      s.pause();
      resolve();
    });
  });
}

describe(`${CLIENTS} /api/events clients that never read`, () => {
  let rotor: Monitored;
  const open = new Set<net.Socket>();
  const dns = dgram.createSocket('udp4');
  let trickle: NodeJS.Timeout | undefined;
  let dir: string;
  before(async () => {
    dir = await tempDir(Object.fromEntries(Array.from({ length: MAIL_ZONES }, (_, i) => [`m${i}.test.zone`, mailZone(i)])));
    rotor = await startMonitored(dir, [], MEASURED_NODE_ARGS);
  });
  after(async () => {
    clearInterval(trickle);
    dns.close();
    for (const s of open) s.destroy();
    await rotor?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it(`cost the server under ${LIMIT_MB} MB of RSS`, { timeout: 120_000 }, async () => {
    const pid = rotor.process.pid!;
    const { port } = new URL(rotor.url);
    // Queries move the rates on the page, so the document changes at every push (0.5 s).
    const query = makeQuery('m0.test', Packet.TYPE.MX);
    dns.on('message', () => {});
    trickle = setInterval(() => { for (let i = 0; i < 5; i++) dns.send(query, rotor.port, rotor.host); }, 20);
    const page = await get(`${rotor.url}/api/status`);
    assert.equal(page.status, 200);
    console.log(`status document: ${Math.round(page.body.length / 1024)} KB`);
    const before = await rssMb(pid);

    for (let i = 0; i < CLIENTS; i += 200) {
      await Promise.all(Array.from({ length: Math.min(200, CLIENTS - i) }, () => stalledClient(Number(port), open)));
    }
    // Sampled until the first client that does not read is dropped, and a second after.
    const samples: number[] = [];
    let droppedAt: number | undefined;
    let neverDropped: unknown;
    void rotor.waitForLog((l) => l.msg === DROPPED, 90_000).then(() => { droppedAt = performance.now(); }, (e: unknown) => { neverDropped = e; });
    while (neverDropped === undefined && rotor.process.exitCode === null && (droppedAt === undefined || performance.now() - droppedAt < 1000)) {
      await new Promise((r) => setTimeout(r, 250));
      samples.push(await rssMb(pid));
      if (samples.at(-1)! - before >= LIMIT_MB) break; // failed already: no need to wait for a drop
    }
    const growth = Math.max(...samples) - before;
    console.log(`RSS ${before.toFixed(0)} MB before, then each second ${samples.filter((_, i) => i % 4 === 3).map((m) => m.toFixed(0)).join(', ')} MB: at most +${growth.toFixed(1)}`);
    assert.ok(growth < LIMIT_MB, `RSS grew ${growth.toFixed(1)} MB with ${CLIENTS} clients that do not read`);
    if (neverDropped !== undefined) throw neverDropped;
    await rotor.waitForLog((l) => l.msg === REFUSED);
    assert.equal(rotor.process.exitCode, null, 'the server is still running');
    // The stalled clients hold the listener's connections (that is the cap at
    // work): once they leave, it serves again.
    for (const s of open) s.destroy();
    let health: number | undefined;
    for (const started = performance.now(); health !== 200 && performance.now() - started < 30_000;) {
      health = await get(`${rotor.url}/healthz`).then((r) => r.status, () => undefined);
      if (health !== 200) await new Promise((r) => setTimeout(r, 200));
    }
    assert.equal(health, 200, 'and its listener answers again once they are gone');
  });
});

// npm run soak -- [--minutes N] [--sample-seconds S]: every attack of the
// hostile-input issue at once, beside legitimate UDP and TCP clients, against
// the real server for N minutes (default 10). Its resident memory is sampled as
// it goes; the verdict needs RSS flat (the last third of the samples within 10 %
// of the first), at least 99 % of the legitimate UDP and TCP queries answered,
// and the same process alive at the end. Not part of CI: minutes long by design.
//
// The stream, each part at a bounded rate:
// - legitimate: ~125 UDP queries a second from 127.0.0.1, and one TCP query
//   every 100 ms on a new connection from 127.0.0.2 (answered within 100 ms?);
// - the earlier soak's parts: random-subdomain NXDOMAIN floods from 50
//   netblocks, the fuzzer's mutated datagrams, TCP sessions whose length
//   prefixes lie, slow-loris connections;
// - datagrams from source port 0, through a raw socket (root only);
// - a wildcard TXT RRset of 16 × 200 octets asked under random names (the
//   answer memo), from a netblock that RRL limits;
// - the TCP table held full: 100 connections from each of 10 addresses, each
//   asking a query every 4 s;
// - TCP clients that pipeline 64 KB of queries and never read;
// - unsigned NOTIFY, refused AXFR and bad-TSIG queries (the log);
// - /api/events clients that never read, and requests with a foreign Host;
// - the zones directory: a large zone rewritten with a rising serial, a zone
//   that $INCLUDEs a FIFO and one that includes /dev/zero, and the whole
//   directory moved away and back, with SIGHUP each time.
import { execFile } from 'node:child_process';
import dgram from 'node:dgram';
import { readFileSync } from 'node:fs';
import { rename, rm, symlink, writeFile } from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import { join } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import fc from 'fast-check';
import { startRotor, tempDir } from '../e2e/harness.js';
import { askOverTcp, frame, makeQuery, Packet, sendFromPortZero } from '../e2e/raw.js';
import { fuzzZones, hostileDatagrams, runSession, tcpSession } from './stream.js';

const { values } = parseArgs({ options: { minutes: { type: 'string', default: '10' }, 'sample-seconds': { type: 'string', default: '10' } } });
const minutes = Number(values.minutes);
const sampleSeconds = Number(values['sample-seconds']);
if (!(minutes > 0) || !(sampleSeconds > 0)) throw new Error('--minutes and --sample-seconds take positive numbers');

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A zone of `hosts` names with an A record each, and a serial of our choosing. */
function bigZone(hosts: number, serial: number): string {
  const lines = ['$TTL 300', `@ SOA ns1 hostmaster ${serial} 3600 600 1209600 300`, '@ NS ns1', 'ns1 A 192.0.2.1'];
  for (let i = 0; i < hosts; i++) lines.push(`h${i} A 10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`);
  return lines.join('\n') + '\n';
}

const zones = await fuzzZones();
const wildcardTxt = Array.from({ length: 16 }, (_, i) => `      - "${String(i).padStart(2, '0')}${'x'.repeat(198)}"`).join('\n');
zones['flood.test.yaml'] = `'':\n  - type: NS\n    value: ns1.flood.test.\n'*.w':\n  type: TXT\n  values:\n${wildcardTxt}\nns1:\n  type: A\n  value: 192.0.2.53\n`;
const zonesDir = await tempDir(zones);
let serial = 1;
await writeFile(join(zonesDir, 'big.test.zone'), bigZone(50_000, serial));

const configDir = await tempDir();
await writeFile(join(configDir, 'rotor.yaml'), [
  // Every client here is on loopback, which RRL exempts unless told otherwise.
  'rrl: { responses-per-second: 50, exempt-clients: [] }',
  'tcp-idle-timeout: 5',
  'tcp-query-timeout: 2',
  'metrics: 127.0.0.1:0',
  'keys:',
  '  soak-key: { algorithm: hmac-sha256, secret: "c29hay10ZXN0LWtleS1ub3QtYS1yZWFsLXNlY3JldA==" }',
  'allow-transfer: [127.0.0.1]',
  '',
].join('\n'));
const rotor = await startRotor(zonesDir, ['--config', join(configDir, 'rotor.yaml')]);
const pid = rotor.process.pid!;
const monitorLine = await rotor.waitForLog((l) => l.msg === 'metrics and status page listening');
const monitorPort = Number(monitorLine.port);
const rssMb = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;

const endAt = Date.now() + minutes * 60_000;
const running = () => Date.now() < endAt && rotor.process.exitCode === null;
const counts = {
  legit: 0, legitAnswered: 0, tcpLegit: 0, tcpAnswered: 0, tcpWithin100ms: 0,
  nxdomain: 0, hostile: 0, sessions: 0, loris: 0, wildcard: 0, port0: 0, holders: 0, holderQueries: 0,
  pipeliners: 0, notifyAxfrTsig: 0, sse: 0, foreignHost: 0, reloads: 0, sighups: 0,
};

async function udpSocket(address: string): Promise<dgram.Socket> {
  const s = dgram.createSocket('udp4');
  s.on('error', () => {});
  await new Promise<void>((r) => s.bind(0, address, () => r()));
  return s;
}

/** Runs `tick` every `ms` until the end. */
async function every(ms: number, tick: () => void | Promise<void>): Promise<void> {
  while (running()) {
    await tick();
    await sleep(ms);
  }
}

/** A query carrying a TSIG record whose key and MAC are wrong: verification fails. */
function badTsigQuery(name: string, type: number, id: number): Buffer {
  const q = makeQuery(name, type, id);
  const alg = Buffer.from('\x0bhmac-sha256\x00', 'latin1');
  const key = Buffer.from('\x07nop-key\x00', 'latin1');
  const rdata = Buffer.concat([alg, Buffer.from([0, 0, 0, 0, 0, 1, 1, 44, 0, 32]), Buffer.alloc(32, 7), Buffer.from([id >> 8, id & 255, 0, 0, 0, 0])]);
  const rr = Buffer.concat([key, Buffer.from([0, 250, 0, 255, 0, 0, 0, 0, rdata.length >> 8, rdata.length & 255]), rdata]);
  const out = Buffer.concat([q, rr]);
  out.writeUInt16BE(1, 10);
  return out;
}

/** A NOTIFY (opcode 4) for `zone`, unsigned. */
function notifyQuery(zone: string, id: number): Buffer {
  const q = makeQuery(zone, Packet.TYPE.SOA, id);
  q.writeUInt16BE((4 << 11) | 0x0400, 2);
  return q;
}

const legit = await udpSocket('127.0.0.1');
legit.on('message', () => counts.legitAnswered++);
const names: [string, number][] = [['corp.example', Packet.TYPE.MX], ['mx1.corp.example', Packet.TYPE.A], ['www.example.test', Packet.TYPE.A], ['x.sub.example.test', Packet.TYPE.A], ['example.test', Packet.TYPE.ANY]];
const flooders = await Promise.all(Array.from({ length: 50 }, (_, i) => udpSocket(`127.${i + 1}.0.1`)));
// Outside the legitimate clients' /24s: RRL counts netblocks, and these are not polite.
const hostile = await udpSocket('127.0.1.9');
const wildcarder = await udpSocket('127.0.2.9');
const spoofer = await udpSocket('127.0.3.9');
let seed = Date.now() | 0;

/** Keeps 100 connections from `address` open, each asking a query every 4 s, until the end. */
async function holdTable(address: string): Promise<void> {
  const open = new Set<net.Socket>();
  await every(500, () => {
    while (open.size < 100) {
      const s = net.connect({ port: rotor.port, host: rotor.host, localAddress: address });
      counts.holders++;
      open.add(s);
      const tick = setInterval(() => { if (!s.destroyed) { s.write(frame(makeQuery('corp.example', Packet.TYPE.SOA))); counts.holderQueries++; } }, 4000);
      s.on('error', () => {});
      s.on('close', () => { clearInterval(tick); open.delete(s); });
    }
  });
  for (const s of open) s.destroy();
}

const parts = [
  // ~125 legitimate UDP queries a second, each name at half the RRL rate.
  every(40, () => {
    for (const [name, type] of names) {
      legit.send(makeQuery(name, type, counts.legit++ & 0xffff), rotor.port, rotor.host);
    }
  }),
  // A legitimate TCP client: one query every 100 ms, each on a new connection.
  every(100, () => {
    counts.tcpLegit++;
    void askOverTcp(rotor, '127.0.0.2', makeQuery('corp.example', Packet.TYPE.MX), 2000).then((ms) => {
      if (ms === undefined) return;
      counts.tcpAnswered++;
      if (ms <= 100) counts.tcpWithin100ms++;
    });
  }),
  // ~1,000 random names a second across 50 netblocks.
  every(10, () => {
    for (let i = 0; i < 10; i++) {
      const label = Math.random().toString(36).slice(2, 12);
      flooders[counts.nxdomain++ % flooders.length]!.send(makeQuery(`${label}.example.test`, Packet.TYPE.A), rotor.port, rotor.host);
    }
  }),
  // ~500 random names a second under the wildcard TXT.
  every(20, () => {
    for (let i = 0; i < 10; i++) {
      wildcarder.send(makeQuery(`${Math.random().toString(36).slice(2, 12)}.w.flood.test`, Packet.TYPE.TXT), rotor.port, rotor.host);
      counts.wildcard++;
    }
  }),
  // ~1,000 mutated datagrams a second.
  every(50, () => {
    for (const d of hostileDatagrams(50, seed++)) hostile.send(d, rotor.port, rotor.host);
    counts.hostile += 50;
  }),
  // ~300 a second of what gets logged: unsigned NOTIFY, refused AXFR, bad TSIG.
  every(10, () => {
    const id = counts.notifyAxfrTsig & 0xffff;
    spoofer.send(notifyQuery('corp.example', id), rotor.port, rotor.host);
    spoofer.send(makeQuery('corp.example', Packet.TYPE.AXFR, id), rotor.port, rotor.host);
    spoofer.send(badTsigQuery('corp.example', Packet.TYPE.SOA, id), rotor.port, rotor.host);
    counts.notifyAxfrTsig += 3;
  }),
  // Lying TCP sessions, ten at a time.
  every(0, async () => {
    await Promise.all(fc.sample(tcpSession, { numRuns: 10, seed: seed++ }).map((s) => runSession(rotor, s)));
    counts.sessions += 10;
  }),
  // Slow-loris: a query one octet every 200 ms, cut by the query deadline.
  every(1000, () => {
    const s = net.connect(rotor.port, rotor.host);
    const q = frame(makeQuery('corp.example', Packet.TYPE.MX));
    let at = 0;
    const drip = setInterval(() => { if (s.destroyed || at >= q.length) clearInterval(drip); else s.write(q.subarray(at, ++at)); }, 200);
    s.on('error', () => {});
    s.on('close', () => clearInterval(drip));
    counts.loris++;
  }),
  // The TCP table held full from 127.0.0.10–19.
  ...Array.from({ length: 10 }, (_, i) => holdTable(`127.0.0.${10 + i}`)),
  // 20 connections at a time that pipeline 64 KB of queries and never read, replaced every 10 s.
  every(10_000, () => {
    const burst = Buffer.concat(Array.from({ length: 64 * 1024 / 32 }, (_, i) => frame(makeQuery(`${i}.w.flood.test`, Packet.TYPE.TXT)))).subarray(0, 64 * 1024);
    for (let i = 0; i < 20; i++) {
      const s = net.connect({ port: rotor.port, host: rotor.host, localAddress: `127.0.4.${i + 1}` });
      s.on('error', () => {});
      s.on('connect', () => { s.write(burst); s.pause(); });
      setTimeout(() => s.destroy(), 9_500);
      counts.pipeliners++;
    }
  }),
  // /api/events clients that never read, topped up to 500, and requests with a foreign Host.
  (async () => {
    const open = new Set<http.ClientRequest>();
    await every(1000, () => {
      while (open.size < 500) {
        const req = http.get({ host: '127.0.0.1', port: monitorPort, path: '/api/events' }, (res) => res.pause());
        open.add(req);
        counts.sse++;
        req.on('error', () => {});
        req.on('close', () => open.delete(req));
      }
      const foreign = http.get({ host: '127.0.0.1', port: monitorPort, path: '/api/status', headers: { host: 'rebind.attacker.example' } }, (res) => res.resume());
      foreign.on('error', () => {});
      counts.foreignHost++;
    });
    for (const req of open) req.destroy();
  })(),
  // Datagrams from source port 0, ~100 a second (a raw socket: root only).
  (async () => {
    if (process.getuid?.() !== 0) return;
    counts.port0 = await sendFromPortZero(rotor, makeQuery('corp.example', Packet.TYPE.A), minutes * 60 * 100, 100).catch(() => 0);
  })(),
  // The zone directory: a rewrite of the large zone every 30 s; every 60 s a
  // zone that includes a FIFO, one that includes /dev/zero, and the whole
  // directory moved away and back with SIGHUP.
  every(30_000, async () => {
    await writeFile(join(zonesDir, 'big.test.zone'), bigZone(50_000, ++serial));
    counts.reloads++;
    if (serial % 2 !== 0) return;
    // Inside the zone directory, so that what refuses them is the check for regular files, not the confinement.
    await writeFile(join(zonesDir, 'fifo.test.zone'), '@ SOA ns hm 1 3600 600 1209600 300\n@ NS ns\n$INCLUDE include.fifo\n');
    await writeFile(join(zonesDir, 'zero.test.zone'), '@ SOA ns hm 1 3600 600 1209600 300\n@ NS ns\n$INCLUDE include.zero\n');
    await sleep(2000);
    await rm(join(zonesDir, 'fifo.test.zone'), { force: true });
    await rm(join(zonesDir, 'zero.test.zone'), { force: true });
    await rename(zonesDir, `${zonesDir}.away`);
    rotor.process.kill('SIGHUP');
    await sleep(1000);
    await rename(`${zonesDir}.away`, zonesDir);
    rotor.process.kill('SIGHUP');
    counts.sighups += 2;
  }),
];

const samples: { minute: number; rss: number }[] = [];
const started = Date.now();
const sampler = every(sampleSeconds * 1000, () => {
  samples.push({ minute: (Date.now() - started) / 60_000, rss: rssMb() });
  const s = samples.at(-1)!;
  console.log(`${s.minute.toFixed(2).padStart(6)} min  RSS ${s.rss.toFixed(1).padStart(6)} MB  legit UDP ${counts.legitAnswered}/${counts.legit}  legit TCP ${counts.tcpAnswered}/${counts.tcpLegit}`);
});

await promisify(execFile)('mkfifo', [join(zonesDir, 'include.fifo')]);
await symlink('/dev/zero', join(zonesDir, 'include.zero'));
console.log(`soak: ${minutes} min against pid ${pid}, RSS sampled every ${sampleSeconds} s`);
await Promise.all([...parts, sampler]);
const alive = rotor.process.exitCode === null && rotor.process.pid === pid;
samples.push({ minute: (Date.now() - started) / 60_000, rss: alive ? rssMb() : NaN });
await sleep(2500); // the last legitimate queries' answers
for (const s of [legit, hostile, wildcarder, spoofer, ...flooders]) s.close();
const code = await rotor.stop();
await rm(zonesDir, { recursive: true, force: true });

// The first fifth is warm-up (JIT, caches and tables filling to their bounds);
// after it, the last third of the samples is compared with the first third.
const steady = samples.slice(Math.floor(samples.length / 5));
const third = Math.max(1, Math.floor(steady.length / 3));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const early = median(steady.slice(0, third).map((s) => s.rss));
const late = median(steady.slice(-third).map((s) => s.rss));
const growth = late - early;
const flat = alive && growth <= early * 0.1;
const share = (a: number, b: number) => (a / Math.max(1, b)) * 100;
const udpShare = share(counts.legitAnswered, counts.legit);
const tcpShare = share(counts.tcpAnswered, counts.tcpLegit);
const answered = udpShare >= 99 && tcpShare >= 99;

console.log(`\nsent: ${JSON.stringify(counts)}`);
console.log(`legitimate UDP queries answered: ${udpShare.toFixed(2)}%`);
console.log(`legitimate TCP queries answered: ${tcpShare.toFixed(2)}% (within 100 ms: ${share(counts.tcpWithin100ms, counts.tcpLegit).toFixed(2)}%)`);
console.log(`RSS after warm-up: first third median ${early.toFixed(1)} MB, last third median ${late.toFixed(1)} MB, growth ${growth.toFixed(1)} MB, peak ${Math.max(...samples.map((s) => s.rss)).toFixed(1)} MB`);
console.log(`server ${alive ? `alive until stopped (same pid), exit code ${code}` : 'DIED or restarted during the soak'}`);
console.log(`verdict: ${flat && answered ? 'PASS' : 'FAIL'} (RSS ${flat ? 'flat' : 'GROWING'}: last third within 10% of the first; legitimate answers ${answered ? '≥' : 'below'} 99%)`);
process.exitCode = flat && answered ? 0 : 1;

// npm run soak -- [--minutes N] [--sample-seconds S]: a mixed hostile stream
// against the real server for N minutes (default 10), its resident memory
// sampled as it goes, then the series and a verdict on whether it stayed flat.
// Not part of CI: it is minutes long by design.
//
// The stream, each part at a bounded rate:
// - a legitimate client asking real names, whose answers are counted (UDP
//   may lose a few under this load: the figure is printed, not judged);
// - random-subdomain NXDOMAIN queries from 50 netblocks (RRL's table, the fast
//   path's cache);
// - the fuzzer's mutated datagrams;
// - TCP sessions with lying length prefixes, 10 at a time;
// - idle TCP connections, 100 at a time, left to the idle timeout;
// - slow-loris connections dripping one octet at a time.
import dgram from 'node:dgram';
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import net from 'node:net';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import fc from 'fast-check';
import { startRotor, tempDir } from '../e2e/harness.js';
import { frame, makeQuery, Packet } from '../e2e/raw.js';
import { fuzzZones, hostileDatagrams, runSession, tcpSession } from './stream.js';

const { values } = parseArgs({ options: { minutes: { type: 'string', default: '10' }, 'sample-seconds': { type: 'string', default: '10' } } });
const minutes = Number(values.minutes);
const sampleSeconds = Number(values['sample-seconds']);
if (!(minutes > 0) || !(sampleSeconds > 0)) throw new Error('--minutes and --sample-seconds take positive numbers');

const configDir = await tempDir();
// Every client here is on loopback, which RRL exempts unless told otherwise.
await writeFile(join(configDir, 'rotor.yaml'), 'rrl: { responses-per-second: 50, exempt-clients: [] }\ntcp-idle-timeout: 5\ntcp-query-timeout: 2\n');
const rotor = await startRotor(await fuzzZones(), ['--config', join(configDir, 'rotor.yaml')]);
const pid = rotor.process.pid!;
const rssMb = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const endAt = Date.now() + minutes * 60_000;
const running = () => Date.now() < endAt && rotor.process.exitCode === null;
const counts = { legit: 0, legitAnswered: 0, nxdomain: 0, hostile: 0, sessions: 0, idle: 0, loris: 0 };

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

const legit = await udpSocket('127.0.0.1');
legit.on('message', () => counts.legitAnswered++);
const names: [string, number][] = [['corp.example', Packet.TYPE.MX], ['mx1.corp.example', Packet.TYPE.A], ['www.example.test', Packet.TYPE.A], ['x.sub.example.test', Packet.TYPE.A], ['example.test', Packet.TYPE.ANY]];
const flooders = await Promise.all(Array.from({ length: 50 }, (_, i) => udpSocket(`127.${i + 1}.0.1`)));
// Outside the legitimate client's /24: RRL counts netblocks, and this one is not polite.
const hostile = await udpSocket('127.0.1.9');
let seed = Date.now() | 0;

const parts = [
  // ~125 legitimate queries a second, each name at half the RRL rate.
  every(40, () => {
    for (const [name, type] of names) {
      legit.send(makeQuery(name, type, counts.legit++ & 0xffff), rotor.port, rotor.host);
    }
  }),
  // ~1,000 random names a second across 50 netblocks.
  every(10, () => {
    for (let i = 0; i < 10; i++) {
      const label = Math.random().toString(36).slice(2, 12);
      flooders[counts.nxdomain++ % flooders.length]!.send(makeQuery(`${label}.example.test`, Packet.TYPE.A), rotor.port, rotor.host);
    }
  }),
  // ~1,000 mutated datagrams a second.
  every(50, () => {
    for (const d of hostileDatagrams(50, seed++)) hostile.send(d, rotor.port, rotor.host);
    counts.hostile += 50;
  }),
  // Lying TCP sessions, ten at a time.
  every(0, async () => {
    await Promise.all(fc.sample(tcpSession, { numRuns: 10, seed: seed++ }).map((s) => runSession(rotor, s)));
    counts.sessions += 10;
  }),
  // 100 idle connections every 10 s, each closed by the server's idle timeout.
  every(10_000, () => {
    for (let i = 0; i < 100; i++) {
      const s = net.connect({ port: rotor.port, host: rotor.host, localAddress: `127.200.${i}.1` });
      s.on('error', () => {});
      counts.idle++;
    }
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
];

const samples: { minute: number; rss: number; legitAnswered: number }[] = [];
const started = Date.now();
const sampler = every(sampleSeconds * 1000, () => {
  samples.push({ minute: (Date.now() - started) / 60_000, rss: rssMb(), legitAnswered: counts.legitAnswered });
  const s = samples.at(-1)!;
  console.log(`${s.minute.toFixed(2).padStart(6)} min  RSS ${s.rss.toFixed(1).padStart(6)} MB  legit answered ${s.legitAnswered}/${counts.legit}`);
});

console.log(`soak: ${minutes} min against pid ${pid}, RSS sampled every ${sampleSeconds} s`);
await Promise.all([...parts, sampler]);
const alive = rotor.process.exitCode === null;
samples.push({ minute: (Date.now() - started) / 60_000, rss: alive ? rssMb() : NaN, legitAnswered: counts.legitAnswered });
for (const s of [legit, hostile, ...flooders]) s.close();
const code = await rotor.stop();

// The first fifth is warm-up (JIT, caches and tables filling to their bounds);
// after it, the last third of the samples is compared with the first third.
const steady = samples.slice(Math.floor(samples.length / 5));
const third = Math.max(1, Math.floor(steady.length / 3));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const early = median(steady.slice(0, third).map((s) => s.rss));
const late = median(steady.slice(-third).map((s) => s.rss));
const n = steady.length;
const mx = steady.reduce((a, s) => a + s.minute, 0) / n;
const my = steady.reduce((a, s) => a + s.rss, 0) / n;
const slope = steady.reduce((a, s) => a + (s.minute - mx) * (s.rss - my), 0) / (steady.reduce((a, s) => a + (s.minute - mx) ** 2, 0) || 1);
const growth = late - early;
const flat = alive && growth < Math.max(8, early * 0.1);

console.log(`\nsent: ${JSON.stringify(counts)}`);
console.log(`legitimate queries answered: ${((counts.legitAnswered / Math.max(1, counts.legit)) * 100).toFixed(1)}%`);
console.log(`RSS after warm-up: first third median ${early.toFixed(1)} MB, last third median ${late.toFixed(1)} MB, growth ${growth.toFixed(1)} MB, trend ${slope.toFixed(2)} MB/min, peak ${Math.max(...samples.map((s) => s.rss)).toFixed(1)} MB`);
console.log(`server ${alive ? `alive until stopped, exit code ${code}` : 'DIED during the soak'}`);
console.log(`verdict: ${flat ? 'FLAT' : 'GROWING'} (flat: the last third within max(8 MB, 10%) of the first third)`);
process.exitCode = flat ? 0 : 1;

// npm run bench:observe [-- --rounds N --seconds S --rate Q]: what watching
// the server costs. rotor runs plain, with --metrics, with the query log
// sampled and in full, and with both, on `npm run bench`'s zone and query mix.
// Each round measures every configuration, in a fresh random order, twice: its
// maximum rate (as a ratio to the plain one of the same round, so that drift on
// a shared machine cancels), and the CPU time it spends per query at a fixed
// offered load, read from /proc, which other work on the machine hardly moves.
// Logs go to a file, as a service manager would take them. First, without
// sockets: the CPU time DnsServer.handle() takes per query in this process,
// with and without each observer, which is what they add to every query.
import { spawn, spawnSync } from 'node:child_process';
import { availableParallelism, tmpdir } from 'node:os';
import { mkdtemp, open, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { haveDnsperf, INSTALL_HINT, runDnsperf } from './dnsperf.js';
import { freePort, LOOPBACK, pinned, stopper, waitForAnswer, type Running } from './servers.js';
import { queryMix, writeBenchData, ZONE } from './zone.js';
import { pino } from 'pino';
import { REPO } from '../test/e2e/harness.js';
import { makeQuery } from '../test/e2e/raw.js';
import { DEFAULTS } from '../src/config.js';
import { createLogger } from '../src/log.js';
import { observeServer } from '../src/observe/monitor.js';
import { queryLogger } from '../src/observe/querylog.js';
import { DnsServer } from '../src/server/server.js';
import type { RequestContext } from '../src/net/context.js';
import { typeFromName } from '../src/wire/types.js';

const CONFIGURATIONS: [name: string, args: string[]][] = [
  ['plain', []],
  ['metrics', ['--metrics', '127.0.0.1:0']],
  ['query-log 0.01', ['--query-log', '0.01']],
  ['query-log on', ['--query-log', 'on']],
  ['metrics + query-log on', ['--metrics', '127.0.0.1:0', '--query-log', 'on']],
];

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '5' }, seconds: { type: 'string', default: '5' }, rate: { type: 'string', default: '50000' } }, strict: true });
const rounds = Number(values.rounds);
const seconds = Number(values.seconds);
const rate = Number(values.rate);
if (!(rounds >= 1 && seconds > 0 && rate > 0)) {
  console.error('usage: npm run bench:observe -- [--rounds N] [--seconds S] [--rate QPS]');
  process.exit(2);
}
if (!haveDnsperf()) {
  console.error(`bench: ${INSTALL_HINT}`);
  process.exit(2);
}
const pin = availableParallelism() >= 2;
const [loadCpu, serverCpu] = pin ? [0, 1] : [undefined, undefined];

async function startConfigured(name: string, args: string[], dir: string, zonesDir: string): Promise<Running & { logFile: string }> {
  const port = await freePort();
  const logFile = join(dir, `${name.replace(/\W+/g, '-')}.log`);
  const log = await open(logFile, 'w');
  const [cmd, argv] = pinned(serverCpu, process.execPath, [join(REPO, 'dist', 'cli.js'), 'serve', '--zones', zonesDir, '--listen', `${LOOPBACK}:${port}`, ...args]);
  const child = spawn(cmd, argv, { cwd: dir, stdio: ['ignore', log.fd, log.fd] });
  await log.close();
  const stop = stopper(child);
  try {
    await waitForAnswer(child, name, LOOPBACK, port, ZONE, 20_000, () => '');
  } catch (e) {
    await stop();
    throw new Error(`${(e as Error).message}\n${(await readFile(logFile, 'utf8')).slice(-2000)}`);
  }
  return { name, port, pid: child.pid!, stop, logFile };
}

/** Clock ticks a second, the unit of utime and stime in /proc/PID/stat. */
const TICKS = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout) || 100;

/** CPU seconds a process has used, all its threads, user and system. */
async function cpuSeconds(pid: number): Promise<number> {
  const text = await readFile(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name, which is in parentheses and may hold spaces.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS;
}

const median = (v: number[]) => [...v].sort((a, b) => a - b)[v.length >> 1]!;

/** Nanoseconds of CPU per DnsServer.handle() on the query mix: plain, with the metrics, with the query log (to /dev/null). */
async function inProcess(zonesDir: string): Promise<Map<string, number>> {
  const server = new DnsServer({ ...DEFAULTS, listen: [], zonesDir, logger: createLogger('silent') });
  const { metrics, status } = observeServer(server);
  status.close();
  await server.loadZones();
  const log = queryLogger(pino({ base: undefined }, pino.destination({ dest: '/dev/null', sync: true })), 1);
  const variants: [string, typeof server.observers][] = [['plain', []], ['metrics', [metrics.observe]], ['query-log on', [log]]];
  const queries = queryMix().map((line, id) => {
    const [name, type] = line.split(' ');
    return makeQuery(name!, typeFromName(type!)!, id);
  });
  const ctx: RequestContext = { transport: 'udp', client: { address: '127.0.0.1', port: 40000 } };
  const perQuery = new Map<string, number[]>(variants.map(([name]) => [name, []]));
  const n = 200_000;
  for (let round = 0; round <= 5; round++) {
    for (const [name, observers] of variants) {
      server.observers.splice(0, server.observers.length, ...observers);
      const start = process.cpuUsage();
      for (let i = 0; i < n; i++) server.handle(queries[i % queries.length]!, ctx);
      const used = process.cpuUsage(start);
      // Round 0 warms the JIT up.
      if (round > 0) perQuery.get(name)!.push(((used.user + used.system) * 1000) / n);
      await new Promise((r) => setImmediate(r));
    }
  }
  return new Map([...perQuery].map(([name, v]) => [name, median(v)]));
}
const shuffled = <T>(items: T[]): T[] => items.map((x) => [Math.random(), x] as const).sort((a, b) => a[0] - b[0]).map(([, x]) => x);
const dir = await mkdtemp(join(tmpdir(), 'rotor-bench-observe-'));
const running: Awaited<ReturnType<typeof startConfigured>>[] = [];
try {
  const data = await writeBenchData(dir);
  const ns = await inProcess(data.zonesDir);
  const plainNs = ns.get('plain')!;
  console.log(`in process, CPU per query (median of 5 × 200,000): ${[...ns].map(([name, v]) => `${name} ${v.toFixed(0)} ns${name === 'plain' ? '' : ` (+${(v - plainNs).toFixed(0)})`}`).join(', ')}`);
  for (const [name, args] of CONFIGURATIONS) running.push(await startConfigured(name, args, dir, data.zonesDir));
  console.log(`rotor bench:observe: ${ZONE}, ${rounds} rounds × ${seconds} s per configuration at full speed and at ${rate.toLocaleString('en-US')} q/s; ${pin ? `dnsperf on CPU ${loadCpu}, rotor on CPU ${serverCpu}` : 'one CPU: nothing pinned'}`);
  const results = new Map(running.map((r) => [r.name, { qps: [] as number[], ratio: [] as number[], cpuUs: [] as number[] }]));
  for (let round = 1; round <= rounds; round++) {
    const maxima = new Map<string, number>();
    for (const server of shuffled(running)) {
      const r = await runDnsperf({ port: server.port, queryFile: data.queryFile, seconds, cpu: loadCpu, scratch: dir });
      const before = await cpuSeconds(server.pid);
      const fixed = await runDnsperf({ port: server.port, queryFile: data.queryFile, seconds, rate, cpu: loadCpu, scratch: dir });
      const cpuUs = ((await cpuSeconds(server.pid)) - before) * 1e6 / fixed.completed;
      maxima.set(server.name, r.qps);
      results.get(server.name)!.cpuUs.push(cpuUs);
      console.log(`  round ${round} ${server.name.padEnd(24)} ${Math.round(r.qps).toLocaleString('en-US').padStart(9)} q/s  p99 ${r.p99Ms.toFixed(3)} ms; at ${rate} q/s: ${cpuUs.toFixed(2)} µs CPU a query, loss ${fixed.lossPct.toFixed(2)}%`);
    }
    for (const [name, qps] of maxima) {
      results.get(name)!.qps.push(qps);
      results.get(name)!.ratio.push(qps / maxima.get('plain')!);
    }
  }
  const plainCpu = median(results.get('plain')!.cpuUs);
  console.log(`\n| configuration | queries/s (median) | ÷ plain (median, min – max) | CPU µs a query at ${rate.toLocaleString('en-US')} q/s (median) | more than plain | log written |\n|:--|--:|--:|--:|--:|--:|`);
  for (const server of running) {
    const r = results.get(server.name)!;
    const cpu = median(r.cpuUs);
    const logged = (await stat(server.logFile)).size / 2 ** 20;
    console.log(`| ${server.name} | ${Math.round(median(r.qps)).toLocaleString('en-US')} | ${median(r.ratio).toFixed(2)} (${Math.min(...r.ratio).toFixed(2)} – ${Math.max(...r.ratio).toFixed(2)}) | ${cpu.toFixed(2)} | ${server.name === 'plain' ? '' : `${(100 * (cpu / plainCpu - 1)).toFixed(0)}%`} | ${logged.toFixed(0)} MiB |`);
  }
} finally {
  await Promise.all(running.map((r) => r.stop()));
  await rm(dir, { recursive: true, force: true });
}

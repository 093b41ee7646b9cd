// npm run bench [-- OPTIONS]: rotor against the Node.js UDP ceiling (a plain
// node:dgram echo) and, with --peers, against BIND, Knot DNS and NSD, all driven
// by dnsperf on loopback (or Knot DNS's kxdpgun over a veth link of the
// bench's own, --generator kxdpgun) with the same zone and query mix. Servers are measured
// in turn, A B A B, over several rounds, so that drift on a shared machine
// falls on every server alike; the ratio to the echo is taken per round.
import { cpus, availableParallelism, tmpdir } from 'node:os';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { cpuSeconds, rssMiB } from './proc.js';
import { readProfile, type HotSpot } from './profile.js';
import { haveDnsperf, INSTALL_HINT, runDnsperf, type PerfResult } from './dnsperf.js';
import { haveKxdpgun, KXDPGUN_HINT, LAB_SERVER, openLab, runKxdpgun, type Lab } from './kxdpgun.js';
import { installedPeers, startEcho, startRotor, type Running } from './servers.js';
import { queryMix, writeBenchData, writeBigZones, ZONE } from './zone.js';
import { nativeUdp } from '../src/net/native-udp.js';

const int = (n: number) => Math.round(n).toLocaleString('en-US');
/** kxdpgun measures no latencies: those read '–'. */
const ms = (n: number) => (Number.isNaN(n) ? '–' : n.toFixed(3));
/** What --generator kxdpgun offers without --rate: more than any server here answers from one core. */
const KXDPGUN_OFFER = 1_000_000;

const USAGE = `npm run bench -- [--rounds N] [--seconds S] [--peers] [--load] [--dnssec] [--workers N] [--transport T] [--generator G] [--json] [--quick]

  --rounds N        measurement rounds, each server once per round (default 5)
  --seconds S       length of each dnsperf run (default 5)
  --peers           also BIND (named -n 1), Knot DNS and NSD, one worker each, when installed
  --load            latency at a fixed load of half rotor's maximum (its best round), with and
                    without a zone of --big-records records loaded beside the mail zone;
                    with --peers, Knot DNS (one UDP worker) holding both zones too
  --big-records N   size of that zone (default 1000000)
  --dnssec          also rotor serving the zone signed by itself (dnssec: true in
                    a rotor.yaml), asked with DO=0 and with DO=1 in the same rounds
  --workers N       run rotor with --workers N
  --transport T     rotor's UDP transport: native, dgram, or both (default where
                    the native module is built: rotor on native, and rotor/dgram
                    beside it, so that both have their CPU time per query)
  --rate Q          offer Q queries a second instead of as many as are answered
  --generator G     dnsperf (default: closed loop, latencies; about 120,000 q/s at
                    most from one core) or kxdpgun (Knot DNS's AF_XDP generator, as
                    root: it offers --rate, default ${int(KXDPGUN_OFFER)} q/s, over a veth link to a
                    network namespace the bench makes, and counts what comes back;
                    then rotor at twice the echo's maximum, for its loss)
  --json            results as JSON on stdout
  --quick           2 rounds of 1 s at 2,000 q/s, no warm-up: checks that everything runs
  --source          run rotor from src/ through tsx instead of dist/ (no build needed)
  --compare CLI     also measure another build of rotor (its dist/cli.js), e.g. an
                    older commit's, as "rotor@other", on its own default transport
                    (builds before the native one know no --transport)
  --profile         run rotor under node --cpu-prof and list where its time went`;

interface Options {
  rounds: number;
  seconds: number;
  peers: boolean;
  load: boolean;
  dnssec: boolean;
  bigRecords: number;
  workers?: string;
  transport: 'native' | 'dgram' | 'both';
  generator: 'dnsperf' | 'kxdpgun';
  rate?: number;
  warmUp: boolean;
  json: boolean;
  source: boolean;
  profile: boolean;
  compare?: string;
}

function positive(name: string, text: string): number {
  const v = Number(text);
  if (!Number.isFinite(v) || v <= 0) {
    console.error(`bench: --${name} expects a positive number, got "${text}"\n${USAGE}`);
    process.exit(2);
  }
  return v;
}

function options(): Options {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        rounds: { type: 'string' },
        seconds: { type: 'string' },
        peers: { type: 'boolean', default: false },
        load: { type: 'boolean', default: false },
        dnssec: { type: 'boolean', default: false },
        'big-records': { type: 'string', default: '1000000' },
        workers: { type: 'string' },
        transport: { type: 'string' },
        generator: { type: 'string', default: 'dnsperf' },
        rate: { type: 'string' },
        json: { type: 'boolean', default: false },
        quick: { type: 'boolean', default: false },
        source: { type: 'boolean', default: false },
        profile: { type: 'boolean', default: false },
        compare: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
    }));
  } catch (e) {
    console.error(`bench: ${(e as Error).message}\n${USAGE}`);
    process.exit(2);
  }
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const transport = values.transport ?? ('addon' in nativeUdp() ? 'both' : 'dgram');
  if (transport !== 'native' && transport !== 'dgram' && transport !== 'both') {
    console.error(`bench: --transport expects native, dgram or both, got "${transport}"\n${USAGE}`);
    process.exit(2);
  }
  const generator = values.generator;
  if (generator !== 'dnsperf' && generator !== 'kxdpgun') {
    console.error(`bench: --generator expects dnsperf or kxdpgun, got "${generator}"\n${USAGE}`);
    process.exit(2);
  }
  // kxdpgun gives no latencies, which --load is about; --dnssec needs dnsperf's DO bit.
  if (generator === 'kxdpgun' && (values.load || values.dnssec)) {
    console.error(`bench: --generator kxdpgun measures maximum rates only, without --load or --dnssec\n${USAGE}`);
    process.exit(2);
  }
  return {
    transport,
    generator,
    rounds: Math.round(positive('rounds', values.rounds ?? (values.quick ? '2' : '5'))),
    seconds: positive('seconds', values.seconds ?? (values.quick ? '1' : '5')),
    peers: values.peers,
    load: values.load,
    dnssec: values.dnssec,
    bigRecords: Math.round(positive('big-records', values['big-records'])),
    workers: values.workers,
    rate: values.rate ? positive('rate', values.rate) : values.quick ? 2000 : undefined,
    warmUp: !values.quick,
    json: values.json,
    source: values.source,
    profile: values.profile,
    compare: values.compare && resolve(values.compare),
  };
}

export interface Run extends PerfResult {
  server: string;
  round: number;
  /** CPU time the server used per answered query, in microseconds. */
  cpuUs: number;
  /** Offered load for fixed-rate runs. */
  rate?: number;
}

export interface Summary {
  server: string;
  qps: { median: number; min: number; max: number };
  lossPct: number;
  p50Ms: number;
  p99Ms: number;
  cpuUs: number;
  /** qps / echo qps of the same round. */
  ratio?: { median: number; min: number; max: number };
  /** The baseline's CPU time per query / this server's, in the same round: the rate ratio with contention taken out. */
  cpuRatio?: { median: number; min: number; max: number };
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

function spread(values: number[]): { median: number; min: number; max: number } {
  return { median: median(values), min: Math.min(...values), max: Math.max(...values) };
}

function summarize(runs: Run[], servers: string[], baseline: string | undefined): Summary[] {
  return servers.map((server) => {
    const mine = runs.filter((r) => r.server === server);
    const summary: Summary = {
      server,
      qps: spread(mine.map((r) => r.qps)),
      lossPct: median(mine.map((r) => r.lossPct)),
      p50Ms: median(mine.map((r) => r.p50Ms)),
      p99Ms: median(mine.map((r) => r.p99Ms)),
      cpuUs: median(mine.map((r) => r.cpuUs)),
    };
    if (baseline) {
      const pairs = mine.flatMap((r) => {
        const base = runs.find((b) => b.server === baseline && b.round === r.round);
        return base ? [[r, base] as const] : [];
      });
      if (pairs.length) {
        summary.ratio = spread(pairs.map(([r, base]) => r.qps / base.qps));
        summary.cpuRatio = spread(pairs.map(([r, base]) => base.cpuUs / r.cpuUs));
      }
    }
    return summary;
  });
}


function table(rows: Summary[], baseline: string): string {
  const head = ['server', 'queries/s (median)', 'min – max', 'loss %', 'p50 ms', 'p99 ms', 'CPU µs/query', `÷ ${baseline} (median, min – max)`];
  const body = rows.map((r) => [
    r.server,
    int(r.qps.median),
    `${int(r.qps.min)} – ${int(r.qps.max)}`,
    r.lossPct.toFixed(2),
    ms(r.p50Ms),
    ms(r.p99Ms),
    r.cpuUs.toFixed(2),
    r.ratio ? `${r.ratio.median.toFixed(2)} (${r.ratio.min.toFixed(2)} – ${r.ratio.max.toFixed(2)})` : '',
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)));
  const line = (cells: string[]) => '| ' + cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ') + ' |';
  return [line(head), '|' + widths.map((w, i) => (i === 0 ? ':' : '-') + '-'.repeat(w) + (i === 0 ? '-' : ':')).join('|') + '|', ...body.map(line)].join('\n');
}

async function main(): Promise<void> {
  const o = options();
  const hint = o.generator === 'kxdpgun' ? (haveKxdpgun() ? undefined : KXDPGUN_HINT) : haveDnsperf() ? undefined : INSTALL_HINT;
  if (hint) {
    console.error(`bench: ${hint}`);
    process.exit(2);
  }
  const log = (text: string) => (o.json ? process.stderr : process.stdout).write(text + '\n');
  // One core for the load, one for the server, as the issue measured; on a
  // single core nothing is pinned and the figures mean less.
  const pin = availableParallelism() >= 2;
  const loadCpu = pin ? 0 : undefined;
  const serverCpu = pin ? 1 : undefined;
  const dir = await mkdtemp(join(tmpdir(), 'rotor-bench-'));
  const running: Running[] = [];
  let lab: Lab | undefined;
  const stopAll = async () => {
    await Promise.all(running.splice(0).map((s) => s.stop()));
    lab?.close();
  };
  process.once('SIGINT', () => void stopAll().then(() => rm(dir, { recursive: true, force: true })).then(() => process.exit(130)));

  try {
    const data = await writeBenchData(dir);
    const workerArgs = o.workers ? ['--workers', o.workers] : [];
    if (o.generator === 'kxdpgun') {
      lab = openLab();
      // Off the loopback, rotor's response rate limiting (on by default, loopback
      // exempt) would drop most answers; the peers run without it too.
      const rrlOff = join(dir, 'rrl-off.yaml');
      await writeFile(rrlOff, 'rrl: off\n');
      workerArgs.push('--config', rrlOff);
    }
    const rotorArgs = [...workerArgs, '--transport', o.transport === 'dgram' ? 'dgram' : 'native'];
    const launch = { dir, cpu: serverCpu, ...(lab ? { host: LAB_SERVER } : {}) };
    running.push(await startEcho(launch));
    const profileDir = join(dir, 'profile');
    const nodeArgs = o.profile ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : [];
    running.push(await startRotor(ZONE, { ...launch, zonesDir: data.zonesDir, fromSource: o.source, extraArgs: rotorArgs, nodeArgs }));
    if (o.transport === 'both') running.push(await startRotor(ZONE, { ...launch, zonesDir: data.zonesDir, fromSource: o.source, extraArgs: [...workerArgs, '--transport', 'dgram'], label: 'rotor/dgram' }));
    if (o.compare) running.push(await startRotor(ZONE, { ...launch, zonesDir: data.zonesDir, cli: o.compare, extraArgs: workerArgs, label: 'rotor@other' }));
    const skipped: string[] = [];
    if (o.peers) {
      const { available, missing } = installedPeers();
      for (const p of missing) skipped.push(`${p.name} (${p.binary} not installed)`);
      for (const p of available) {
        try {
          running.push(await p.start([{ zone: ZONE, file: data.masterFile }], launch));
        } catch (e) {
          skipped.push(`${p.name} (${(e as Error).message.split('\n')[0]})`);
        }
      }
    }
    log(`rotor bench: ${ZONE}, ${data.records} records; ${queryMix().length}-query mix (MX at the apex, A of gateways, NXDOMAIN, NODATA, wildcard, referral)`);
    log(`${o.rounds} rounds × ${o.seconds} s per server, A B A B${o.rate ? `, offered ${int(o.rate)} q/s` : ''}; ${pin ? `${o.generator} on CPU ${loadCpu}, servers on CPU ${serverCpu}` : 'one CPU: nothing pinned'}${lab ? `, over a veth link to ${LAB_SERVER}` : ''}${o.workers ? `; rotor --workers ${o.workers}` : ''}; rotor on ${o.transport === 'dgram' ? 'node:dgram' : 'the native transport'}${o.transport === 'both' ? ', rotor/dgram on node:dgram' : ''}`);
    for (const s of skipped) log(`skipped: ${s}`);

    /** The generator's run against `server`: kxdpgun offers `rate` (or KXDPGUN_OFFER) and reports no latencies. */
    const drive = async (server: Running, seconds: number, rate?: number, dnssec = false): Promise<PerfResult> => {
      if (!lab) return runDnsperf({ port: server.port, queryFile: data.queryFile, seconds, rate, cpu: loadCpu, scratch: dir, dnssec });
      const r = await runKxdpgun({ lab, port: server.port, queryFile: data.queryFile, seconds, rate: rate ?? KXDPGUN_OFFER, cpu: loadCpu });
      return { ...r, p50Ms: NaN, p99Ms: NaN, avgMs: NaN };
    };
    /** One run against `server`; with `dnssec`, its queries have DO=1 and the run is named "SERVER DO=1". */
    const measure = async (server: Running, round: number, rate?: number, dnssec = false): Promise<Run> => {
      const cpuBefore = await cpuSeconds(server.pid);
      const r = await drive(server, o.seconds, rate, dnssec);
      const cpuUs = r.completed ? ((await cpuSeconds(server.pid)) - cpuBefore) * 1e6 / r.completed : NaN;
      const name = dnssec ? `${server.name} DO=1` : server.name;
      log(`  round ${round} ${name.padEnd(11)} ${int(r.qps).padStart(9)} q/s  loss ${r.lossPct.toFixed(2)}%  p50 ${ms(r.p50Ms)} ms  p99 ${ms(r.p99Ms)} ms  CPU ${cpuUs.toFixed(2)} µs/query`);
      return { server: name, round, ...(rate ? { rate } : {}), ...r, cpuUs };
    };
    // One unrecorded second first: the JIT compiles the hot path, and the
    // collector finishes with what loading the zones left behind.
    const warmUp = async (servers: Running[]): Promise<void> => {
      if (o.warmUp) for (const server of servers) await drive(server, 1, o.rate);
    };

    const runs: Run[] = [];
    await warmUp(running);
    for (let round = 1; round <= o.rounds; round++) {
      for (const server of running) runs.push(await measure(server, round, o.rate));
    }
    const summary = summarize(runs, running.map((s) => s.name), 'echo');
    const rotor = summary.find((s) => s.server === 'rotor')!;
    log('');
    log(table(summary, 'echo'));
    log('');
    const range = (r: { median: number; min: number; max: number }) => `${r.median.toFixed(2)} (${r.min.toFixed(2)} – ${r.max.toFixed(2)})`;
    log(`rotor ÷ echo, median of ${o.rounds} rounds (min – max): ${range(rotor.ratio!)} by queries/s; ${range(rotor.cpuRatio!)} by CPU time per query`);
    const dgram = summary.find((s) => s.server === 'rotor/dgram');
    if (dgram) log(`CPU time per query: ${rotor.cpuUs.toFixed(2)} µs on the native transport, ${dgram.cpuUs.toFixed(2)} µs on node:dgram`);

    let twiceEcho: Record<string, unknown> | undefined;
    if (lab) {
      // Issue 17's target, 2 × the echo, offered as such to the echo and to rotor in turn: what each leaves unanswered.
      const rate = 2 * summary.find((s) => s.server === 'echo')!.qps.median;
      const pair = running.filter((s) => s.name === 'echo' || s.name === 'rotor');
      log('');
      log(`offered 2 × the echo's median maximum, ${int(rate)} q/s:`);
      const twiceRuns: Run[] = [];
      for (let round = 1; round <= o.rounds; round++) for (const server of pair) twiceRuns.push(await measure(server, round, rate));
      for (const server of pair) {
        const mine = twiceRuns.filter((r) => r.server === server.name);
        const loss = spread(mine.map((r) => r.lossPct));
        log(`${server.name}: ${int(spread(mine.map((r) => r.qps)).median)} q/s answered (median), loss ${loss.median.toFixed(2)} % (${loss.min.toFixed(2)} – ${loss.max.toFixed(2)})`);
      }
      twiceEcho = { rate, runs: twiceRuns };
    }

    let load: Record<string, unknown> | undefined;
    if (o.load) {
      await Promise.all(running.filter((s) => s.name !== 'rotor').map((s) => s.stop()));
      const small = running.find((s) => s.name === 'rotor')!;
      running.splice(0, running.length, small);
      log('');
      log(`--load: generating a zone of ${int(o.bigRecords)} records…`);
      const big = await writeBigZones(dir, o.bigRecords, data);
      const started = Date.now();
      const bigRotor = await startRotor(ZONE, { ...launch, zonesDir: big.zonesDir, fromSource: o.source, extraArgs: rotorArgs, label: 'rotor+big', readyTimeoutMs: 600_000 });
      running.push(bigRotor);
      const loadSeconds = (Date.now() - started) / 1000;
      const rss: Record<string, number | undefined> = { rotor: await rssMiB(small.pid), 'rotor+big': await rssMiB(bigRotor.pid) };
      log(`rotor+big answering after ${loadSeconds.toFixed(1)} s; resident memory ${rss['rotor+big']?.toFixed(0)} MiB (rotor: ${rss.rotor?.toFixed(0)} MiB)`);
      // The anchor of issue 17 on a zone that size: Knot DNS, one UDP worker, the same two zones.
      const knot = o.peers ? installedPeers().available.find((p) => p.name === 'knot') : undefined;
      if (knot) {
        const knotStarted = Date.now();
        try {
          const bigKnot = await knot.start([{ zone: ZONE, file: data.masterFile }, { zone: big.zone, file: big.file }], { ...launch, label: 'knot+big', readyTimeoutMs: 600_000 });
          running.push(bigKnot);
          rss['knot+big'] = await rssMiB(bigKnot.pid);
          log(`knot+big answering after ${((Date.now() - knotStarted) / 1000).toFixed(1)} s; resident memory ${rss['knot+big']?.toFixed(0)} MiB`);
        } catch (e) {
          log(`skipped: knot+big (${(e as Error).message.split('\n')[0]})`);
        }
      }
      const names = running.map((s) => s.name);
      await warmUp(running.slice(1));
      const maxRuns: Run[] = [];
      for (let round = 1; round <= o.rounds; round++) {
        for (const server of running) maxRuns.push(await measure(server, round));
      }
      const maxSummary = summarize(maxRuns, names, 'rotor');
      // Half of rotor's best round: a slow round (the machine's doing) must not make the load lighter.
      const rate = Math.round(maxSummary[0]!.qps.max / 2);
      log(`fixed load: ${int(rate)} q/s (half of rotor's highest maximum over the rounds)`);
      const fixedRuns: Run[] = [];
      for (let round = 1; round <= o.rounds; round++) {
        for (const server of running) fixedRuns.push(await measure(server, round, rate));
      }
      const fixedSummary = summarize(fixedRuns, names, undefined);
      // Again once the zone loader thread has ended (2 s after its last load) and the rounds ran.
      const rssAfter = Object.fromEntries(await Promise.all(running.map(async (s) => [s.name, await rssMiB(s.pid)] as const)));
      log(`resident memory after the rounds: ${running.map((s) => `${s.name} ${rssAfter[s.name]?.toFixed(0)} MiB`).join(', ')}`);
      log('');
      log(`maximum rate, with and without the big zone:\n${table(maxSummary, 'rotor')}`);
      const knotMax = maxSummary.find((s) => s.server === 'knot+big');
      if (knotMax) {
        const ratios = spread(maxRuns.filter((r) => r.server === 'rotor+big').flatMap((r) => {
          const k = maxRuns.find((b) => b.server === 'knot+big' && b.round === r.round);
          return k ? [r.qps / k.qps] : [];
        }));
        log(`rotor+big ÷ knot+big, median of ${o.rounds} rounds (min – max): ${ratios.median.toFixed(2)} (${ratios.min.toFixed(2)} – ${ratios.max.toFixed(2)}) by queries/s`);
      }
      log('');
      log(`at ${int(rate)} q/s:\n${table(fixedSummary, 'rotor')}`);
      load = { bigRecords: o.bigRecords, loadSeconds, rssMiB: rss, rssAfterMiB: rssAfter, rate, maximum: { runs: maxRuns, summary: maxSummary }, fixed: { runs: fixedRuns, summary: fixedSummary } };
    }

    let dnssec: Record<string, unknown> | undefined;
    if (o.dnssec) {
      // The zone signed by rotor as it loads (keys made in the bench's directory), then asked with DO=0 and DO=1 in turn.
      const config = join(dir, 'rotor.yaml');
      await writeFile(config, 'dnssec: true\n');
      const signed = await startRotor(ZONE, { ...launch, zonesDir: data.zonesDir, fromSource: o.source, extraArgs: [...rotorArgs, '--config', config], label: 'signed', readyTimeoutMs: 120_000 });
      running.push(signed);
      log('');
      log(`--dnssec: rotor serving ${ZONE} signed by itself (ECDSA P-256, NSEC), DO=0 and DO=1 in turn`);
      await warmUp([signed]);
      const runs: Run[] = [];
      for (let round = 1; round <= o.rounds; round++) {
        for (const withDo of [false, true]) runs.push(await measure(signed, round, o.rate, withDo));
      }
      const summary = summarize(runs, ['signed', 'signed DO=1'], 'signed');
      log('');
      log(table(summary, 'signed'));
      log(`DO=1 ÷ DO=0, median of ${o.rounds} rounds (min – max): ${range(summary[1]!.ratio!)} by queries/s (issue 15: at least 0.9); ${range(summary[1]!.cpuRatio!)} by CPU time per query`);
      dnssec = { runs, summary };
    }

    let profile: HotSpot[] | undefined;
    if (o.profile) {
      // The profile is written when the process exits.
      const index = running.findIndex((s) => s.name === 'rotor');
      await running.splice(index, 1)[0]!.stop();
      profile = await readProfile(profileDir, 25);
      log('');
      log('rotor, self time by function (share of busy time):');
      for (const h of profile) log(`${h.percent.toFixed(1).padStart(6)}%  ${h.where}`);
    }

    if (o.json) {
      const result = {
        machine: { cpus: cpus().length, model: cpus()[0]?.model, node: process.version, pinned: pin },
        settings: { rounds: o.rounds, seconds: o.seconds, rate: o.rate ?? (lab ? KXDPGUN_OFFER : null), workers: o.workers ?? '1', transport: o.transport, generator: o.generator, zone: ZONE, records: data.records, queries: queryMix() },
        skipped,
        runs,
        summary,
        ...(twiceEcho ? { twiceEcho } : {}),
        ...(load ? { load } : {}),
        ...(dnssec ? { dnssec } : {}),
        ...(profile ? { profile } : {}),
      };
      process.stdout.write(JSON.stringify(result, null, 2) + '\n');
    }
  } finally {
    await stopAll();
    await rm(dir, { recursive: true, force: true });
  }
}

await main();

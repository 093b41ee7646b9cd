// Runs Debian's dnsperf against one server and reads what it reports. dnsperf
// 2.10 prints no latency percentiles, so it runs verbose (-v: one line per
// answer with its latency) into a file, which is read after the run: parsing
// ~100k lines a second while the load runs would take CPU from the two cores
// being measured. Verbose output costs dnsperf about 1% of its rate.
import { spawn, spawnSync } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { open, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

export const INSTALL_HINT = 'dnsperf is not installed: apt-get install dnsperf (Debian/Ubuntu; .ci/run installs it), or build it from https://github.com/DNS-OARC/dnsperf';

export function haveDnsperf(): boolean {
  return spawnSync('dnsperf', ['-h'], { stdio: 'ignore' }).error === undefined;
}

export interface PerfOptions {
  port: number;
  queryFile: string;
  seconds: number;
  /** Offered load in queries per second; unset means as fast as answers come back. */
  rate?: number;
  /** The CPU dnsperf runs on, if pinned. */
  cpu?: number;
  /** Queries with the DO bit (dnsperf -D): a signed zone answers with its signatures. */
  dnssec?: boolean;
  /** Directory for the verbose output. */
  scratch: string;
}

export interface PerfResult {
  sent: number;
  completed: number;
  lost: number;
  /** Lost queries as a percentage of those sent. */
  lossPct: number;
  qps: number;
  p50Ms: number;
  p99Ms: number;
  avgMs: number;
}

/** The value after `label` on one of the summary lines, e.g. "Queries sent:  1234". */
function stat(text: string, label: string): number {
  const m = new RegExp(`${label}:\\s+([0-9.]+)`).exec(text);
  if (!m) throw new Error(`dnsperf printed no "${label}"`);
  return Number(m[1]);
}

/** The q-th quantile (0..1) of sorted values, nearest rank. */
export function quantile(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

/**
 * Latencies (seconds, sorted) from verbose lines, "> NOERROR name type 0.000151",
 * and the summary that follows them.
 */
async function readOutput(file: string): Promise<{ latencies: Float64Array; summary: string }> {
  let out = new Float64Array(1 << 16);
  let n = 0;
  let summary = '';
  const lines = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
  for await (const line of lines) {
    if (summary || line.startsWith('Statistics:')) {
      summary += line + '\n';
      continue;
    }
    if (!line.startsWith('> ')) continue;
    const value = Number(line.slice(line.lastIndexOf(' ') + 1));
    if (!Number.isFinite(value)) continue; // "> T name type": timed out, counted as lost
    if (n === out.length) {
      const bigger = new Float64Array(out.length * 2);
      bigger.set(out);
      out = bigger;
    }
    out[n++] = value;
  }
  return { latencies: out.subarray(0, n).sort(), summary };
}

export async function runDnsperf(o: PerfOptions): Promise<PerfResult> {
  const args = ['-s', '127.0.0.1', '-p', String(o.port), '-d', o.queryFile, '-l', String(o.seconds), '-t', '2', '-v'];
  if (o.rate) args.push('-Q', String(Math.round(o.rate)));
  if (o.dnssec) args.push('-D');
  const [cmd, argv] = o.cpu === undefined ? ['dnsperf', args] : ['taskset', ['-c', String(o.cpu), 'dnsperf', ...args]];
  const verbose = join(o.scratch, `dnsperf-${process.pid}-${Date.now()}.out`);
  const out = await open(verbose, 'w');
  let stderr = '';
  try {
    const code = await new Promise<number | null>((resolve, reject) => {
      const child = spawn(cmd, argv, { stdio: ['ignore', out.fd, 'pipe'] });
      child.stderr!.on('data', (d: Buffer) => { stderr += d.toString(); });
      child.once('error', reject);
      child.once('exit', resolve);
    });
    await out.close();
    if (code !== 0) throw new Error(`dnsperf exited with ${code}: ${stderr.trim()}`);
    const { latencies, summary: text } = await readOutput(verbose);
    const sent = stat(text, 'Queries sent');
    const lost = stat(text, 'Queries lost');
    return {
      sent,
      completed: stat(text, 'Queries completed'),
      lost,
      lossPct: sent ? (100 * lost) / sent : 0,
      qps: stat(text, 'Queries per second'),
      avgMs: stat(text, 'Average Latency \\(s\\)') * 1000,
      p50Ms: quantile(latencies, 0.5) * 1000,
      p99Ms: quantile(latencies, 0.99) * 1000,
    };
  } finally {
    await rm(verbose, { force: true });
  }
}

// Knot DNS's load generator, kxdpgun (Debian's knot-dnsutils), for rates that
// dnsperf cannot offer. dnsperf makes a system call per datagram and tops out
// near 120,000 q/s on the one core it has here, so every server faster than
// that reads the same; kxdpgun writes frames through AF_XDP in batches and
// offers several times that from one core.
//
// AF_XDP needs a real link, not loopback, so the bench makes one: a network
// namespace of its own holding kxdpgun's end of a veth pair, whose other end
// (198.18.0.2, RFC 2544's benchmarking range) is where the servers listen.
// Nothing else is reachable through it, and both are removed afterwards.
import { spawn, spawnSync } from 'node:child_process';
import type { PerfResult } from './dnsperf.js';

export const KXDPGUN_HINT = 'kxdpgun is not installed: apt-get install knot-dnsutils (Debian/Ubuntu), and run the bench as root (it makes a network namespace and a veth pair)';

/** The servers' address on the bench's veth link. */
export const LAB_SERVER = '198.18.0.2';
const LAB_GENERATOR = '198.18.0.1';

export function haveKxdpgun(): boolean {
  return spawnSync('kxdpgun', ['--version'], { stdio: 'ignore' }).status === 0 && process.getuid?.() === 0;
}

function ip(args: string[]): void {
  const r = spawnSync('ip', args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ip ${args.join(' ')}: ${(r.stderr || r.error?.message || '').trim()}`);
}

/** The namespace holding kxdpgun and its end of the link to LAB_SERVER. */
export interface Lab {
  namespace: string;
  close(): void;
}

export function openLab(): Lab {
  const namespace = `rotor-bench-${process.pid}`;
  // Interface names have at most 15 characters.
  const [inside, outside] = [`rbg${process.pid}`, `rbs${process.pid}`];
  const close = () => {
    spawnSync('ip', ['link', 'del', outside], { stdio: 'ignore' });
    spawnSync('ip', ['netns', 'del', namespace], { stdio: 'ignore' });
  };
  try {
    ip(['netns', 'add', namespace]);
    ip(['link', 'add', outside, 'type', 'veth', 'peer', 'name', inside]);
    ip(['link', 'set', inside, 'netns', namespace]);
    ip(['addr', 'add', `${LAB_SERVER}/30`, 'dev', outside]);
    ip(['link', 'set', outside, 'up']);
    ip(['-n', namespace, 'addr', 'add', `${LAB_GENERATOR}/30`, 'dev', inside]);
    ip(['-n', namespace, 'link', 'set', inside, 'up']);
  } catch (e) {
    close();
    throw e;
  }
  return { namespace, close };
}

export interface GunOptions {
  lab: Lab;
  port: number;
  /** dnsperf's query file ("name type" per line), which kxdpgun reads as it is. */
  queryFile: string;
  seconds: number;
  /** Offered queries per second: kxdpgun sends at this rate whatever comes back. */
  rate: number;
  cpu?: number;
}

/** What dnsperf reports, less the latencies, which kxdpgun does not measure. */
export type GunResult = Omit<PerfResult, 'p50Ms' | 'p99Ms' | 'avgMs'>;

/** The count after `label`, e.g. "total replies:     60010 (20003 pps)". */
function count(text: string, label: string): number {
  const m = new RegExp(`${label}:\\s+(\\d+)`).exec(text);
  if (!m) throw new Error(`kxdpgun printed no "${label}": ${text.trim().slice(-500)}`);
  return Number(m[1]);
}

export async function runKxdpgun(o: GunOptions): Promise<GunResult> {
  const seconds = Math.max(1, Math.round(o.seconds));
  const args = ['netns', 'exec', o.lab.namespace, 'kxdpgun', '-t', String(seconds), '-Q', String(Math.round(o.rate)), '-p', String(o.port), '-i', o.queryFile];
  if (o.cpu !== undefined) args.push('-F', String(o.cpu));
  args.push(LAB_SERVER);
  let output = '';
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn('ip', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout!.on('data', (d: Buffer) => { output += d.toString(); });
    child.stderr!.on('data', (d: Buffer) => { output += d.toString(); });
    child.once('error', reject);
    child.once('exit', resolve);
  });
  if (code !== 0) throw new Error(`kxdpgun exited with ${code}: ${output.trim().slice(-500)}`);
  const sent = count(output, 'total queries');
  const completed = count(output, 'total replies');
  const lost = Math.max(0, sent - completed);
  return { sent, completed, lost, lossPct: sent ? (100 * lost) / sent : 0, qps: completed / seconds };
}

// The servers the benchmark drives: rotor, a plain node:dgram echo (the ceiling
// for one Node.js process), and the reference servers — BIND, Knot DNS and NSD —
// each with one worker, on the same zone exported as a master file.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { makeQuery, udpExchange } from '../test/e2e/raw.js';
import { REPO } from '../test/e2e/harness.js';
import { freePort } from '../test/e2e/daemons.js';
import { pinTree } from './proc.js';

/** tsx by its location: rotor runs in a scratch directory (so no ./rotor.yaml is read), where `--import tsx` would not be found. */
export const TSX = import.meta.resolve('tsx');

export interface Running {
  name: string;
  port: number;
  /** The server's process (taskset execs it, so this is the server itself). */
  pid: number;
  stop(): Promise<void>;
}

/** Where servers listen unless a Launch says otherwise. */
export const LOOPBACK = '127.0.0.1';

export interface Launch {
  /** Where configuration, zone copies and logs go. */
  dir: string;
  /** The IPv4 address to listen on (default LOOPBACK). */
  host?: string;
  /** The CPU the server is pinned to, if any. */
  cpu?: number;
  /** How long start-up (zone loading) may take. */
  readyTimeoutMs?: number;
}

export function pinned(cpu: number | undefined, cmd: string, args: string[]): [string, string[]] {
  return cpu === undefined ? [cmd, args] : ['taskset', ['-c', String(cpu), cmd, ...args]];
}

function installed(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

/** Free for both UDP and TCP, for servers that cannot pick a port themselves (the lab tests' helper). */
export { freePort };

export function stopper(child: ChildProcess): () => Promise<void> {
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  };
}

/**
 * Resolves once the server answers a query for the zone's SOA: any reply will
 * do, or with `loaded`, only the SOA itself (a server that loads zones after
 * it listens, as Knot DNS does, answers SERVFAIL until then).
 */
export async function waitForAnswer(child: ChildProcess, name: string, host: string, port: number, zone: string, timeoutMs: number, output: () => string, loaded = false): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${name} exited before answering: ${output().trim().slice(-2000)}`);
    const reply = await udpExchange({ host, port }, makeQuery(zone, 6), 200);
    // RCODE in the low bits of octet 3, ANCOUNT at 6.
    if (reply && (!loaded || (reply.length >= 12 && (reply[3]! & 0x0f) === 0 && reply.readUInt16BE(6) > 0))) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  throw new Error(`${name} did not answer on port ${port} within ${timeoutMs} ms: ${output().trim().slice(-2000)}`);
}

async function start(name: string, cmd: string, args: string[], port: number, zones: string[], l: Launch, loaded: boolean): Promise<Running> {
  const [c, a] = pinned(l.cpu, cmd, args);
  const child = spawn(c, a, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  // Servers log little after start-up; keep the tail for error messages.
  const keep = (d: Buffer) => { output = (output + d.toString()).slice(-8000); };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  return answering(child, name, port, zones, l, () => output, stopper(child), loaded);
}

/** The server once it answers (with `loaded`, for each of `zones`); stopped if it does not. */
async function answering(child: ChildProcess, name: string, port: number, zones: string[], l: Launch, output: () => string, stop: () => Promise<void>, loaded = false): Promise<Running> {
  try {
    const deadline = Date.now() + (l.readyTimeoutMs ?? 20_000);
    for (const zone of zones) await waitForAnswer(child, name, l.host ?? LOOPBACK, port, zone, deadline - Date.now(), output, loaded);
  } catch (e) {
    await stop();
    throw e;
  }
  if (l.cpu !== undefined) await pinTree(child.pid!, l.cpu);
  return { name, port, pid: child.pid!, stop };
}

/**
 * A server bound to port 0, running once it answers for `zones`: the port is
 * read from the JSON line of its stdout that `isPortLine` picks. (A port found
 * free and bound later could be taken meanwhile by another test's server.)
 */
async function startOnPortZero(name: string, args: string[], zones: string[], l: Launch & { cwd?: string }, isPortLine: (line: string) => boolean): Promise<Running> {
  const [c, a] = pinned(l.cpu, process.execPath, args);
  const child = spawn(c, a, { cwd: l.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stderr!.on('data', (d: Buffer) => { output = (output + d.toString()).slice(-8000); });
  const stop = stopper(child);
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start listening: ${output}`)), l.readyTimeoutMs ?? 20_000);
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`${name} exited with ${code}: ${output}`)); });
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      output = (output + line + '\n').slice(-8000);
      if (!isPortLine(line)) return;
      clearTimeout(timer);
      resolve(Number((JSON.parse(line) as { port: number }).port));
    });
  }).catch(async (e: unknown) => {
    await stop();
    throw e;
  });
  return answering(child, name, port, zones, l, () => output, stop);
}

/** The echo: every datagram is sent back as it came. Nothing a DNS server could do costs less. */
export function startEcho(l: Launch): Promise<Running> {
  return startOnPortZero('echo', ['--import', TSX, join(REPO, 'bench', 'echo.ts'), '0', l.host ?? LOOPBACK], ['.'], l, () => true);
}

/** Node's options for rotor, as dist/cli.js's first line and `npm start` give them. */
export const ROTOR_NODE_ARGS = ['--max-semi-space-size=64'];

export interface RotorLaunch extends Launch {
  zonesDir: string;
  /** Run src/cli.ts through tsx instead of the build in dist/ (no `npm run build` needed). */
  fromSource?: boolean;
  /** Another build's dist/cli.js instead of this one's. */
  cli?: string;
  extraArgs?: string[];
  /** Options for node itself beyond ROTOR_NODE_ARGS, such as --cpu-prof. */
  nodeArgs?: string[];
  /** Label in the results. */
  label?: string;
}

/** rotor on port 0: the port is read from its 'listening' log line. */
export async function startRotor(zone: string, l: RotorLaunch): Promise<Running> {
  const cli = l.fromSource ? ['--import', TSX, join(REPO, 'src', 'cli.ts')] : [l.cli ?? join(REPO, 'dist', 'cli.js')];
  const args = [...ROTOR_NODE_ARGS, ...(l.nodeArgs ?? []), ...cli, 'serve', '--zones', l.zonesDir, '--listen', `${l.host ?? LOOPBACK}:0`, '--log-level', 'info', ...(l.extraArgs ?? [])];
  return startOnPortZero(l.label ?? 'rotor', args, [zone], { ...l, cwd: l.dir }, (line) => line.includes('"listening on UDP and TCP"'));
}

/** A zone a reference server serves, from a master file. */
export interface PeerZone {
  zone: string;
  file: string;
}

/** A reference server on master files; it is running once it answers for every zone. */
export interface Peer {
  name: string;
  /** The executable that must be installed. */
  binary: string;
  start(zones: PeerZone[], l: Launch & { label?: string }): Promise<Running>;
}

interface PeerConfig {
  name: string;
  binary: string;
  command: string;
  configFile: string;
  /** The configuration for one worker on host:port, with `dir` for its state. */
  config(dir: string, host: string, port: number, zones: PeerZone[]): string;
  /** Foreground, on that configuration. */
  args(configPath: string): string[];
}

const PEER_CONFIGS: PeerConfig[] = [
  {
    name: 'bind',
    binary: 'named',
    command: '/usr/sbin/named',
    configFile: 'named.conf',
    // Minimal responses and cyclic order: the same work rotor does.
    config: (dir, host, port, zones) => `options {
  directory "${dir}";
  pid-file "${dir}/named.pid";
  session-keyfile "${dir}/session.key";
  managed-keys-directory "${dir}";
  listen-on port ${port} { ${host}; };
  listen-on-v6 { none; };
  recursion no;
  dnssec-validation no;
  notify no;
  minimal-responses no-auth;
  rrset-order { order cyclic; };
};
controls { };
${zones.map((z) => `zone "${z.zone}" { type primary; file "${z.file}"; };\n`).join('')}`,
    args: (conf) => ['-g', '-n', '1', '-c', conf],
  },
  {
    name: 'knot',
    binary: 'knotd',
    command: 'knotd',
    configFile: 'knot.conf',
    config: (dir, host, port, zones) => `server:
    rundir: "${dir}"
    listen: ${host}@${port}
    udp-workers: 1
    tcp-workers: 1
    background-workers: 1
database:
    storage: "${dir}"
log:
  - target: stderr
    any: warning
zone:
${zones.map((z) => `  - domain: ${z.zone}
    file: "${z.file}"
    journal-content: none
    zonefile-sync: -1
`).join('')}`,
    args: (conf) => ['-c', conf],
  },
  {
    name: 'nsd',
    binary: 'nsd',
    command: 'nsd',
    configFile: 'nsd.conf',
    config: (dir, host, port, zones) => `server:
    ip-address: ${host}
    port: ${port}
    server-count: 1
    username: ""
    database: ""
    zonesdir: "${dir}"
    pidfile: "${dir}/nsd.pid"
    xfrdfile: "${dir}/xfrd.state"
    zonelistfile: "${dir}/zone.list"
    logfile: "${dir}/nsd.log"
    verbosity: 0
    # Response rate limiting would drop most of a benchmark's answers.
    rrl-ratelimit: 0
remote-control:
    control-enable: no
${zones.map((z) => `zone:
    name: ${z.zone}
    zonefile: "${z.file}"
`).join('')}`,
    args: (conf) => ['-d', '-c', conf],
  },
];

export const PEERS: Peer[] = PEER_CONFIGS.map((p) => ({
  name: p.name,
  binary: p.binary,
  async start(zones, l) {
    const port = await freePort();
    const name = l.label ?? p.name;
    const dir = join(l.dir, name);
    await mkdir(dir, { recursive: true });
    const conf = join(dir, p.configFile);
    await writeFile(conf, p.config(dir, l.host ?? LOOPBACK, port, zones));
    return start(name, p.command, p.args(conf), port, zones.map((z) => z.zone), l, true);
  },
}));

export function installedPeers(): { available: Peer[]; missing: Peer[] } {
  const available = PEERS.filter((p) => installed(p.binary) || installed(`/usr/sbin/${p.binary}`));
  return { available, missing: PEERS.filter((p) => !available.includes(p)) };
}

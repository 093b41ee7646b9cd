// Real BIND, Knot DNS and Unbound on 127.0.0.1 for the tests that need a peer: each on a
// free port with its own temporary directory, started in the foreground and
// stopped with the test.
import { spawn, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import { rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { join } from 'node:path';
import { tempDir } from './harness.js';
import { makeQuery, udpExchange } from './raw.js';

export interface Daemon {
  host: string;
  port: number;
  /** What it printed so far, for failure messages. */
  output(): string;
  stop(): Promise<void>;
}

/** What named, knotd and unbound print when they cannot bind their port. */
const PORT_TAKEN = /address already in use|unable to listen on any configured interfaces|EADDRINUSE/i;

/**
 * Runs `start` with `count` distinct ports that were free a moment ago, and again
 * with fresh ones when one of them was taken before the daemon bound it (by
 * another test's socket, or a dig's source port): the race of every daemon that
 * cannot listen on port 0 and report the port it got. `start` must stop what it
 * started before it throws.
 */
export async function onFreePorts<T>(count: number, start: (ports: number[]) => Promise<T>, attempts = 5): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const ports = new Set<number>();
    while (ports.size < count) ports.add(await freePort());
    try {
      return await start([...ports]);
    } catch (e) {
      if (attempt >= attempts || !PORT_TAKEN.test(String((e as Error).message))) throw e;
    }
  }
}

/** A port free for both UDP and TCP on 127.0.0.1 right now: use it through onFreePorts. */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const udp = dgram.createSocket('udp4');
    const port = await new Promise<number>((resolve) => udp.bind(0, '127.0.0.1', () => resolve(udp.address().port)));
    const tcp = net.createServer();
    const free = await new Promise<boolean>((resolve) => {
      tcp.once('error', () => resolve(false));
      tcp.listen(port, '127.0.0.1', () => resolve(true));
    });
    udp.close();
    if (free) {
      await new Promise((resolve) => tcp.close(resolve));
      return port;
    }
  }
  throw new Error('no port free for both UDP and TCP');
}

export async function startDaemon(command: string, args: string[], dir: string, port: number, probe: string): Promise<Daemon> {
  const child: ChildProcess = spawn(command, args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => { output += d.toString(); });
  child.stderr!.on('data', (d: Buffer) => { output += d.toString(); });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const daemon: Daemon = {
    host: '127.0.0.1',
    port,
    output: () => output,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
      await rm(dir, { recursive: true, force: true });
    },
  };
  // Ready once it answers anything at all; 100 probes of 100 ms at most.
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) break;
    if (await udpExchange({ host: '127.0.0.1', port }, makeQuery(probe, 6), 100)) return daemon;
  }
  await daemon.stop();
  throw new Error(`${command} did not start on port ${port}:\n${output}`);
}

/**
 * named.conf for a test: on 127.0.0.1 `port` only, no recursion, no control
 * channel; `body` holds the zones, `options` more lines for the options block.
 */
export function namedConfig(dir: string, port: number, body: string, options = ''): string {
  return `options {
  directory "${dir}";
  listen-on port ${port} { 127.0.0.1; };
  listen-on-v6 { none; };
  pid-file none;
  session-keyfile none;
  recursion no;
  dnssec-validation no;
  notify no;
${options}};
controls { };
${body}
`;
}

/** Writes each zone (origin → master file text) into `dir` as <origin>.zone. */
async function writeZones(dir: string, zones: Record<string, string>): Promise<void> {
  for (const [origin, text] of Object.entries(zones)) await writeFile(join(dir, `${origin}.zone`), text);
}

/** named serving `zones` (origin → master file text) authoritatively, without recursion; `options` as for namedConfig. */
export function startNamed(zones: Record<string, string>, options = ''): Promise<Daemon> {
  return onFreePorts(1, async ([port]) => {
    const dir = await tempDir();
    await writeZones(dir, zones);
    const conf = namedConfig(dir, port!, Object.keys(zones).map((o) => `zone "${o}" { type primary; file "${join(dir, `${o}.zone`)}"; };`).join('\n'), options);
    await writeFile(join(dir, 'named.conf'), conf);
    return startDaemon('named', ['-g', '-c', join(dir, 'named.conf')], dir, port!, Object.keys(zones)[0]!);
  });
}

/** knot.conf for a test: on 127.0.0.1 `port` only, its state in `dir`, logging to stderr; `body` holds the rest (keys, templates, zones). */
export function knotConfig(dir: string, port: number, body: string): string {
  return `server:
    listen: 127.0.0.1@${port}
    rundir: "${dir}"
log:
  - target: stderr
    any: info
database:
    storage: "${dir}"
${body}`;
}

/**
 * knot.conf sections that make rotor (on loopback at `rotorPort`) a Knot
 * secondary's primary: the TSIG key `keyId`, the remote `rotor` that uses it,
 * and the ACL `notify-from-rotor` that takes rotor's signed NOTIFY.
 */
export function knotRotorPrimary(rotorPort: number, keyId: string, secret: string): string {
  return `key:
  - id: ${keyId}
    algorithm: hmac-sha256
    secret: ${secret}
remote:
  - id: rotor
    address: 127.0.0.1@${rotorPort}
    key: ${keyId}
acl:
  - id: notify-from-rotor
    address: 127.0.0.1
    key: ${keyId}
    action: notify
`;
}

/** knotd serving `zones` (origin → master file text) as primary; `template` lines (4-space indented) join its zone template. */
export function startKnot(zones: Record<string, string>, template = ''): Promise<Daemon> {
  return onFreePorts(1, async ([port]) => {
    const dir = await tempDir();
    await writeZones(dir, zones);
    // Zone files are read from storage as <origin>.zone, and never written back.
    await writeFile(join(dir, 'knot.conf'), knotConfig(dir, port!, `template:
  - id: default
    storage: "${dir}"
    zonefile-sync: -1
    journal-content: none
${template}zone:
${Object.keys(zones).map((o) => `  - domain: ${o}`).join('\n')}
`));
    return startDaemon('knotd', ['-c', join(dir, 'knot.conf')], dir, port!, Object.keys(zones)[0]!);
  });
}

/**
 * unbound on `port` (from onFreePorts) with what a test run needs; `extra` is
 * appended (more server options, stub and forward zones). Without `validating`
 * it does no DNSSEC validation: the lab's zones are not signed and the root is
 * out of reach; with it, the trust anchors come in `extra`.
 */
export async function startUnbound(extra: string, port: number, validating = false): Promise<Daemon> {
  const dir = await tempDir();
  const conf = `server:
  interface: 127.0.0.1@${port}
  do-not-query-localhost: no
  username: ""
  chroot: ""
  directory: "${dir}"
  pidfile: ""
  use-syslog: no
  logfile: ""
  verbosity: 1
  module-config: "${validating ? 'validator iterator' : 'iterator'}"
${extra}
`;
  await writeFile(join(dir, 'unbound.conf'), conf);
  // Unbound answers for localhost. from its own default local zones, without asking anyone.
  return startDaemon('unbound', ['-d', '-c', join(dir, 'unbound.conf')], dir, port, 'localhost');
}

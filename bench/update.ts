// node --import tsx bench/update.ts [--clients N] [--updates M]: dynamic updates
// a second, rotor against BIND (named with update-policy), the same updates
// from the same nsupdate clients on loopback. Each of N clients sends M
// updates in turn (one A record added per update, each its own UPDATE
// message, signed), all clients at once; the figure is updates answered
// NOERROR a second, wall clock, and the serial is checked to have risen by
// N x M on each server (none lost).
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { promisify } from 'node:util';

const run = promisify(execFile);
const SECRET = 'cm90b3ItdGVzdC1rZXktbm90LWEtcmVhbC1zZWNyZXQ=';
const KEY = `hmac-sha256:up-key:${SECRET}`;
const ZONE = 'bench.example';

const { values: args } = parseArgs({ options: { clients: { type: 'string', default: '10' }, updates: { type: 'string', default: '100' } } });
const clients = Number(args.clients);
const updates = Number(args.updates);

const YAML = `'':
  - type: SOA
    value: {mname: ns1.${ZONE}., rname: hostmaster.${ZONE}., serial: 1, refresh: 3600, retry: 600, expire: 1209600, minimum: 300}
  - type: NS
    value: ns1.${ZONE}.
ns1:
  type: A
  value: 127.0.0.1
`;
const MASTER = `$TTL 300
@ IN SOA ns1 hostmaster 1 3600 600 1209600 300
  IN NS ns1
ns1 IN A 127.0.0.1
`;

async function serial(port: number): Promise<number> {
  const { stdout } = await run('dig', ['@127.0.0.1', '-p', String(port), ZONE, 'SOA', '+short', '+time=1', '+tries=1']).catch(() => ({ stdout: '' }));
  return Number(stdout.trim().split(' ')[2] ?? NaN);
}

async function waitUp(port: number, child: ChildProcess): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) throw new Error('the server exited');
    if (!Number.isNaN(await serial(port))) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`nothing answers on port ${port}`);
}

async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((res) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => res(port));
    });
  });
}

/** N clients at once, M updates each; updates a second, and whether every one landed. */
async function measure(port: number, dir: string): Promise<{ rate: number; seconds: number; lost: number }> {
  const before = await serial(port);
  const files = await Promise.all(Array.from({ length: clients }, async (_, c) => {
    const file = join(dir, `client-${c}`);
    const lines = [`server 127.0.0.1 ${port}`];
    for (let j = 0; j < updates; j++) lines.push(`zone ${ZONE}`, `update add c${c}-${j}.${ZONE}. 60 A 192.0.2.${j % 256}`, 'send');
    await writeFile(file, lines.join('\n') + '\n');
    return file;
  }));
  const started = process.hrtime.bigint();
  await Promise.all(files.map((f) => run('nsupdate', ['-y', KEY, f], { timeout: 600_000 })));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const total = clients * updates;
  return { rate: total / seconds, seconds, lost: total - ((await serial(port)) - before) };
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'rotor-update-bench-'));
  const children: ChildProcess[] = [];
  try {
    const results: [string, Awaited<ReturnType<typeof measure>>][] = [];
    // rotor, from the sources.
    await run('mkdir', ['-p', join(dir, 'rotor'), join(dir, 'named')]);
    await writeFile(join(dir, 'rotor', `${ZONE}.yaml`), YAML);
    await writeFile(join(dir, 'rotor.yaml'), `keys:\n  up-key: { algorithm: hmac-sha256, secret: "${SECRET}" }\nupdate-policy:\n  - { key: up-key, match: zone }\n`);
    const rotorPort = await freePort();
    const rotor = spawn(process.execPath, ['--import', 'tsx', resolve('src/cli.ts'), 'serve', '--zones', join(dir, 'rotor'), '--listen', `127.0.0.1:${rotorPort}`,
      '--config', join(dir, 'rotor.yaml'), '--log-level', 'warn'], { stdio: 'ignore' });
    children.push(rotor);
    await waitUp(rotorPort, rotor);
    results.push(['rotor (YAML file written back)', await measure(rotorPort, dir)]);
    // BIND: the journal, the zone file rewritten later.
    await writeFile(join(dir, 'named', `${ZONE}.db`), MASTER);
    const namedPort = await freePort();
    await writeFile(join(dir, 'named', 'named.conf'), `options { directory "${join(dir, 'named')}"; listen-on port ${namedPort} { 127.0.0.1; }; listen-on-v6 { none; }; recursion no; pid-file none; };
key "up-key" { algorithm hmac-sha256; secret "${SECRET}"; };
controls { };
zone "${ZONE}" { type primary; file "${ZONE}.db"; update-policy { grant up-key zonesub ANY; }; };
`);
    const named = spawn('named', ['-g', '-n', '1', '-c', join(dir, 'named', 'named.conf')], { stdio: 'ignore' });
    children.push(named);
    await waitUp(namedPort, named);
    results.push(['BIND named -n 1 (journal)', await measure(namedPort, dir)]);
    console.log(`${clients} clients x ${updates} updates (nsupdate -y, UDP), loopback`);
    console.log('server                           updates/s   seconds   lost');
    for (const [name, r] of results) console.log(`${name.padEnd(32)} ${r.rate.toFixed(1).padStart(9)} ${r.seconds.toFixed(1).padStart(9)} ${String(r.lost).padStart(6)}`);
  } finally {
    for (const c of children) c.kill('SIGTERM');
    await rm(dir, { recursive: true, force: true });
  }
}

await main();

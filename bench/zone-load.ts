// How long queries for one zone wait while another, large zone is loaded (issue
// 12: "loading a 1,000,000-record zone never delays answers for other zones by
// more than 10 ms at p99"). Starts `rotor serve` with one small zone, sends it a
// steady stream of UDP queries (one in flight at a time, 2 ms apart), drops a
// generated N-record zone into the directory and reports the latency of the
// queries answered while it loaded:
//   node --import tsx bench/zone-load.ts [--records 1000000] [--build]
// --build runs dist/cli.js (npm run build first) instead of the sources through tsx.
import { execFileSync, spawn } from 'node:child_process';
import dgram from 'node:dgram';
import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { quantile } from './dnsperf.js';

const REPO = join(import.meta.dirname, '..');
const { values } = parseArgs({ options: { records: { type: 'string', default: '1000000' }, build: { type: 'boolean' } }, strict: true });
const records = Number(values.records);

const staging = await mkdtemp(join(tmpdir(), 'rotor-zone-load-'));
const zones = await mkdtemp(join(tmpdir(), 'rotor-zone-load-zones-'));
await writeFile(join(zones, 'small.test.yaml'), "'':\n  - type: NS\n    value: ns.elsewhere.test.\nwww:\n  type: A\n  value: 192.0.2.1\n");
execFileSync(process.execPath, ['--import', 'tsx', join(REPO, 'scripts', 'gen-zone.ts'), '--records', String(records), '--out', staging, '--origin', 'big.test'], { stdio: 'inherit' });

const cli = values.build ? [join(REPO, 'dist', 'cli.js')] : ['--import', 'tsx', join(REPO, 'src', 'cli.ts')];
const child = spawn(process.execPath, [...cli, 'serve', '--zones', zones, '--listen', '127.0.0.1:0'], { cwd: REPO, stdio: ['ignore', 'pipe', 'inherit'] });
const lines: ((l: Record<string, unknown>) => void)[] = [];
let buffered = '';
child.stdout.on('data', (d: Buffer) => {
  buffered += d.toString();
  let nl: number;
  while ((nl = buffered.indexOf('\n')) >= 0) {
    const line = JSON.parse(buffered.slice(0, nl)) as Record<string, unknown>;
    buffered = buffered.slice(nl + 1);
    for (const l of lines) l(line);
  }
});
const logLine = (match: (l: Record<string, unknown>) => boolean) => new Promise<Record<string, unknown>>((resolve) => lines.push((l) => match(l) && resolve(l)));

const port = Number((await logLine((l) => l.msg === 'listening on UDP and TCP')).port);
// www.small.test A, id 1, no RD.
const query = Buffer.from('000100000001000000000000' + '03777777' + '05736d616c6c' + '0474657374' + '00' + '00010001', 'hex');
const socket = dgram.createSocket('udp4');
await new Promise<void>((r) => socket.bind(0, '127.0.0.1', () => r()));

const latencies: number[] = [];
let loading = true;
let lost = 0;
const stream = (async () => {
  while (loading) {
    const sent = performance.now();
    const answered = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => { socket.off('message', onReply); resolve(false); }, 5000);
      const onReply = () => { clearTimeout(timer); resolve(true); };
      socket.once('message', onReply);
      socket.send(query, port, '127.0.0.1');
    });
    if (answered) latencies.push(performance.now() - sent);
    else lost++;
    await new Promise((r) => setTimeout(r, 2));
  }
})();

const started = performance.now();
const loaded = logLine((l) => l.zone === 'big.test.' && (l.msg === 'zone loaded' || String(l.msg).startsWith('zone rejected')));
await rename(join(staging, 'big.test.zone'), join(zones, 'big.test.zone'));
const line = await loaded;
const seconds = (performance.now() - started) / 1000;
loading = false;
await stream;
socket.close();
child.kill('SIGTERM');
await rm(staging, { recursive: true, force: true });
await rm(zones, { recursive: true, force: true });

latencies.sort((a, b) => a - b);
const ms = (v: number) => `${v.toFixed(2)} ms`;
console.log(`${line.msg}: ${line.records ?? '?'} records in ${seconds.toFixed(1)} s (watch debounce included)`);
console.log(`queries for another zone meanwhile: ${latencies.length} answered, ${lost} lost; p50 ${ms(quantile(latencies, 0.5))}, p99 ${ms(quantile(latencies, 0.99))}, p99.9 ${ms(quantile(latencies, 0.999))}, max ${ms(latencies.at(-1) ?? NaN)}`);

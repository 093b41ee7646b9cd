// What serving one large zone costs `rotor serve`, beside named-checkzone on
// the same master file, in one run (issue 13: the zone adds at most 0.75 ×
// named-checkzone's maximum RSS; rotor answers no later than named-checkzone
// finishes, from YAML within twice that):
//   node --import tsx bench/serve-zone.ts [--records N] [--rounds N] [--compare CLI]
// For each round: `/usr/bin/time -f '%e %M' named-checkzone -q` on the master
// file of scripts/gen-zone.ts, then rotor serve (dist/cli.js: npm run build
// first) on a directory with one small zone, on one with that master file and
// on one with the same records as YAML: seconds until it answers the zone's
// SOA, the CPU time it used by then, and resident memory 5 s after it listens, read from /proc. The growth is
// taken against the small zone's server of the same round. --compare adds
// another build's dist/cli.js, measured the same way in the same rounds.
import { spawnSync } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { cpuSeconds, rssMiB } from './proc.js';
import { startRotor, TSX } from './servers.js';
import { REPO } from '../test/e2e/harness.js';

const { values } = parseArgs({
  options: { records: { type: 'string', default: '1000000' }, rounds: { type: 'string', default: '2' }, compare: { type: 'string' } },
  strict: true,
});
const ORIGIN = 'gen.example';
const SETTLE_MS = 5000;
const builds: [string, string][] = [['rotor', join(REPO, 'dist', 'cli.js')]];
if (values.compare) builds.push(['rotor@other', resolve(values.compare)]);

const dir = await mkdtemp(join(tmpdir(), 'rotor-serve-zone-'));
const gen = spawnSync(process.execPath, ['--import', TSX, join(REPO, 'scripts', 'gen-zone.ts'), '--records', values.records, '--out', join(dir, 'gen'), '--origin', ORIGIN], { encoding: 'utf8' });
if (gen.status !== 0) throw new Error(`gen-zone.ts failed: ${gen.stderr}`);
const masterFile = join(dir, 'gen', `${ORIGIN}.zone`);

/** A zones directory holding `file` (or only a small zone), named as rotor reads it. */
async function zonesWith(name: string, file?: string): Promise<string> {
  const zones = join(dir, name);
  await mkdir(zones, { recursive: true });
  if (file) await copyFile(file, join(zones, file.endsWith('.yaml') ? `${ORIGIN}.yaml` : `${ORIGIN}.zone`));
  else await writeFile(join(zones, 'small.example.yaml'), "'':\n  - type: NS\n    value: ns.elsewhere.example.\nwww: {type: A, value: 192.0.2.1}\n");
  return zones;
}
const dirs = { small: await zonesWith('small'), master: await zonesWith('master', masterFile), yaml: await zonesWith('yaml', join(dir, 'gen', `${ORIGIN}.yaml`)) };

/** Seconds until rotor answers, the CPU seconds it used by then (the figure a shared machine disturbs least), and its RSS once settled. */
async function serve(cli: string, zonesDir: string, zone: string): Promise<{ seconds: number; cpu: number; rss: number }> {
  const started = Date.now();
  const server = await startRotor(zone, { dir, zonesDir, cli, readyTimeoutMs: 600_000 });
  const seconds = (Date.now() - started) / 1000;
  const cpu = await cpuSeconds(server.pid);
  await new Promise((r) => setTimeout(r, SETTLE_MS));
  const rss = (await rssMiB(server.pid)) ?? NaN;
  await server.stop();
  return { seconds, cpu, rss };
}

const MiB = 2 ** 20;
const ratio = (a: number, b: number) => (a / b).toFixed(2);
for (let round = 1; round <= Number(values.rounds); round++) {
  const bind = spawnSync('/usr/bin/time', ['-f', '%e %U %S %M', 'named-checkzone', '-q', ORIGIN, masterFile], { encoding: 'utf8' });
  const [bindSeconds, bindUser, bindSystem, bindKb] = bind.stderr.trim().split('\n').at(-1)!.split(' ').map(Number) as [number, number, number, number];
  const bindCpu = bindUser + bindSystem;
  const bindMiB = (bindKb * 1024) / MiB;
  console.log(`round ${round}: named-checkzone ${bindSeconds.toFixed(2)} s (CPU ${bindCpu.toFixed(2)} s), maximum RSS ${bindMiB.toFixed(0)} MiB (exit ${bind.status})`);
  for (const [name, cli] of builds) {
    const small = await serve(cli, dirs.small, 'small.example');
    const master = await serve(cli, dirs.master, ORIGIN);
    const yaml = await serve(cli, dirs.yaml, ORIGIN);
    const grown = master.rss - small.rss;
    console.log(
      `  ${name.padEnd(11)} small zone ${small.rss.toFixed(0)} MiB; master file: answering after ${master.seconds.toFixed(1)} s (${ratio(master.seconds, bindSeconds)} × named-checkzone), ` +
        `CPU ${master.cpu.toFixed(1)} s (${ratio(master.cpu, bindCpu)} ×), ${master.rss.toFixed(0)} MiB, the zone adds ${grown.toFixed(0)} MiB (${ratio(grown, bindMiB)} × named-checkzone); ` +
        `YAML: answering after ${yaml.seconds.toFixed(1)} s (${ratio(yaml.seconds, bindSeconds)} ×), CPU ${yaml.cpu.toFixed(1)} s (${ratio(yaml.cpu, bindCpu)} ×), ${yaml.rss.toFixed(0)} MiB`,
    );
  }
}
await rm(dir, { recursive: true, force: true });

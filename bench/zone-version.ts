// Zone files loaded into ZoneVersions the way the loader thread will do it —
// read, parsed and built on a worker thread (loadZoneVersion: a master file's
// records streamed into the builder), handed over as transferred buffers, the
// worker ended — beside named-checkzone on the same master file, in one run
// (issue 13: RSS growth at most 0.75 × named-checkzone's maximum RSS, load
// time at most named-checkzone's, YAML at most twice that):
//   node --expose-gc --import tsx bench/zone-version.ts [DIR] [ORIGIN]
// DIR holds ORIGIN.zone and ORIGIN.yaml with the same records, as
// `node --import tsx scripts/gen-zone.ts --records 1000000 --out /tmp/z1m`
// makes them (the defaults). Also times lookups, diff() against a copy with
// 1 % of the addresses changed, and apply() of that changeset.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { Name } from '../src/wire/name.js';
import { apply, diff } from '../src/zone/changeset.js';
import { VersionBuilder } from '../src/zone/version-builder.js';
import { ZoneVersion, type VersionHandOver } from '../src/zone/version.js';

const dir = process.argv[2] ?? '/tmp/z1m';
const originText = process.argv[3] ?? 'gen.example';
const origin = Name.parse(originText + '.');
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc');
const MB = 2 ** 20;
const rss = () => {
  gc();
  return process.memoryUsage().rss;
};

// What the loader thread will do: read, parse and build (loadZoneVersion, as rotor check does), hand over.
const WORKER = `
const tsx = await import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))});
tsx.register();
const { parentPort, workerData } = await import('node:worker_threads');
const { loadZoneVersion } = await import(${JSON.stringify(new URL('../src/zone/load.ts', import.meta.url).href)});
const { zone } = await loadZoneVersion(workerData.file, { defaultTtl: 3600 });
const { message, transfer } = zone.handOver();
parentPort.postMessage(message, transfer);
`;

async function load(file: string): Promise<{ version: ZoneVersion; ms: number }> {
  const started = performance.now();
  const w = new Worker(WORKER, { eval: true, workerData: { file } });
  const reply = await new Promise<VersionHandOver['message']>((resolve, reject) => {
    w.once('message', resolve);
    w.once('error', reject);
  });
  const version = ZoneVersion.receive(reply);
  const ms = performance.now() - started;
  await w.terminate();
  return { version, ms };
}

const zoneFile = join(dir, `${originText}.zone`);
// named-checkzone first, so that its run does not share the machine with ours.
const bind = spawnSync('/usr/bin/time', ['-v', 'named-checkzone', originText, zoneFile], { encoding: 'utf8' });
const field = (name: string) => /: (.*)$/.exec(bind.stderr.split('\n').find((l) => l.includes(name)) ?? '')?.[1] ?? '?';
const bindRss = Number(field('Maximum resident set size')) * 1024;
const [m, s] = field('Elapsed (wall clock)').split(':').map(Number);
const bindSeconds = m! * 60 + s!;

const base = rss();
const master = await load(zoneFile);
const peak = process.resourceUsage().maxRSS * 1024;
const settled = rss();
const { version } = master;
const yaml = await load(join(dir, `${originText}.yaml`));
const same = yaml.version.byteLength === version.byteLength && diff(version, yaml.version).added.length === 0;

// The same zone with every 100th address changed and the serial moved on.
const edited = new VersionBuilder(origin, zoneFile, { serial: 2, ttl: 3600 });
let i = 0;
for (const r of version.records()) {
  let rdata = r.rdata;
  if (r.type === 6) {
    rdata = Buffer.from(r.rdata);
    rdata.writeUInt32BE(2, rdata.length - 20);
  } else if (r.type === 1 && i++ % 100 === 0) {
    rdata = Buffer.from([198, 51, 100, i & 255]);
  }
  edited.add({ ...r, rdata }, { file: zoneFile, line: 0, col: 0 });
}
const next = edited.finish().version;
let t = performance.now();
const change = diff(version, next);
const diffMs = performance.now() - t;
t = performance.now();
apply(version, change);
const applyMs = performance.now() - t;

// Lookups as the answer step will make them: names that exist and names that do not, from Names made beforehand.
const probes = Array.from({ length: 100_000 }, (_, k) => Name.parse(`${k % 2 ? 'h' : 'nx'}${(k * 7919) % 300_000}.${originText}.`));
t = performance.now();
let found = 0;
for (const name of probes) if (version.lookup(name).node >= 0) found++;
const lookupNs = ((performance.now() - t) * 1e6) / probes.length;

const mb = (b: number) => `${(b / MB).toFixed(0)} MB`;
const sec = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
console.log(`named-checkzone ${originText} ${zoneFile}: max RSS ${mb(bindRss)}, ${bindSeconds.toFixed(2)} s (exit ${bind.status})`);
console.log(`version: ${version.recordCount} records, ${version.nodeCount} nodes, ${mb(version.byteLength)} of columns (${(version.byteLength / version.recordCount).toFixed(0)} bytes a record)`);
console.log(`master file: ${sec(master.ms)} to a version on this thread (${(master.ms / 1000 / bindSeconds).toFixed(2)} × named-checkzone)`);
console.log(`RSS growth once the loader thread ended: ${mb(settled - base)} (${((settled - base) / bindRss).toFixed(2)} × named-checkzone's maximum); peak while loading ${mb(peak - base)}`);
console.log(`YAML: ${sec(yaml.ms)} (${(yaml.ms / 1000 / bindSeconds).toFixed(2)} × named-checkzone), ${same ? 'the same version' : 'A DIFFERENT VERSION'}`);
console.log(`lookup(): ${lookupNs.toFixed(0)} ns a name (${found} of ${probes.length} found)`);
console.log(`diff against 1 % of the addresses changed: ${diffMs.toFixed(0)} ms (${change.removed.length + change.added.length} octets); apply: ${applyMs.toFixed(0)} ms`);

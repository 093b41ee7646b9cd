// The benchmark's data: a mail zone as rotor reads it (YAML), the same zone
// as a master file for BIND, Knot DNS and NSD (exported by rotor's own
// toMasterFile from the loaded YAML, so both hold the same records), and the
// query mix dnsperf replays.
import { spawn } from 'node:child_process';
import { copyFile, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { REPO } from '../test/e2e/harness.js';
import { TSX } from './servers.js';
import { toMasterFile } from '../src/zone/export.js';
import { loadZoneFile } from '../src/zone/load.js';

export const ZONE = 'bench.example';
/** The zone of --load's million records, beside ZONE. */
const BIG_ZONE = 'big.example';

/** Four equal gateways and a backup, as in the story; two addresses each, so they rotate. */
function zoneYaml(fillerHosts: number): string {
  const lines = [
    "'':",
    '  - type: SOA',
    `    value: {mname: ns1.${ZONE}., rname: hostmaster.${ZONE}., serial: 1, refresh: 3600, retry: 600, expire: 1209600, minimum: 300}`,
    '  - type: NS',
    `    values: [ns1.${ZONE}., ns2.${ZONE}.]`,
    '  - type: MX',
    '    ttl: 300',
    '    values:',
    ...[1, 2, 3, 4].map((i) => `      - {exchange: mx${i}.${ZONE}., preference: 10}`),
    `      - {exchange: backup-mx.${ZONE}., preference: 50}`,
    '  - type: TXT',
    '    value: v=spf1 mx -all',
    'ns1: {type: A, value: 192.0.2.53}',
    'ns2: {type: A, value: 198.51.100.53}',
    ...[1, 2, 3, 4].map((i) => `mx${i}: {type: A, ttl: 300, values: [192.0.2.${i}1, 192.0.2.${i}2]}`),
    'backup-mx: {type: A, value: 198.51.100.25}',
    "'*.users': {type: A, value: 192.0.2.200}",
    // A delegation with glue: queries below it are answered with a referral.
    `sub: {type: NS, values: [ns1.sub.${ZONE}., ns2.sub.${ZONE}.]}`,
    'ns1.sub: {type: A, value: 192.0.2.153}',
    'ns2.sub: {type: A, value: 192.0.2.154}',
  ];
  for (let i = 0; i < fillerHosts; i++) lines.push(`host${i}: {type: A, value: 10.0.${i >> 8 & 255}.${i & 255}}`);
  return lines.join('\n') + '\n';
}

/**
 * The query mix, in equal parts: MX at the apex, A of the gateways, NXDOMAIN,
 * NODATA, a wildcard, a referral. Each kind comes in four names, interleaved.
 */
export function queryMix(): string[] {
  const out: string[] = [];
  for (let i = 1; i <= 4; i++) {
    out.push(
      `${ZONE} MX`,
      `mx${i}.${ZONE} A`,
      `nothing-${i}.${ZONE} A`,
      `mx${i}.${ZONE} TXT`,
      `user${i}.users.${ZONE} A`,
      `www${i}.sub.${ZONE} A`,
    );
  }
  return out;
}

export interface BenchData {
  /** Directory holding bench.example.yaml: rotor's --zones. */
  zonesDir: string;
  /** The same zone as an RFC 1035 master file. */
  masterFile: string;
  queryFile: string;
  records: number;
}

export async function writeBenchData(dir: string, fillerHosts = 100): Promise<BenchData> {
  const zonesDir = join(dir, 'zones');
  await mkdir(zonesDir, { recursive: true });
  const yamlFile = join(zonesDir, `${ZONE}.yaml`);
  await writeFile(yamlFile, zoneYaml(fillerHosts));
  const { zone } = await loadZoneFile(yamlFile, { defaultTtl: 3600 });
  const masterFile = join(dir, `${ZONE}.zone`);
  await writeFile(masterFile, toMasterFile(zone));
  const queryFile = join(dir, 'queries.txt');
  await writeFile(queryFile, queryMix().join('\n') + '\n');
  return { zonesDir, masterFile, queryFile, records: zone.recordCount };
}

/** The zones directory of writeBigZones, and its big zone's name and master file. */
export interface BigZones {
  zonesDir: string;
  zone: string;
  file: string;
}

/**
 * A zones directory with the mail zone of `small` and, beside it, a zone of
 * `records` records written by scripts/gen-zone.ts (the loader benchmark's generator).
 */
export async function writeBigZones(dir: string, records: number, small: BenchData): Promise<BigZones> {
  const zonesDir = join(dir, 'zones-big');
  const scratch = join(dir, 'gen');
  await mkdir(zonesDir, { recursive: true });
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', TSX, join(REPO, 'scripts', 'gen-zone.ts'), '--records', String(records), '--out', scratch, '--origin', BIG_ZONE], { stdio: 'ignore' });
    child.once('error', reject);
    child.once('exit', resolve);
  });
  if (code !== 0) throw new Error(`scripts/gen-zone.ts exited with ${code}`);
  await rename(join(scratch, `${BIG_ZONE}.zone`), join(zonesDir, `${BIG_ZONE}.zone`));
  await rm(scratch, { recursive: true, force: true });
  await copyFile(join(small.zonesDir, `${ZONE}.yaml`), join(zonesDir, `${ZONE}.yaml`));
  return { zonesDir, zone: BIG_ZONE, file: join(zonesDir, `${BIG_ZONE}.zone`) };
}

// Writes one synthetic zone twice, as DIR/<origin>.zone and DIR/<origin>.yaml,
// holding the same records, for measuring the two loaders against each other
// and against named-checkzone:
//   node --import tsx scripts/gen-zone.ts --records 1000000 --out DIR [--origin gen.example]
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    records: { type: 'string', default: '1000000' },
    out: { type: 'string' },
    origin: { type: 'string', default: 'gen.example' },
  },
  strict: true,
});
const total = Number(values.records);
if (!Number.isInteger(total) || total < 10 || !values.out) {
  console.error('usage: gen-zone.ts --records N (at least 10) --out DIR [--origin NAME]');
  process.exit(2);
}
const origin = values.origin.replace(/\.$/, '');
const DEFAULT_TTL = 3600; // rotor's default-ttl, so YAML records without "ttl" get what $TTL gives

interface Rec { type: string; ttl?: number; zone: string; yaml: string }

/** The records of host i: mostly A, AAAA, MX, TXT and CNAME, some with their own TTL. */
function host(i: number): [string, Rec[]][] {
  const a = `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
  const recs: Rec[] = [{ type: 'A', ttl: i % 4 === 0 ? 300 : undefined, zone: a, yaml: a }];
  if (i % 2 === 0) {
    const v6 = `2001:db8:${(i >> 16).toString(16)}:${(i & 0xffff).toString(16)}::1`;
    recs.push({ type: 'AAAA', zone: v6, yaml: v6 });
  }
  if (i % 5 === 0) {
    const mx = `mx${i % 10}.${origin}.`;
    recs.push({ type: 'MX', zone: `10 ${mx}`, yaml: `{ exchange: ${mx}, preference: 10 }` });
  }
  if (i % 3 === 0) recs.push({ type: 'TXT', zone: `"v=spf1 ip4:${a} -all" "id=${i}"`, yaml: `['v=spf1 ip4:${a} -all', 'id=${i}']` });
  return [[`h${i}`, recs], [`w${i}`, [{ type: 'CNAME', zone: `h${i}`, yaml: `h${i}.${origin}.` }]]];
}

function write(s: WriteStream, text: string): Promise<void> | undefined {
  return s.write(text) ? undefined : new Promise((done) => s.once('drain', done));
}

async function main(): Promise<void> {
  await mkdir(values.out!, { recursive: true });
  const zone = createWriteStream(join(values.out!, `${origin}.zone`));
  const yaml = createWriteStream(join(values.out!, `${origin}.yaml`));
  zone.write(`$ORIGIN ${origin}.\n$TTL ${DEFAULT_TTL}\n@ IN SOA ns1 hostmaster 1 3600 600 1209600 300\n  IN NS ns1\n  IN NS ns2\n`);
  yaml.write(`'':\n  - type: SOA\n    value: { mname: ns1.${origin}., rname: hostmaster.${origin}., serial: 1, refresh: 3600, retry: 600, expire: 1209600, minimum: 300 }\n`);
  yaml.write(`  - type: NS\n    values: [ns1.${origin}., ns2.${origin}.]\n`);
  let count = 3;
  const fixed: [string, Rec[]][] = [['ns1', []], ['ns2', []]];
  for (let m = 0; m < 10; m++) fixed.push([`mx${m}`, []]);
  fixed.forEach(([, recs], k) => recs.push({ type: 'A', zone: `192.0.2.${k + 1}`, yaml: `192.0.2.${k + 1}` }));
  count += fixed.length;
  let zoneText = '';
  let yamlText = '';
  const emit = async (owner: string, recs: Rec[]) => {
    recs.forEach((r, k) => {
      zoneText += `${k === 0 ? owner : ''}\t${r.ttl ?? ''}\tIN ${r.type}\t${r.zone}\n`;
    });
    yamlText += `${owner}:\n`;
    for (const r of recs) yamlText += `  - type: ${r.type}\n${r.ttl ? `    ttl: ${r.ttl}\n` : ''}    value: ${r.yaml}\n`;
    if (zoneText.length > 1 << 20) {
      await Promise.all([write(zone, zoneText), write(yaml, yamlText)]);
      zoneText = yamlText = '';
    }
  };
  for (const [owner, recs] of fixed) await emit(owner, recs);
  for (let i = 0; count < total; i++) {
    for (const [owner, recs] of host(i)) {
      const take = recs.slice(0, total - count);
      if (take.length === 0) break;
      count += take.length;
      await emit(owner, take);
    }
  }
  zone.end(zoneText);
  yaml.end(yamlText);
  await Promise.all([zone, yaml].map((s) => new Promise<void>((done) => s.once('close', () => done()))));
  console.log(`${count} records in ${join(values.out!, origin)}.{zone,yaml}`);
}

await main();

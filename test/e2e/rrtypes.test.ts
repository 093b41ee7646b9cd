// Every record type of issue 14 on the wire, judged by BIND: one zone holding
// them all (test/fixtures/rrtypes), as a master file and as YAML, served by rotor
// and by a real named from the master file; every RRset must come back with the
// same bytes. dig's +unknownformat prints the data as RFC 3597 hex, so equal
// text is equal wire data. `rotor convert` must round-trip the zone both ways,
// and named-checkzone must accept what it writes.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFile, mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { REPO, runCli, startRotor, tempDir, type Rotor } from './harness.js';
import { startNamed, type Daemon } from './daemons.js';

const exec = promisify(execFile);
const ORIGIN = 'types.example.';
const DIR = join(REPO, 'test', 'fixtures', 'rrtypes');
const ZONE = join(DIR, 'types.example.zone');
const YAML = join(DIR, 'types.example.yaml');

/** The answer section in RFC 3597 form, one sorted line per record: name, TTL, class, type, \# length hex. */
async function rrset(server: { host: string; port: number }, name: string, type: string): Promise<string[]> {
  return dig(server, name, type);
}

async function dig(server: { host: string; port: number }, name: string, type: string): Promise<string[]> {
  const { stdout } = await exec('dig', [
    `@${server.host}`, '-p', String(server.port), name, type, '+norec', '+time=2', '+tries=1', '+nocookie',
    '+noall', '+answer', '+unknownformat', '+tcp',
  ], { timeout: 10_000 });
  return stdout.split('\n').filter((l) => l.trim()).map((l) => l.split(/\s+/).join(' ')).sort();
}

/** The zone as named-checkzone reads it: canonical text, one sorted line per record. */
async function canonical(file: string): Promise<string[]> {
  const { stdout } = await exec('named-checkzone', ['-q', '-i', 'local', '-D', '-o', '-', ORIGIN, file]);
  // Comments (BIND's "; resign=" after an RRSIG) are not records.
  return stdout.split('\n').filter((l) => l.trim() && !l.startsWith(';')).map((l) => l.split(/\s+/).join(' ')).sort();
}

describe('every record type: rotor serves the same bytes as named', () => {
  let work: string;
  let named: Daemon;
  let fromZone: Rotor;
  let fromYaml: Rotor;
  /** Owner and type of every RRset, from named-checkzone's reading of the master file. */
  let rrsets: [string, string][];
  /** named's zone transfer, in RFC 3597 form. */
  let transfer: string[];

  before(async () => {
    work = await tempDir();
    const [zoneDir, yamlDir] = ['zone', 'yaml'].map((d) => join(work, d)) as [string, string];
    for (const d of [zoneDir, yamlDir]) await mkdir(d);
    await copyFile(ZONE, join(zoneDir, 'types.example.zone'));
    await copyFile(YAML, join(yamlDir, 'types.example.yaml'));
    [named, fromZone, fromYaml] = await Promise.all([
      startNamed({ [ORIGIN]: await readFile(ZONE, 'utf8') }),
      startRotor(zoneDir),
      startRotor(yamlDir),
    ]);
    const pairs = new Set((await canonical(ZONE)).map((l) => { const f = l.split(' '); return `${f[0]} ${f[3]}`; }));
    rrsets = [...pairs].map((p) => p.split(' ') as [string, string]);
    transfer = await dig(named, ORIGIN, 'AXFR');
  });

  after(async () => {
    await Promise.all([named?.stop(), fromZone?.stop(), fromYaml?.stop()]);
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('the zone holds every type of the issue', () => {
    const types = new Set(rrsets.map(([, t]) => t));
    for (const t of ['A', 'AAAA', 'NS', 'CNAME', 'DNAME', 'SOA', 'PTR', 'MX', 'TXT', 'SPF', 'HINFO', 'RP', 'AFSDB', 'SRV', 'NAPTR', 'CERT', 'DS',
      'SSHFP', 'IPSECKEY', 'RRSIG', 'NSEC', 'DNSKEY', 'NSEC3', 'NSEC3PARAM', 'TLSA', 'SMIMEA', 'CDS', 'CDNSKEY', 'OPENPGPKEY', 'CSYNC', 'ZONEMD',
      'SVCB', 'HTTPS', 'URI', 'CAA', 'LOC', 'EUI48', 'EUI64']) {
      assert.ok(types.has(t), `no ${t} in the zone`);
    }
  });

  it('every RRset, from the master file and from YAML, is byte-equal to named\'s', async () => {
    const differences: string[] = [];
    for (const [name, type] of rrsets) {
      // Names below the delegation are referrals, not answers: the data compared is the parent's.
      if (name.endsWith(`.sub.${ORIGIN}`) || (name === `sub.${ORIGIN}` && type === 'NS')) continue;
      // named keeps NSEC3 records apart from the zone's names and answers no query for them: its transfer holds them.
      const want = type === 'NSEC3'
        ? transfer.filter((l) => l.startsWith(`${name} `) && l.split(' ')[3] === 'TYPE50')
        : await rrset(named, name, type);
      const [zone, yaml] = await Promise.all([rrset(fromZone, name, type), rrset(fromYaml, name, type)]);
      assert.ok(want.length > 0, `named gave no ${name} ${type}`);
      if (zone.join('\n') !== want.join('\n')) differences.push(`${name} ${type} from the master file:\n  ${zone.join('\n  ')}\nnamed:\n  ${want.join('\n  ')}`);
      if (yaml.join('\n') !== want.join('\n')) differences.push(`${name} ${type} from YAML:\n  ${yaml.join('\n  ')}\nnamed:\n  ${want.join('\n  ')}`);
    }
    assert.deepEqual(differences, []);
  });
});

describe('every record type: rotor convert round trips, and named-checkzone accepts its export', () => {
  it('master file → YAML → master file, and YAML → master file → YAML', async () => {
    const dir = await tempDir();
    try {
      const run = async (from: string, to: string, format: string) => {
        const r = await runCli(['convert', from, '--to', format, '-o', to]);
        assert.equal(r.code, 0, r.stderr);
      };
      // The origin comes from the file name: one directory each.
      const [yaml, zone, yaml2] = ['a', 'b', 'c'].map((d, i) => join(dir, d, `types.example.${i === 1 ? 'zone' : 'yaml'}`)) as [string, string, string];
      for (const d of ['a', 'b', 'c']) await mkdir(join(dir, d));
      await run(ZONE, yaml, 'yaml');
      await run(yaml, zone, 'zone');
      assert.deepEqual(await canonical(zone), await canonical(ZONE));
      await run(YAML, zone, 'zone');
      assert.deepEqual(await canonical(zone), await canonical(ZONE), 'the YAML fixture is the master file\'s zone');
      await run(zone, yaml2, 'yaml');
      const strip = (t: string) => t.replace(/^#.*\n/gm, '');
      assert.equal(strip(await readFile(yaml2, 'utf8')), strip(await readFile(YAML, 'utf8')));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

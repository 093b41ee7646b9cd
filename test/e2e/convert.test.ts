// rotor convert as a user runs it, judged by BIND: a zone in BIND's own format
// (test/fixtures/masterfile) is converted to YAML and served by rotor beside a
// real named serving the original, and both must give the same answers. What
// `--to zone` writes must pass named-checkzone.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { asSet, query, REPO, runCli, startRotor, tempDir, type DigResult, type Rotor } from './harness.js';
import { onFreePorts, startDaemon, type Daemon } from './daemons.js';

const exec = promisify(execFile);
const FIXTURES = join(REPO, 'test', 'fixtures', 'masterfile');
const ZONE_FILE = join('test', 'fixtures', 'masterfile', 'legacy.example.zone');
const INCLUDED = 'legacy.example.hosts';
const ORIGIN = 'legacy.example.';

/**
 * A real named serving the fixture `zoneFile` (which includes `included`) as
 * `origin`, from a directory of its own that it removes when it stops. Minimal
 * responses, as rotor gives: no NS set in the authority section of answers.
 */
function startNamed(origin: string, zoneFile: string, included: string): Promise<Daemon> {
  return onFreePorts(1, async ([port]) => {
    const dir = await tempDir();
    for (const f of [zoneFile, included]) await copyFile(join(FIXTURES, f), join(dir, f));
    const conf = join(dir, 'named.conf');
    await writeFile(conf, `options {
  directory "${dir}";
  pid-file none;
  session-keyfile none;
  listen-on port ${port} { 127.0.0.1; };
  listen-on-v6 { none; };
  recursion no;
  dnssec-validation no;
  notify no;
  minimal-responses yes;
};
controls { };
zone "${origin}" { type primary; file "${zoneFile}"; };
`);
    return startDaemon('named', ['-g', '-n', '1', '-c', conf], dir, port!, origin);
  });
}

/** What two servers must agree on: rcode, and each section with TTLs. */
function comparable(r: DigResult, withAdditional: boolean) {
  const withTtl = (rs: DigResult['answer']) => rs.map((x) => `${x.name} ${x.ttl} ${x.type} ${x.data}`).sort();
  return {
    status: r.status,
    answer: asSet(r.answer),
    answerTtls: withTtl(r.answer),
    authority: withTtl(r.authority),
    ...(withAdditional ? { additional: withTtl(r.additional) } : {}),
  };
}

describe('rotor convert: a BIND zone file, converted, answers as named does', () => {
  let work: string;
  let named: Daemon;
  let fromYaml: Rotor;
  let fromZone: Rotor;
  let converted: { code: number; stderr: string; yaml: string };
  /** Every owner and type named holds, from a zone transfer: independent of rotor's parser. */
  let transferred: [string, string][];

  before(async () => {
    work = await tempDir();
    // Each server its own directory (named makes its own).
    const [zoneDir, yamlDir] = ['zone', 'yaml'].map((d) => join(work, d)) as [string, string];
    for (const dir of [zoneDir, yamlDir]) await mkdir(dir);
    for (const f of ['legacy.example.zone', INCLUDED]) await copyFile(join(FIXTURES, f), join(zoneDir, f));
    const out = join(yamlDir, 'legacy.example.yaml');
    const r = await runCli(['convert', ZONE_FILE, '-o', out]);
    converted = { code: r.code, stderr: r.stderr, yaml: await readFile(out, 'utf8') };
    [named, fromYaml, fromZone] = await Promise.all([
      startNamed(ORIGIN, 'legacy.example.zone', INCLUDED),
      startRotor(yamlDir),
      startRotor(zoneDir),
    ]);
    const { stdout } = await exec('dig', [`@${named.host}`, '-p', String(named.port), ORIGIN, 'AXFR', '+nocmd', '+nostats', '+nocomments']);
    const pairs = new Set<string>();
    for (const line of stdout.split('\n')) {
      const [name, , , type] = line.trim().split(/\s+/);
      if (name && type && !line.startsWith(';')) pairs.add(`${name.toLowerCase()} ${type}`);
    }
    transferred = [...pairs].map((p) => p.split(' ') as [string, string]);
  });

  after(async () => {
    await Promise.all([named?.stop(), fromYaml?.stop(), fromZone?.stop()]);
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('reports the RFC 3597 records that YAML cannot hold, at their lines, and exits 1', () => {
    assert.equal(converted.code, 1);
    assert.deepEqual(converted.stderr.trim().split('\n'), [
      `${ZONE_FILE}:32:1: warning: TYPE65534 record at gen.legacy.example. not converted: YAML zones have no syntax for RFC 3597 data`,
      `${ZONE_FILE}:34:1: warning: TYPE65280 record at empty.legacy.example. not converted: YAML zones have no syntax for RFC 3597 data`,
    ]);
    assert.match(converted.yaml, /^'':\n {2}- type: SOA\n/);
  });

  it('the zone transfer from named holds every owner and type of the fixture', () => {
    const types = new Set(transferred.map(([, t]) => t));
    for (const t of ['SOA', 'NS', 'MX', 'TXT', 'SPF', 'CAA', 'A', 'AAAA', 'CNAME', 'SRV', 'PTR', 'HINFO', 'TYPE65534', 'TYPE65280']) {
      assert.ok(types.has(t), `no ${t} in the transfer`);
    }
    assert.ok(transferred.length >= 30, `only ${transferred.length} owner/type pairs`);
  });

  const extra: [string, string, string][] = [
    ['a name that does not exist (NXDOMAIN)', `nope.${ORIGIN}`, 'A'],
    ['a type a name does not have (NODATA)', `ns1.${ORIGIN}`, 'MX'],
    ['an empty non-terminal', `dept.${ORIGIN}`, 'A'],
    ['an empty non-terminal above an SRV', `_tcp.${ORIGIN}`, 'SRV'],
    ['a wildcard match', `anything.wild.${ORIGIN}`, 'TXT'],
    ['a wildcard match two labels down', `a.b.wild.${ORIGIN}`, 'TXT'],
    ['a wildcard NODATA', `anything.wild.${ORIGIN}`, 'A'],
    ['a name below the delegation', `host.sub.${ORIGIN}`, 'A'],
    ['a CNAME followed to the apex', `www.${ORIGIN}`, 'A'],
    ['a chain of two CNAMEs', `ftp.${ORIGIN}`, 'MX'],
    ['an owner with an escaped dot', `a\\.dot.${ORIGIN}`, 'TXT'],
    ['a case-insensitive match', `PC1.HOSTS.${ORIGIN}`, 'AAAA'],
  ];

  it('every owner and type named transfers is answered alike by rotor serving the converted YAML', async () => {
    const unconverted = new Set(['gen.legacy.example. TYPE65534', 'empty.legacy.example. TYPE65280']);
    for (const [name, type] of transferred) {
      if (unconverted.has(`${name} ${type}`)) continue;
      const referral = name.endsWith(`sub.${ORIGIN}`);
      const [want, got] = await Promise.all([query(named, name, type), query(fromYaml, name, type)]);
      assert.deepEqual(comparable(got, referral), comparable(want, referral), `${name} ${type}`);
    }
  });

  it('rotor serving the .zone file itself answers alike too, RFC 3597 records included', async () => {
    for (const [name, type] of transferred) {
      const referral = name.endsWith(`sub.${ORIGIN}`);
      const [want, got] = await Promise.all([query(named, name, type), query(fromZone, name, type)]);
      assert.deepEqual(comparable(got, referral), comparable(want, referral), `${name} ${type}`);
    }
  });

  for (const [what, name, type] of extra) {
    it(`${what}: ${name} ${type}`, async () => {
      const referral = what.includes('delegation');
      const [want, got, direct] = await Promise.all([query(named, name, type), query(fromYaml, name, type), query(fromZone, name, type)]);
      assert.deepEqual(comparable(got, referral), comparable(want, referral));
      assert.deepEqual(comparable(direct, referral), comparable(want, referral));
    });
  }
});

describe('rotor convert --to zone writes what named-checkzone accepts', () => {
  for (const [file, origin] of [['zones/corp.example.yaml', 'corp.example.'], [ZONE_FILE, ORIGIN]] as const) {
    it(file, async () => {
      const dir = await tempDir();
      try {
        const out = join(dir, 'out.zone');
        const r = await runCli(['convert', file, '--to', 'zone', '-o', out]);
        assert.equal(r.code, 0, r.stderr);
        await exec('named-checkzone', [origin, out]).catch((e: { stdout: string; stderr: string }) => {
          assert.fail(`named-checkzone rejected it:\n${e.stdout}${e.stderr}\n${r.stdout}`);
        });
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });
  }
});

describe('rotor convert on the command line', () => {
  it('writes a YAML zone as a master file on stdout by default', async () => {
    const r = await runCli(['convert', 'zones/corp.example.yaml']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^\$ORIGIN corp\.example\.\n\$TTL 3600\n@\s+IN SOA\s+ns1 hostmaster /);
  });

  it('takes the origin from --origin when the file name does not give it', async () => {
    const dir = await tempDir({ 'db.legacy': '$TTL 60\n@ SOA ns1 hm 1 2 3 1209600 5\n@ NS ns1\nns1 A 192.0.2.1\n' });
    try {
      const r = await runCli(['convert', join(dir, 'db.legacy'), '--origin', 'legacy.example']);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /mname: ns1\.legacy\.example\./);
      const bad = await runCli(['convert', join(dir, 'db.legacy')]);
      assert.equal(bad.code, 2);
      assert.match(bad.stderr, /^rotor: cannot tell the zone's name from ".*db\.legacy" .*give --origin\n$/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('prints zone errors as file:line:col lines and exits 1', async () => {
    const dir = await tempDir({ 'broken.test.zone': '$TTL 60\n@ SOA ns1 hm 1 2 3 4 5\nwww A 192.0.2.300\nmail MX 10\n' });
    try {
      const r = await runCli(['convert', join(dir, 'broken.test.zone')]);
      assert.equal(r.code, 1);
      assert.equal(r.stdout, '');
      assert.deepEqual(r.stderr.trim().split('\n').map((l) => l.slice(dir.length + 1)), [
        'broken.test.zone:3:7: error: "192.0.2.300" is not an IPv4 address (Invalid IPv4 address.)',
        'broken.test.zone:4:6: error: MX record is missing its exchange',
      ]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  const badArgs: [string, string[], RegExp][] = [
    ['no file', ['convert'], /^rotor: convert takes exactly one zone file/],
    ['two files', ['convert', 'a.zone', 'b.zone'], /^rotor: convert takes exactly one zone file/],
    ['an unknown format', ['convert', 'zones/corp.example.yaml', '--to', 'xml'], /^rotor: --to: expected yaml or zone, got "xml"/],
    ['a bad origin', ['convert', 'zones/corp.example.yaml', '--origin', 'a..b'], /^rotor: --origin: empty label/],
    ['a missing file', ['convert', 'nowhere.zone'], /^rotor: cannot read nowhere\.zone: ENOENT/],
    ['an unknown option', ['convert', 'zones/corp.example.yaml', '--bogus'], /^rotor: Unknown option '--bogus'/],
  ];
  for (const [what, args, message] of badArgs) {
    it(`bad arguments (${what}): one line, exit 2`, async () => {
      const r = await runCli(args);
      assert.equal(r.code, 2);
      assert.match(r.stderr, message);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    });
  }
});

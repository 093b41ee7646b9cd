// Zones signed by rotor itself (dnssec: in rotor.yaml), judged by real
// validators: Unbound, anchored at the DS that `rotor dnssec ds` prints and
// pointed at rotor by stub zones, answers with AD for positive answers,
// NXDOMAIN, NODATA, wildcard answers and CNAME chains, and without SERVFAIL
// behind a referral to an unsigned child, for NSEC and NSEC3 with ECDSA P-256
// and Ed25519; delv validates the same names straight against rotor; BIND's
// dnssec-verify (and ldns-verify-zone where installed) accepts what rotor
// sends by AXFR; a Knot secondary transfers a signed zone and Unbound
// validates what Knot answers; an edit is signed and validates within seconds
// (IXFR carries the new signatures); signatures with a short validity are
// made again before they expire; a key whose .private file has one changed
// octet signs nothing, and Unbound answers SERVFAIL.
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { SIGNED_EXAMPLE } from '../dnssec/signed-zone.js';
import { knotConfig, onFreePorts, startDaemon, type Daemon } from './daemons.js';
import { runCli, startRotor, tempDir, type Rotor } from './harness.js';
import { delv, digValidated, startValidatingUnbound, unsignedChild, type Anchored } from './validators.js';

const exec = promisify(execFile);
const HAVE_LDNS = spawnSync('ldns-verify-zone', ['-v'], { stdio: 'ignore' }).error === undefined;

/** The four combinations, each a zone of one rotor: the global block signs with P-256 and NSEC, the zones' own blocks change the rest. */
const KINDS: { origin: string; block: string }[] = [
  { origin: 'nsec-p256.example.', block: '{}' },
  { origin: 'nsec-ed25519.example.', block: '{ algorithm: ed25519 }' },
  { origin: 'nsec3-p256.example.', block: '{ denial: nsec3 }' },
  { origin: 'nsec3-ed25519.example.', block: '{ algorithm: ed25519, denial: nsec3, keys: ksk+zsk }' },
];
/** Served to Unbound through a Knot secondary only. */
const VIA_KNOT = 'via-knot.example.';
/** Signatures valid for 20 s, made again with 10 s left. */
const SHORT = 'short.example.';
/** Its key's .private file gets one octet changed, then rotor starts again. */
const TAMPERED = 'tampered.example.';

const zoneText = (origin: string) => `$ORIGIN ${origin}\n${SIGNED_EXAMPLE}`;


/** Questions (relative to each zone) that Unbound must answer with AD, and their rcode. */
const SECURE: [string, string, string][] = [
  ['www', 'A', 'NOERROR'], ['@', 'DNSKEY', 'NOERROR'], ['@', 'CDS', 'NOERROR'], ['mail', 'MX', 'NOERROR'],
  ['nx', 'A', 'NXDOMAIN'], ['x.b.ent', 'A', 'NXDOMAIN'], ['www', 'TXT', 'NOERROR'], ['ent', 'A', 'NOERROR'],
  ['x.wild', 'TXT', 'NOERROR'], ['x.wild', 'A', 'NOERROR'], ['c1', 'A', 'NOERROR'], ['dangling', 'A', 'NXDOMAIN'],
  ['secure', 'DS', 'NOERROR'], ['unsigned', 'DS', 'NOERROR'],
];

const abs = (relative: string, origin: string) => (relative === '@' ? origin : `${relative}.${origin}`);

/** `rotor dnssec ds ZONE`: the zone's DS line, its trust anchor. */
async function dsOf(config: string, origin: string): Promise<Anchored> {
  const r = await runCli(['dnssec', 'ds', origin, '--config', config]);
  assert.equal(r.code, 0, r.stderr);
  const line = r.stdout.split('\n').find((l) => /\sDS\s/.test(l));
  assert.ok(line, r.stdout);
  return { origin, anchor: line };
}

async function dig(server: { host: string; port: number }, ...args: string[]): Promise<string> {
  return (await exec('dig', [`@${server.host}`, '-p', String(server.port), '+tries=1', '+time=10', ...args], { maxBuffer: 16 << 20 })).stdout;
}

/** The SOA serial and the expiration of its RRSIG, straight from `server`. */
async function soaSignature(server: { host: string; port: number }, origin: string): Promise<{ serial: number; expiration: string }> {
  const text = await dig(server, origin, 'SOA', '+dnssec', '+norec', '+multiline=no', '+nomultiline');
  const serial = Number(/\sSOA\s+\S+\s+\S+\s+(\d+)/.exec(text)?.[1]);
  const expiration = /\sRRSIG\s+SOA\s+\d+\s+\d+\s+\d+\s+(\d{14})/.exec(text)?.[1];
  assert.ok(serial > 0 && expiration, text);
  return { serial, expiration };
}

/** An RRSIG time (YYYYMMDDHHmmSS, UTC) in milliseconds since 1970. */
function rrsigTime(t: string): number {
  return Date.UTC(+t.slice(0, 4), +t.slice(4, 6) - 1, +t.slice(6, 8), +t.slice(8, 10), +t.slice(10, 12), +t.slice(12, 14));
}

async function until<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** knotd as a secondary of `zone` from rotor at `rotorPort` (no TSIG: rotor allows 127.0.0.1). */
function startKnotSecondary(zone: string, rotorPort: number): Promise<Daemon> {
  return onFreePorts(1, async ([port]) => {
    const dir = await tempDir();
    await writeFile(join(dir, 'knot.conf'), knotConfig(dir, port!, `remote:
  - id: rotor
    address: 127.0.0.1@${rotorPort}
template:
  - id: default
    storage: "${dir}"
    master: rotor
    zonefile-sync: -1
zone:
  - domain: ${zone}
`));
    return startDaemon('knotd', ['-c', join(dir, 'knot.conf')], dir, port!, zone);
  });
}

describe('zones signed by rotor, validated by Unbound, delv, dnssec-verify and through Knot', () => {
  let zonesDir: string;
  let config: string;
  /** What before() made on disk, removed after. */
  const made: string[] = [];
  let rotor: Rotor;
  let children: Rotor;
  let tampered: Rotor;
  let knot: Daemon;
  let unbound: Daemon;
  const anchors = new Map<string, Anchored>();

  before(async () => {
    zonesDir = await tempDir(Object.fromEntries([...KINDS.map((k) => k.origin), VIA_KNOT, SHORT].map((o) => [`${o}zone`, zoneText(o)])));
    const configDir = await tempDir();
    config = join(configDir, 'rotor.yaml');
    made.push(zonesDir, configDir);
    await writeFile(config, [
      'allow-transfer: [127.0.0.1]',
      'dnssec: { algorithm: ecdsap256sha256 }',
      'zone-settings:',
      ...KINDS.map((k) => `  ${k.origin} : { dnssec: ${k.block} }`),
      `  ${VIA_KNOT} : { dnssec: { denial: nsec3 } }`,
      `  ${SHORT} : { dnssec: { signature-validity: 20, refresh: 10 } }`,
      '',
    ].join('\n'));
    // Three rotors start side by side; after() stops whichever started, even when another failed.
    const started = await Promise.allSettled([
      (async () => {
        rotor = await startRotor(zonesDir, ['--config', config]);
        for (const a of await Promise.all([...KINDS.map((k) => k.origin), VIA_KNOT, SHORT].map((o) => dsOf(config, o)))) anchors.set(a.origin, a);
        knot = await startKnotSecondary(VIA_KNOT, rotor.port);
      })(),
      (async () => { children = await startRotor(Object.fromEntries(KINDS.map((k) => [`unsigned.${k.origin}zone`, unsignedChild(k.origin)]))); })(),
      (async () => {
        // The tampered zone's rotor: keys made on its first start, the DS taken, one octet of the .private changed, started again.
        const tamperedZones = await tempDir({ [`${TAMPERED}zone`]: zoneText(TAMPERED) });
        const tamperedConfig = join(await tempDir(), 'rotor.yaml');
        made.push(tamperedZones, join(tamperedConfig, '..'));
        await writeFile(tamperedConfig, 'dnssec: true\n');
        const first = await startRotor(tamperedZones, ['--config', tamperedConfig]);
        await first.stop();
        anchors.set(TAMPERED, await dsOf(tamperedConfig, TAMPERED));
        const keyDir = join(tamperedConfig, '..', 'keys');
        const privates = (await readdir(keyDir)).filter((f) => f.endsWith('.private'));
        assert.equal(privates.length, 1);
        const file = join(keyDir, privates[0]!);
        const text = await readFile(file, 'utf8');
        const at = text.indexOf('PrivateKey: ') + 'PrivateKey: '.length + 5;
        await writeFile(file, text.slice(0, at) + (text[at] === 'A' ? 'B' : 'A') + text.slice(at + 1));
        tampered = await startRotor(tamperedZones, ['--config', tamperedConfig]);
      })(),
    ]);
    const failed = started.find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
    unbound = await startValidatingUnbound([...KINDS.map((k) => anchors.get(k.origin)!), anchors.get(SHORT)!], rotor.port, [
      ...KINDS.map((k) => ({ origin: `unsigned.${k.origin}`, port: children.port })),
      { ...anchors.get(VIA_KNOT)!, port: knot.port }, { ...anchors.get(TAMPERED)!, port: tampered.port },
    ]);
  });

  after(async () => {
    await Promise.all([unbound?.stop(), knot?.stop(), rotor?.stop(), children?.stop(), tampered?.stop()]);
    await Promise.all(made.map((d) => rm(d, { recursive: true, force: true })));
  });

  for (const k of KINDS) {
    describe(`${k.origin} (${k.block})`, () => {
      for (const [name, type, rcode] of SECURE) {
        it(`${name} ${type}: Unbound says ${rcode} with AD, delv validates`, async () => {
          const q = abs(name, k.origin);
          const r = await digValidated(unbound, q, type);
          assert.equal(r.rcode, rcode, r.text);
          assert.ok(r.ad, `no AD:\n${r.text}\n${unbound.output().slice(-3000)}`);
          const d = await delv(anchors.get(k.origin)!, rotor.port, q, type);
          assert.ok(d.validated, d.text);
        });
      }

      it('host.unsigned A: behind a referral to an unsigned child, no AD and no SERVFAIL', async () => {
        const r = await digValidated(unbound, abs('host.unsigned', k.origin), 'A');
        assert.equal(r.rcode, 'NOERROR', `${r.text}\n${unbound.output().slice(-3000)}`);
        assert.ok(!r.ad, r.text);
        assert.equal(r.answer.length, 1, r.text);
      });

      it('dnssec-verify accepts the zone rotor sends by AXFR', async () => {
        const dir = await tempDir();
        const file = join(dir, 'axfr.zone');
        await writeFile(file, await dig(rotor, k.origin, 'AXFR', '+onesoa'));
        // -z: with one combined key (csk), that key signs every RRset (dnssec-verify expects a ZSK otherwise).
        const csk = !k.block.includes('ksk+zsk');
        const r = await exec('dnssec-verify', [...(csk ? ['-z'] : []), '-o', k.origin, file]).catch((e: { stdout: string; stderr: string }) => ({ ...e, failed: true }));
        assert.ok(!('failed' in r), `${r.stdout}${r.stderr}`);
        assert.match(r.stderr + r.stdout, /Zone fully signed/);
        // ldns's verifier too, where it is installed.
        if (HAVE_LDNS) {
          const l = await exec('ldns-verify-zone', [file]).catch((e: { stdout: string; stderr: string }) => ({ ...e, failed: true }));
          assert.ok(!('failed' in l), `${l.stdout}${l.stderr}`);
        }
        await rm(dir, { recursive: true, force: true });
      });
    });
  }

  it('50 MX questions in a row, the set turning: every one validates', async () => {
    const seen = new Set<string>();
    for (let i = 0; i < 50; i++) {
      const v = await digValidated(unbound, abs('mail', KINDS[0]!.origin), 'MX');
      assert.equal(v.rcode, 'NOERROR', v.text);
      assert.ok(v.ad, v.text);
      seen.add(v.answer.filter((l) => /\sMX\s/.test(l)).map((l) => l.split(/\s+/).pop()).join('|'));
    }
    // Unbound keeps nothing in its cache: the orders rotor turned reach the client.
    assert.ok(seen.size > 1, [...seen].join('\n'));
  });

  it('a Knot secondary serves the signed zone it transferred, and Unbound validates its answers', async () => {
    await until('Knot has the zone', 30_000, async () => (/status: NOERROR/.test(await dig(knot, VIA_KNOT, 'SOA', '+norec')) ? true : undefined));
    for (const [name, type, rcode] of [['www', 'A', 'NOERROR'], ['nx', 'A', 'NXDOMAIN'], ['x.wild', 'TXT', 'NOERROR'], ['www', 'TXT', 'NOERROR']]) {
      const r = await digValidated(unbound, abs(name!, VIA_KNOT), type!);
      assert.equal(r.rcode, rcode, r.text);
      assert.ok(r.ad, `${r.text}\n${unbound.output().slice(-3000)}`);
    }
  });

  it('a key whose .private file has one changed octet signs nothing: the zone is not served, Unbound answers SERVFAIL, delv does not validate', async () => {
    const rejected = await tampered.waitForLog((l) => l.msg.startsWith('zone rejected:'));
    assert.match(rejected.msg, /could not be signed: .*no usable key/, rejected.msg);
    assert.ok(tampered.logs.some((l) => l.level === 40 && /the private key is not the one of .*DNSKEY: key left out/.test(l.msg)), tampered.logs.map((l) => l.msg).join('\n'));
    // No key made in its place: the DS at the parent may name the broken one.
    assert.ok(!tampered.logs.some((l) => l.msg === 'zone loaded'));
    const r = await digValidated(unbound, `www.${TAMPERED}`, 'A');
    assert.equal(r.rcode, 'SERVFAIL', r.text);
    const d = await delv(anchors.get(TAMPERED)!, tampered.port, `www.${TAMPERED}`, 'A');
    assert.ok(!d.validated, d.text);
  });

  it('an edit of the zone file is signed and validates within seconds; the serial rises and IXFR carries the new signatures', async () => {
    const origin = KINDS[2]!.origin;
    const before = await soaSignature(rotor, origin);
    const edited = Date.now();
    await writeFile(join(zonesDir, `${origin}zone`), `${zoneText(origin)}added IN A 192.0.2.99\n`);
    const r = await until('the edit validates', 20_000, async () => {
      const v = await digValidated(unbound, abs('added', origin), 'A');
      return v.rcode === 'NOERROR' && v.answer.length > 0 ? v : undefined;
    });
    assert.ok(r.ad, r.text);
    assert.ok(Date.now() - edited < 20_000);
    const now = await soaSignature(rotor, origin);
    assert.ok(now.serial > before.serial, `serial ${before.serial} → ${now.serial}`);
    const ixfr = await dig(rotor, origin, `IXFR=${before.serial}`);
    assert.match(ixfr, new RegExp(`^added\\.${origin.replace(/\./g, '\\.')}\\s+\\d+\\s+IN\\s+RRSIG\\s+A\\s`, 'm'), ixfr);
    assert.match(ixfr, new RegExp(`\\sSOA\\s+\\S+\\s+\\S+\\s+${now.serial}\\s`), ixfr);
  });

  it('signatures valid for 20 s are made again before they expire (refresh: 10 s): past the first one\'s expiration the zone still validates', async () => {
    const first = await soaSignature(rotor, SHORT);
    const expires = rrsigTime(first.expiration);
    // The first signature's end, and a second more: by then another has been made (at 10 s left, and up to 1 s later).
    await new Promise((r) => setTimeout(r, Math.max(0, expires - Date.now()) + 1000));
    const next = await soaSignature(rotor, SHORT);
    assert.ok(rrsigTime(next.expiration) > Date.now(), `${first.expiration} → ${next.expiration}`);
    assert.ok(next.serial > first.serial, `serial ${first.serial} → ${next.serial}`);
    const r = await digValidated(unbound, abs('www', SHORT), 'A');
    assert.equal(r.rcode, 'NOERROR', r.text);
    assert.ok(r.ad, r.text);
  });

  it('a reload of rotor.yaml that changes a zone\'s denial to nsec3 signs it again at once, and it still validates', async () => {
    const origin = KINDS[1]!.origin;
    const text = await readFile(config, 'utf8');
    await writeFile(config, text.replace(`${origin} : { dnssec: { algorithm: ed25519 } }`, `${origin} : { dnssec: { algorithm: ed25519, denial: nsec3 } }`));
    rotor.process.kill('SIGHUP');
    await until('NSEC3PARAM at the apex', 20_000, async () => (/\sNSEC3PARAM\s+1 0 0 -/.test(await dig(rotor, origin, 'NSEC3PARAM', '+norec')) ? true : undefined));
    const r = await digValidated(unbound, abs('nx', origin), 'A');
    assert.equal(r.rcode, 'NXDOMAIN', r.text);
    assert.ok(r.ad, r.text);
    assert.match(r.text, /\sNSEC3\s/, r.text);
  });
});

describe('dnssec: with --workers', () => {
  it('is refused before anything is bound: each worker would sign the zone itself', async () => {
    const dir = await tempDir({ [`${SHORT}zone`]: zoneText(SHORT), 'rotor.yaml': 'dnssec: true\n' });
    try {
      const r = await runCli(['serve', '--config', join(dir, 'rotor.yaml'), '--zones', dir, '--listen', '127.0.0.1:0', '--workers', '2']);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, /^rotor: workers: 2 with dnssec: each worker would sign the zones itself/m);
      // Nothing was made: no keys before the refusal.
      assert.ok(!(await readdir(dir)).includes('keys'));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

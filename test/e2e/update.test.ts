// Dynamic updates (RFC 2136) with the real clients: BIND's nsupdate and Knot's
// knsupdate, signed with TSIG, against a rotor whose zones are a commented
// YAML file and a master file with $INCLUDE, parentheses and comments. Each
// change must be answered at once, raise the serial, and land in the file.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { createSocket } from 'node:dgram';
import { query, startRotor, tempDir, type Rotor } from './harness.js';
import { knotConfig, knotRotorPrimary, onFreePorts, startDaemon, type Daemon } from './daemons.js';

const SECRET = 'cm90b3ItdGVzdC1rZXktbm90LWEtcmVhbC1zZWNyZXQ=';
const KEY = `hmac-sha256:up-key:${SECRET}`;
const ACME = `hmac-sha256:acme-key:${SECRET}`;

const YAML_ZONE = `# The update test zone: every line has a comment
'':   # apex
  - type: SOA   # explicit serial
    value: {mname: ns1.up.example., rname: hostmaster.up.example., serial: 100, refresh: 3600, retry: 600, expire: 1209600, minimum: 300}
  - type: NS
    values:
      - ns1.up.example.   # primary
ns1:
  type: A
  value: 127.0.0.1    # loopback
www:   # web
  - type: A
    ttl: 300
    values:
      - 192.0.2.1     # first
      - 192.0.2.2     # second
alias:
  type: CNAME
  value: www
`;

const MASTER_ZONE = `$ORIGIN mf.example.
$TTL 3600
; the master file
@   IN SOA ns1 hostmaster (
        7          ; serial
        3600       ; refresh
        600 1209600 300 )
    IN NS ns1      ; name server
ns1 IN A 127.0.0.1
mail IN A 192.0.2.20   ; mail host
     IN TXT "first" "second"
$INCLUDE hosts.inc
`;

const HOSTS = `; hosts
h1  IN A 192.0.2.31
h2  IN A 192.0.2.32   ; h2
`;

interface Run { code: number; stderr: string }

/**
 * Runs nsupdate or knsupdate on `script`, given as a file: fed through a
 * socket (how Node hands a child its stdin) nsupdate waits most of a second
 * between updates.
 */
async function client(tool: 'nsupdate' | 'knsupdate', key: string | undefined, script: string, extra: string[] = []): Promise<Run> {
  const file = join(await tempDir(), 'script');
  await writeFile(file, script);
  return new Promise((resolve) => {
    const args = [...(key ? ['-y', key] : []), ...extra, file];
    execFile(tool, args, { timeout: 240_000 }, (e, _out, stderr) => {
      void rm(dirname(file), { recursive: true, force: true });
      resolve({ code: e ? (typeof e.code === 'number' ? e.code : 1) : 0, stderr });
    });
  });
}

describe('dynamic updates with nsupdate and knsupdate', { timeout: 400_000 }, () => {
  let rotor: Rotor;
  let dir: string;
  const server = () => `server 127.0.0.1 ${rotor.port}\n`;
  const nsupdate = (zone: string, lines: string[], key: string | null = KEY) => client('nsupdate', key ?? undefined, `${server()}zone ${zone}\n${lines.join('\n')}\nsend\n`);
  const answers = async (name: string, type: string, tcp = false) => (await query(rotor, name, type, { tcp })).answer.map((r) => r.data).sort();
  const serial = async (zone: string) => Number((await answers(zone, 'SOA'))[0]!.split(' ')[2]);

  before(async () => {
    dir = await tempDir({ 'up.example.yaml': YAML_ZONE, 'mf.example.zone': MASTER_ZONE, 'hosts.inc': HOSTS });
    const config = join(await tempDir(), 'rotor.yaml');
    await writeFile(config, [
      'keys:',
      `  up-key: { algorithm: hmac-sha256, secret: "${SECRET}" }`,
      `  acme-key: { algorithm: hmac-sha256, secret: "${SECRET}" }`,
      'update-policy:',
      '  - { key: up-key, match: zone }',
      '  - { key: acme-key, name: "_acme-challenge.*", match: wildcard, types: [TXT] }',
      '',
    ].join('\n'));
    rotor = await startRotor(dir, ['--config', config]);
  });
  after(async () => rotor?.stop());

  it('adds, replaces and deletes records; answers change at once, the serial rises, comments stay', async () => {
    const s0 = await serial('up.example');
    let r = await nsupdate('up.example', ['update add new.up.example. 300 A 192.0.2.9', 'update add www.up.example. 300 A 192.0.2.3', 'update delete www.up.example. A 192.0.2.1']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(await answers('new.up.example', 'A'), ['192.0.2.9']);
    assert.deepEqual(await answers('www.up.example', 'A', true), ['192.0.2.2', '192.0.2.3']);
    assert.equal(await serial('up.example'), s0 + 1);
    // Replace: delete the RRset and add the new one in the same update.
    r = await nsupdate('up.example', ['update delete new.up.example. A', 'update add new.up.example. 300 A 192.0.2.10']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(await answers('new.up.example', 'A'), ['192.0.2.10']);
    r = await nsupdate('up.example', ['update delete new.up.example.']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal((await query(rotor, 'new.up.example', 'A')).status, 'NXDOMAIN');
    assert.equal(await serial('up.example'), s0 + 3);
    const text = await readFile(join(dir, 'up.example.yaml'), 'utf8');
    for (const comment of ['# apex', '# primary', '# loopback', '# web', '# second']) assert.ok(text.includes(comment), comment);
    assert.ok(!text.includes('192.0.2.1 '), 'the deleted value is gone');
    assert.ok(!text.includes('new:'), 'the deleted owner is gone');
    assert.match(text, /serial: 103,/);
  });

  it('knsupdate adds and deletes over TCP and UDP alike', async () => {
    let r = await client('knsupdate', KEY, `${server()}zone up.example.\nttl 60\nadd k.up.example. TXT "hello world"\nsend\n`);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(await answers('k.up.example', 'TXT'), ['"hello world"']);
    r = await client('knsupdate', KEY, `${server()}zone up.example.\ndel k.up.example. TXT\nsend\n`);
    assert.equal(r.code, 0, r.stderr);
    assert.equal((await query(rotor, 'k.up.example', 'TXT')).status, 'NXDOMAIN');
    r = await nsupdate('up.example', ['update add tcp.up.example. 60 A 192.0.2.77']);
    assert.equal(r.code, 0, r.stderr);
    // nsupdate -v sends over TCP.
    r = await client('nsupdate', KEY, `${server()}zone up.example\nupdate delete tcp.up.example. A\nsend\n`, ['-v']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal((await query(rotor, 'tcp.up.example', 'A')).status, 'NXDOMAIN');
  });

  it('checks every kind of prerequisite, with its rcode', async () => {
    const cases: [string, string | undefined][] = [
      ['prereq yxdomain www.up.example.', undefined],
      ['prereq yxdomain nothing.up.example.', 'NXDOMAIN'],
      ['prereq nxdomain nothing.up.example.', undefined],
      ['prereq nxdomain www.up.example.', 'YXDOMAIN'],
      ['prereq yxrrset www.up.example. A', undefined],
      ['prereq yxrrset www.up.example. TXT', 'NXRRSET'],
      ['prereq nxrrset www.up.example. TXT', undefined],
      ['prereq nxrrset www.up.example. A', 'YXRRSET'],
      ['prereq yxrrset ns1.up.example. A 127.0.0.1', undefined],
      ['prereq yxrrset ns1.up.example. A 127.0.0.2', 'NXRRSET'],
    ];
    for (const [prereq, failure] of cases) {
      const r = await nsupdate('up.example', [prereq, 'update add p.up.example. 60 TXT "p"', 'update delete p.up.example. TXT']);
      if (failure) assert.match(r.stderr, new RegExp(`update failed: ${failure}`), prereq);
      else assert.equal(r.code, 0, `${prereq}: ${r.stderr}`);
    }
  });

  it('answers each failure with its rcode: NOTZONE, NOTAUTH, REFUSED, FORMERR', async () => {
    assert.match((await nsupdate('up.example', ['update add www.mf.example. 60 A 192.0.2.1'])).stderr, /NOTZONE/);
    assert.match((await nsupdate('other.example', ['update add www.other.example. 60 A 192.0.2.1'])).stderr, /NOTAUTH/);
    assert.match((await nsupdate('up.example', ['update add x.up.example. 60 A 192.0.2.1'], null)).stderr, /REFUSED/);
    assert.match((await nsupdate('up.example', ['update add x.up.example. 60 A 192.0.2.1'], `hmac-sha256:up-key:${Buffer.from('wrong secret, wrong MAC').toString('base64')}`)).stderr, /NOTAUTH|BADSIG|tsig/i);
    // The ACME key may touch _acme-challenge TXT records only.
    assert.match((await nsupdate('up.example', ['update add www.up.example. 60 TXT "x"'], ACME)).stderr, /REFUSED/);
    assert.equal((await nsupdate('up.example', ['update add _acme-challenge.www.up.example. 60 TXT "token"'], ACME)).code, 0);
    assert.deepEqual(await answers('_acme-challenge.www.up.example', 'TXT'), ['"token"']);
    // Two zones in the zone section: FORMERR.
    const msg = Buffer.from('12342800000200000000000002757007657861', 'hex');
    const reply = await new Promise<Buffer>((resolve, reject) => {
      const s = createSocket('udp4');
      const timer = setTimeout(() => { s.close(); reject(new Error('no reply')); }, 5000);
      s.on('message', (m) => { clearTimeout(timer); s.close(); resolve(m); });
      s.send(msg, rotor.port, '127.0.0.1');
    });
    assert.equal(reply.readUInt16BE(2) & 0xf, 1);
  });

  it('keeps the apex SOA and NS, and CNAME apart from other data', async () => {
    const r = await nsupdate('up.example', ['update delete up.example. NS', 'update delete up.example. SOA', 'update add alias.up.example. 60 A 192.0.2.5']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(await answers('up.example', 'NS'), ['ns1.up.example.']);
    assert.equal((await query(rotor, 'alias.up.example', 'CNAME')).answer.length, 1);
    assert.equal((await query(rotor, 'alias.up.example', 'CNAME')).answer[0]!.data, 'www.up.example.');
    // The last NS of the apex stays.
    assert.equal((await nsupdate('up.example', ['update delete up.example. NS ns1.up.example.'])).code, 0);
    assert.deepEqual(await answers('up.example', 'NS'), ['ns1.up.example.']);
  });

  it('reads prerequisites against a hand edit saved just before, not yet loaded by the watch', async () => {
    const file = join(dir, 'up.example.yaml');
    await writeFile(file, (await readFile(file, 'utf8')) + 'hand:   # typed by a person\n  - type: A\n    value: 192.0.2.55\n');
    const r = await nsupdate('up.example', ['prereq yxrrset hand.up.example. A 192.0.2.55', 'update add hand.up.example. 3600 TXT "after the edit"']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(await answers('hand.up.example', 'A'), ['192.0.2.55']);
    assert.deepEqual(await answers('hand.up.example', 'TXT'), ['"after the edit"']);
    assert.match(await readFile(file, 'utf8'), /hand: {3}# typed by a person\n/);
  });

  it('applies 1,000 updates from 10 concurrent clients, none lost', async () => {
    const s0 = await serial('up.example');
    const script = (c: number) => server() + Array.from({ length: 100 }, (_, j) => `zone up.example\nupdate add c${c}-${j}.up.example. 60 A 192.0.2.${j}\nsend\n`).join('');
    const started = Date.now();
    const runs = await Promise.all(Array.from({ length: 10 }, (_, c) => client('nsupdate', KEY, script(c))));
    const seconds = (Date.now() - started) / 1000;
    for (const r of runs) assert.equal(r.code, 0, r.stderr);
    // Each update raised the serial by one: a lost or doubled one would show.
    const text = await readFile(join(dir, 'up.example.yaml'), 'utf8');
    for (let c = 0; c < 10; c++) for (let j = 0; j < 100; j++) assert.ok(text.includes(`c${c}-${j}:`), `c${c}-${j} is in the file`);
    assert.equal(await serial('up.example'), s0 + 1000, `1,000 updates in ${seconds} s; ${runs.map((r) => r.stderr).join("").slice(0, 2000)}`);
    assert.deepEqual(await answers('c9-99.up.example', 'A'), ['192.0.2.99']);
    assert.deepEqual(await answers('c0-0.up.example', 'A', true), ['192.0.2.0']);
  });

  it('edits a master file line by line, in the $INCLUDEd file too, keeping comments and parentheses', async () => {
    const s0 = await serial('mf.example');
    const r = await nsupdate('mf.example', ['update delete mail.mf.example. A', 'update add h2.mf.example. 3600 A 192.0.2.33',
      'update delete h1.mf.example. A 192.0.2.31', 'update add new.mf.example. 60 MX 10 mail.mf.example.']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(await serial('mf.example'), s0 + 1);
    assert.deepEqual(await answers('mail.mf.example', 'TXT'), ['"first" "second"']);
    assert.deepEqual(await answers('h2.mf.example', 'A'), ['192.0.2.32', '192.0.2.33']);
    const main = await readFile(join(dir, 'mf.example.zone'), 'utf8');
    assert.equal(main, MASTER_ZONE.replace('        7          ; serial', `        ${s0 + 1}          ; serial`)
      .replace('mail IN A 192.0.2.20   ; mail host\n     IN TXT', 'mail\tIN TXT')
      .replace('$INCLUDE hosts.inc\n', '$INCLUDE hosts.inc\nnew.mf.example. 60 IN MX 10 mail.mf.example.\n'));
    assert.equal(await readFile(join(dir, 'hosts.inc'), 'utf8'), '; hosts\nh2  IN A 192.0.2.32   ; h2\nh2.mf.example. 3600 IN A 192.0.2.33\n');
  });
});

describe('a Knot DNS secondary follows updates by NOTIFY and IXFR', { timeout: 180_000 }, () => {
  let rotor: Rotor;
  let knot: Daemon;

  before(async () => {
    const zones = await tempDir({ 'up.example.yaml': YAML_ZONE });
    const config = join(await tempDir(), 'rotor.yaml');
    [rotor, knot] = await onFreePorts(1, async ([knotPort]) => {
      await writeFile(config, [
        'keys:',
        `  up-key: { algorithm: hmac-sha256, secret: "${SECRET}" }`,
        'allow-transfer: [127.0.0.1]',
        'transfer-key: up-key',
        `also-notify: [127.0.0.1:${knotPort}]`,
        'update-policy:',
        '  - { key: up-key, match: zone }',
        '',
      ].join('\n'));
      const primary = await startRotor(zones, ['--config', config]);
      const dir = await tempDir();
      await writeFile(join(dir, 'knot.conf'), knotConfig(dir, knotPort!, `${knotRotorPrimary(primary.port, 'up-key', SECRET)}zone:
  - domain: up.example
    storage: "${dir}"
    master: rotor
    acl: notify-from-rotor
`));
      try {
        return [primary, await startDaemon('knotd', ['-c', join(dir, 'knot.conf')], dir, knotPort!, 'up.example')] as const;
      } catch (e) {
        await primary.stop();
        throw e;
      }
    });
  });
  after(async () => Promise.all([knot?.stop(), rotor?.stop()]));

  const serialOn = async (server: { host: string; port: number }) => Number((await query(server, 'up.example', 'SOA')).answer[0]?.data.split(' ')[2] ?? NaN);
  const waitFor = async (serial: number) => {
    for (let i = 0; i < 100 && (await serialOn(knot)) !== serial; i++) await new Promise((r) => setTimeout(r, 100));
    assert.equal(await serialOn(knot), serial, knot.output().slice(-2000));
  };

  it('has each update within seconds, sent as an IXFR', async () => {
    await waitFor(await serialOn(rotor));
    const before = rotor.logs.length;
    const r = await client('nsupdate', KEY, `server 127.0.0.1 ${rotor.port}\nzone up.example\nupdate add knot.up.example. 60 A 192.0.2.44\nupdate delete www.up.example. A 192.0.2.1\nsend\n`);
    assert.equal(r.code, 0, r.stderr);
    await waitFor(await serialOn(rotor));
    assert.deepEqual((await query(knot, 'knot.up.example', 'A')).answer.map((a) => a.data), ['192.0.2.44']);
    assert.deepEqual((await query(knot, 'www.up.example', 'A')).answer.map((a) => a.data), ['192.0.2.2']);
    await rotor.waitForLog((l) => rotor.logs.indexOf(l) >= before && l.msg === 'transfer' && l.kind === 'IXFR', 5000);
  });
});

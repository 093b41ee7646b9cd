// rotor dnssec as a user runs it: the real CLI on a rotor.yaml and a key
// directory holding a key made by BIND's dnssec-keygen.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli, tempDir } from '../e2e/harness.js';

let dir: string;
let config: string;
const dnssec = (...args: string[]) => runCli(['dnssec', ...args, '--config', config]);

before(async () => {
  dir = await tempDir({
    'rotor.yaml': 'dnssec:\n  algorithm: ecdsap256sha256\nzone:\n  - name: plain.example\n    file: plain.zone\n    dnssec: false\n  - name: split.example\n    file: split.zone\n    dnssec: { keys: ksk+zsk }\n',
  });
  config = join(dir, 'rotor.yaml');
  mkdirSync(join(dir, 'keys'), { mode: 0o700 });
});
after(() => rmSync(dir, { recursive: true, force: true }));

describe('rotor dnssec', () => {
  it('with no command prints its usage and exits 2; a misspelt one gets a suggestion', async () => {
    const bare = await runCli(['dnssec']);
    assert.equal(bare.code, 2);
    assert.match(bare.stderr, /^rotor dnssec ds\|status\|rollover/);
    const typo = await dnssec('stauts');
    assert.deepEqual([typo.code, typo.stderr], [2, 'rotor: dnssec: unknown command "stauts"; did you mean "status"?\n']);
  });

  it('refuses a zone that is not signed, and ds before there are keys, in one line with exit 2', async () => {
    const plain = await dnssec('ds', 'plain.example');
    assert.deepEqual([plain.code, plain.stderr], [2, 'rotor: dnssec: zone plain.example. is not signed: rotor.yaml gives it no dnssec: settings\n']);
    const none = await dnssec('ds', 'example.com');
    assert.equal(none.code, 2);
    assert.match(none.stderr, /^rotor: dnssec ds: no active key-signing key for example\.com\. in .*\/keys \(rotor serve makes the keys when it first signs the zone\)\n$/);
  });

  it("ds prints what dnssec-dsfromkey prints for dnssec-keygen's key, and says what to do on stderr", async () => {
    const base = spawnSync('dnssec-keygen', ['-q', '-a', 'ECDSAP256SHA256', '-f', 'KSK', 'example.com'], { cwd: join(dir, 'keys'), encoding: 'utf8' }).stdout.trim();
    const bind = spawnSync('dnssec-dsfromkey', ['-2', `${base}.key`], { cwd: join(dir, 'keys'), encoding: 'utf8' }).stdout.trim().split(/\s+/);
    const { code, stdout, stderr } = await dnssec('ds', 'example.com');
    assert.equal(code, 0, stderr);
    assert.deepEqual(stdout.trim().split(/\s+/), bind);
    assert.match(stderr, /^Give these DS records to the registrar or operator of the parent of example\.com\., .*RFC 8078.*\n$/);
  });

  it('rollover starts a CSK rollover that status shows; a second one is refused while it runs', async () => {
    const started = await dnssec('rollover', 'example.com');
    assert.equal(started.code, 0, started.stderr);
    assert.match(started.stdout, /^example\.com\.: CSK rollover started: key \d+ \(ECDSAP256SHA256\) is published now and signs from \S+Z; key \d+ stops signing at \S+Z and leaves the zone at \S+Z\n/);
    const json = await dnssec('status', 'example.com', '--json');
    const report = JSON.parse(json.stdout) as { zones: { zone: string; keyFiles: { role: string; state: string; times: Record<string, string | null> }[]; nextChange: string }[] };
    const [zone] = report.zones;
    assert.equal(zone!.zone, 'example.com.');
    assert.deepEqual(zone!.keyFiles.map((k) => [k.role, k.state]).sort(), [['CSK', 'active'], ['CSK', 'published']]);
    const next = zone!.keyFiles.find((k) => k.state === 'published')!;
    assert.equal(zone!.nextChange, next.times.activate);
    const again = await dnssec('rollover', 'example.com');
    assert.equal(again.code, 2);
    assert.match(again.stderr, /^rotor: dnssec rollover: a CSK rollover is under way: key \d+ becomes active at /);
    const zsk = await dnssec('rollover', 'example.com', '--zsk');
    assert.deepEqual([zsk.code, zsk.stderr], [2, 'rotor: dnssec rollover: example.com. has one combined key (keys: csk): leave out --ksk and --zsk\n']);
  });

  it('status without a zone lists every zone with keys, a line per key', async () => {
    spawnSync('dnssec-keygen', ['-q', '-a', 'ECDSAP256SHA256', 'split.example'], { cwd: join(dir, 'keys') });
    const { code, stdout } = await dnssec('status');
    assert.equal(code, 0);
    const lines = stdout.trim().split('\n');
    assert.ok(lines.some((l) => /^example\.com\. csk ECDSAP256SHA256, keys in .*; next change: \S+Z$/.test(l)), stdout);
    assert.ok(lines.some((l) => /^split\.example\. ksk\+zsk ECDSAP256SHA256/.test(l)), stdout);
    assert.ok(lines.some((l) => /^ {2}\d+ +ECDSAP256SHA256 +ZSK +active +\S+Z +\S+Z +- +-$/.test(l)), stdout);
    assert.equal(readdirSync(join(dir, 'keys')).filter((f) => f.startsWith('Ksplit')).length, 2, 'status makes no key');
  });
});

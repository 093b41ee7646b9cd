// $INCLUDE and zone files from a careless or hostile hand (issue 12): devices,
// FIFOs, paths out of the zone directory, symlinks that lead out of it, files
// over the size limit, and files that are not zone files at all. Each is refused
// quickly with file:line:col, and no message carries more than a token of a file.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadOne } from '../../src/zone/directory.js';
import { formatDiagnostic } from '../../src/zone/errors.js';
import { SOURCE_DEFAULTS, type SourceLimits } from '../../src/zone/source.js';

const HEAD = '$TTL 300\n@ IN SOA ns1 hostmaster 1 3600 600 1209600 300\n  IN NS ns1\nns1 IN A 192.0.2.53\n';

describe('reading zone files and their $INCLUDEs', () => {
  let root: string;
  let zones: string;
  let outside: string;
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'rotor-source-'));
    zones = join(root, 'zones');
    outside = join(root, 'outside');
    await mkdir(zones);
    await mkdir(outside);
    await mkdir(join(zones, 'parts'));
    await writeFile(join(zones, 'parts', 'hosts.inc'), 'www IN A 192.0.2.80\n');
    await writeFile(join(outside, 'secret.inc'), 'www IN A 192.0.2.99\n');
    execFileSync('mkfifo', [join(zones, 'fifo.inc')]);
  });
  after(async () => { await rm(root, { recursive: true, force: true }); });

  /** Loads zones/<name>.zone holding HEAD and `body`; the diagnostics as text, and how long it took. */
  async function load(name: string, body: string, sources: SourceLimits = SOURCE_DEFAULTS) {
    const file = join(zones, `${name}.zone`);
    await writeFile(file, HEAD + body);
    const started = Date.now();
    const r = await loadOne(file, { defaultTtl: 3600, sources });
    return { ok: r.ok, ms: Date.now() - started, errors: r.diagnostics.filter((d) => d.severity === 'error').map(formatDiagnostic) };
  }

  it('reads an $INCLUDE below the zone directory', async () => {
    const r = await load('ok.test', '$INCLUDE parts/hosts.inc\n');
    assert.deepEqual(r.errors, []);
    assert.ok(r.ok);
  });

  it('refuses a FIFO at once instead of waiting for a writer', async () => {
    const r = await load('fifo.test', '$INCLUDE fifo.inc\n');
    assert.equal(r.ok, false);
    assert.match(r.errors[0]!, /fifo\.test\.zone:5:10: error: cannot read \$INCLUDE file .*fifo\.inc: .* is a FIFO; zone files and \$INCLUDEs must be regular files/);
    assert.ok(r.ms < 2000, `took ${r.ms} ms`);
  });

  it('refuses /dev/zero (outside, and a device even when its directory is allowed)', async () => {
    const r = await load('zero.test', '$INCLUDE /dev/zero\n');
    assert.match(r.errors[0]!, /zero\.test\.zone:5:10: error: cannot read \$INCLUDE file \/dev\/zero: \/dev\/zero is outside the zone directory/);
    const allowed = await load('zero.test', '$INCLUDE /dev/zero\n', { ...SOURCE_DEFAULTS, includeDirs: ['/dev'] });
    assert.match(allowed.errors[0]!, /\/dev\/zero is a character device/);
    assert.ok(allowed.ms < 2000, `took ${allowed.ms} ms`);
  });

  it('refuses ../ and absolute paths out of the zone directory, unless listed in include-dirs', async () => {
    const up = await load('up.test', '$INCLUDE ../outside/secret.inc\n');
    assert.match(up.errors[0]!, /up\.test\.zone:5:10: error: .*secret\.inc is outside the zone directory/);
    const absolute = await load('abs.test', `$INCLUDE ${join(outside, 'secret.inc')}\n`);
    assert.match(absolute.errors[0]!, /is outside the zone directory/);
    const listed = await load('abs.test', `$INCLUDE ${join(outside, 'secret.inc')}\n`, { ...SOURCE_DEFAULTS, includeDirs: [outside] });
    assert.deepEqual(listed.errors, []);
  });

  it('refuses a symlink that leads out of the zone directory, and a zone file that is one', async () => {
    await symlink(join(outside, 'secret.inc'), join(zones, 'link.inc'));
    const r = await load('link.test', '$INCLUDE link.inc\n');
    assert.match(r.errors[0]!, /link\.test\.zone:5:10: error: .*secret\.inc is outside the zone directory/);
    await writeFile(join(outside, 'away.test.zone'), HEAD);
    await symlink(join(outside, 'away.test.zone'), join(zones, 'away.test.zone'));
    const top = await loadOne(join(zones, 'away.test.zone'), { defaultTtl: 3600 });
    assert.equal(top.ok, false);
    assert.match(formatDiagnostic(top.diagnostics[0]!), /away\.test\.zone:1:1: error: cannot read: .* is outside the zone directory/);
  });

  it('limits the octets of a zone file and its includes together', async () => {
    await writeFile(join(zones, 'parts', 'big.inc'), 'www IN TXT "x"\n'.repeat(200));
    const r = await load('big.test', '$INCLUDE parts/big.inc\n', { ...SOURCE_DEFAULTS, maxBytes: 2048 });
    assert.match(r.errors[0]!, /big\.test\.zone:5:10: error: cannot read \$INCLUDE file .*big\.inc: .* is over the size limit: a zone's files may hold 2048 octets in all/);
    const top = await load('big.test', 'www IN TXT "x"\n'.repeat(200), { ...SOURCE_DEFAULTS, maxBytes: 2048 });
    assert.match(top.errors[0]!, /big\.test\.zone:1:1: error: cannot read: .* over the size limit/);
  });

  it('does not copy a file that is not a zone file into its messages', async () => {
    const secret = 'root:$6$Zx9QvX1d$aVeryLongPasswordHashThatMustNotBeLoggedInFullXXXXXXXXXXXXXXXX:19000:0:99999:7:::';
    await writeFile(join(zones, 'parts', 'shadow'), `${secret}\n`.repeat(500));
    const r = await load('shadow.test', '$INCLUDE parts/shadow\n');
    assert.equal(r.ok, false);
    assert.ok(r.errors.length <= 102, `${r.errors.length} errors`);
    for (const e of r.errors) assert.ok(!e.includes('aVeryLongPasswordHash'), e);
    await writeFile(join(zones, 'parts', 'binary'), Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 1, 2, 0x41, 0x42, 0x0a]));
    const binary = await load('binary.test', '$INCLUDE parts/binary\n');
    assert.match(binary.errors[0]!, /binary is not a text file$/);
  });
});

// rotor check as a user runs it: the real CLI on fixture files.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runCli, tempDir } from '../e2e/harness.js';
import { signZone, SIGNED_EXAMPLE, tamperSignature } from '../dnssec/signed-zone.js';

const LINT = join('test', 'fixtures', 'check', 'lint.test.yaml');

const check = (...args: string[]) => runCli(['check', ...args]);

describe('rotor check', () => {
  it('reports each semantic problem at its place, as warnings, and exits 0', async () => {
    const { code, stdout } = await check(LINT);
    assert.equal(code, 0);
    const expected = [
      '4:12: warning: SOA serial is 0',
      '4:12: warning: SOA retry (900) should be less than refresh (600)',
      '4:12: warning: SOA expire (1000) should exceed refresh + retry (1500)',
      '4:12: warning: SOA minimum (negative-caching TTL, 172800) is over a day',
      '6:19: warning: NS target ns-missing.lint.test. of lint.test. has no A or AAAA record',
      '9:9: warning: MX target mail-alias.lint.test. of lint.test. is a CNAME',
      '10:9: warning: MX target nowhere.lint.test. of lint.test. has no A or AAAA record',
      '19:10: warning: SRV target mail-alias.lint.test. of _sip._tcp.lint.test. is a CNAME',
      '22:12: warning: NS target ns.child.lint.test. of child.lint.test. is inside the delegated zone and has no glue',
      '25:10: warning: TXT at host.child.lint.test. is below the delegation child.lint.test. and is never served (occluded)',
      '29:25: warning: duplicate A record at dup.lint.test.',
      '32:12: warning: TTL 120 differs from 60 of the other A records at dup.lint.test.',
    ];
    for (const e of expected) assert.ok(stdout.includes(`${LINT}:${e}`), `missing: ${e}\n${stdout}`);
    assert.match(stdout, /zone lint\.test\. OK: 13 records, serial 0 \(0 errors, 13 warnings\)/);
  });

  it('the record-type checks: digest lengths, SVCB params, DS only at a cut, nothing below a DNAME', async () => {
    const zone = [
      '$TTL 60',
      '@ SOA ns hm 1 3600 600 1209600 300',
      '@ NS ns',
      'ns A 192.0.2.1',
      'sub NS ns.elsewhere.test.',
      'sub DS 1 8 2 ABCD',
      'host DS 1 8 1 2BB183AF5F22588179A53B0A98631FAD1A292118',
      'host SSHFP 1 1 ABCD',
      '_443._tcp TLSA 3 1 2 ABCD',
      '@ HTTPS 1 . mandatory=port port=443',
      'dn DNAME elsewhere.test.',
      'x.dn A 192.0.2.2',
    ].join('\n');
    const dir = await tempDir({ 'types.test.zone': `${zone}\n` });
    const file = join(dir, 'types.test.zone');
    const { code, stdout } = await check(file);
    assert.equal(code, 0, stdout);
    const expected = [
      '6:1: warning: DS digest is 2 octets; digest type 2 takes 32',
      '7:1: warning: DS at host.types.test. is not at a delegation point',
      '8:1: warning: SSHFP digest is 2 octets; digest type 1 takes 20',
      '9:1: warning: TLSA digest is 2 octets; digest type 2 takes 64',
      '10:1: warning: HTTPS mandatory lists port, which is automatically mandatory (RFC 9460 §8)',
      '12:1: warning: A at x.dn.types.test. is below the DNAME at dn.types.test. and is never served (RFC 6672 §2.3)',
    ];
    for (const e of expected) assert.ok(stdout.includes(`${file}:${e}`), `missing: ${e}\n${stdout}`);
    assert.doesNotMatch(stdout, /sub\.types\.test\. is not at a delegation point/);
  });

  it('--strict turns the warnings into errors and exits 1', async () => {
    const { code, stdout } = await check('--strict', LINT);
    assert.equal(code, 1);
    assert.match(stdout, /lint\.test\.yaml:9:9: error: MX target mail-alias/);
    assert.match(stdout, /fails --strict \(13 errors, 0 warnings\)/);
  });

  it('a zone that would not load: its errors and exit 1; a directory checks every zone in it', async () => {
    const dir = await tempDir({
      'ok.test.yaml': "'':\n  type: NS\n  value: ns.elsewhere.test.\n",
      'bad.test.yaml': "'':\n  type: NS\n  value: ns.elsewhere.test.\nwww:\n  - type: CNAME\n    value: x\n  - type: A\n    value: 192.0.2.1\n",
    });
    const { code, stdout } = await check(dir);
    assert.equal(code, 1);
    assert.match(stdout, /bad\.test\.yaml:8:12: error: CNAME at www\.bad\.test\. beside other data/);
    assert.match(stdout, /bad\.test\.yaml: zone would not load \(1 error, 0 warnings\)/);
    assert.match(stdout, /ok\.test\.yaml: zone ok\.test\. OK/);
    assert.match(stdout, /2 files: 1 error, 0 warnings/);
  });

  it('the example zone is clean', async () => {
    const { code, stdout } = await check('--strict', 'zones');
    assert.equal(code, 0, stdout);
  });

  it('a path that does not exist is a usage error: exit 2', async () => {
    const { code, stderr } = await check('no/such/zone.yaml');
    assert.equal(code, 2);
    assert.match(stderr, /^rotor: no\/such\/zone\.yaml: no such file or directory/);
  });

  it('verifies a zone signed by dnssec-signzone; one signature byte changed is an error at its line, exit 1', async () => {
    const zone = signZone({ origin: 'example.com.', text: SIGNED_EXAMPLE, denial: 'nsec3' });
    try {
      const file = join(zone.dir, 'example.com.zone');
      writeFileSync(file, zone.text);
      const good = await check(file);
      assert.equal(good.code, 0, good.stdout);
      assert.doesNotMatch(good.stdout, /: error: /);
      writeFileSync(file, tamperSignature(zone.text, 'www.example.com.'));
      const bad = await check(file);
      assert.equal(bad.code, 1, bad.stdout);
      const lines = zone.text.split('\n');
      const www = lines.findIndex((l) => l.startsWith('www.example.com.'));
      const line = lines.findIndex((l, i) => i > www && /\sRRSIG\s+A\s/.test(l)) + 1;
      assert.match(bad.stdout, new RegExp(`^${file.replace(/[.]/g, '\\.')}:${line}:\\d+: error: RRSIG over A at www\\.example\\.com\\. by key \\d+ \\(algorithm 13\\) does not verify`, 'm'));
      assert.match(bad.stdout, /example\.com\.zone: zone would load, but its DNSSEC does not verify \(\d+ errors?, \d+ warnings?\)/);
    } finally {
      zone.remove();
    }
  });
});

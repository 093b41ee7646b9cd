// rotor serve signs a zone with a dnssec: policy (keys made on first use in the
// key directory): the zone it sends by AXFR passes dnssec-verify, and an edit of
// the file is signed again and served with a higher serial within seconds.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { startRotor, tempDir, type Rotor } from './harness.js';

const zone = (serial: number, address: string) => `$ORIGIN signed.example.
$TTL 300
@    IN SOA ns1 hostmaster ${serial} 3600 600 86400 300
@    IN NS  ns1
ns1  IN A   192.0.2.53
www  IN A   ${address}
*.w  IN TXT "wild"
sub  IN NS  ns.sub
ns.sub IN A 192.0.2.9
`;

/** The zone as rotor sends it by AXFR, through dig. */
function axfr(rotor: Rotor): string {
  const r = spawnSync('dig', ['+nocmd', '+nostats', '+onesoa', '-p', String(rotor.port), '@' + rotor.host, 'signed.example.', 'AXFR'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

/** Fails with dnssec-verify's complaint when it refuses the transferred zone (-z: one CSK signs everything). */
function verify(dir: string, text: string): void {
  const file = join(dir, 'axfr.zone');
  writeFileSync(file, text);
  const r = spawnSync('dnssec-verify', ['-z', '-o', 'signed.example.', file], { encoding: 'utf8' });
  assert.equal(r.status, 0, `dnssec-verify: ${r.stderr}`);
}

describe('rotor serve with a dnssec: policy', () => {
  it('serves the zone signed (AXFR passes dnssec-verify) and signs an edit again within seconds', async () => {
    const dir = await tempDir({ 'signed.example.zone': zone(1, '192.0.2.1') });
    const config = await tempDir({ 'rotor.yaml': `allow-transfer: [127.0.0.1]\ndnssec:\n  algorithm: ecdsap256sha256\n  keys: csk\n` });
    const rotor = await startRotor(dir, ['--config', join(config, 'rotor.yaml')]);
    try {
      await rotor.waitForLog((l) => l.msg === 'zone loaded' && l.zone === 'signed.example.');
      const first = axfr(rotor);
      assert.match(first, /\tDNSKEY\t257 3 13 /);
      assert.match(first, /\tRRSIG\tSOA 13 2 300 /);
      verify(config, first);

      const edited = Date.now();
      await writeFile(join(dir, 'signed.example.zone'), zone(1, '192.0.2.2'));
      // The file's serial stays 1: the served one moves on to 2.
      await rotor.waitForLog((l) => l.msg === 'zone loaded' && l.zone === 'signed.example.' && l.serial === 2, 30_000);
      assert.ok(Date.now() - edited < 30_000);
      const second = axfr(rotor);
      assert.match(second, /www\.signed\.example\.\s+300\s+IN\s+A\s+192\.0\.2\.2/);
      verify(config, second);
    } finally {
      await rotor.stop();
    }
  });
});

// Zone files from a hostile or careless hand (issue 12): a zone directory that
// disappears, $INCLUDEs of devices, FIFOs and files outside the zone directory,
// and a huge zone added while other zones are being queried. None of them may
// end the process or stop the other zones from answering.
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { query, startRotor, tempDir, type Rotor } from './harness.js';

const yamlZone = (address: string) => `'':\n  - type: NS\n    value: ns.elsewhere.test.\nwww:\n  type: A\n  value: ${address}\n`;

describe('the zone directory removed under a running server', () => {
  let rotor: Rotor;
  before(async () => {
    rotor = await startRotor(await tempDir({ 'kept.test.yaml': yamlZone('192.0.2.1'), 'other.test.yaml': yamlZone('192.0.2.2') }));
  });
  after(async () => { await rotor.stop(); });

  it('rm -rf then SIGHUP: the error is logged, the process lives and the zones loaded stay served', async () => {
    await rm(rotor.dir, { recursive: true, force: true });
    const before = rotor.logs.length;
    rotor.process.kill('SIGHUP');
    const logged = await rotor.waitForLog((l) => rotor.logs.indexOf(l) >= before && l.msg.startsWith('cannot read the zone directory'));
    assert.match(logged.msg, /the zones loaded stay served/);
    // The watcher saw both files go: that is their directory going, not two zones deleted.
    let seen = 0;
    await rotor.waitForLog((l) => rotor.logs.indexOf(l) >= before && l.msg.startsWith('cannot read the zone directory') && ++seen === 3);
    assert.equal(rotor.process.exitCode, null, 'the server is still running');
    assert.equal((await query(rotor, 'www.kept.test', 'A')).answer[0]?.data, '192.0.2.1');
    assert.equal((await query(rotor, 'www.other.test', 'A')).answer[0]?.data, '192.0.2.2');
  });
});

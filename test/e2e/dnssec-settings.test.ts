// dnssec: in rotor.yaml as rotor serve reads it: the RFC 9276 warnings are
// logged after the first line, at start and again at a reload (SIGHUP).
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { REPO, startRotor, tempDir } from './harness.js';

describe('dnssec: warnings in the log', () => {
  it('names the place of a salt at start, and of extra iterations after SIGHUP', async () => {
    const corp = await readFile(join(REPO, 'zones', 'corp.example.yaml'), 'utf8');
    const config = 'dnssec:\n  denial: nsec3\n  nsec3: { salt: "AB" }\n';
    const dir = await tempDir({ 'corp.example.yaml': corp, 'rotor.yaml': config });
    const file = join(dir, 'rotor.yaml');
    const rotor = await startRotor(dir, ['--config', file]);
    try {
      const salt = await rotor.waitForLog((l) => l.level === 40 && l.msg.includes('salt'));
      const start = rotor.logs.findIndex((l) => l.msg === 'rotor starting');
      assert.ok(start >= 0 && start < rotor.logs.indexOf(salt), 'after the line that says what was read');
      assert.equal(salt.msg, `rotor.yaml: ${file}:3:18: dnssec.nsec3.salt: a salt adds nothing against zone walking (RFC 9276 §3.1: use "")`);
      await writeFile(file, 'dnssec:\n  denial: nsec3\n  nsec3: { iterations: 3 }\n');
      rotor.process.kill('SIGHUP');
      const iterations = await rotor.waitForLog((l) => l.level === 40 && l.msg.includes('iterations'));
      assert.equal(iterations.msg, `rotor.yaml: ${file}:3:24: dnssec.nsec3.iterations: 3 extra iterations cost every validator and hide nothing (RFC 9276 §3.1: use 0)`);
    } finally {
      await rotor.stop();
    }
  });
});

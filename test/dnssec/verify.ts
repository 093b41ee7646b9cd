// BIND's dnssec-verify on a signed zone version, for the signer's and the
// lifecycle's tests.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import type { DnssecPolicy } from '../../src/dnssec/policy.js';
import { presentation } from '../../src/rrtypes/registry.js';
import { typeName } from '../../src/wire/types.js';
import type { ZoneVersion } from '../../src/zone/version.js';

const dir = mkdtempSync(join(tmpdir(), 'rotor-verify-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** The version as a master file, every record with its owner written out. */
export function masterFile(v: ZoneVersion): string {
  return [...v.records()].map((r) => `${r.owner} ${r.ttl} IN ${typeName(r.type)} ${presentation(r.type, r.rdata)}`).join('\n') + '\n';
}

let files = 0;

/**
 * Fails with dnssec-verify's stderr when it refuses the version. With a CSK
 * (one key, KSK flag set), -z: BIND's tool otherwise wants a key without the
 * flag to sign the data.
 */
export function dnssecVerify(v: ZoneVersion, kind: DnssecPolicy['keys']): void {
  const file = join(dir, `signed-${files++}.zone`);
  writeFileSync(file, masterFile(v));
  const r = spawnSync('dnssec-verify', [...(kind === 'csk' ? ['-z'] : []), '-o', v.origin.toString(), file], { encoding: 'utf8' });
  assert.equal(r.status, 0, `dnssec-verify ${file}: ${r.stderr}${r.error?.message ?? ''}`);
}

// A zone handed from the loader thread to the serving one must arrive whole:
// every record, name, delegation, position and the digest, in the same order
// as the same file loaded on the serving thread.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { REPO } from '../e2e/harness.js';
import { toMasterFile } from '../../src/zone/export.js';
import { loadZoneFile, loadZoneVersion } from '../../src/zone/load.js';
import { handOverZone, receiveZone } from '../../src/zone/transport.js';
import { NodeFlag } from '../../src/zone/version.js';
import type { Zone } from '../../src/zone/zone.js';

const FILES = [join(REPO, 'zones', 'corp.example.yaml'), join(REPO, 'test', 'fixtures', 'masterfile', 'legacy.example.zone'), join(REPO, 'test', 'fixtures', 'check', 'lint.test.yaml')];

function shape(zone: Zone) {
  return {
    text: toMasterFile(zone),
    names: Array.from({ length: zone.version.nodeCount }, (_, n) => zone.ownerName(n).key),
    cuts: Array.from({ length: zone.version.nodeCount }, (_, n) => n).filter((n) => zone.version.flags(n) & NodeFlag.DELEGATION),
    count: zone.recordCount,
    positions: [...zone.rrsets()].map((s) => `${s.owner} ${s.type} ${s.pos.file}:${s.pos.line}:${s.pos.col}`),
  };
}

describe('moving a zone between threads', () => {
  for (const file of FILES) {
    it(`receives ${file.slice(REPO.length + 1)} as the serving thread would have loaded it`, async () => {
      const original = (await loadZoneFile(file, { defaultTtl: 3600 })).zone;
      const loaded = await loadZoneVersion(file, { defaultTtl: 3600 });
      const { message, transfer } = handOverZone(loaded.zone, file);
      // Through structured cloning with the transfer list, as postMessage sends it.
      const rebuilt = receiveZone(structuredClone(message, { transfer }));
      assert.equal(loaded.zone.version.columns.data.byteLength, 0, 'the loader\'s buffers moved');
      assert.deepEqual(shape(rebuilt), shape(original));
      assert.equal(rebuilt.digest, original.digest);
      assert.equal(rebuilt.serial, original.serial);
      assert.equal(rebuilt.autoSerial, original.autoSerial);
    });
  }
});

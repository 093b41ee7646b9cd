// A zone handed from the loader thread to the serving one must arrive whole:
// every record, name, delegation, position and the digest, in the same order.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { REPO } from '../e2e/harness.js';
import { toMasterFile } from '../../src/zone/export.js';
import { loadZoneFile } from '../../src/zone/load.js';
import { packNodes, ZoneAssembler, zoneHead } from '../../src/zone/transport.js';
import type { Zone } from '../../src/zone/zone.js';

const FILES = [join(REPO, 'zones', 'corp.example.yaml'), join(REPO, 'test', 'fixtures', 'masterfile', 'legacy.example.zone'), join(REPO, 'test', 'fixtures', 'check', 'lint.test.yaml')];

function shape(zone: Zone) {
  return {
    text: toMasterFile(zone),
    names: [...zone.names].sort(),
    cuts: [...zone.cuts].sort(),
    count: zone.recordCount,
    positions: [...zone.rrsets()].map((s) => `${s.owner} ${s.type} ${s.pos.file}:${s.pos.line}:${s.pos.col}`),
  };
}

describe('moving a zone between threads', () => {
  for (const file of FILES) {
    it(`rebuilds ${file.slice(REPO.length + 1)} as it was`, async () => {
      const original = (await loadZoneFile(file, { defaultTtl: 3600 })).zone;
      const before = shape(original);
      const digest = original.digest;
      const serial = original.serial;
      const head = structuredClone(zoneHead(original));
      const assembler = new ZoneAssembler(head);
      // Small chunks, through structured cloning, as postMessage sends them.
      for (const chunk of packNodes(original, 3)) {
        const copy = structuredClone(chunk);
        assembler.addFiles(copy.files);
        for (const node of copy.nodes) assembler.add(node);
      }
      assert.equal(original.nodes.size, 0, 'the loader let go of every node');
      const rebuilt = assembler.zone;
      assert.deepEqual(shape(rebuilt), before);
      assert.equal(rebuilt.digest, digest);
      assert.equal(rebuilt.serial, serial);
      assert.equal(rebuilt.autoSerial, original.autoSerial);
    });
  }
});

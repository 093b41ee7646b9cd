// Issue 12: "rewriting a 200k-record zone 6 times with a rising serial,
// transfers not configured: the IXFR journal keeps 20 whole versions" (RSS
// 306 MB → 1.88 GB). The real ZoneFiles reloads a large zone six times, each
// time replacing every record; after a full garbage collection the memory
// kept must be about one version's, not one more per rewrite. Measured in
// process after gc(), because a spawned server's RSS follows when V8 chose
// to collect more than what it keeps (test/e2e/journal-memory.test.ts bounds
// that RSS over more rewrites of a smaller zone).
import assert from 'node:assert/strict';
import { rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import v8 from 'node:v8';
import vm from 'node:vm';
import { Catalog } from '../../src/lifecycle/catalog.js';
import { createLogger } from '../../src/log.js';
import { ZoneFiles } from '../../src/lifecycle/zones.js';
import { defaultTransferSettings, journalBytesFor } from '../../src/transfer/settings.js';
import { tempDir } from '../e2e/harness.js';
import { rewrittenZone } from './rewritten-zone.js';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

const RECORDS = 100_000;
const REWRITES = 6;

/** Heap and buffers in use after a full collection, in MB. */
function keptMb(): number {
  gc();
  gc();
  const m = process.memoryUsage();
  return (m.heapUsed + m.arrayBuffers) / 2 ** 20;
}

describe('IXFR journal memory', () => {
  it(`rewriting a ${RECORDS}-record zone ${REWRITES} times, transfers not configured, keeps one version`, { timeout: 300_000 }, async () => {
    const dir = await tempDir();
    const file = join(dir, 'big.test.zone');
    const catalog = new Catalog();
    const transfer = defaultTransferSettings(); // nobody may transfer anything, as when rotor.yaml says nothing
    const zones = new ZoneFiles(catalog, dir, { defaultTtl: 3600 }, createLogger('silent'), { journalBytes: (origin) => journalBytesFor(transfer, origin) });
    const load = async (version: number) => {
      // Written aside and renamed, as an editor or a deploy would.
      await writeFile(join(dir, 'next.tmp'), rewrittenZone(version, RECORDS));
      await rename(join(dir, 'next.tmp'), file);
      await zones.reload(file);
      assert.equal(catalog.get('big.test.')?.serial, version);
    };
    await load(1);
    const first = keptMb();
    const seen: number[] = [];
    for (let version = 2; version <= REWRITES + 1; version++) {
      await load(version);
      seen.push(Math.round(keptMb()));
    }
    const growth = seen[seen.length - 1]! - first;
    console.log(`kept ${first.toFixed(0)} MB after the first load, then ${seen.join(', ')} MB`);
    assert.ok(growth < 30, `memory kept grew ${growth.toFixed(0)} MB over ${REWRITES} rewrites (${first.toFixed(0)} MB → ${seen.join(', ')})`);
  });
});

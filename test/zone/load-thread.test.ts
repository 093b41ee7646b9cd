// The zone loader thread ends once idle, so that what a parse left in its heap
// is given back, and a later load starts it again.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ZoneLoaderThread } from '../../src/zone/load-thread.js';

/** The threads of this process, as the kernel counts them. */
function threads(): number {
  return Number(/^Threads:\s+(\d+)/m.exec(readFileSync('/proc/self/status', 'utf8'))![1]);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('the zone loader thread', () => {
  let dir: string;
  let file: string;
  const loader = new ZoneLoaderThread();
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'rotor-load-thread-'));
    file = join(dir, 'idle.test.zone');
    await writeFile(file, '@ 3600 IN SOA ns1 hostmaster 1 3600 600 1209600 300\n@ NS ns1\nns1 A 192.0.2.53\n');
  });
  after(async () => {
    await loader.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('ends 2 s after its last load and starts again for the next', { timeout: 120_000 }, async () => {
    const before = threads();
    const first = await loader.load(file, { defaultTtl: 3600 });
    assert.ok(first.ok, JSON.stringify(first.diagnostics));
    const loading = threads();
    assert.ok(loading > before, `a thread to load on (${before} threads before, ${loading} after)`);
    await sleep(3500);
    assert.ok(threads() < loading, `ended when idle (${loading} threads while loading, ${threads()} after)`);
    const again = await loader.load(file, { defaultTtl: 3600 });
    assert.ok(again.ok, JSON.stringify(again.diagnostics));
    assert.equal(again.zone.recordCount, 3);
  });
});

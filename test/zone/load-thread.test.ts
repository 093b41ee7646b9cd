// The zone loader thread ends once idle, so that what a parse left in its heap
// is given back, and a later load starts it again. A large master file is read
// in two parts, the second on a helper thread, into the zone read whole.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ZoneLoaderThread } from '../../src/zone/load-thread.js';
import { loadZoneFile, HELPED_FROM } from '../../src/zone/load.js';
import type { Zone } from '../../src/zone/zone.js';

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

  it('reads a master file over HELPED_FROM octets in two parts, on two threads, as one', { timeout: 120_000 }, async () => {
    const big = join(dir, 'big.test.zone');
    const lines = ['$TTL 300', '@ IN SOA ns1 hostmaster 1 3600 600 1209600 300', '  IN NS ns1', 'ns1 IN A 192.0.2.53'];
    for (let i = 0, size = 0; size < HELPED_FROM * 1.1; i++) {
      const line = i % 5 === 0 ? `h${i} 60 IN MX 10 ns1\n  IN TXT "host ${i}"` : i % 7 === 0 ? `$ORIGIN s${i % 3}.big.test.\nh${i} IN A 10.1.${(i >> 8) & 255}.${i & 255}\n$ORIGIN big.test.` : `h${i} IN A 10.0.${(i >> 8) & 255}.${i & 255}`;
      lines.push(line);
      size += line.length + 1;
    }
    await writeFile(big, lines.join('\n') + '\n');
    // Loaders of their own, so that the threads each adds can be counted: a small zone's, and the large one's.
    await loader.close();
    const added = async (zone: string) => {
      const own = new ZoneLoaderThread();
      const before = threads();
      const r = await own.load(zone, { defaultTtl: 3600 });
      const after = threads();
      await own.close();
      assert.ok(r.ok, JSON.stringify(r.diagnostics));
      return { added: after - before, r };
    };
    const small = await added(file);
    const { added: large, r: loaded } = await added(big);
    assert.ok(loaded.ok);
    // The helper only where it gets a processor of its own.
    if (availableParallelism() > 1) assert.ok(large > small.added, `a helper thread (${small.added} threads added for a small zone, ${large} for the large one)`);
    else assert.equal(large, small.added, 'no helper on one processor');
    const here = (await loadZoneFile(big, { defaultTtl: 3600 })).zone;
    const shape = (z: Zone) => ({ count: z.recordCount, digest: z.digest, serial: z.serial, positions: [...z.rrsets()].map((s) => `${s.owner} ${s.type} ${s.pos.line}:${s.pos.col}`) });
    assert.deepEqual(shape(loaded.zone), shape(here));
  });
});

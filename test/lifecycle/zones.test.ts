// ZoneFiles retries a zone that fails to load, less and less often (a large
// broken zone re-parsed every 30 s stalled the server each time, issue 12),
// and starts over when the file is edited.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Catalog } from '../../src/lifecycle/catalog.js';
import { createLogger } from '../../src/log.js';
import { ZoneFiles } from '../../src/lifecycle/zones.js';
import { tempDir } from '../e2e/harness.js';

const BROKEN = "www:\n  type: A\n  value: 999.0.2.1\n";
const GOOD = "'':\n  - type: NS\n    value: ns.elsewhere.test.\nwww:\n  type: A\n  value: 192.0.2.1\n";

describe('retrying a zone that fails', () => {
  it('backs off from firstMs, doubling up to maxMs, and starts over on an edit', async () => {
    const dir = await tempDir({ 'broken.test.yaml': BROKEN });
    const zones = new ZoneFiles(new Catalog(), dir, { defaultTtl: 3600 }, createLogger('silent'), { retry: { firstMs: 150, maxMs: 600 } });
    // Retry timers do not hold a process (a server's sockets do): this test has no sockets.
    const keepAlive = setInterval(() => {}, 1000);
    const rejected: number[] = [];
    const nextRejection = () => new Promise<void>((resolve) => zones.events.once('rejected', () => { rejected.push(Date.now()); resolve(); }));
    try {
      let next = nextRejection();
      await zones.loadAll();
      await next;
      for (let i = 0; i < 4; i++) {
        next = nextRejection();
        await next;
      }
      const gaps = rejected.slice(1).map((t, i) => t - rejected[i]!);
      // 150, 300, 600, 600: each at least its delay, and the last two capped.
      [150, 300, 600, 600].forEach((want, i) => assert.ok(gaps[i]! >= want - 20, `gap ${i} is ${gaps[i]} ms, want ${want}: ${gaps}`));
      assert.ok(gaps[3]! < 1500, `gap 3 is ${gaps[3]} ms: the backoff stops at maxMs`);

      // An edit (still broken) is tried at once and the backoff starts over at firstMs.
      await writeFile(join(dir, 'broken.test.yaml'), BROKEN + '# edited\n');
      const edited = Date.now();
      next = nextRejection();
      await zones.reload(join(dir, 'broken.test.yaml'));
      await next;
      next = nextRejection();
      await next;
      const afterEdit = rejected.at(-1)! - rejected.at(-2)!;
      assert.ok(afterEdit >= 130 && afterEdit < 600, `first retry after the edit came after ${afterEdit} ms, want about 150`);
      assert.ok(rejected.at(-2)! - edited < 2000);

      // Fixed: loaded, and no more retries.
      await writeFile(join(dir, 'broken.test.yaml'), GOOD);
      const loaded = new Promise((resolve) => zones.events.once('loaded', resolve));
      await zones.reload(join(dir, 'broken.test.yaml'));
      await loaded;
      let more = 0;
      zones.events.on('rejected', () => more++);
      await new Promise((r) => setTimeout(r, 400));
      assert.equal(more, 0);
    } finally {
      clearInterval(keepAlive);
      await zones.close();
    }
  });
});

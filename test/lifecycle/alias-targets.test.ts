// The loader says, at file:line:col, which ALIAS targets nothing can look up:
// outside every zone served and no forward.upstreams. Zones loaded together
// are checked against each other once all are in (to-other's target is in
// other.test, loaded beside it), and a later reload of one file is checked too.
import assert from 'node:assert/strict';
import { copyFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import pino from 'pino';
import { Catalog } from '../../src/lifecycle/catalog.js';
import { ZoneFiles } from '../../src/lifecycle/zones.js';
import { REPO, tempDir } from '../e2e/harness.js';

const FIXTURE = join(REPO, 'test', 'fixtures', 'alias');

async function warnings(canForward: boolean): Promise<{ loadAll: string[]; reload: string[] }> {
  const dir = await tempDir();
  for (const f of ['alias.test.yaml', 'other.test.zone']) await copyFile(join(FIXTURE, f), join(dir, f));
  const lines: string[] = [];
  const logger = pino({ level: 'warn', base: undefined }, { write: (s: string) => void lines.push(JSON.parse(s).msg) });
  const zones = new ZoneFiles(new Catalog(), dir, { defaultTtl: 3600 }, logger, { canForward: () => canForward });
  try {
    await zones.loadAll('here');
    const loadAll = lines.filter((l) => l.includes('forward.upstreams')).map((l) => l.replace(dir + '/', ''));
    lines.length = 0;
    await zones.reload(join(dir, 'alias.test.yaml'), 'change', 'here');
    return { loadAll, reload: lines.filter((l) => l.includes('forward.upstreams')).map((l) => l.replace(dir + '/', '')) };
  } finally {
    await zones.close();
  }
}

describe('ALIAS targets nothing can look up', () => {
  it('are warned about at load without forward.upstreams, and only those', async () => {
    const expected = [
      'alias.test.yaml:55:10: warning: ALIAS target host.example.net. of outside.alias.test. is outside the zones served here and forward.upstreams is not set: A and AAAA questions at outside.alias.test. get SERVFAIL',
      // Delegated to a child not served here.
      'alias.test.yaml:61:10: warning: ALIAS target host.sub.alias.test. of to-sub.alias.test. is outside the zones served here and forward.upstreams is not set: A and AAAA questions at to-sub.alias.test. get SERVFAIL',
    ];
    assert.deepEqual(await warnings(false), { loadAll: expected, reload: expected });
  });

  it('are not, with forward.upstreams', async () => {
    assert.deepEqual(await warnings(true), { loadAll: [], reload: [] });
  });
});

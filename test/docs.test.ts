// docs/configuration.md is the reference: every key rotor.yaml takes is in its
// table, with the right answer to "does it change on reload?", and nothing
// that is not a key is there.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { configKeys, reloadsLive } from '../src/config.js';
import { REPO } from './e2e/harness.js';

async function documented(): Promise<Map<string, string>> {
  const text = await readFile(join(REPO, 'docs', 'configuration.md'), 'utf8');
  const rows = new Map<string, string>();
  for (const line of text.split('\n')) {
    const cells = /^\| `([^`]+)` \|/.test(line) ? line.split('|').map((c) => c.trim()) : undefined;
    if (cells) rows.set(cells[1]!.replaceAll('`', ''), cells[4]!);
  }
  return rows;
}

describe('docs/configuration.md', () => {
  it('lists every key rotor.yaml takes, and only those', async () => {
    const rows = await documented();
    const keys = configKeys();
    assert.deepEqual(keys.filter((k) => !rows.has(k)), [], 'keys missing from docs/configuration.md');
    assert.deepEqual([...rows.keys()].filter((k) => !keys.includes(k)), [], 'rows for keys rotor does not take');
  });

  it('says for each whether a reload changes it, as the server does', async () => {
    for (const [key, live] of await documented()) {
      const top = key.split(/[.[]/)[0]!;
      assert.equal(live, reloadsLive(top) ? 'yes' : 'restart', key);
    }
  });
});

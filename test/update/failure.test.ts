// An update that cannot be written leaves the file as it was and the previous
// version serving, and is answered SERVFAIL: a record YAML has no form for,
// and a zone file that cannot be written at all.
import assert from 'node:assert/strict';
import { readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Catalog } from '../../src/lifecycle/catalog.js';
import { ZoneFiles } from '../../src/lifecycle/zones.js';
import { createLogger, EventLog } from '../../src/log.js';
import { Updates } from '../../src/update/updates.js';
import { Name } from '../../src/wire/name.js';
import type { TsigKey } from '../../src/wire/tsig.js';
import { RRClass, RRType, Rcode } from '../../src/wire/types.js';
import { tempDir } from '../e2e/harness.js';
import { updateMessage } from './message.js';

const ORIGIN = Name.parse('f.example.');
const KEY: TsigKey = { name: Name.parse('k.'), algorithm: 'hmac-sha256', secret: Buffer.alloc(32) };
const ZONE = `'':   # apex
  - {type: NS, value: ns1.f.example.}
ns1: {type: A, value: 127.0.0.1}   # loopback
`;

async function setup() {
  const dir = await tempDir({ 'f.example.yaml': ZONE });
  const catalog = new Catalog();
  const logger = createLogger('silent');
  const zones = new ZoneFiles(catalog, dir, { defaultTtl: 3600 }, logger);
  await zones.loadAll('here');
  const updates = new Updates(catalog, zones, () => [{ key: 'k', keyName: 'k.', match: 'zone', name: '' }], new EventLog(logger));
  return { dir, catalog, zones, updates };
}

describe('updates that cannot be written', () => {
  it('a record YAML has no form for: SERVFAIL, the file and the zone as they were', async () => {
    const { dir, catalog, zones, updates } = await setup();
    const before = catalog.get(ORIGIN.key);
    const msg = updateMessage(ORIGIN, [], [{ owner: Name.parse('x', ORIGIN), type: 65280, class: RRClass.IN, ttl: 60, rdata: Buffer.from([1, 2, 3]) }]);
    const result = await updates.update(msg, KEY, '127.0.0.1');
    assert.equal(result.rcode, Rcode.SERVFAIL);
    assert.match(result.reason!, /cannot be written in YAML/);
    assert.equal(await readFile(join(dir, 'f.example.yaml'), 'utf8'), ZONE);
    assert.equal(catalog.get(ORIGIN.key), before);
    await zones.close();
  });

  it('a zone file that cannot be written or read: SERVFAIL, the previous version serving', async () => {
    const { dir, catalog, zones, updates } = await setup();
    const before = catalog.get(ORIGIN.key);
    // The directory goes away under the server (as when a disk is unmounted).
    await rename(dir, `${dir}-gone`);
    const msg = updateMessage(ORIGIN, [], [{ owner: Name.parse('y', ORIGIN), type: RRType.A, class: RRClass.IN, ttl: 60, rdata: Buffer.from([192, 0, 2, 1]) }]);
    const result = await updates.update(msg, KEY, '127.0.0.1');
    assert.equal(result.rcode, Rcode.SERVFAIL);
    assert.equal(catalog.get(ORIGIN.key), before);
    await zones.close();
  });
});

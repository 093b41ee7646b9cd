// 100 random updates in a row to a YAML zone with comments on most lines and
// to a master file with $INCLUDE, parentheses and comments. After each: the
// file loads to exactly the zone served, and every line of the original that
// belongs to no record the updates touched (comments, blank lines, other
// owners' records, directives) is still there, in its order, byte for byte.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Catalog } from '../../src/lifecycle/catalog.js';
import { ZoneFiles } from '../../src/lifecycle/zones.js';
import { createLogger, EventLog } from '../../src/log.js';
import { Name } from '../../src/wire/name.js';
import { RRClass, RRType, Rcode } from '../../src/wire/types.js';
import { loadZoneFile } from '../../src/zone/load.js';
import type { Zone } from '../../src/zone/zone.js';
import { Updates } from '../../src/update/updates.js';
import { entriesOf } from '../../src/update/edit-master.js';
import type { TsigKey } from '../../src/wire/tsig.js';
import { tempDir } from '../e2e/harness.js';
import { updateMessage, type Rr } from './message.js';

const YAML_ZONE = `# rnd.example: hand-written, comments everywhere
'':   # the apex
  - type: SOA   # serial by hand
    value: {mname: ns1.rnd.example., rname: hostmaster.rnd.example., serial: 1, refresh: 3600, retry: 600, expire: 1209600, minimum: 300}
  - type: NS
    values:
      - ns1.rnd.example.   # the only one
ns1:   # name server
  type: A
  value: 127.0.0.1    # loopback

# web hosts
www:   # the site
  - type: A   # two addresses
    ttl: 300
    values:
      - 192.0.2.1     # first
      - 192.0.2.2     # second
  - type: TXT
    ttl: 300
    value: hello    # greeting
mail:   # the mail host
  type: MX
  ttl: 300
  values:
    - {exchange: mx1.rnd.example., preference: 10}   # primary
    - {exchange: mx2.rnd.example., preference: 20}   # backup
static:   # never touched
  type: A
  value: 192.0.2.99   # keep me
`;

const MASTER_ZONE = `; rnd.example as a master file
$ORIGIN rnd.example.
$TTL 300
@   IN SOA ns1 hostmaster (
        1          ; serial
        3600 600   ; refresh, retry
        1209600 300 )
    IN NS ns1      ; the only one
ns1 IN A 127.0.0.1 ; loopback

www IN A 192.0.2.1    ; first
    IN A 192.0.2.2    ; second
    IN TXT ( "hello"  ; greeting
             )
mail IN MX 10 mx1.rnd.example. ; primary
     IN MX 20 mx2.rnd.example. ; backup
$INCLUDE hosts.inc
static IN A 192.0.2.99 ; keep me
`;

const HOSTS = `; included hosts
h1 IN A 192.0.2.31   ; h1
h2 IN A 192.0.2.32   ; h2
`;

/** A small deterministic generator (mulberry32), so that a failure can be run again. */
function random(seed: number): (n: number) => number {
  let a = seed;
  return (n) => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n);
  };
}

const ORIGIN = Name.parse('rnd.example.');
const OWNERS = ['www', 'mail', 'h1', 'h2', 'new1', 'new2', 'a.new3'];
const KEY: TsigKey = { name: Name.parse('k.'), algorithm: 'hmac-sha256', secret: Buffer.alloc(32) };

/** Record data from a small pool that includes the zone's own, so that deletions find what the files hold. */
function data(type: number, i: number): Buffer {
  if (type === RRType.A) return Buffer.from([192, 0, 2, [1, 2, 31, 40][i]!]);
  if (type === RRType.TXT) {
    const text = ['hello', 't1', 't2', 't3'][i]!;
    return Buffer.concat([Buffer.from([text.length]), Buffer.from(text)]);
  }
  const mx = Buffer.alloc(2);
  mx.writeUInt16BE(10 * (i + 1));
  return Buffer.concat([mx, Buffer.from([3]), Buffer.from(`mx${i + 1}`), Buffer.from([3]), Buffer.from('rnd'), Buffer.from([7]), Buffer.from('example'), Buffer.from([0])]);
}

/** One random update: an add, a delete of one record, of an RRset or of a name, one to three of them. */
function randomUpdate(rnd: (n: number) => number): Rr[] {
  const out: Rr[] = [];
  for (let k = 1 + rnd(3); k > 0; k--) {
    const owner = Name.parse(OWNERS[rnd(OWNERS.length)]!, ORIGIN);
    const type = [RRType.A, RRType.TXT, RRType.MX][rnd(3)]!;
    const rdata = data(type, rnd(4));
    switch (rnd(6)) {
      case 0: case 1: case 2: out.push({ owner, type, class: RRClass.IN, ttl: 300, rdata }); break;
      case 3: out.push({ owner, type, class: RRClass.NONE, ttl: 0, rdata }); break;
      case 4: out.push({ owner, type, class: RRClass.ANY, ttl: 0, rdata: Buffer.alloc(0) }); break;
      default: out.push({ owner, type: RRType.ANY, class: RRClass.ANY, ttl: 0, rdata: Buffer.alloc(0) });
    }
  }
  return out;
}

function content(zone: Zone): string[] {
  return [...zone.records()].map((r) => `${r.owner.key} ${r.type} ${r.ttl} ${r.rdata.toString('hex')}`).sort();
}

/** Whether `lines` holds `kept` in order (each line of kept found after the one before). */
function inOrder(kept: string[], lines: string[]): string | undefined {
  let at = 0;
  for (const line of kept) {
    while (at < lines.length && lines[at] !== line) at++;
    if (at === lines.length) return line;
    at++;
  }
  return undefined;
}

/** Original lines of owners never touched: for YAML the blocks of top-level keys, for master files the record entries. */
function untouchedLines(text: string, yaml: boolean, touched: Set<string>): string[] {
  const lines = text.split('\n');
  const keep = lines.map(() => true);
  if (yaml) {
    let owner: string | undefined;
    lines.forEach((line, i) => {
      const key = /^('?)([^'\s#:]*)\1:/.exec(line);
      if (key) owner = key[2] === '' ? ORIGIN.key : Name.parse(key[2]!, ORIGIN).key;
      if (owner && (touched.has(owner) || owner === ORIGIN.key) && !line.startsWith('#') && line.trim() !== '') keep[i] = false;
    });
  } else {
    let owner: string | undefined;
    for (const e of entriesOf(text)) {
      const first = e.tokens[0]!.text;
      if (first.startsWith('$')) continue;
      if (!e.blankOwner) owner = first === '@' ? ORIGIN.key : Name.parse(first, ORIGIN).key;
      // The SOA's serial line changes with every update.
      if (touched.has(owner!) || owner === ORIGIN.key) for (let l = e.startLine; l <= e.endLine; l++) keep[l] = false;
    }
  }
  return lines.filter((_, i) => keep[i]);
}

async function run(file: string, files: Record<string, string>, seed: number): Promise<void> {
  const dir = await tempDir(files);
  const path = join(dir, file);
  const catalog = new Catalog();
  const logger = createLogger('silent');
  const zones = new ZoneFiles(catalog, dir, { defaultTtl: 3600 }, logger);
  await zones.loadAll('here');
  const updates = new Updates(catalog, zones, () => [{ key: 'k', keyName: 'k.', match: 'zone', name: '' }], new EventLog(logger));
  const rnd = random(seed);
  const original = await readFile(path, 'utf8');
  const touched = new Set<string>();
  let applied = 0;
  try {
    for (let i = 0; i < 100; i++) {
      const update = randomUpdate(rnd);
      const before = catalog.get(ORIGIN.key)!;
      const result = await updates.update(updateMessage(ORIGIN, [], update), KEY, '127.0.0.1');
      assert.equal(result.rcode, Rcode.NOERROR, `update ${i}: ${result.reason}`);
      const served = catalog.get(ORIGIN.key)!;
      if (served !== before) applied++;
      for (const rr of update) touched.add(rr.owner.key);
      const loaded = await loadZoneFile(path, { defaultTtl: 3600 });
      assert.deepEqual(content(loaded.zone), content(served), `update ${i}: the file loads to the zone served`);
      const now = (await readFile(path, 'utf8')).split('\n');
      const missing = inOrder(untouchedLines(original, file.endsWith('.yaml'), touched), now);
      assert.equal(missing, undefined, `update ${i}: a line of an untouched record or a comment changed`);
    }
  } finally {
    await zones.close();
  }
  assert.ok(applied > 50, `${applied} of 100 updates changed the zone`);
}

describe('100 random updates in a row', { timeout: 120_000 }, () => {
  it('a commented YAML zone', () => run('rnd.example.yaml', { 'rnd.example.yaml': YAML_ZONE }, 1));
  it('a master file with $INCLUDE, parentheses and comments', () => run('rnd.example.zone', { 'rnd.example.zone': MASTER_ZONE, 'hosts.inc': HOSTS }, 2));
});

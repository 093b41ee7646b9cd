// An RRset of 65,535 records: what an answer costs must follow what is written,
// not what is truncated away. The records are counted as the encoder reads them
// (a Proxy over the zone's array): neither the rotation nor the truncation may
// walk the whole set.
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Catalog } from '../../src/lifecycle/catalog.js';
import { Rotation, type RotationPolicy } from '../../src/authority/rotation.js';
import type { RequestContext } from '../../src/net/context.js';
import { AnswerMemo } from '../../src/query/memo.js';
import { handleMessage, type PipelineOptions } from '../../src/query/pipeline.js';
import { Flag } from '../../src/wire/header.js';
import { Name } from '../../src/wire/name.js';
import { RRType } from '../../src/wire/types.js';
import { loadZoneFile } from '../../src/zone/load.js';
import { tempDir } from '../e2e/harness.js';

function zoneText(): string {
  const lines = ['$TTL 300', '@ SOA ns1 hostmaster 1 7200 900 1209600 600', '@ NS ns1', 'ns1 A 192.0.2.1'];
  for (let i = 0; i < 65_535; i++) lines.push(`many A 10.${i >> 8}.${i & 255}.1`);
  for (let i = 0; i < 100; i++) lines.push(`some A 10.0.${i}.2`);
  return lines.join('\n') + '\n';
}

/** The zone, with the records of `many` and `some` counted as they are read by index. */
async function countedCatalog(): Promise<{ catalog: Catalog; reads: () => number }> {
  const dir = await tempDir({ 'huge.test.zone': zoneText() });
  const { zone } = await loadZoneFile(join(dir, 'huge.test.zone'), { defaultTtl: 300 });
  await rm(dir, { recursive: true });
  let reads = 0;
  for (const owner of ['many.huge.test.', 'some.huge.test.']) {
    const set = zone.get(Name.parse(owner), RRType.A)!;
    set.rdata = new Proxy(set.rdata, {
      get(target, key, receiver) {
        if (typeof key === 'string' && /^\d+$/.test(key)) reads++;
        return Reflect.get(target, key, receiver) as Buffer;
      },
    });
  }
  const catalog = new Catalog();
  catalog.set(zone);
  return { catalog, reads: () => reads };
}

function message(name: string, edns?: number): Buffer {
  const labels = name.split('.').map((l) => Buffer.from(l));
  const header = Buffer.from([0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, edns ? 1 : 0]);
  const parts = [header, ...labels.flatMap((l) => [Buffer.from([l.length]), l]), Buffer.from([0, 0, RRType.A, 0, 1])];
  if (edns) parts.push(Buffer.from([0, 0, RRType.OPT, edns >> 8, edns & 0xff, 0, 0, 0, 0, 0, 0]));
  return Buffer.concat(parts);
}

const CASES: { label: string; tcp: boolean; edns?: number }[] = [
  { label: 'UDP, 512 octets', tcp: false },
  { label: 'UDP, EDNS 1232', tcp: false, edns: 1232 },
  { label: 'TCP', tcp: true },
];

describe('an RRset of 65,535 records', () => {
  for (const policy of ['cyclic', 'random', 'fixed'] as RotationPolicy[]) {
    for (const memo of [false, true]) {
      it(`is answered truncated without reading its records (${policy}, ${memo ? 'answer memo' : 'no memo'})`, async () => {
        const { catalog, reads } = await countedCatalog();
        const rotation = new Rotation(() => policy);
        const opts: PipelineOptions = { catalog, rotation, memo: memo ? new AnswerMemo(catalog, rotation) : undefined };
        for (const { label, tcp, edns } of CASES) {
          const ctx: RequestContext = { transport: tcp ? 'tcp' : 'udp', client: { address: '127.0.0.1', port: 5353 } };
          for (let i = 0; i < 5; i++) {
            const before = reads();
            const out = handleMessage(message('many.huge.test', edns), ctx, opts);
            assert.ok(out && !(out instanceof Promise));
            // Not even TCP carries 65,535 addresses (16 octets each at the least): TC, and nothing to read.
            assert.ok(out.response.readUInt16BE(2) & Flag.TC, label);
            assert.equal(out.response.readUInt16BE(6), 0, label);
            assert.equal(reads() - before, 0, `${label}: records read for an answer that holds none`);
          }
        }
      });
    }
  }

  it('of which a few fit: only those that fit (and the one that did not) are read', async () => {
    const { catalog, reads } = await countedCatalog();
    const opts: PipelineOptions = { catalog, rotation: new Rotation(() => 'cyclic') };
    const ctx: RequestContext = { transport: 'udp', client: { address: '127.0.0.1', port: 5353 } };
    // 100 addresses do not fit in 1,232 octets, though 100 records of the least size (11 octets) would:
    // after the header and question (32 octets) and before the OPT (11), 74 of 16 octets fit; the 75th is read and does not.
    const before = reads();
    const out = handleMessage(message('some.huge.test', 1232), ctx, opts);
    assert.ok(out && !(out instanceof Promise));
    assert.ok(out.response.readUInt16BE(2) & Flag.TC);
    assert.ok(reads() - before <= 75, `${reads() - before} of 100 records read`);
  });
});

// A version built on one thread is served from another: it crosses as its
// buffers (transferred, not copied) and answers lookups on arrival.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Worker } from 'node:worker_threads';
import { Name } from '../../src/wire/name.js';
import { RRType } from '../../src/wire/types.js';
import { NodeFlag, ZoneVersion, type VersionHandOver } from '../../src/zone/version.js';

// The worker builds a zone with the same builder the loader thread will use, and posts it.
const WORKER = `
const tsx = await import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))});
tsx.register();
const { parentPort } = await import('node:worker_threads');
const { build } = await import(${JSON.stringify(new URL('./version-helpers.ts', import.meta.url).href)});
const text = '@ SOA ns1 hostmaster 9 3600 600 1209600 300\\n@ NS ns1\\nns1 A 192.0.2.53\\n' +
  Array.from({ length: 5000 }, (_, i) => 'h' + i + '.hosts A 10.0.' + (i >> 8) + '.' + (i & 255) + '\\n').join('') + 'sub NS ns.elsewhere.\\n';
const { version } = build(text);
const { message, transfer } = version.handOver();
parentPort.postMessage({ message, records: version.recordCount }, transfer);
parentPort.postMessage({ after: version.columns.data.byteLength });
`;

describe('a version across threads', () => {
  it('arrives whole as transferred buffers', async () => {
    const w = new Worker(WORKER, { eval: true });
    const replies: unknown[] = [];
    await new Promise<void>((resolve, reject) => {
      w.on('message', (m) => {
        replies.push(m);
        if (replies.length === 2) resolve();
      });
      w.on('error', reject);
    });
    await w.terminate();
    const [first, second] = replies as [{ message: VersionHandOver['message']; records: number }, { after: number }];
    assert.equal(second.after, 0, 'the worker\'s copy is gone: the buffers were moved');
    const v = ZoneVersion.receive(first.message);
    assert.equal(v.recordCount, first.records);
    assert.equal(v.recordCount, 5000 + 4);
    assert.equal(v.serial, 9);
    const h = v.find(Name.parse('h4242.hosts.example.'));
    assert.deepEqual([...v.rdata(v.recordsOf(v.rrset(h, RRType.A))[0])], [10, 0, 4242 >> 8, 4242 & 255]);
    assert.equal(v.flags(v.find(Name.parse('hosts.example.'))), NodeFlag.EMPTY);
    assert.equal(v.lookup(Name.parse('a.sub.example.')).cut, v.find(Name.parse('sub.example.')));
  });
});

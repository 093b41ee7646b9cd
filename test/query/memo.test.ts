// The answer memo against the pipeline without it: two catalogs loaded from
// the same files, one answered with the memo and one without, must send the
// same bytes for every query, in every order, and leave the same rotation
// counters behind. Then what the memo keeps: per zone version, per answer
// input (DO included), within its byte cap.
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import fc from 'fast-check';
import { Catalog } from '../../src/lifecycle/catalog.js';
import { Rotation, type RotationPolicy } from '../../src/authority/rotation.js';
import type { RequestContext } from '../../src/net/context.js';
import { AnswerMemo } from '../../src/query/memo.js';
import { handleMessage, type Outcome, type PipelineOptions } from '../../src/query/pipeline.js';
import { Name } from '../../src/wire/name.js';
import { RRType } from '../../src/wire/types.js';
import { loadZoneFile } from '../../src/zone/load.js';
import { REPO, tempDir } from '../e2e/harness.js';

const FILES = [join(REPO, 'test', 'fixtures', 'answers', 'example.test.yaml'), join(REPO, 'zones', 'corp.example.yaml')];

async function catalog(): Promise<Catalog> {
  const c = new Catalog();
  for (const f of FILES) c.set((await loadZoneFile(f, { defaultTtl: 3600 })).zone);
  return c;
}

interface QueryShape {
  name: string;
  type: number;
  id?: number;
  /** Header flags of the query (RD, CD, AD...). */
  flags?: number;
  edns?: { size: number; dnssecOk?: boolean; version?: number; options?: Buffer };
}

function encodeName(name: string): Buffer {
  const labels = name.split('.').filter(Boolean).map((l) => Buffer.from(l, 'latin1'));
  return Buffer.concat([...labels.flatMap((l) => [Buffer.from([l.length]), l]), Buffer.from([0])]);
}

function message(q: QueryShape): Buffer {
  const header = Buffer.alloc(12);
  header.writeUInt16BE(q.id ?? 0x1234, 0);
  header.writeUInt16BE(q.flags ?? 0, 2);
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(q.edns ? 1 : 0, 10);
  const tail = Buffer.alloc(4);
  tail.writeUInt16BE(q.type, 0);
  tail.writeUInt16BE(1, 2);
  const parts = [header, encodeName(q.name), tail];
  if (q.edns) {
    const options = q.edns.options ?? Buffer.alloc(0);
    const opt = Buffer.alloc(11);
    opt.writeUInt16BE(RRType.OPT, 1);
    opt.writeUInt16BE(q.edns.size, 3);
    opt[6] = q.edns.version ?? 0;
    opt[7] = q.edns.dnssecOk ? 0x80 : 0;
    opt.writeUInt16BE(options.length, 9);
    parts.push(opt, options);
  }
  return Buffer.concat(parts);
}

const NAMES = [
  'example.test', 'www.example.test', 'mail.example.test', 'ns1.example.test', 'a.b.c.example.test', 'b.c.example.test',
  'alias.example.test', 'chain1.example.test', 'loop1.example.test', 'external.example.test', 'dangling.example.test',
  'to-delegated.example.test', 'x.wild.example.test', 'y.x.wild.example.test', 'explicit.wild.example.test', 'ent.wild.example.test',
  'q.cnamewild.example.test', 'sub.example.test', 'host.sub.example.test', 'deep.host.sub.example.test', '_sip._tcp.example.test',
  'big.example.test', 'nothere.example.test', 'corp.example', 'mx1.corp.example', 'mx2.corp.example', 'intranet.corp.example',
  'webmail.corp.example', 'www.corp.example', '_submission._tcp.corp.example', 'none.corp.example', 'elsewhere.test',
];
const TYPES = [RRType.A, RRType.AAAA, RRType.MX, RRType.TXT, RRType.NS, RRType.SOA, RRType.CNAME, RRType.SRV, RRType.DS, RRType.ANY, RRType.AXFR, 99, 4242];
const COOKIE = Buffer.from('000a0008' + '0102030405060708', 'hex');
const EDNS: (QueryShape['edns'] | undefined)[] = [
  undefined, { size: 512 }, { size: 1232 }, { size: 4096, dnssecOk: true }, { size: 700 }, { size: 100 },
  { size: 1232, options: COOKIE }, { size: 1232, version: 1 }, { size: 1232, options: Buffer.from('000a00ff01', 'hex') },
];

function pair(policy: RotationPolicy, plain: Catalog, prepared: Catalog, capBytes?: number) {
  const slow: PipelineOptions = { catalog: plain, rotation: new Rotation(() => policy) };
  const rotation = new Rotation(() => policy);
  const memo = new AnswerMemo(prepared, rotation, capBytes);
  const fast: PipelineOptions = { catalog: prepared, rotation, memo };
  return { slow, fast, memo };
}

/** A pipeline with the memo, on its own. */
function memoized(catalog: Catalog, capBytes?: number) {
  const rotation = new Rotation(() => 'cyclic');
  const memo = new AnswerMemo(catalog, rotation, capBytes);
  return { opts: { catalog, rotation, memo } satisfies PipelineOptions, memo };
}

function run(msg: Buffer, tcp: boolean, opts: PipelineOptions): Outcome | undefined {
  const ctx: RequestContext = { transport: tcp ? 'tcp' : 'udp', client: { address: '127.0.0.1', port: 5353 } };
  const out = handleMessage(msg, ctx, opts);
  assert.ok(!(out instanceof Promise));
  return out;
}

/** Sends `msg` both ways, checks the outcomes agree and returns the prepared one. */
function same(msg: Buffer, tcp: boolean, p: ReturnType<typeof pair>, what: string): Outcome | undefined {
  const a = run(msg, tcp, p.slow);
  const b = run(msg, tcp, p.fast);
  assert.equal(b?.response.toString('hex'), a?.response.toString('hex'), what);
  assert.equal(b?.rcode, a?.rcode, what);
  assert.equal(b?.rotation, a?.rotation, `${what}: rotation`);
  assert.equal(b?.zone, a?.zone === undefined ? undefined : b?.zone, what);
  assert.equal(b?.zone?.origin.key, a?.zone?.origin.key, what);
  assert.equal(b?.question?.name.key, a?.question?.name.key, what);
  assert.equal(b?.question?.type, a?.question?.type, what);
  assert.equal(b?.question?.raw.toString('hex'), a?.question?.raw.toString('hex'), what);
  return b;
}

function counters(c: Catalog, rotation: Rotation): string[] {
  return [...c.all()].flatMap((z) => [...z.rrsets()].map((s) => `${s.owner.key} ${s.type} ${rotation.served(s)}`));
}

/** Runs `msg` through `opts` and tells whether the memo answered it from an entry. */
function recalled(opts: PipelineOptions, msg: Buffer, tcp = false): { out: Outcome | undefined; hit: boolean } {
  const before = opts.memo!.hits;
  const out = run(msg, tcp, opts);
  return { out, hit: opts.memo!.hits > before };
}

describe('the answer memo', () => {
  // The default cap, and one of 4 KiB under which entries are evicted all the time.
  for (const [policy, capBytes] of [['cyclic', undefined], ['fixed', undefined], ['cyclic', 4096]] as const) {
    it(`send the bytes the full pipeline sends, for every name, type, EDNS and transport (${policy}${capBytes ? `, ${capBytes}-byte cap` : ''})`, async () => {
      const plain = await catalog();
      const prepared = await catalog();
      const p = pair(policy, plain, prepared, capBytes);
      // Three passes: the first prepares, the later ones are answered from memory at other turns.
      for (let pass = 0; pass < 3; pass++) {
        for (const name of NAMES) {
          for (const type of TYPES) {
            for (const [k, edns] of EDNS.entries()) {
              const tcp = k % 3 === 2;
              same(message({ name, type, edns, id: pass * 1000 + k, flags: 0x0110 }), tcp, p, `${name} ${type} edns ${JSON.stringify(edns)} tcp ${tcp}`);
            }
          }
        }
      }
      assert.deepEqual(counters(prepared, p.fast.rotation), counters(plain, p.slow.rotation));
    });
  }

  it('agree on any sequence of queries, whatever the case of the name', async () => {
    const plain = await catalog();
    const prepared = await catalog();
    const p = pair('cyclic', plain, prepared);
    const shape = fc.record({
      name: fc.constantFrom(...NAMES).chain((n) => fc.array(fc.boolean(), { minLength: n.length, maxLength: n.length })
        .map((up) => [...n].map((c, i) => (up[i] ? c.toUpperCase() : c)).join(''))),
      type: fc.constantFrom(...TYPES),
      id: fc.integer({ min: 0, max: 0xffff }),
      flags: fc.constantFrom(0, 0x0100, 0x0010, 0x0020, 0x0400, 0x0200),
      edns: fc.option(fc.record({ size: fc.integer({ min: 0, max: 0xffff }), dnssecOk: fc.boolean() }), { nil: undefined }),
      tcp: fc.boolean(),
    });
    fc.assert(fc.property(fc.array(shape, { minLength: 1, maxLength: 40 }), (queries) => {
      for (const q of queries) same(message(q), q.tcp, p, JSON.stringify(q));
      assert.deepEqual(counters(prepared, p.fast.rotation), counters(plain, p.slow.rotation));
    }), { numRuns: 200 });
  });

  it('rotate randomly as the full pipeline does, advancing the same counters', async () => {
    const plain = await catalog();
    const prepared = await catalog();
    const p = pair('random', plain, prepared);
    const seen = new Set<string>();
    for (let i = 0; i < 60; i++) {
      const msg = message({ name: 'intranet.corp.example', type: RRType.A });
      const a = run(msg, false, p.slow)!;
      const b = run(msg, false, p.fast)!;
      assert.equal(b.response.length, a.response.length);
      assert.equal(b.response.subarray(0, 12).toString('hex'), a.response.subarray(0, 12).toString('hex'));
      seen.add(b.response.subarray(-4).toString('hex'));
    }
    assert.equal(seen.size, 3, 'each of the three addresses comes first some of the time');
    assert.deepEqual(counters(prepared, p.fast.rotation), counters(plain, p.slow.rotation));
  });

  it('tell apart two names whose keys hash alike', async () => {
    // FNV-1a over the lowercased wire name and type, as memo.ts keys its entries (before the flag octet, which is the same for both).
    const hash = (name: string) => {
      let h = 0x811c9dc5;
      for (const c of [...encodeName(name), 0, RRType.A]) h = Math.imul(h ^ c, 0x01000193);
      return h >>> 0;
    };
    // A name answered by the wildcard and one that does not exist, alike to the hash.
    const wild = new Map<number, string>();
    const missing = new Map<number, string>();
    let twins: [string, string] | undefined;
    for (let i = 0; !twins; i++) {
      const [w, m] = [`n${i}.wild.example.test`, `n${i}.example.test`];
      wild.set(hash(w), w);
      missing.set(hash(m), m);
      const other = missing.get(hash(w));
      const another = wild.get(hash(m));
      if (other) twins = [w, other];
      else if (another) twins = [another, m];
    }
    const p = pair('cyclic', await catalog(), await catalog());
    for (let i = 0; i < 3; i++) {
      for (const name of twins) same(message({ name, type: RRType.A }), false, p, name);
    }
    assert.equal(run(message({ name: twins[0], type: RRType.A }), false, p.fast)!.rcode, 0);
    assert.equal(run(message({ name: twins[1], type: RRType.A }), false, p.fast)!.rcode, 3);
  });

  it('answer from the new zone version as soon as it is served, and from the parent when a zone goes', async () => {
    const prepared = await catalog();
    const { opts } = memoized(prepared);
    const ask = () => run(message({ name: 'www.example.test', type: RRType.A }), false, opts)!.response.subarray(-4).toString('hex');
    assert.equal(ask(), 'c0000250'); // 192.0.2.80
    assert.equal(ask(), 'c0000250');
    const zone = (await loadZoneFile(FILES[0]!, { defaultTtl: 3600 })).zone;
    const www = zone.get(Name.parse('www.example.test.'), RRType.A)!;
    www.rdata = [Buffer.from([192, 0, 2, 81])];
    prepared.set(zone);
    assert.equal(ask(), 'c0000251');
    prepared.delete('example.test.');
    assert.equal(run(message({ name: 'www.example.test', type: RRType.A }), false, opts)!.rcode, 5, 'not ours any more: REFUSED');
  });

  it('keep the entries of other zones when one zone is edited', async () => {
    const prepared = await catalog();
    const { opts } = memoized(prepared);
    const corp = message({ name: 'www.corp.example', type: RRType.A });
    const test = message({ name: 'www.example.test', type: RRType.A });
    for (const msg of [corp, test]) recalled(opts, msg);
    assert.ok(recalled(opts, corp).hit && recalled(opts, test).hit);
    prepared.set((await loadZoneFile(FILES[0]!, { defaultTtl: 3600 })).zone); // a new version of example.test
    assert.ok(recalled(opts, corp).hit, 'corp.example was not edited: still answered from its entry');
    assert.ok(!recalled(opts, test).hit, 'example.test was: its entry is not used');
    assert.ok(recalled(opts, test).hit, 'and is made again from the new version');
  });

  it('start over when a zone is added under a new origin, which may take names from another', async () => {
    const prepared = await catalog();
    const { opts } = memoized(prepared);
    const host = message({ name: 'host.sub.example.test', type: RRType.A });
    recalled(opts, host);
    assert.equal(recalled(opts, host).out!.answers, 0, 'a referral from example.test');
    const dir = await tempDir({ 'sub.example.test.zone': '$TTL 300\n@ SOA ns1 hostmaster 1 7200 900 1209600 600\n@ NS ns1\nns1 A 192.0.2.1\nhost A 192.0.2.7\n' });
    prepared.set((await loadZoneFile(join(dir, 'sub.example.test.zone'), { defaultTtl: 300 })).zone);
    await rm(dir, { recursive: true });
    const after = recalled(opts, host);
    assert.ok(!after.hit);
    assert.deepEqual([after.out!.zone?.origin.key, after.out!.answers, after.out!.kind], ['sub.example.test.', 1, 'answer']);
  });

  it('check allow-query per zone: a zone closed to a client leaves another memoized', async () => {
    const prepared = await catalog();
    const { opts } = memoized(prepared);
    const closed: PipelineOptions = { ...opts, allowQuery: (zone) => zone.origin.key !== 'example.test.' };
    const corp = message({ name: 'www.corp.example', type: RRType.A });
    const test = message({ name: 'www.example.test', type: RRType.A });
    // Memoized while open, then closed: the entry must not answer a client the zone refuses.
    recalled(opts, test);
    assert.ok(recalled(opts, test).hit);
    for (let i = 0; i < 3; i++) {
      assert.equal(recalled(closed, test).out!.rcode, 5, 'REFUSED, entry or not');
      recalled(closed, corp);
    }
    assert.ok(recalled(closed, corp).hit, 'corp.example answered from its entry all along');
  });

  it('key the DO bit: a query with DO and one without have entries of their own', async () => {
    const { opts, memo } = memoized(await catalog());
    const plain = message({ name: 'www.example.test', type: RRType.A, edns: { size: 1232 } });
    const dnssec = message({ name: 'www.example.test', type: RRType.A, edns: { size: 1232, dnssecOk: true } });
    recalled(opts, plain);
    assert.ok(!recalled(opts, dnssec).hit, 'the DO query is another answer input');
    assert.equal(memo.size, 2);
    const [a, b] = [recalled(opts, plain), recalled(opts, dnssec)];
    assert.ok(a.hit && b.hit);
    // The OPT record's DO bit (top bit of the flags, 4 octets from the end) as asked.
    const doBit = (r: Buffer) => (r[r.length - 4]! & 0x80) !== 0;
    assert.deepEqual([doBit(a.out!.response), doBit(b.out!.response)], [false, true]);
  });

  it('stay within their byte cap under a random-name flood, least recently used out first', async () => {
    const cap = 32 * 1024;
    const p = pair('cyclic', await catalog(), await catalog(), cap);
    const memo = p.memo;
    const hot = message({ name: 'www.example.test', type: RRType.A });
    const flood = (i: number) => message({ name: `n${i}.wild.example.test`, type: RRType.MX, id: i });
    for (let i = 0; i < 2000; i++) {
      // Over TCP and twice, so that the sections are kept too; every answer still as the pipeline sends it.
      same(flood(i), true, p, `n${i}`);
      same(flood(i), true, p, `n${i} again`);
      const hits = memo.hits;
      same(hot, false, p, 'www');
      assert.ok(memo.hits > hits || i === 0, `the name asked all along was dropped after ${i} others`);
      assert.ok(memo.bytes <= cap, `${memo.bytes} bytes kept after ${i + 1} names`);
    }
    assert.ok(memo.size > 10 && memo.size < 2000, `${memo.size} names kept`);
    assert.ok(recalled(p.fast, flood(1999), true).hit, 'so is the last of the flood');
    assert.ok(!recalled(p.fast, flood(0), true).hit, 'the first of the flood is gone');
  });

  it('keep nothing of an answer that goes out truncated', async () => {
    const p = pair('cyclic', await catalog(), await catalog());
    const memo = p.memo;
    // big.example.test TXT does not fit in 512 octets: over UDP every answer is truncated.
    const big = (id: number) => message({ name: 'big.example.test', type: RRType.TXT, id });
    same(big(0), false, p, 'first');
    const entry = memo.bytes;
    for (let i = 1; i < 40; i++) same(big(i), false, p, `UDP ${i}`);
    assert.equal(memo.bytes, entry, 'UDP clients got truncated answers: no sections kept');
    for (let i = 0; i < 40; i++) same(big(i), true, p, `TCP ${i}`);
    assert.ok(memo.bytes > entry + 1000, 'over TCP the whole answer goes out, and is kept');
    assert.ok(recalled(p.fast, big(99), true).hit);
  });
});

describe('the byte estimate of memo entries', () => {
  it('is not below what they cost the heap', async (t) => {
    v8.setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const heap = () => {
      gc();
      gc();
      const m = process.memoryUsage();
      return m.heapUsed + m.external;
    };
    // Sixteen TXT records of 200 octets under a wildcard: 3.4 KB answers.
    const records = Array.from({ length: 16 }, (_, i) => `*.w TXT "${String(i).padStart(3, '0')}${'x'.repeat(196)}"`);
    const dir = await tempDir({ 'flood.test.zone': ['$TTL 300', '@ SOA ns1 hostmaster 1 7200 900 1209600 600', '@ NS ns1', 'ns1 A 192.0.2.1', ...records, ''].join('\n') });
    const prepared = new Catalog();
    prepared.set((await loadZoneFile(join(dir, 'flood.test.zone'), { defaultTtl: 300 })).zone);
    await rm(dir, { recursive: true });
    const { opts, memo: fast } = memoized(prepared, 1 << 30);
    // Each name twice over TCP: an entry and one answer kept whole.
    const queries = Array.from({ length: 5000 }, (_, i) => message({ name: `name-${i}.w.flood.test`, type: RRType.TXT, id: i }));
    const before = heap();
    for (const q of queries) {
      run(q, true, opts);
      run(q, true, opts);
    }
    const grown = heap() - before;
    assert.ok(fast.size > 4900, `${fast.size} names kept`);
    t.diagnostic(`heap +${grown} bytes, estimate ${fast.bytes} (${(grown / fast.size).toFixed(0)} and ${(fast.bytes / fast.size).toFixed(0)} a name)`);
    assert.ok(grown <= fast.bytes, `the heap grew by ${grown} bytes, the estimate is ${fast.bytes}`);
  });
});

// The signing threads: a batch's signatures come back in order and verify; a
// batch a thread cannot read fails alone, and the pool goes on signing.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { Algorithm, generateKey, ZSK_FLAGS } from '../../src/dnssec/keys.js';
import { rrsigHead, verifyRRset } from '../../src/dnssec/rrsig.js';
import { canonicalName } from '../../src/dnssec/canonical.js';
import { SigningPool } from '../../src/dnssec/signing-pool.js';
import { Name } from '../../src/wire/name.js';
import { rd } from '../rrtypes/rdata.js';

const pool = new SigningPool(2);
after(() => pool.close());

const zone = Name.parse('example.com.');
const key = generateKey(zone, Algorithm.ED25519, ZSK_FLAGS);
const validity = { inception: 1_700_000_000, expiration: 1_800_000_000 };

/** One task of a batch (the layout of signing-pool.ts): key 0, the RRSIG head, the owner, the records. */
function task(head: Buffer, owner: Name, rdatas: Buffer[]): Buffer {
  const parts = [Buffer.of(0, head.length >> 8, head.length & 0xff), head];
  const wire = canonicalName(owner);
  parts.push(Buffer.of(wire.length), wire, Buffer.of(rdatas.length >> 8, rdatas.length & 0xff));
  for (const r of rdatas) parts.push(Buffer.of(r.length >> 8, r.length & 0xff), r);
  return Buffer.concat(parts);
}

describe('the signing pool', () => {
  it('signs batches on its threads: each signature, in order, verifies its RRset', async () => {
    const sets = Array.from({ length: 50 }, (_, i) => ({
      owner: Name.parse(`h${i}.Example.com.`), type: 1, class: 1, ttl: 300, rdatas: [rd('A', `192.0.2.${i}`), rd('A', `198.51.100.${i}`)],
    }));
    const heads = sets.map((s) => rrsigHead(s, key.algorithm, 3, validity, key.tag, zone));
    const batches = [sets.slice(0, 25), sets.slice(25)].map((part, b) =>
      pool.sign([{ algorithm: key.algorithm, privateKey: key.privateKey }], new Uint8Array(Buffer.concat(part.map((s, i) => task(heads[b * 25 + i]!, s.owner, s.rdatas))))));
    const replies = await Promise.all(batches);
    let i = 0;
    for (const reply of replies) {
      for (let at = 0; at < reply.length; i++) {
        const length = reply.readUInt16BE(at);
        const rrsig = Buffer.concat([heads[i]!, reply.subarray(at + 2, at + 2 + length)]);
        at += 2 + length;
        assert.equal(verifyRRset(sets[i]!, rrsig, key.dnskey), undefined, `set ${i}`);
      }
    }
    assert.equal(i, 50);
  });

  it('fails a batch it cannot read, and signs the next', async () => {
    await assert.rejects(pool.sign([{ algorithm: key.algorithm, privateKey: key.privateKey }], new Uint8Array([5, 0, 1, 0])), /signing failed/);
    const head = rrsigHead({ type: 1, ttl: 300 }, key.algorithm, 3, validity, key.tag, zone);
    const reply = await pool.sign([{ algorithm: key.algorithm, privateKey: key.privateKey }], new Uint8Array(task(head, Name.parse('www.example.com.'), [rd('A', '192.0.2.1')])));
    assert.equal(reply.readUInt16BE(0), 64);
  });
});

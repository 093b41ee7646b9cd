// DO=1 answers of a zone pre-signed by dnssec-signzone through rotor's message
// handler, as the wire carries them: the answer memo sends what the full path
// sends, each RRset followed by its RRSIGs; a set that turns keeps its
// signatures as they are; a response cut to fit keeps every RRset of the
// additional section whole with its signatures; without DO none goes out.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseMessage, type WireRecord } from '../../src/message/message.js';
import { Flag } from '../../src/wire/header.js';
import { RRType } from '../../src/wire/types.js';
import { signatureFaults, type SignedSet } from '../authority/dnssec-proofs.js';
import { signZone, SIGNED_EXAMPLE, type SignedZone } from '../dnssec/signed-zone.js';
import { startHandler, type Ask, type Handler } from './answers/handler.js';

/** The records of a section as RRsets, each with the RRSIGs that follow it (which must come right after it). */
function signedSets(records: WireRecord[]): SignedSet[] {
  const out: (SignedSet & { rdata: Buffer[]; signatures: Buffer[] })[] = [];
  for (const r of records) {
    const last = out[out.length - 1];
    if (r.type === RRType.RRSIG) {
      assert.ok(last && last.owner.equals(r.owner) && r.rdata.readUInt16BE(0) === last.type, `an RRSIG not right after the ${r.rdata.readUInt16BE(0)} set it covers at ${r.owner}`);
      assert.equal(r.ttl, last.ttl);
      last.signatures.push(r.rdata);
    } else if (last && last.owner.equals(r.owner) && last.type === r.type && last.signatures.length === 0) {
      last.rdata.push(r.rdata);
    } else {
      out.push({ owner: r.owner, type: r.type, ttl: r.ttl, rdata: [r.rdata], signatures: [] });
    }
  }
  return out;
}

const text = (records: WireRecord[]) => records.map((r) => `${r.owner.key} ${r.type} ${r.ttl} ${r.rdata.toString('hex')}`).sort();

describe('DO=1 answers of a pre-signed zone through the message handler', () => {
  let zone: SignedZone;
  let dir: string;
  let memo: Handler;
  let full: Handler;
  let keys: Buffer[];

  before(async () => {
    zone = signZone({ origin: 'example.', text: SIGNED_EXAMPLE, denial: 'nsec3' });
    dir = mkdtempSync(join(tmpdir(), 'rotor-do-'));
    writeFileSync(join(dir, 'example.zone'), zone.text);
    [memo, full] = await Promise.all([startHandler(dir, true), startHandler(dir, false)]);
    const m = parseMessage(await full.ask({ name: 'example.', type: RRType.DNSKEY }));
    keys = m.answer.map((r) => r.rdata);
  });

  after(async () => {
    await Promise.all([memo?.close(), full?.close()]);
    zone?.remove();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** The response to `q` with DO set, its OPT record left out. */
  const ask = async (h: Handler, q: Ask) => {
    const m = parseMessage(await h.ask({ ...q, dnssec: true }));
    return { ...m, additional: m.additional.filter((r) => r.type !== RRType.OPT) };
  };

  for (const [name, type] of [['www.example.', RRType.A], ['mail.example.', RRType.MX], ['nx.example.', RRType.A], ['x.wild.example.', RRType.TXT], ['c1.example.', RRType.A], ['host.unsigned.example.', RRType.A], ['ent.example.', RRType.A]] as const) {
    it(`${name} ${type}: the memo sends what the full path sends, every RRset signed and verified`, async () => {
      const answers = [await ask(memo, { name, type }), await ask(memo, { name, type }), await ask(full, { name, type })];
      const [first] = answers;
      for (const m of answers) {
        assert.deepEqual(text([...m.answer, ...m.authority, ...m.additional]), text([...first!.answer, ...first!.authority, ...first!.additional]));
        for (const section of [m.answer, m.authority, m.additional]) {
          for (const set of signedSets(section)) {
            const glue = (m.header.flags & Flag.AA) === 0 && (set.type === RRType.NS || set.owner.key.endsWith('unsigned.example.'));
            assert.deepEqual(glue ? [] : signatureFaults(set, keys), [], `${set.owner} ${set.type}`);
          }
        }
      }
      assert.ok([...first!.answer, ...first!.authority].some((r) => r.type === RRType.RRSIG));
    });
  }

  it('without DO: no RRSIG, NSEC3 or DS goes out', async () => {
    for (const [name, type] of [['www.example.', RRType.A], ['nx.example.', RRType.A], ['host.secure.example.', RRType.A]] as const) {
      for (const h of [memo, memo, full]) {
        const m = parseMessage(await h.ask({ name, type }));
        const types = [...m.answer, ...m.authority, ...m.additional].map((r) => r.type);
        assert.ok(!types.includes(RRType.RRSIG) && !types.includes(RRType.NSEC3) && !types.includes(RRType.DS), `${name}: ${types}`);
      }
    }
  });

  it('the MX set turns with every answer, its signature the same and valid each time', async () => {
    const orders = new Set<string>();
    const sigs = new Set<string>();
    for (let i = 0; i < 8; i++) {
      const m = await ask(memo, { name: 'mail.example.', type: RRType.MX });
      const [mx] = signedSets(m.answer);
      assert.deepEqual(signatureFaults(mx!, keys), []);
      orders.add(mx!.rdata.map((r) => r.toString('hex')).join());
      sigs.add(mx!.signatures.map((r) => r.toString('hex')).join());
    }
    assert.equal(orders.size, 4);
    assert.equal(sigs.size, 1);
  });

  it('a response cut to 512 octets keeps each additional RRset whole with its signatures', async () => {
    for (const h of [memo, memo, full]) {
      const m = await ask(h, { name: 'mail.example.', type: RRType.MX, edns: 512 });
      assert.equal(m.header.flags & Flag.TC, 0);
      const additional = signedSets(m.additional);
      // Four addresses with a signature each do not fit beside the signed MX set: some are left out, whole.
      assert.ok(additional.length < 4, `${additional.length} address sets`);
      for (const set of additional) assert.deepEqual(signatureFaults(set, keys), []);
    }
  });
});

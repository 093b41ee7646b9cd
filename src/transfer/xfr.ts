// AXFR (RFC 5936) and IXFR (RFC 1995) responses: the zone's records, never
// rotated, packed into as many messages as they need (each under 64 KiB).
import { Flag, HEADER_LENGTH } from '../wire/header.js';
import { writeRecord } from '../message/response.js';
import type { Question } from '../wire/query.js';
import { MessageWriter, WriterOverflow } from '../wire/writer.js';
import { serialGreater, type Zone, type ZoneRecord } from '../zone/zone.js';
import { RRType } from '../wire/types.js';
import { changeRecords, type SoaState } from '../zone/changeset.js';
import { changesSince } from './journal.js';

/** Records per message stop here, leaving room for a TSIG record. */
const MESSAGE_SOFT_LIMIT = 16 * 1024;
const MESSAGE_HARD_LIMIT = 65535 - 512;

export type TransferKind = 'AXFR' | 'IXFR' | 'IXFR-as-AXFR' | 'IXFR-up-to-date';

/** AXFR's sequence: the SOA, every other record, the SOA again. */
function* fullSequence(zone: Zone): Iterable<ZoneRecord> {
  const soa = zone.soaRecord;
  yield soa;
  for (const r of zone.records()) if (r.type !== RRType.SOA) yield r;
  yield soa;
}

/** IXFR's sequence: the new SOA, then per change the old SOA, what went, the new SOA, what came; the new SOA last. */
function incrementalSequence(zone: Zone, serial: number): Iterable<ZoneRecord> | undefined {
  const chain = changesSince(zone, serial);
  if (!chain) return undefined;
  return (function* () {
    const soa = zone.soaRecord;
    const soaOf = (s: SoaState): ZoneRecord => ({ owner: soa.owner, type: RRType.SOA, ttl: s.ttl, rdata: s.rdata });
    yield soa;
    for (const c of chain) {
      yield soaOf(c.from);
      yield* changeRecords(c.removed);
      yield soaOf(c.to);
      yield* changeRecords(c.added);
    }
    yield soa;
  })();
}

export interface TransferPlan {
  kind: TransferKind;
  records: Iterable<ZoneRecord>;
}

/** What to send for an AXFR, or an IXFR from `clientSerial`. */
export function planTransfer(zone: Zone, type: number, clientSerial: number | undefined): TransferPlan {
  if (type === RRType.AXFR || clientSerial === undefined) return { kind: 'AXFR', records: fullSequence(zone) };
  // A secondary as new as we are gets just our SOA (RFC 1995 §2).
  if (clientSerial === zone.serial || serialGreater(clientSerial, zone.serial)) return { kind: 'IXFR-up-to-date', records: [zone.soaRecord] };
  const incremental = incrementalSequence(zone, clientSerial);
  return incremental ? { kind: 'IXFR', records: incremental } : { kind: 'IXFR-as-AXFR', records: fullSequence(zone) };
}

/**
 * Packs records into response messages: the question in the first, AA set,
 * each message compressed on its own.
 */
export function packMessages(records: Iterable<ZoneRecord>, id: number, queryFlags: number, question: Question): Buffer[] {
  const messages: Buffer[] = [];
  let w: MessageWriter | undefined;
  let count = 0;
  const finish = () => {
    if (!w) return;
    w.buf.writeUInt16BE(id, 0);
    w.buf.writeUInt16BE(Flag.QR | Flag.AA | (queryFlags & (0x7800 | Flag.RD)), 2);
    w.buf.writeUInt16BE(messages.length === 0 ? 1 : 0, 4);
    w.buf.writeUInt16BE(count, 6);
    w.buf.writeUInt16BE(0, 8);
    w.buf.writeUInt16BE(0, 10);
    messages.push(w.result());
    w = undefined;
    count = 0;
  };
  const start = () => {
    w = new MessageWriter(MESSAGE_HARD_LIMIT);
    w.pos = HEADER_LENGTH;
    if (messages.length === 0) {
      w.bytes(question.raw);
      w.addTarget(question.name, HEADER_LENGTH);
    }
    return w;
  };
  for (const r of records) {
    let out = w ?? start();
    const before = out.pos;
    try {
      writeRecord(out, r.owner, r.type, r.ttl, r.rdata);
    } catch (e) {
      if (!(e instanceof WriterOverflow) || count === 0) throw e;
      out.rewind(before);
      finish();
      out = start();
      writeRecord(out, r.owner, r.type, r.ttl, r.rdata);
    }
    count++;
    if (out.pos >= MESSAGE_SOFT_LIMIT) finish();
  }
  finish();
  return messages;
}

// Encoding of responses: header, the echoed question, three sections of RRsets
// and the OPT record, fitted into the size the transport allows.
import { writeRData } from '../rrtypes/registry.js';
import { DO_BIT, SERVER_UDP_SIZE } from '../wire/edns.js';
import { Flag, HEADER_LENGTH } from '../wire/header.js';
import type { Name } from '../wire/name.js';
import type { Question } from '../wire/query.js';
import { RRClass, RRType } from '../wire/types.js';
import { LazyShuffle } from '../wire/shuffle.js';
import { MessageWriter, WriterOverflow } from '../wire/writer.js';

/** One RRset as it goes out. */
export interface RRsetOut {
  owner: Name;
  type: number;
  ttl: number;
  /** The records, in the order to send unless `turn` is set. */
  /** Each record's data in uncompressed wire form. */
  rdata: readonly Buffer[];
  /**
   * Rotation applied while writing, so that no reordered copy of a large set is
   * made and only the records that fit are visited: k sends rdata[k] first and
   * wraps around; 'random' sends a fresh random order.
   */
  turn?: number | 'random';
  /**
   * The RRSIG records (RDATA) that cover the set, written after its records
   * under the same owner and TTL, in the order given (rotation never touches
   * them): the set and its signatures fit whole or not at all.
   */
  signatures?: readonly Buffer[];
}

export interface ResponseSpec {
  id: number;
  /** Opcode, RD and CD bits are copied from the query's flags. */
  queryFlags: number;
  aa: boolean;
  /** Recursion available: set on answers the forwarder gives. */
  ra?: boolean;
  /** Full 12-bit rcode; the upper bits need an OPT record to travel. */
  rcode: number;
  question?: Question;
  answer: readonly RRsetOut[];
  authority: readonly RRsetOut[];
  additional: readonly RRsetOut[];
  /** Present when the query had EDNS: the response then carries an OPT record too. */
  edns?: { dnssecOk: boolean };
  /** A referral whose glue must be complete, or the client should retry over TCP (RFC 9471). */
  glueRequired?: boolean;
}

export const COPIED_FLAGS = 0x7800 /* opcode */ | Flag.RD | Flag.CD;

/** One resource record of class IN. */
export function writeRecord(w: MessageWriter, owner: Name, type: number, ttl: number, rd: Buffer): void {
  w.name(owner, true);
  w.u16(type);
  w.u16(RRClass.IN);
  w.u32(ttl);
  const lengthAt = w.pos;
  w.u16(0);
  writeRData(w, type, rd);
  w.buf.writeUInt16BE(w.pos - lengthAt - 2, lengthAt);
}

const randomOrder = new LazyShuffle();

/** The set's records, then its signatures; returns how many records that is. */
function writeRRset(w: MessageWriter, set: RRsetOut): number {
  const { rdata, signatures } = set;
  const n = rdata.length;
  writeRecords(w, set);
  if (signatures) for (const rd of signatures) writeRecord(w, set.owner, RRType.RRSIG, set.ttl, rd);
  return n + (signatures?.length ?? 0);
}

/** The set's records, in the order of its turn. */
function writeRecords(w: MessageWriter, set: RRsetOut): void {
  const { rdata, turn } = set;
  const n = rdata.length;
  if (turn === undefined || n < 2) {
    for (const rd of rdata) writeRecord(w, set.owner, set.type, set.ttl, rd);
  } else if (turn === 'random') {
    randomOrder.start(n);
    for (let i = 0; i < n; i++) writeRecord(w, set.owner, set.type, set.ttl, rdata[randomOrder.next()]!);
  } else {
    for (let i = 0, k = turn % n; i < n; i++, k = k + 1 === n ? 0 : k + 1) writeRecord(w, set.owner, set.type, set.ttl, rdata[k]!);
  }
}

/** The fewest octets a record can take: a one-octet owner (the root), type, class, TTL, RDLENGTH, no data. */
const MIN_RECORD = 11;

type Counted = { rdata: { length: number }; signatures?: { length: number } };

/** Records an RRset puts in a section, its signatures included. */
function recordsOf(set: Counted): number {
  return set.rdata.length + (set.signatures?.length ?? 0);
}

/** Records in a section: the sum of its RRsets' sizes, signatures included. */
export function recordCount(sets: readonly Counted[]): number {
  let n = 0;
  for (const set of sets) n += recordsOf(set);
  return n;
}

export function writeOpt(w: MessageWriter, rcode: number, dnssecOk: boolean): void {
  w.u8(0); // root owner
  w.u16(RRType.OPT);
  w.u16(SERVER_UDP_SIZE);
  w.u32(((rcode >> 4) << 24) | (dnssecOk ? DO_BIT : 0));
  w.u16(0);
}

const writer = new MessageWriter(65535);

/**
 * Runs a write of `records` records and tells whether it stayed within `budget`.
 * The writer stops at the budget and records that cannot fit even at their
 * smallest are not written at all, so the cost of a truncated answer is that of
 * the octets that fit, however many records were left out.
 */
function fits(w: MessageWriter, budget: number, records: number, write: () => void): boolean {
  if (records * MIN_RECORD > budget - w.pos) return false;
  w.limit = Math.min(budget, w.buf.length);
  try {
    write();
  } catch (e) {
    if (e instanceof WriterOverflow) return false;
    throw e;
  } finally {
    w.limit = w.buf.length;
  }
  return w.pos <= budget;
}

/**
 * Encodes a response of at most `limit` octets. When it does not fit, additional
 * records go first; if the answer and authority still do not fit, the response is
 * sent empty with TC set so that the client retries over TCP (RFC 2181 §9).
 */
export function encodeResponse(spec: ResponseSpec, limit: number): Buffer {
  const w = writer;
  w.reset();
  w.pos = HEADER_LENGTH;
  const qd = spec.question ? 1 : 0;
  if (spec.question) {
    w.bytes(spec.question.raw);
    w.addTarget(spec.question.name, HEADER_LENGTH);
  }
  const optSize = spec.edns ? 11 : 0;
  const budget = limit - optSize;
  let tc = false;
  let an = 0;
  let ns = 0;
  let ar = 0;
  const sectionsStart = w.pos;
  if (!fits(w, budget, recordCount(spec.answer) + recordCount(spec.authority), () => {
    for (const set of spec.answer) an += writeRRset(w, set);
    for (const set of spec.authority) ns += writeRRset(w, set);
  })) {
    w.rewind(sectionsStart);
    an = ns = 0;
    tc = true;
  } else {
    for (const set of spec.additional) {
      const before = w.pos;
      let count = 0;
      if (!fits(w, budget, recordsOf(set), () => (count = writeRRset(w, set)))) {
        // Whole RRsets only (with their signatures): a partial address set would be a wrong answer.
        w.rewind(before);
        if (spec.glueRequired) tc = true;
        break;
      }
      ar += count;
    }
  }
  if (spec.edns) {
    writeOpt(w, spec.rcode, spec.edns.dnssecOk);
    ar++;
  }
  let flags = Flag.QR | (spec.queryFlags & COPIED_FLAGS) | (spec.rcode & 0xf);
  if (spec.aa) flags |= Flag.AA;
  if (spec.ra) flags |= Flag.RA;
  if (tc) flags |= Flag.TC;
  const b = w.buf;
  b.writeUInt16BE(spec.id, 0);
  b.writeUInt16BE(flags, 2);
  b.writeUInt16BE(qd, 4);
  b.writeUInt16BE(an, 6);
  b.writeUInt16BE(ns, 8);
  b.writeUInt16BE(ar, 10);
  return w.result();
}

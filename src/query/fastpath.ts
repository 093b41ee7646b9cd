// The common query answered from prepared bytes. The first time a name and type
// are asked, the answer algorithm runs as usual and what it chose — which
// RRsets, in which sections, under which owner and TTL — is kept. After that a
// query costs a parse of its header and question, one Map lookup, the rotation
// counters' steps, and copies: the header with ID and flags patched in, the
// question as it came, and the encoded sections for the turns the RRsets are
// at, memoized per combination of turns. Those sections are the same bytes for
// every spelling of the name: they follow a question of the same length, so
// every compression pointer into it lands on the same offsets.
//
// Anything else — another opcode, a pointer in the question, EDNS beyond one
// plain OPT, ANY, a response larger than the client takes, a name in no zone —
// is left to the full pipeline (undefined), so answers are those of answer() and
// encodeResponse() byte for byte. The cache starts over whenever the catalog
// changes: a new Zone never meets bytes made from an old one.
//
// Anyone can fill it, one random name under a wildcard at a time, so it is held
// to a number of bytes (answer-cache-bytes), least recently used out first, and
// keeps only what is sent: sections too large for the client who asked are
// encoded for each query, never stored beside the truncated answer.
import { answer, type AnswerOptions, type AnsweredRRset } from '../authority/answer.js';
import type { Catalog } from '../authority/catalog.js';
import { nextTurn } from '../authority/rotation.js';
import { checkOptions, readOpt, udpLimit } from '../wire/edns.js';
import { Flag, HEADER_LENGTH } from '../wire/header.js';
import { COPIED_FLAGS, encodeResponse, writeOpt, type ResponseSpec, type RRsetOut } from '../message/response.js';
import { readName, WireError, type Name } from '../wire/name.js';
import type { Question } from '../wire/query.js';
import { Rcode, RRClass, RRType } from '../wire/types.js';
import { MessageWriter } from '../wire/writer.js';
import type { RRset, Zone } from '../zone/zone.js';
import type { Outcome } from './pipeline.js';

/**
 * 32 MiB: room for some 50,000 names and types with an answer or two each, far
 * more than a lab or primary server is asked for in earnest. The process grows
 * by more than what is held (V8 lets its heap run well past what is live between
 * collections, and freed answers leave holes): about 2.5 times, measured under a
 * flood that fills it with 3 KB answers over TCP, so some 80 MB at the most, and
 * a 2 GiB process keeps its memory for zones and the other tables.
 */
export const ANSWER_CACHE_BYTES = 32 * 1024 * 1024;
/** Combinations of turns memoized per name and type at most; past that each answer is encoded. */
const MAX_BODIES = 256;
const TCP_LIMIT = 65535;

// What an entry costs the heap, estimated from above for 64-bit V8 without
// pointer compression (as Node is built), and checked against the heap's growth
// in test/query/fastpath.test.ts: the Map's slot and its share of the table
// (twice the entries at worst), the entry object, its key string's header, and
// its four arrays' headers.
const ENTRY_BYTES = 640;
/** A PreparedRRset and its slots in the section and rotating arrays. */
const SET_BYTES = 80;
/** A Buffer with memory of its own: the view, the ArrayBuffer, its backing store and the allocator's header. */
const BODY_BYTES = 480;
const SLOT_BYTES = 8;

/** The pipeline answers these without the answer algorithm; ANY differs between UDP and TCP. */
const LEFT_TO_PIPELINE = new Set<number>([RRType.OPT, RRType.MAILA, RRType.MAILB, RRType.AXFR, RRType.IXFR, RRType.ANY]);

/** The OPT record of a response with an rcode below 16, without and with the DO bit. */
const OPT_RECORDS = [false, true].map((dnssecOk) => {
  const w = new MessageWriter(16);
  writeOpt(w, Rcode.NOERROR, dnssecOk);
  return w.result();
});
const OPT_LENGTH = OPT_RECORDS[0]!.length;

// What is kept lives as long as the entry, so it is never a slice of Buffer's
// shared 8 KB pool, which it would keep from being freed: keys are strings and
// section bytes have memory of their own.

/** An RRset as answer() placed it, without the records (the zone has them) or the question's name. */
interface PreparedRRset {
  set: RRset;
  /** Undefined: the question's own name, taken from each query so that no entry keeps a name of its own. */
  owner: Name | undefined;
  ttl: number;
}

interface Prepared {
  /** The lowercased question name and type this answers, one character per octet. */
  key: string;
  zone: Zone;
  rcode: number;
  aa: boolean;
  referral: boolean;
  /** Answer.wildcard, for RRL. */
  wildcard: Name | undefined;
  answer: PreparedRRset[];
  authority: PreparedRRset[];
  additional: PreparedRRset[];
  /** The RRsets of more than one record, in the order answer() wrote them: their counters advance in this order. */
  rotating: PreparedRRset[];
  /** How many of `rotating` are in the answer section. */
  rotatingAnswers: number;
  /** Combinations of turns, when few enough to memoize the bytes of each; 0 otherwise. */
  combinations: number;
  /** The bytes after the question (no OPT) by combination of turns, made with the first one. */
  bodies: (Buffer | undefined)[] | undefined;
  /** ANCOUNT, NSCOUNT and ARCOUNT (without OPT) of a complete answer: of every body, and of no truncated answer. */
  an: number;
  ns: number;
  ar: number;
  /** What this entry is estimated to cost, as counted in FastPath.bytes. */
  bytes: number;
}

function recordCount(list: readonly PreparedRRset[]): number {
  let n = 0;
  for (const p of list) n += p.set.rdata.length;
  return n;
}

// FNV-1a, 32 bits: a few multiplications per octet, no string made.
const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

function sameKey(stored: string, key: Buffer, length: number): boolean {
  if (stored.length !== length) return false;
  for (let i = 0; i < length; i++) if (stored.charCodeAt(i) !== key[i]) return false;
  return true;
}

/** The question as it came; its Name is only made if someone asks. */
class WireQuestion implements Question {
  readonly class = RRClass.IN;
  private parsed: Name | undefined;

  constructor(private readonly msg: Buffer, private readonly end: number, readonly type: number) {}

  get name(): Name {
    this.parsed ??= readName(this.msg, HEADER_LENGTH).name;
    return this.parsed;
  }

  get raw(): Buffer {
    return this.msg.subarray(HEADER_LENGTH, this.end);
  }
}

/** What a prepared answer reports; its question is only made if an observer asks. */
class PreparedOutcome implements Outcome {
  private asked: WireQuestion | undefined;

  constructor(
    public response: Buffer, public rcode: number, public zone: Zone, public rotation: number | undefined,
    private readonly msg: Buffer, private readonly end: number, private readonly type: number,
    public wildcard: Name | undefined,
  ) {}

  get question(): Question {
    this.asked ??= new WireQuestion(this.msg, this.end, this.type);
    return this.asked;
  }
}

export class FastPath {
  /** By a hash of the key, least recently used first; the key itself is compared on every hit (a collision only evicts). */
  private readonly entries = new Map<number, Prepared>();
  /** The estimated cost of every entry, at most maxBytes. */
  private used = 0;
  private generation = -1;
  /** The question name lowercased, then the type: the cache key, built without a string or object. */
  private readonly key = Buffer.allocUnsafe(255 + 2);
  /** The turns of the current query's rotating RRsets (undefined: random), by index: no reset per query. */
  private readonly turns: (number | undefined)[] = [];

  constructor(
    private readonly catalog: Catalog, private readonly policy: AnswerOptions['policy'], private readonly maxBytes: number = ANSWER_CACHE_BYTES,
  ) {}

  /** The estimated bytes held, never above the cap. */
  get bytes(): number {
    return this.used;
  }

  /** Names and types held. */
  get size(): number {
    return this.entries.size;
  }

  /** The response to `msg`, or undefined when the full pipeline must handle it. */
  answer(msg: Buffer, tcp: boolean): Outcome | undefined {
    const length = msg.length;
    // A query (QR and opcode 0) with one question, no answer or authority records, at most one additional.
    if (length < HEADER_LENGTH + 5 || (msg[2]! & 0xf8) !== 0) return undefined;
    if (msg[4] !== 0 || msg[5] !== 1 || msg[6] !== 0 || msg[7] !== 0 || msg[8] !== 0 || msg[9] !== 0 || msg[10] !== 0 || msg[11]! > 1) return undefined;

    const key = this.key;
    let hash = FNV_OFFSET;
    let pos = HEADER_LENGTH;
    for (;;) {
      const len = msg[pos]!;
      // Compression pointers and extended label types are for the full parser.
      if (len > 63 || pos + len + 1 >= length || pos + len + 1 - HEADER_LENGTH > 255) return undefined;
      key[pos - HEADER_LENGTH] = len;
      hash = Math.imul(hash ^ len, FNV_PRIME);
      if (len === 0) break;
      for (let i = pos + 1; i <= pos + len; i++) {
        let c = msg[i]!;
        if (c >= 0x41 && c <= 0x5a) c |= 0x20;
        key[i - HEADER_LENGTH] = c;
        hash = Math.imul(hash ^ c, FNV_PRIME);
      }
      pos += len + 1;
    }
    const typeAt = pos + 1;
    const end = typeAt + 4;
    if (end > length) return undefined;
    const type = msg.readUInt16BE(typeAt);
    if (msg.readUInt16BE(typeAt + 2) !== RRClass.IN || LEFT_TO_PIPELINE.has(type)) return undefined;

    let limit = tcp ? TCP_LIMIT : udpLimit(undefined);
    let edns = false;
    let dnssecOk = false;
    if (msg[11] === 1) {
      // One OPT owned by the root, version 0, ending the message.
      if (end + OPT_LENGTH > length || msg[end] !== 0 || msg.readUInt16BE(end + 1) !== RRType.OPT) return undefined;
      const opt = readOpt(msg, end + 3);
      if (opt.version !== 0 || end + OPT_LENGTH + msg.readUInt16BE(end + 9) !== length) return undefined;
      try {
        checkOptions(msg, end + OPT_LENGTH, length);
      } catch (e) {
        if (e instanceof WireError) return undefined;
        throw e;
      }
      edns = true;
      dnssecOk = opt.dnssecOk;
      if (!tcp) limit = udpLimit(opt);
    } else if (end !== length) {
      return undefined;
    }

    if (this.generation !== this.catalog.generation) {
      this.entries.clear();
      this.used = 0;
      this.generation = this.catalog.generation;
    }
    key[typeAt - HEADER_LENGTH] = type >> 8;
    key[typeAt - HEADER_LENGTH + 1] = type & 0xff;
    const keyLength = typeAt + 2 - HEADER_LENGTH;
    hash = Math.imul(Math.imul(hash ^ (type >> 8), FNV_PRIME) ^ (type & 0xff), FNV_PRIME);
    const entry = this.entries.get(hash);
    if (!entry || !sameKey(entry.key, key, keyLength)) return this.first(hash, keyLength, msg, new WireQuestion(msg, end, type), limit, edns, dnssecOk);
    // Most recently used last: the Map keeps insertion order.
    this.entries.delete(hash);
    this.entries.set(hash, entry);

    // The counters advance as answer() advances them: each rotating RRset, in the order written.
    const turns = this.turns;
    let combination = 0;
    let rotation: number | undefined;
    let random = false;
    for (let i = 0; i < entry.rotating.length; i++) {
      const set = entry.rotating[i]!.set;
      const turn = nextTurn(set, this.policy(entry.zone, set));
      turns[i] = turn;
      if (turn === undefined) {
        random = true;
        continue;
      }
      if (rotation === undefined && i < entry.rotatingAnswers) rotation = turn;
      combination = combination * set.rdata.length + turn;
    }

    const body = random || !entry.bodies ? undefined : entry.bodies[combination];
    const size = end + (body ? body.length : 0) + (edns ? OPT_LENGTH : 0);
    if (!body || size > limit) {
      // Random orders, a combination not met yet, or more than the client takes (truncation): encoded the usual way.
      const response = encodeResponse(this.spec(entry, msg, new WireQuestion(msg, end, type), edns, dnssecOk), limit);
      if (!random && !body && entry.combinations > 0) this.keepBody(hash, entry, combination, response, end, edns);
      return new PreparedOutcome(response, entry.rcode, entry.zone, rotation, msg, end, type, entry.wildcard);
    }

    // Byte stores and TypedArray.set: Buffer's checked writers and copy() cost more than the copying.
    const out = Buffer.allocUnsafe(size);
    const flags = Flag.QR | (((msg[2]! << 8) | msg[3]!) & COPIED_FLAGS) | (entry.aa ? Flag.AA : 0) | entry.rcode;
    const an = entry.an;
    const ns = entry.ns;
    const arcount = entry.ar + (edns ? 1 : 0);
    out[0] = msg[0]!;
    out[1] = msg[1]!;
    out[2] = flags >> 8;
    out[3] = flags & 0xff;
    out[4] = 0;
    out[5] = 1;
    out[6] = an >> 8;
    out[7] = an & 0xff;
    out[8] = ns >> 8;
    out[9] = ns & 0xff;
    out[10] = arcount >> 8;
    out[11] = arcount & 0xff;
    for (let i = HEADER_LENGTH; i < end; i++) out[i] = msg[i]!;
    out.set(body, end);
    if (edns) out.set(OPT_RECORDS[dnssecOk ? 1 : 0]!, size - OPT_LENGTH);
    return new PreparedOutcome(out, entry.rcode, entry.zone, rotation, msg, end, type, entry.wildcard);
  }

  /** The first query for a name and type: answered by the answer algorithm, whose choices are kept. */
  private first(hash: number, keyLength: number, msg: Buffer, question: WireQuestion, limit: number, edns: boolean, dnssecOk: boolean): Outcome | undefined {
    const result = answer(this.catalog, question.name, question.type, { fullAny: false, policy: this.policy });
    if (!result) return undefined; // not ours: REFUSED, or whatever the pipeline does with such names
    const response = encodeResponse(responseSpec(msg, question, result, result, edns, dnssecOk), limit);
    const outcome = { response, rcode: result.rcode, zone: result.zone!, question, rotation: result.rotation, wildcard: result.wildcard };
    const kept = (list: AnsweredRRset[]): PreparedRRset[] =>
      list.map((w) => ({ set: w.set, owner: w.owner === question.name ? undefined : w.owner, ttl: w.ttl }));
    const [answers, authority, additional] = [kept(result.answer), kept(result.authority), kept(result.additional)];
    const rotating = [...answers, ...authority, ...additional].filter((p) => p.set.rdata.length > 1);
    const combinations = rotating.reduce((n, p) => n * p.set.rdata.length, 1);
    const entry: Prepared = {
      key: this.key.toString('latin1', 0, keyLength),
      zone: result.zone!,
      rcode: result.rcode,
      aa: result.aa,
      referral: result.referral,
      wildcard: result.wildcard,
      answer: answers,
      authority,
      additional,
      rotating,
      rotatingAnswers: answers.filter((p) => p.set.rdata.length > 1).length,
      combinations: combinations <= MAX_BODIES ? combinations : 0,
      bodies: undefined,
      an: recordCount(answers),
      ns: recordCount(authority),
      ar: recordCount(additional),
      bytes: 0,
    };
    entry.bytes = ENTRY_BYTES + keyLength + (answers.length + authority.length + additional.length) * SET_BYTES;
    const old = this.entries.get(hash);
    if (old) this.forget(hash, old);
    if (entry.bytes <= this.maxBytes) {
      this.entries.set(hash, entry);
      this.used += entry.bytes;
      this.evict();
    }
    return outcome;
  }

  /**
   * Keeps the sections of `response` for this combination of turns, if they went
   * out whole: a truncated answer is never stored, so a UDP client's query never
   * holds the TCP-sized answer it did not get.
   */
  private keepBody(hash: number, entry: Prepared, combination: number, response: Buffer, end: number, edns: boolean): void {
    const opt = edns ? OPT_LENGTH : 0;
    if (response.readUInt16BE(2) & Flag.TC || response.readUInt16BE(6) !== entry.an || response.readUInt16BE(8) !== entry.ns || response.readUInt16BE(10) !== entry.ar + (edns ? 1 : 0)) return;
    if (this.entries.get(hash) !== entry) return; // evicted meanwhile, or never kept
    let cost = BODY_BYTES + response.length - end - opt;
    if (!entry.bodies) cost += entry.combinations * SLOT_BYTES;
    if (entry.bytes + cost > this.maxBytes) return;
    entry.bodies ??= new Array<Buffer | undefined>(entry.combinations);
    const body = entry.bodies[combination] = Buffer.allocUnsafeSlow(response.length - end - opt);
    response.copy(body, 0, end, response.length - opt);
    entry.bytes += cost;
    this.used += cost;
    this.evict();
  }

  /** Least recently used out first, until the cap holds. */
  private evict(): void {
    for (const [hash, entry] of this.entries) {
      if (this.used <= this.maxBytes) return;
      this.forget(hash, entry);
    }
  }

  private forget(hash: number, entry: Prepared): void {
    this.entries.delete(hash);
    this.used -= entry.bytes;
  }

  /** The response as encodeResponse takes it, with each rotating RRset in the order of its turn. */
  private spec(entry: Prepared, msg: Buffer, question: Question, edns: boolean, dnssecOk: boolean): ResponseSpec {
    let r = 0;
    const turned = (list: PreparedRRset[]): RRsetOut[] => list.map(({ set, owner, ttl }) => ({
      owner: owner ?? question.name, type: set.type, ttl, rdata: set.rdata, turn: set.rdata.length < 2 ? undefined : this.turns[r++] ?? 'random',
    }));
    const sections = { answer: turned(entry.answer), authority: turned(entry.authority), additional: turned(entry.additional) };
    return responseSpec(msg, question, entry, sections, edns, dnssecOk);
  }
}

function responseSpec(
  msg: Buffer, question: Question, entry: Pick<Prepared, 'aa' | 'rcode' | 'referral'>,
  sections: { answer: readonly RRsetOut[]; authority: readonly RRsetOut[]; additional: readonly RRsetOut[] },
  edns: boolean, dnssecOk: boolean,
): ResponseSpec {
  return {
    id: msg.readUInt16BE(0),
    queryFlags: msg.readUInt16BE(2),
    aa: entry.aa,
    rcode: entry.rcode,
    question,
    answer: sections.answer,
    authority: sections.authority,
    additional: sections.additional,
    edns: edns ? { dnssecOk } : undefined,
    glueRequired: entry.referral,
  };
}

// The answer memo: a bounded cache of (answer → rotation → encode), consulted
// by the pipeline at its answer step (pipeline.ts). The first time an answer
// input is met, the answer function runs as usual and what it chose — which
// RRsets, in which sections, under which owner and TTL — is kept, tied to the
// zone version it came from. After that a query costs a parse of its header and
// question (read() below: no Name is made), one Map lookup, the rotation
// stage's turns, and copies: the header with ID and flags patched in, the
// question as it came, and the encoded sections for the turns the RRsets are
// at, memoized per combination of turns. Those sections are the same bytes for
// every spelling of the name: they follow a question of the same length, so
// every compression pointer into it lands on the same offsets.
//
// The key is made of every field of AnswerInput (KEY_BITS below will not
// compile without a new one); the zone is not in the key but in the entry, which
// is used only while that zone is the version served (Catalog.current): an edit
// to one zone leaves the others' entries warm. A zone added under a new origin
// may take names from another, so the memo then starts over.
//
// Anyone can fill it, one random name under a wildcard at a time, so it is held
// to a number of bytes (answer-cache-bytes), the least recently used out first
// (nearly: see evict()), and keeps only what is sent: sections too large for
// the client who asked are encoded for each query, never stored beside the
// truncated answer.
import type { Answer, AnswerInput, AnsweredRRset } from '../authority/answer.js';
import { rotates, type Counter, type Rotation } from '../authority/rotation.js';
import type { Catalog } from '../lifecycle/catalog.js';
import { checkOptions, readOpt, type Edns } from '../wire/edns.js';
import { Flag, HEADER_LENGTH, type Header } from '../wire/header.js';
import { COPIED_FLAGS, encodeResponse, recordCount, writeOpt, type ResponseSpec, type RRsetOut } from '../message/response.js';
import { readName, WireError, type Name } from '../wire/name.js';
import type { Query, Question } from '../wire/query.js';
import { Rcode, RRClass, RRType } from '../wire/types.js';
import { MessageWriter } from '../wire/writer.js';
import type { RRset, Zone } from '../zone/zone.js';
import type { Outcome } from './outcome.js';

/**
 * 32 MiB: room for some 50,000 names and types with an answer or two each, far
 * more than a lab or primary server is asked for in earnest. The process grows
 * by more than what is held (V8 lets its heap run well past what is live between
 * collections, and freed answers leave holes): about 2.5 times, measured under a
 * flood that fills it with 3 KB answers over TCP, so some 80 MB at the most, and
 * a 2 GiB process keeps its memory for zones and the other tables.
 */
export const ANSWER_CACHE_BYTES = 32 * 1024 * 1024;
/** Combinations of turns memoized per input at most; past that each answer is encoded. */
const MAX_BODIES = 256;

// What an entry costs the heap, estimated from above for 64-bit V8 without
// pointer compression (as Node is built), and checked against the heap's growth
// in test/query/memo.test.ts: the Map's slot and its share of the table
// (twice the entries at worst), the entry object, its key string's header, and
// its four arrays' headers.
const ENTRY_BYTES = 640;
/** A MemoRRset and its slots in the section and rotating arrays. */
const SET_BYTES = 80;
/** A Buffer with memory of its own: the view, the ArrayBuffer, its backing store and the allocator's header. */
const BODY_BYTES = 480;
const SLOT_BYTES = 8;

/** The fields of AnswerInput besides the zone (held by the entry), the name and the type (the key's octets). */
type Flags = Omit<AnswerInput, 'zone' | 'qname' | 'qtype'>;

/**
 * The key's last octet: bits for each of those fields. A field added to
 * AnswerInput must be given its bits here, or this does not compile: the
 * memo cannot answer one input with another's answer.
 */
const KEY_BITS: { readonly [K in keyof Flags]-?: (value: Flags[K]) => number } = {
  dnssecOk: (on) => (on ? 1 : 0),
  any: (any) => (any === 'all' ? 2 : 0),
};

const KEY_FIELDS = Object.keys(KEY_BITS) as (keyof Flags)[];

function bitsOf(input: Flags): number {
  let bits = 0;
  for (const field of KEY_FIELDS) bits |= (KEY_BITS[field] as (value: unknown) => number)(input[field]);
  return bits;
}

/** The Flags of a query by DO and transport, made once: none is made per query. */
export const QUERY_FLAGS = {
  udp: [{ dnssecOk: false, any: 'one' }, { dnssecOk: true, any: 'one' }],
  tcp: [{ dnssecOk: false, any: 'all' }, { dnssecOk: true, any: 'all' }],
} as const satisfies Record<'udp' | 'tcp', readonly Flags[]>;

/** The key bits of the flags made once, found by identity; others are computed. */
const BITS_OF_QUERY_FLAGS = new Map<Flags, number>([...QUERY_FLAGS.udp, ...QUERY_FLAGS.tcp].map((f) => [f, bitsOf(f)]));

function keyBits(input: Flags): number {
  return BITS_OF_QUERY_FLAGS.get(input) ?? bitsOf(input);
}

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
interface MemoRRset {
  set: RRset;
  /** Undefined: the question's own name, taken from each query so that no entry keeps a name of its own. */
  owner: Name | undefined;
  ttl: number;
  /** Written with its signatures (set.signatures): a DNSSEC answer's. */
  signed: boolean;
}

interface Entry {
  /** Where it is in AnswerMemo.entries. */
  hash: number;
  /** The lowercased question name, type and flag octet this answers, one character per octet. */
  key: string;
  /** The zone version it was answered from: the entry is used only while it is served. */
  zone: Zone;
  answer: Omit<Answer, 'answer' | 'authority' | 'additional' | 'zone'>;
  sections: MemoRRset[][];
  /** The RRsets of more than one record, in the order answer() wrote them: their counters advance in this order. */
  rotating: RRset[];
  /** Their counters in the rotation stage, looked up once. */
  counters: Counter[];
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
  /** What this entry is estimated to cost, as counted in AnswerMemo.bytes. */
  bytes: number;
  /** Recalled since eviction last passed it: it gets a second chance (evict()). */
  recent: boolean;
}

// FNV-1a, 32 bits: a few multiplications per octet, no string made.
const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

function sameKey(stored: string, key: Buffer, length: number): boolean {
  if (stored.length !== length) return false;
  for (let i = 0; i < length; i++) if (stored.charCodeAt(i) !== key[i]) return false;
  return true;
}

/**
 * A plain query — one question of class IN without compression, at most one
 * plain OPT — read without making its name, with the memo's key computed on
 * the way (valid until the next read). Anything else is parsed in full by the
 * pipeline; both take the same path from there. One object is the query, its
 * header and its question: a query answered from an entry makes no other.
 */
class PlainQuery implements Query, Header, Question {
  readonly qdcount = 1;
  readonly ancount = 0;
  readonly nscount = 0;
  readonly class = RRClass.IN;
  private parsed: Name | undefined;

  constructor(
    readonly msg: Buffer,
    readonly id: number,
    readonly flags: number,
    readonly arcount: number,
    readonly type: number,
    /** Where the question ends. */
    readonly end: number,
    readonly edns: Edns | undefined,
    readonly hash: number,
    readonly keyLength: number,
  ) {}

  get header(): Header {
    return this;
  }

  get question(): Question {
    return this;
  }

  /** The question's name, made only if someone asks. */
  get name(): Name {
    this.parsed ??= readName(this.msg, HEADER_LENGTH).name;
    return this.parsed;
  }

  get raw(): Buffer {
    return this.msg.subarray(HEADER_LENGTH, this.end);
  }
}

export class AnswerMemo {
  /** By a hash of the key, in the order eviction passes them (evict()); the key itself is compared on every hit (a collision only evicts). */
  private readonly entries = new Map<number, Entry>();
  /** The estimated cost of every entry, at most maxBytes. */
  private used = 0;
  /** Catalog.added when the entries were made. */
  private added = -1;
  /** The question name lowercased, the type and the flag octet: the key, built without a string or object. */
  private readonly key = Buffer.allocUnsafe(255 + 3);
  /** The turns of the current query's rotating RRsets (undefined: random), by index: no reset per query. */
  private readonly turns: (number | undefined)[] = [];

  constructor(private readonly catalog: Catalog, private readonly rotation: Rotation, private readonly maxBytes: number = ANSWER_CACHE_BYTES) {}

  /** Answers made from an entry, since the start. */
  hits = 0;

  /** The estimated bytes held, never above the cap. */
  get bytes(): number {
    return this.used;
  }

  /** Answer inputs held. */
  get size(): number {
    return this.entries.size;
  }

  /** `msg` read as a plain query, or undefined when it is not one (the pipeline parses it in full). */
  read(msg: Buffer): Query | undefined {
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
    if (msg.readUInt16BE(typeAt + 2) !== RRClass.IN) return undefined;

    let edns: Edns | undefined;
    if (msg[11] === 1) {
      // One OPT owned by the root, version 0, ending the message.
      if (end + OPT_LENGTH > length || msg[end] !== 0 || msg.readUInt16BE(end + 1) !== RRType.OPT) return undefined;
      const opt = readOpt(msg, end + 3);
      if (opt.version !== 0 || end + OPT_LENGTH + msg.readUInt16BE(end + 9) !== length) return undefined;
      try {
        if (checkOptions(msg, end + OPT_LENGTH, length)) opt.nsid = true;
      } catch (e) {
        if (e instanceof WireError) return undefined;
        throw e;
      }
      edns = opt;
    } else if (end !== length) {
      return undefined;
    }
    key[typeAt - HEADER_LENGTH] = type >> 8;
    key[typeAt - HEADER_LENGTH + 1] = type & 0xff;
    hash = Math.imul(Math.imul(hash ^ (type >> 8), FNV_PRIME) ^ (type & 0xff), FNV_PRIME);
    return new PlainQuery(msg, (msg[0]! << 8) | msg[1]!, (msg[2]! << 8) | msg[3]!, msg[11]!, type, end, edns, hash, typeAt + 2 - HEADER_LENGTH);
  }

  /** The entry for this query's answer input, while its zone is the version served; undefined otherwise. */
  recall(query: Query, flags: Flags): Entry | undefined {
    if (!(query instanceof PlainQuery)) return undefined;
    if (this.added !== this.catalog.added) {
      this.entries.clear();
      this.used = 0;
      this.added = this.catalog.added;
    }
    const bits = keyBits(flags);
    const hash = Math.imul(query.hash ^ bits, FNV_PRIME);
    const key = this.key;
    key[query.keyLength] = bits;
    const entry = this.entries.get(hash);
    if (!entry || !sameKey(entry.key, key, query.keyLength + 1)) return undefined;
    if (!this.catalog.current(entry.zone)) {
      this.forget(hash, entry);
      return undefined;
    }
    entry.recent = true;
    return entry;
  }

  /** The response to `query` from a recalled entry: the rotation stage's turns, then copies of prepared bytes. */
  replay(entry: Entry, query: Query, limit: number): Outcome {
    this.hits++;
    const plain = query as PlainQuery;
    const { msg, end } = plain;
    const edns = query.edns !== undefined;
    const dnssecOk = query.edns?.dnssecOk ?? false;
    const a = entry.answer;
    // The counters advance as for a local answer: each rotating RRset, in the order written.
    const turns = this.turns;
    let combination = 0;
    let rotation: number | undefined;
    let random = false;
    for (let i = 0; i < entry.rotating.length; i++) {
      const set = entry.rotating[i]!;
      const turn = this.rotation.turnWith(entry.zone, set, entry.counters[i]!);
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
      const response = encodeResponse(this.spec(entry, query, edns, dnssecOk), limit);
      if (!random && !body && entry.combinations > 0) this.keepBody(entry, combination, response, end, edns);
      return { response, rcode: a.rcode, aa: a.aa, answers: entry.an, kind: a.kind, zone: entry.zone, question: plain, rotation, wildcard: a.wildcard };
    }

    // Byte stores and TypedArray.set: Buffer's checked writers and copy() cost more than the copying.
    const out = Buffer.allocUnsafe(size);
    const flags = Flag.QR | (((msg[2]! << 8) | msg[3]!) & COPIED_FLAGS) | (a.aa ? Flag.AA : 0) | a.rcode;
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
    return { response: out, rcode: a.rcode, aa: a.aa, answers: entry.an, kind: a.kind, zone: entry.zone, question: plain, rotation, wildcard: a.wildcard };
  }

  /**
   * Keeps what answer() chose for this input, after the pipeline answered it.
   * Only plain queries are kept: their key was made by read(). The sections'
   * bytes are kept from the next answer on, one combination of turns at a time.
   */
  keep(query: Query, input: AnswerInput, result: Answer): void {
    if (!(query instanceof PlainQuery)) return;
    const bits = keyBits(input);
    const hash = Math.imul(query.hash ^ bits, FNV_PRIME);
    this.key[query.keyLength] = bits;
    const keyLength = query.keyLength + 1;
    const kept = (list: readonly AnsweredRRset[]): MemoRRset[] =>
      list.map((w) => ({ set: w.set, owner: w.owner === input.qname ? undefined : w.owner, ttl: w.ttl, signed: w.signatures !== undefined }));
    const sections = [kept(result.answer), kept(result.authority), kept(result.additional)];
    const rotating = sections.flat().map((p) => p.set).filter(rotates);
    const combinations = rotating.reduce((n, s) => n * s.rdata.length, 1);
    const entry: Entry = {
      hash,
      key: this.key.toString('latin1', 0, keyLength),
      zone: result.zone,
      answer: { kind: result.kind, rcode: result.rcode, aa: result.aa, referral: result.referral, wildcard: result.wildcard },
      sections,
      rotating,
      counters: rotating.map((s) => this.rotation.counter(s)),
      rotatingAnswers: result.answer.filter((w) => rotates(w.set)).length,
      combinations: combinations <= MAX_BODIES ? combinations : 0,
      bodies: undefined,
      an: recordCount(result.answer),
      ns: recordCount(result.authority),
      ar: recordCount(result.additional),
      bytes: 0,
      recent: false,
    };
    entry.bytes = ENTRY_BYTES + keyLength + sections.flat().length * SET_BYTES;
    const old = this.entries.get(hash);
    if (old) this.forget(hash, old);
    if (entry.bytes > this.maxBytes) return;
    this.entries.set(hash, entry);
    this.used += entry.bytes;
    this.evict();
  }

  /**
   * Keeps the sections of `response` for this combination of turns, if they went
   * out whole: a truncated answer is never stored, so a UDP client's query never
   * holds the TCP-sized answer it did not get.
   */
  private keepBody(entry: Entry, combination: number, response: Buffer, end: number, edns: boolean): void {
    const opt = edns ? OPT_LENGTH : 0;
    if (response.readUInt16BE(2) & Flag.TC || response.readUInt16BE(6) !== entry.an || response.readUInt16BE(8) !== entry.ns || response.readUInt16BE(10) !== entry.ar + (edns ? 1 : 0)) return;
    if (this.entries.get(entry.hash) !== entry) return; // evicted meanwhile, or never kept
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

  /**
   * Out until the cap holds, oldest first, except that an entry recalled since
   * eviction last passed it goes to the back instead (second chance, as CLOCK
   * does): nearly least recently used, without moving the entry in the Map on
   * every hit. The Map's order is insertion order, and entries put back are
   * passed again by the same loop, so it ends.
   */
  private evict(): void {
    for (const [hash, entry] of this.entries) {
      if (this.used <= this.maxBytes) return;
      if (entry.recent) {
        entry.recent = false;
        this.entries.delete(hash);
        this.entries.set(hash, entry);
      } else {
        this.forget(hash, entry);
      }
    }
  }

  private forget(hash: number, entry: Entry): void {
    this.entries.delete(hash);
    this.used -= entry.bytes;
  }

  /** The response as encodeResponse takes it, with each rotating RRset in the order of its turn. */
  private spec(entry: Entry, query: Query, edns: boolean, dnssecOk: boolean): ResponseSpec {
    let r = 0;
    const turned = (list: MemoRRset[]): RRsetOut[] => list.map(({ set, owner, ttl, signed }) => ({
      owner: owner ?? query.question.name, type: set.type, ttl, rdata: set.rdata, turn: rotates(set) ? this.turns[r++] ?? 'random' : undefined,
      ...(signed ? { signatures: set.signatures } : {}),
    }));
    const [answer, authority, additional] = entry.sections.map(turned);
    return {
      id: query.header.id,
      queryFlags: query.header.flags,
      aa: entry.answer.aa,
      rcode: entry.answer.rcode,
      question: query.question,
      answer: answer!,
      authority: authority!,
      additional: additional!,
      edns: edns ? { dnssecOk } : undefined,
      glueRequired: entry.answer.referral,
    };
  }
}

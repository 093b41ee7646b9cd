// What the forwarder keeps of an upstream's answer, and how it is written
// back out. An entry is a whole answer to one question (a message cache, not
// an RRset cache): records are only ever served with the question they came
// with, never as answers of their own. Of the upstream's records only those
// on the question's chain are kept — the data asked for, the CNAMEs and
// DNAMEs leading to it, the SOA that proves a negative answer, the addresses
// of the answer's MX, SRV and NS targets — so that an upstream (or someone
// forging its answers) cannot plant data for other names.
import type { Placed, Rotated, Rotation } from '../authority/rotation.js';
import type { Name } from '../wire/name.js';
import type { Question } from '../wire/query.js';
import type { Message, WireRecord } from '../message/message.js';
import { Rcode, RRClass, RRType } from '../wire/types.js';
import { additionalName, hasAdditional, targetOf } from '../rrtypes/registry.js';
import { soaMinimum } from '../rrtypes/soa.js';
import type { Expiring } from './cache.js';

export interface CacheLimits {
  maxEntries: number;
  /** The cache's bound in bytes, as entryBytes counts them. */
  maxBytes: number;
  /** Seconds: every TTL is clamped into [minTtl, maxTtl]. */
  maxTtl: number;
  minTtl: number;
}

/** RFC 2308 §5: negative answers are not kept longer than this, whatever max-ttl says. */
export const MAX_NEGATIVE_TTL = 10800;

const MAX_CHAIN = 16;
const DNAME = 39;

export interface CachedSet {
  owner: Name;
  type: number;
  rdata: Buffer[];
  /** Milliseconds: TTLs are counted down from it. */
  expiresAt: number;
}

export interface Entry extends Expiring {
  rcode: number;
  answer: CachedSet[];
  authority: CachedSet[];
  additional: CachedSet[];
  /** Whether the answer may be kept: TTLs above zero, and a negative answer proved by an SOA. */
  cacheable: boolean;
  /** Records the upstream sent that are not on the question's chain. */
  dropped: number;
}

interface Grouped {
  owner: Name;
  type: number;
  ttl: number;
  rdata: Buffer[];
}

/** Records of one section grouped into RRsets; an RRset's TTL is its smallest (RFC 2181 §5.2). */
function group(records: readonly WireRecord[]): Grouped[] {
  const sets = new Map<string, Grouped>();
  for (const r of records) {
    if (r.class !== RRClass.IN || r.type === RRType.OPT) continue;
    const key = `${r.owner.key}/${r.type}`;
    const set = sets.get(key);
    if (set) {
      set.ttl = Math.min(set.ttl, r.ttl);
      set.rdata.push(r.rdata);
    } else {
      sets.set(key, { owner: r.owner, type: r.type, ttl: r.ttl, rdata: [r.rdata] });
    }
  }
  return [...sets.values()];
}

/** The answer's RRsets that lie on the chain from the question, and the name the chain ends at. */
function followChain(sets: readonly Grouped[], question: Question): { kept: Grouped[]; end: Name; found: boolean } {
  const kept: Grouped[] = [];
  const keep = (s: Grouped) => { if (!kept.includes(s)) kept.push(s); };
  const visited = new Set<string>();
  let name = question.name;
  for (let hop = 0; hop < MAX_CHAIN && !visited.has(name.key); hop++) {
    visited.add(name.key);
    const wanted = sets.filter((s) => s.owner.equals(name) && (question.type === RRType.ANY || s.type === question.type));
    if (wanted.length > 0) {
      wanted.forEach(keep);
      return { kept, end: name, found: true };
    }
    // RFC 6672: a DNAME above the name comes with the CNAME synthesized from it.
    const here = name;
    const dname = sets.find((s) => s.type === DNAME && here.isSubdomainOf(s.owner) && !here.equals(s.owner));
    if (dname) keep(dname);
    const cname = sets.find((s) => s.type === RRType.CNAME && s.owner.equals(here));
    const target = cname?.rdata[0] ? targetOf(RRType.CNAME, cname.rdata[0]) : undefined;
    if (!cname || !target) break;
    keep(cname);
    name = target;
  }
  return { kept, end: name, found: false };
}

/** What JavaScript objects cost beside their data: an entry, an RRset, one record's data. */
const ENTRY_OVERHEAD = 256;
const SET_OVERHEAD = 160;
const RDATA_OVERHEAD = 96;

/** An estimate of what an entry's objects take in memory: their wire size plus a fixed cost per object. */
function entryBytes(sets: readonly CachedSet[]): number {
  let bytes = ENTRY_OVERHEAD;
  for (const s of sets) {
    bytes += SET_OVERHEAD + s.owner.wireLength;
    for (const rd of s.rdata) bytes += RDATA_OVERHEAD + rd.length;
  }
  return bytes;
}

const clamp = (ttl: number, min: number, max: number) => Math.min(Math.max(ttl, min), max);

/** Builds the entry for an upstream's answer (NOERROR or NXDOMAIN) to `question`, at `now` ms. */
export function entryFrom(msg: Message, question: Question, limits: CacheLimits, now: number): Entry {
  const rcode = msg.header.flags & 0xf;
  const { kept, end, found } = followChain(group(msg.answer), question);
  const toCached = (s: Grouped, ttl: number): CachedSet => ({ owner: s.owner, type: s.type, rdata: s.rdata, expiresAt: now + ttl * 1000 });
  const answer = kept.map((s) => toCached(s, clamp(s.ttl, limits.minTtl, limits.maxTtl)));

  const authority: CachedSet[] = [];
  if (!found) {
    // RFC 2308 §5: the negative answer lives as long as the SOA's TTL or MINIMUM, whichever is less.
    const soa = group(msg.authority).find((s) => s.type === RRType.SOA && end.isSubdomainOf(s.owner));
    const rd = soa?.rdata[0];
    if (soa && rd) {
      authority.push(toCached({ ...soa, rdata: [rd] }, clamp(Math.min(soa.ttl, soaMinimum(rd)), limits.minTtl, Math.min(limits.maxTtl, MAX_NEGATIVE_TTL))));
    }
  }

  const targets = new Set<string>();
  for (const s of kept) {
    if (!hasAdditional(s.type)) continue;
    for (const rd of s.rdata) targets.add(additionalName(s.type, rd)!.key);
  }
  const additional = group(msg.additional)
    .filter((s) => (s.type === RRType.A || s.type === RRType.AAAA) && targets.has(s.owner.key))
    .map((s) => toCached(s, clamp(s.ttl, limits.minTtl, limits.maxTtl)));

  const all = [...answer, ...authority, ...additional];
  const expiresAt = all.reduce((m, s) => Math.min(m, s.expiresAt), Infinity);
  const proved = found || authority.length > 0 || (rcode === Rcode.NOERROR && answer.length > 0);
  const total = [...msg.answer, ...msg.authority, ...msg.additional].filter((r) => r.type !== RRType.OPT).length;
  return {
    rcode,
    answer,
    authority,
    additional,
    expiresAt: all.length > 0 ? expiresAt : now,
    bytes: entryBytes(all),
    cacheable: proved && expiresAt > now,
    dropped: total - all.reduce((n, s) => n + s.rdata.length, 0),
  };
}

/** The entry's RRsets as they go out at `now`: TTLs counted down, multi-record sets turned by the rotation stage. */
export function renderEntry(entry: Entry, now: number, rotation: Rotation): Rotated {
  const placed = (s: CachedSet): Placed => ({
    owner: s.owner,
    type: s.type,
    // Whole seconds elapsed are taken off, as BIND counts down: an answer
    // rendered a millisecond after it was cached still carries the full TTL.
    ttl: Math.max(0, Math.ceil((s.expiresAt - now) / 1000)),
    rdata: s.rdata,
    set: s,
  });
  return rotation.rotate(undefined, { answer: entry.answer.map(placed), authority: entry.authority.map(placed), additional: entry.additional.map(placed) });
}

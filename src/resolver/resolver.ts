// The forwarder behind the pipeline: questions outside every local zone, from
// clients allowed to recurse, answered from the cache or from the upstreams.
// Identical questions in flight share one upstream exchange; a question that
// comes back to us while it is in flight (it carries our loop mark) is a
// forwarding loop and gets SERVFAIL at once instead of circling until timeouts.
import { Rotation, type RotationPolicy } from '../authority/rotation.js';
import type { Acl } from '../net/acl.js';
import type { ListenAddress } from '../net/address.js';
import type { CacheLimits } from './entry.js';
import { EventLog, type Logger } from '../log.js';
import { formatHostPort } from '../net/address.js';
import type { RequestContext } from '../net/context.js';
import type { Outcome } from '../query/outcome.js';
import type { Recursion } from '../query/pipeline.js';
import { encodeResponse, recordCount } from '../message/response.js';
import type { Query, Question } from '../wire/query.js';
import { Rcode, RRClass, rcodeName, typeName } from '../wire/types.js';
import type { Name } from '../wire/name.js';
import type { Addresses } from '../query/alias.js';
import { LruCache } from './cache.js';
import { entryFrom, renderEntry, type CachedSet, type Entry } from './entry.js';
import { UpstreamSet } from './health.js';
import { LoopMark } from './loop.js';
import { exchange, ExchangeError } from './upstream.js';

/** Distinct questions waiting for an upstream at once; beyond it, SERVFAIL rather than more sockets. */
const MAX_IN_FLIGHT = 1000;


/** The `forward:` setting: where names outside every local zone are sent, and for whom. */
export interface ForwardConfig {
  upstreams: ListenAddress[];
  allowRecursion: Acl;
  /** Per try of one upstream. */
  timeoutMs: number;
  cache: CacheLimits;
}

export interface ResolverOptions {
  forward: ForwardConfig;
  /** How cached multi-record RRsets turn. */
  rotation: RotationPolicy;
  logger: Logger;
  /** For what clients can cause over and over (loops, a full table, dead upstreams): a line a second per kind. */
  events?: EventLog;
  now?: () => number;
}

export interface ResolverStats {
  cacheHits: number;
  cacheMisses: number;
  upstreamQueries: number;
  upstreamFailures: number;
  /** Datagrams and TCP messages from upstreams that did not match a query in flight. */
  mismatchedReplies: number;
  /** Upstream records left out because they were not on the question's chain. */
  droppedRecords: number;
  loops: number;
  servfails: number;
}

export class Resolver implements Recursion {
  readonly upstreams: UpstreamSet;
  readonly cache: LruCache<Entry>;
  readonly stats: ResolverStats = {
    cacheHits: 0, cacheMisses: 0, upstreamQueries: 0, upstreamFailures: 0,
    mismatchedReplies: 0, droppedRecords: 0, loops: 0, servfails: 0,
  };
  private readonly inFlight = new Map<string, Promise<Entry | undefined>>();
  private readonly loopMark = new LoopMark();
  private readonly now: () => number;
  private readonly log: Logger;
  private readonly events: EventLog;
  /** The rotation stage for cached answers: its counters are those of the cache's RRsets. */
  private readonly rotation: Rotation;

  constructor(private readonly opts: ResolverOptions) {
    this.rotation = new Rotation(() => opts.rotation);
    this.now = opts.now ?? Date.now;
    this.upstreams = new UpstreamSet(opts.forward.upstreams, opts.forward.timeoutMs, this.now);
    this.cache = new LruCache(opts.forward.cache.maxEntries, opts.forward.cache.maxBytes);
    this.log = opts.logger;
    this.events = opts.events ?? new EventLog(opts.logger);
  }

  allows(client: string): boolean {
    return this.opts.forward.allowRecursion.allows(client);
  }

  async resolve(query: Query, ctx: RequestContext, limit: number): Promise<Outcome> {
    const { question } = query;
    const key = `${question.name.key}/${question.type}`;
    const about = { qname: question.name.toString(), qtype: typeName(question.type), client: ctx.client.address };
    let pending = this.inFlight.get(key);
    if (pending && this.loopMark.isMarked(question.name)) {
      this.stats.loops++;
      this.events.log('warn', 'forwarding loop', about, 'forwarding loop: a question we forwarded came back to us; answering SERVFAIL');
      return this.respond(query, limit, Rcode.SERVFAIL, 'loop');
    }
    const cached = this.cache.get(key, this.now());
    if (cached) {
      this.stats.cacheHits++;
      this.log.debug({ ...about, rcode: rcodeName(cached.rcode) }, 'answered from cache');
      return this.respond(query, limit, cached.rcode, 'cache', cached);
    }
    this.stats.cacheMisses++;
    pending = this.shared(question, key, about);
    if (!pending) return this.respond(query, limit, Rcode.SERVFAIL, 'failed');
    const entry = await pending;
    return entry ? this.respond(query, limit, entry.rcode, 'upstream', entry) : this.respond(query, limit, Rcode.SERVFAIL, 'failed');
  }

  /**
   * The records of `type` at `name` for an ALIAS (src/query/alias.ts), from the
   * cache or the upstreams, with the smallest TTL left on the chain to them;
   * undefined when no upstream answered. rotor's own question, so no client's
   * allow-recursion applies.
   */
  async lookup(name: Name, type: number): Promise<Addresses | undefined> {
    const question: Question = { name, type, class: RRClass.IN, raw: Buffer.alloc(0) };
    const key = `${name.key}/${type}`;
    let entry = this.cache.get(key, this.now());
    if (entry) this.stats.cacheHits++;
    else {
      this.stats.cacheMisses++;
      entry = await this.shared(question, key, { qname: name.toString(), qtype: typeName(type), alias: true });
      if (!entry) return undefined;
    }
    const now = this.now();
    const left = (s: CachedSet) => Math.max(0, Math.ceil((s.expiresAt - now) / 1000));
    const found = entry.answer.find((s) => s.type === type);
    const ttl = entry.answer.reduce((m, s) => Math.min(m, left(s)), Infinity);
    return found ? { rdata: found.rdata, set: found, ttl } : { rdata: [], ttl };
  }

  /** The exchange for a question, shared with any already in flight; undefined when too many are. */
  private shared(question: Question, key: string, about: object): Promise<Entry | undefined> | undefined {
    let pending = this.inFlight.get(key);
    if (!pending) {
      if (this.inFlight.size >= MAX_IN_FLIGHT) {
        this.events.log('warn', 'forwarding table full', { ...about, inFlight: this.inFlight.size }, 'too many questions waiting for upstreams; answering SERVFAIL');
        return undefined;
      }
      pending = this.fetch(question, key).finally(() => this.inFlight.delete(key));
      this.inFlight.set(key, pending);
    }
    return pending;
  }

  /** Asks the upstreams, best first, until one answers NOERROR or NXDOMAIN; caches what it says. */
  private async fetch(question: Question, key: string): Promise<Entry | undefined> {
    const name = this.loopMark.mark(question.name);
    const order = this.upstreams.order();
    // With a single upstream a lost datagram should not be the end: it gets a second try.
    const tries = Math.max(2, order.length);
    const about = { qname: question.name.toString(), qtype: typeName(question.type) };
    for (let i = 0; i < tries; i++) {
      const upstream = order[i % order.length]!;
      const started = this.now();
      this.stats.upstreamQueries++;
      let why: string;
      try {
        const { message, tcp } = await exchange(upstream, name, question.type, {
          timeoutMs: this.opts.forward.timeoutMs,
          onMismatch: () => this.stats.mismatchedReplies++,
        });
        const rcode = message.header.flags & 0xf;
        if (rcode === Rcode.NOERROR || rcode === Rcode.NXDOMAIN) {
          this.upstreams.answered(upstream, this.now() - started);
          const entry = entryFrom(message, question, this.opts.forward.cache, this.now());
          this.stats.droppedRecords += entry.dropped;
          if (entry.cacheable) this.cache.set(key, entry);
          this.log.debug({
            ...about, upstream: formatHostPort(upstream), tcp, rcode: rcodeName(rcode), rttMs: this.now() - started,
            cachedFor: entry.cacheable ? Math.round((entry.expiresAt - this.now()) / 1000) : 0, dropped: entry.dropped,
          }, 'forwarded');
          return entry;
        }
        why = `answered ${rcodeName(rcode)}`;
      } catch (e) {
        if (!(e instanceof ExchangeError)) throw e;
        why = e.message;
      }
      this.stats.upstreamFailures++;
      this.upstreams.failed(upstream);
      this.log.debug({ ...about, upstream: formatHostPort(upstream), reason: why }, 'upstream failed');
    }
    this.events.log('warn', 'no upstream answered', { ...about, upstreams: this.upstreams.health() }, 'no upstream answered; answering SERVFAIL');
    return undefined;
  }

  private respond(query: Query, limit: number, rcode: number, source: Outcome['recursion'], entry?: Entry): Outcome {
    if (rcode === Rcode.SERVFAIL) this.stats.servfails++;
    const { answer, authority, additional } = entry ? renderEntry(entry, this.now(), this.rotation) : { answer: [], authority: [], additional: [] };
    const response = encodeResponse({
      id: query.header.id,
      queryFlags: query.header.flags,
      aa: false,
      ra: true,
      rcode,
      question: query.question,
      answer,
      authority,
      additional,
      edns: query.edns ? { dnssecOk: query.edns.dnssecOk } : undefined,
    }, limit);
    return { response, rcode, aa: false, answers: recordCount(answer), question: query.question, recursion: source };
  }
}

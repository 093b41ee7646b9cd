// A caching resolver between the senders and the authoritative server, as
// mxsim models it: it keeps the one MX RRset and the one A RRset per gateway
// that it was given for their TTL, in simulated seconds, and hands them out
// again, in the same order or (like Unbound's rrset-roundrobin) turned by a
// random step on each use.
import { rotateLeft } from '../authority/rotation.js';
import { randomInt, type Random } from './prng.js';
import type { Family, MxRecord } from './senders.js';

export interface RRset<T> {
  /** In the order the server sent them. */
  records: readonly T[];
  ttl: number;
}

export interface MxAnswer {
  mx: RRset<MxRecord>;
  /** Addresses from the additional section, by family and owner name. */
  addresses: Readonly<Record<Family, ReadonlyMap<string, RRset<string>>>>;
}

/**
 * Where answers come from: the real server over UDP, or a fake in unit tests.
 * A lookup that gets no answer, or an rcode other than NOERROR, throws a DnsError.
 */
export interface Authority {
  mx(domain: string): Promise<MxAnswer>;
  addresses(host: string, family: Family): Promise<RRset<string>>;
}

/** What a sender gets back for an MX lookup. */
export interface Lookup {
  mx: readonly MxRecord[];
  /** Addresses the resolver could add; a gateway missing here needs an A or AAAA lookup. */
  addresses: Readonly<Record<Family, ReadonlyMap<string, readonly string[]>>>;
}

export interface ResolverOptions {
  cache: boolean;
  rotation: boolean;
}

interface Entry<T> {
  fetchedAt: number;
  pending: Promise<RRset<T>>;
  /** Set once the answer has arrived. */
  set?: RRset<T>;
}

/** Known to be past its TTL at `now`; an answer still on its way is not (yet). */
function expired(entry: Entry<unknown>, now: number): boolean {
  return entry.set !== undefined && entry.fetchedAt + entry.set.ttl <= now;
}

export class Resolver {
  private readonly mxCache = new Map<string, Entry<MxRecord>>();
  /** Keyed by family and host: "4 mx1.corp.example.". */
  private readonly addressCache = new Map<string, Entry<string>>();

  constructor(private readonly authority: Authority, private readonly opts: ResolverOptions) {}

  /** MX lookup at simulated time `now` (seconds); `random` turns the RRsets when rotation is on. */
  async mx(domain: string, now: number, random: Random): Promise<Lookup> {
    if (!this.opts.cache) {
      const answer = await this.authority.mx(domain);
      const turned = (family: Family): Map<string, readonly string[]> =>
        new Map([...answer.addresses[family]].map(([host, set]) => [host, this.turn(set.records, random)]));
      return { mx: this.turn(answer.mx.records, random), addresses: { 4: turned(4), 6: turned(6) } };
    }
    const mx = await this.cached(this.mxCache, domain, now, () => this.authority.mx(domain).then((answer) => {
      // Additional data fills the gaps; what is already cached keeps its TTL.
      for (const family of [4, 6] as const) {
        for (const [host, set] of answer.addresses[family]) {
          const held = this.addressCache.get(`${family} ${host}`);
          if (!held || expired(held, now)) this.addressCache.set(`${family} ${host}`, { fetchedAt: now, pending: Promise.resolve(set), set });
        }
      }
      return answer.mx;
    }));
    const cachedAddresses = (family: Family): Map<string, readonly string[]> => {
      const found = new Map<string, readonly string[]>();
      for (const { exchange } of mx.records) {
        const a = this.addressCache.get(`${family} ${exchange}`);
        if (a?.set && !expired(a, now)) found.set(exchange, this.turn(a.set.records, random));
      }
      return found;
    };
    return { mx: this.turn(mx.records, random), addresses: { 4: cachedAddresses(4), 6: cachedAddresses(6) } };
  }

  async addresses(host: string, family: Family, now: number, random: Random): Promise<readonly string[]> {
    const fetch = (): Promise<RRset<string>> => this.authority.addresses(host, family);
    const set = this.opts.cache ? await this.cached(this.addressCache, `${family} ${host}`, now, fetch) : await fetch();
    return this.turn(set.records, random);
  }

  /** The cached RRset that is fresh at `now`, fetching it (once, however many ask) when there is none. */
  private async cached<T>(cache: Map<string, Entry<T>>, key: string, now: number, fetch: () => Promise<RRset<T>>): Promise<RRset<T>> {
    const entry = cache.get(key);
    if (entry && !expired(entry, now)) {
      const set = await entry.pending;
      // Simulated time runs on while a query is in flight: the answer this
      // lookup waited for may have expired by its own time.
      if (entry.fetchedAt + set.ttl > now) return set;
      if (cache.get(key) !== entry) return this.cached(cache, key, now, fetch);
    }
    return this.remember(cache, key, now, fetch()).pending;
  }

  private remember<T>(cache: Map<string, Entry<T>>, key: string, now: number, pending: Promise<RRset<T>>): Entry<T> {
    const entry: Entry<T> = { fetchedAt: now, pending };
    pending.then((set) => { entry.set = set; }, () => { if (cache.get(key) === entry) cache.delete(key); });
    cache.set(key, entry);
    return entry;
  }

  private turn<T>(records: readonly T[], random: Random): readonly T[] {
    return this.opts.rotation && records.length > 1 ? rotateLeft(records, randomInt(random, records.length)) : records;
  }
}

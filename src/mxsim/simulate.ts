// The simulation loop: messages arrive evenly over simulated time, each from a
// random sender, who looks the domain up through its resolver (sender i uses
// resolver i mod K) and tries the exchanges in its model's order, as RFC 5321
// §5.1 says: an exchange whose addresses cannot be had (NXDOMAIN, REFUSED,
// SERVFAIL, no answer, no record of the sender's families) is skipped, an
// address that refuses is passed over, and a message that no exchange took is
// deferred and tried again later in simulated time, then given up.
// Each message draws from its own random stream, so results do not depend on
// which of the concurrent lookups the server happens to answer first.
import { DnsError } from '../client/dns.js';
import { randomInt, seededRandom, type Random } from './prng.js';
import { Resolver, type Authority, type Lookup } from './resolver.js';
import { assignModels, exchangeOrder, FAMILIES_OF, familyOrder, type DualPreference, type Family, type MixEntry, type SenderFamily, type SenderModel } from './senders.js';

export interface SimOptions {
  /** Lower case, with the trailing dot. */
  domain: string;
  senders: number;
  messages: number;
  mix: readonly MixEntry[];
  family: SenderFamily;
  dualPreference: DualPreference;
  resolvers: number;
  cache: boolean;
  rotation: boolean;
  durationSeconds: number;
  /** Gateway names (lower case, trailing dot) and addresses that refuse connections. */
  down: ReadonlySet<string>;
  /** Further tries of a deferred message; the n-th comes retryAfterSeconds × 2^(n−1) after the one before. */
  retries: number;
  retryAfterSeconds: number;
  seed: string;
  /** Messages being looked up at once. */
  concurrency: number;
}

/** What one connection attempt came to. rejected is a 5xx refusal: the message is returned, not tried elsewhere. */
export type Outcome = 'accepted' | 'refused' | 'rejected';

export interface Target {
  exchange: string;
  address: string;
}

/**
 * Opens the connection (and, over SMTP, the session) from `sender` to `target`.
 * The simulation alone only asks whether the address is down.
 */
export type Connect = (target: Target, sender: number) => Promise<Outcome>;

export interface Tally {
  /** Preference of every exchange seen in an MX answer. */
  preferences: Map<string, number>;
  /** Connections by exchange and address; an address seen but never used is there with 0. */
  connections: Map<string, Map<string, number>>;
  /** Connection attempts refused, by exchange. */
  refused: Map<string, number>;
  /** Sessions rejected with a 5xx, by exchange. */
  rejected: Map<string, number>;
  /** Times an exchange was skipped for want of an address, by exchange and reason ("REFUSED", "no A record"…). */
  unresolved: Map<string, Map<string, number>>;
  /** Address families the server gave records of for each exchange, in any answer. */
  families: Map<string, Set<Family>>;
  /** Tries that ended with no exchange taking the message. */
  deferrals: number;
  /** Messages delivered on a later try. */
  deliveredLater: number;
  /** Messages given up after the last try. */
  undelivered: number;
  /** Messages returned to their sender by a 5xx. */
  returned: number;
  /** Deliveries made right after a lookup (a sticky sender's reused connection is not one). */
  lookups: number;
  /** Of those, deliveries to the first exchange in the answer that was up. */
  toFirstUp: number;
  /** Of those lookups, how often each exchange was the first one up in the answer. */
  firstUp: Map<string, number>;
  /** How often each exchange came first in the MX answers the server sent. */
  serverFirst: Map<string, number>;
  /** Queries sent to the server. */
  queries: { mx: number; a: number; aaaa: number };
}

function increment<K>(map: Map<K, number>, key: K, by = 1): void {
  map.set(key, (map.get(key) ?? 0) + by);
}

/** Runs `task(0 … count−1)` in order of start, at most `width` at a time; the first failure stops the rest. */
async function pool(count: number, width: number, task: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  let failed = false;
  const worker = async (): Promise<void> => {
    while (!failed && next < count) {
      try {
        await task(next++);
      } catch (e) {
        failed = true;
        throw e;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, count) }, worker));
}

export function emptyTally(): Tally {
  return {
    preferences: new Map(), connections: new Map(), refused: new Map(), rejected: new Map(), unresolved: new Map(),
    families: new Map(), deferrals: 0, deliveredLater: 0, undelivered: 0, returned: 0,
    lookups: 0, toFirstUp: 0, firstUp: new Map(), serverFirst: new Map(), queries: { mx: 0, a: 0, aaaa: 0 },
  };
}

/** The simulation alone: an address that is down refuses, any other accepts. */
export function dnsOnly(down: ReadonlySet<string>): Connect {
  return async ({ exchange, address }) => (down.has(exchange) || down.has(address) ? 'refused' : 'accepted');
}

/** The record type a family is looked up with, as reasons name it. */
const RECORD: Record<Family, string> = { 4: 'A', 6: 'AAAA' };

export async function simulate(opts: SimOptions, authority: Authority, connectTo: Connect = dnsOnly(opts.down)): Promise<Tally> {
  const tally = emptyTally();
  const usable = new Set(FAMILIES_OF[opts.family]);
  // Every gateway the server names gets a row, and so does every address of the senders' families, used or not.
  const known = (host: string, family: Family, addresses: readonly string[] = []): void => {
    const row = tally.connections.get(host) ?? new Map<string, number>();
    if (usable.has(family)) for (const address of addresses) if (!row.has(address)) row.set(address, 0);
    tally.connections.set(host, row);
    if (addresses.length > 0) tally.families.set(host, (tally.families.get(host) ?? new Set()).add(family));
  };
  const counted: Authority = {
    mx: async (domain) => {
      tally.queries.mx++;
      const answer = await authority.mx(domain);
      increment(tally.serverFirst, answer.mx.records[0]!.exchange);
      for (const r of answer.mx.records) {
        tally.preferences.set(r.exchange, r.preference);
        known(r.exchange, 4, answer.addresses[4].get(r.exchange)?.records);
        known(r.exchange, 6, answer.addresses[6].get(r.exchange)?.records);
      }
      return answer;
    },
    addresses: async (host, family) => {
      if (family === 4) tally.queries.a++;
      else tally.queries.aaaa++;
      const set = await authority.addresses(host, family);
      known(host, family, set.records);
      return set;
    },
  };
  const resolvers = Array.from({ length: opts.resolvers }, () => new Resolver(counted, { cache: opts.cache, rotation: opts.rotation }));
  const models = assignModels(opts.mix, opts.senders);
  const stuck = new Map<number, Promise<Target | undefined>>();

  /** Exchanges that gave these senders addresses at least once. */
  const resolved = new Set<string>();
  /** Whether a gateway takes connections, as far as this run has seen: not down, and reachable by these senders. */
  const isUp = (exchange: string, lookup: Lookup): boolean => {
    if (opts.down.has(exchange) || (tally.unresolved.has(exchange) && !resolved.has(exchange))) return false;
    const addresses = [...lookup.addresses[4].get(exchange) ?? [], ...lookup.addresses[6].get(exchange) ?? []];
    return !(addresses.length > 0 && addresses.every((a) => opts.down.has(a)));
  };

  /** The addresses a sender would try for `exchange`, in order; a reason instead when there are none. */
  const addressesOf = async (exchange: string, lookup: Lookup, resolver: Resolver, now: number, random: Random): Promise<string[] | string> => {
    const found: string[] = [];
    const reasons: string[] = [];
    for (const family of familyOrder(opts.family, opts.dualPreference, random)) {
      try {
        const addresses = lookup.addresses[family].get(exchange) ?? await resolver.addresses(exchange, family, now, random);
        if (addresses.length === 0) reasons.push(`no ${RECORD[family]} record`);
        found.push(...addresses);
      } catch (e) {
        if (!(e instanceof DnsError)) throw e;
        reasons.push(`${RECORD[family]} ${e.reason}`);
      }
    }
    return found.length > 0 ? found : reasons.join(', ');
  };

  /** One try: the first address that accepts, undefined when none did; `returned` when one rejected the message. */
  const attempt = async (model: SenderModel, sender: number, resolver: Resolver, now: number, random: Random): Promise<Target | 'returned' | undefined> => {
    const lookup = await resolver.mx(opts.domain, now, random);
    for (const exchange of exchangeOrder(model, lookup.mx, random)) {
      const addresses = await addressesOf(exchange, lookup, resolver, now, random);
      if (typeof addresses === 'string') {
        increment(tally.unresolved.get(exchange) ?? tally.unresolved.set(exchange, new Map()).get(exchange)!, addresses);
        continue;
      }
      resolved.add(exchange);
      for (const address of addresses) {
        const target = { exchange, address };
        const outcome = await connectTo(target, sender);
        if (outcome === 'refused') {
          increment(tally.refused, exchange);
          continue;
        }
        if (outcome === 'rejected') {
          increment(tally.rejected, exchange);
          return 'returned';
        }
        const first = lookup.mx.find((r) => isUp(r.exchange, lookup))?.exchange ?? exchange;
        tally.lookups++;
        increment(tally.firstUp, first);
        if (exchange === first) tally.toFirstUp++;
        increment(tally.connections.get(exchange)!, address);
        return target;
      }
    }
    return undefined;
  };

  /** Tries, and tries again after each deferral, until a gateway takes the message or the retries run out. */
  const deliver = async (model: SenderModel, sender: number, resolver: Resolver, now: number, random: Random): Promise<Target | undefined> => {
    let at = now;
    for (let retry = 0; ; retry++) {
      const result = await attempt(model, sender, resolver, at, random);
      if (result === 'returned') {
        tally.returned++;
        return undefined;
      }
      if (result) {
        if (retry > 0) tally.deliveredLater++;
        return result;
      }
      if (retry === opts.retries) {
        tally.undelivered++;
        return undefined;
      }
      tally.deferrals++;
      at += opts.retryAfterSeconds * 2 ** retry;
    }
  };

  await pool(opts.messages, opts.concurrency, async (i) => {
    const random = seededRandom(opts.seed, i);
    const now = (i * opts.durationSeconds) / opts.messages;
    const sender = randomInt(random, opts.senders);
    const resolver = resolvers[sender % resolvers.length]!;
    const model = models[sender]!;
    if (model !== 'sticky') {
      await deliver(model, sender, resolver, now, random);
      return;
    }
    // Connection caching: the first message chooses, the rest reuse its choice.
    const earlier = stuck.get(sender);
    const target = earlier && await earlier;
    if (target && await connectTo(target, sender) === 'accepted') {
      increment(tally.connections.get(target.exchange)!, target.address);
      return;
    }
    const choice = deliver('rfc5321', sender, resolver, now, random);
    stuck.set(sender, choice);
    await choice;
  });
  return tally;
}

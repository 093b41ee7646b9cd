// The simulation loop: messages arrive evenly over simulated time, each from a
// random sender, who looks the domain up through its resolver (sender i uses
// resolver i mod K) and connects to the first gateway address that accepts.
// Each message draws from its own random stream, so results do not depend on
// which of the concurrent lookups the server happens to answer first.
import { randomInt, seededRandom, type Random } from './prng.js';
import { Resolver, type Authority } from './resolver.js';
import { assignModels, exchangeOrder, type MixEntry, type SenderModel } from './senders.js';

export interface SimOptions {
  /** Lower case, with the trailing dot. */
  domain: string;
  senders: number;
  messages: number;
  mix: readonly MixEntry[];
  resolvers: number;
  cache: boolean;
  rotation: boolean;
  durationSeconds: number;
  /** Gateway names (lower case, trailing dot) and addresses that refuse connections. */
  down: ReadonlySet<string>;
  seed: string;
  /** Messages being looked up at once. */
  concurrency: number;
}

export interface Tally {
  /** Preference of every exchange seen in an MX answer. */
  preferences: Map<string, number>;
  /** Connections by exchange and address; an address seen but never used is there with 0. */
  connections: Map<string, Map<string, number>>;
  /** Connection attempts refused, by exchange. */
  refused: Map<string, number>;
  undelivered: number;
  /** Deliveries made right after a lookup (a sticky sender's reused connection is not one). */
  lookups: number;
  /** Of those, deliveries to the first exchange in the answer that was up. */
  toFirstUp: number;
  /** Of those lookups, how often each exchange was the first one up in the answer. */
  firstUp: Map<string, number>;
  /** How often each exchange came first in the MX answers the server sent. */
  serverFirst: Map<string, number>;
  /** Queries sent to the server. */
  queries: { mx: number; a: number };
}

interface Target {
  exchange: string;
  address: string;
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

export async function simulate(opts: SimOptions, authority: Authority): Promise<Tally> {
  const tally: Tally = {
    preferences: new Map(), connections: new Map(), refused: new Map(), undelivered: 0,
    lookups: 0, toFirstUp: 0, firstUp: new Map(), serverFirst: new Map(), queries: { mx: 0, a: 0 },
  };
  // Every gateway and address the server names gets a row, used or not.
  const known = (host: string, addresses: readonly string[] = []): void => {
    const row = tally.connections.get(host) ?? new Map<string, number>();
    for (const address of addresses) if (!row.has(address)) row.set(address, 0);
    tally.connections.set(host, row);
  };
  const counted: Authority = {
    mx: async (domain) => {
      tally.queries.mx++;
      const answer = await authority.mx(domain);
      increment(tally.serverFirst, answer.mx.records[0]!.exchange);
      for (const r of answer.mx.records) {
        tally.preferences.set(r.exchange, r.preference);
        known(r.exchange, answer.addresses.get(r.exchange)?.records);
      }
      return answer;
    },
    a: async (host) => {
      tally.queries.a++;
      const set = await authority.a(host);
      known(host, set.records);
      return set;
    },
  };
  const resolvers = Array.from({ length: opts.resolvers }, () => new Resolver(counted, { cache: opts.cache, rotation: opts.rotation }));
  const models = assignModels(opts.mix, opts.senders);
  const stuck = new Map<number, Promise<Target | undefined>>();

  /** Whether a gateway takes connections, as far as the addresses in hand tell. */
  const isUp = (exchange: string, addresses: readonly string[] | undefined): boolean =>
    !opts.down.has(exchange) && !(addresses?.every((a) => opts.down.has(a)) ?? false);

  const connect = (target: Target): Target => {
    increment(tally.connections.get(target.exchange)!, target.address);
    return target;
  };

  const deliver = async (model: SenderModel, resolver: Resolver, now: number, random: Random): Promise<Target | undefined> => {
    const lookup = await resolver.mx(opts.domain, now, random);
    for (const exchange of exchangeOrder(model, lookup.mx, random)) {
      const addresses = lookup.addresses.get(exchange) ?? await resolver.a(exchange, now, random);
      for (const address of addresses) {
        if (opts.down.has(exchange) || opts.down.has(address)) {
          increment(tally.refused, exchange);
          continue;
        }
        const first = lookup.mx.find((r) => isUp(r.exchange, lookup.addresses.get(r.exchange)))!.exchange;
        tally.lookups++;
        increment(tally.firstUp, first);
        if (exchange === first) tally.toFirstUp++;
        return connect({ exchange, address });
      }
    }
    tally.undelivered++;
    return undefined;
  };

  await pool(opts.messages, opts.concurrency, async (i) => {
    const random = seededRandom(opts.seed, i);
    const now = (i * opts.durationSeconds) / opts.messages;
    const sender = randomInt(random, opts.senders);
    const resolver = resolvers[sender % resolvers.length]!;
    const model = models[sender]!;
    if (model !== 'sticky') {
      await deliver(model, resolver, now, random);
      return;
    }
    // Connection caching: the first message chooses, the rest reuse its choice.
    const earlier = stuck.get(sender);
    const target = earlier && await earlier;
    if (target) {
      connect(target);
      return;
    }
    const choice = deliver('rfc5321', resolver, now, random);
    stuck.set(sender, choice);
    await choice;
  });
  return tally;
}

// Prometheus metrics, named after CoreDNS's where they fit. Per query the work
// is one Map lookup per series and a few increments on plain numbers; prom-client
// reads those numbers only when /metrics is scraped, and supplies the registry,
// the exposition format, the process_*/nodejs_* defaults and cluster aggregation.
// (prom-client's own label children hash their labels and allocate on every
// call: about 1.5 µs per query for these four series, against 0.03 µs here.)
import { createRequire } from 'node:module';
import { collectDefaultMetrics, Registry, type Metric } from 'prom-client';
import type { Rotation } from '../authority/rotation.js';
import type { Catalog } from '../lifecycle/catalog.js';
import type { RequestContext } from '../net/context.js';
import type { ConnectionTable } from '../net/tcp.js';
import type { UdpCounts } from '../net/udp.js';
import type { Outcome } from '../query/outcome.js';
import type { RateLimiter } from '../query/rrl.js';
import { rcodeName, RRType, typeName } from '../wire/types.js';
import type { ZoneHistory } from './zones.js';
import { VERSION } from '../version.js';

type Labels = Record<string, string>;

interface Sample {
  labels: Labels;
  value: number;
  /** For the lines of a histogram: name_bucket, name_sum, name_count. */
  metricName?: string;
}

class Count {
  value = 0;
  constructor(readonly labels: Labels) {}
}

/** A histogram's counts as plain numbers: one slot per bucket and one for +Inf. */
class Buckets {
  private readonly counts: Float64Array;
  private sum = 0;
  private count = 0;

  constructor(readonly labels: Labels, private readonly bounds: readonly number[]) {
    this.counts = new Float64Array(bounds.length + 1);
  }

  observe(v: number): void {
    let i = 0;
    while (i < this.bounds.length && v > this.bounds[i]!) i++;
    this.counts[i]++;
    this.sum += v;
    this.count++;
  }

  samples(name: string): Sample[] {
    const out: Sample[] = [];
    let cumulative = 0;
    this.bounds.forEach((le, i) => {
      cumulative += this.counts[i];
      out.push({ metricName: `${name}_bucket`, labels: { ...this.labels, le: String(le) }, value: cumulative });
    });
    out.push({ metricName: `${name}_bucket`, labels: { ...this.labels, le: '+Inf' }, value: this.count });
    out.push({ metricName: `${name}_sum`, labels: this.labels, value: this.sum });
    out.push({ metricName: `${name}_count`, labels: this.labels, value: this.count });
    return out;
  }
}

const requireCjs = createRequire(import.meta.url);

/**
 * prom-client's default metrics but nodejs_gc_duration_seconds: its
 * PerformanceObserver on every collection took 9% off the maximum query rate
 * (npm run bench:observe; see prom-client issues #490 and #500), and
 * collectDefaultMetrics cannot leave one out, so each collector is registered
 * from its own module, under the names the library lists.
 */
function registerDefaultMetrics(registry: Registry): void {
  for (const name of collectDefaultMetrics.metricsList) {
    if (name === 'gc') continue;
    const collector = requireCjs(`prom-client/lib/metrics/${name}.js`) as (r: Registry, config: object) => void;
    collector(registry, { eventLoopMonitoringPrecision: 10 });
  }
}

/** Handling time, from the first byte read to the response built: tens of microseconds. */
const DURATION_BUCKETS = [0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1];
/** CoreDNS's response size buckets. */
const SIZE_BUCKETS = [0, 100, 200, 300, 400, 511, 1023, 2047, 4095, 8291, 16000, 32000, 48000, 64000];

/** Types outside this set are counted as "other", so that a client cannot invent label values. */
const KNOWN_TYPES = new Set<number>(Object.values(RRType));
const OTHER_TYPE = -1;
const PROTOS = ['udp', 'tcp'] as const;
/** CoreDNS's family label: 1 for IPv4, 2 for IPv6. */
const FAMILIES = ['1', '2'] as const;
/** The zone label of requests no served zone answered (REFUSED, FORMERR…). */
export const NO_ZONE = 'none';

/** Every series of one zone label, created on first use. */
class ZoneSeries {
  /** Keyed by type * 4 + proto * 2 + family. */
  readonly requests = new Map<number, Count>();
  readonly responses = new Map<number, Count>();
  readonly durations = new Map<number, Buckets>();
  readonly sizes: readonly Buckets[];

  constructor(readonly zone: string) {
    this.sizes = PROTOS.map((proto) => new Buckets({ zone, proto }, SIZE_BUCKETS));
  }

  request(type: number, proto: number, family: number): void {
    const key = type * 4 + proto * 2 + family;
    let c = this.requests.get(key);
    if (!c) this.requests.set(key, (c = new Count({ zone: this.zone, proto: PROTOS[proto]!, family: FAMILIES[family]!, type: typeLabel(type) })));
    c.value++;
  }

  response(rcode: number): void {
    let c = this.responses.get(rcode);
    if (!c) this.responses.set(rcode, (c = new Count({ zone: this.zone, rcode: rcodeName(rcode) })));
    c.value++;
  }

  duration(type: number, seconds: number): void {
    let b = this.durations.get(type);
    if (!b) this.durations.set(type, (b = new Buckets({ zone: this.zone, type: typeLabel(type) }, DURATION_BUCKETS)));
    b.observe(seconds);
  }
}

function typeLabel(type: number): string {
  return type === OTHER_TYPE ? 'other' : typeName(type);
}

/** What the server survived and counted (DnsServer's faults and TCP connection table), read at scrape time. */
export interface Guards {
  faults: UdpCounts & { internalErrors: number };
  connections: Pick<ConnectionTable, 'open' | 'refused' | 'evicted'>;
}

export interface QueryTotals {
  all: number;
  byType: Map<string, number>;
  byRcode: Map<string, number>;
}

export class Metrics {
  readonly registry = new Registry();
  private readonly zones = new Map<string, ZoneSeries>();

  constructor(
    private readonly catalog: Catalog, history: ZoneHistory, private readonly rotation: Pick<Rotation, 'served'>,
    rrl?: Pick<RateLimiter, 'counts' | 'settings'>, guards?: Guards,
  ) {
    registerDefaultMetrics(this.registry);
    const each = <T>(pick: (z: ZoneSeries) => Iterable<T>): T[] => [...this.zones.values()].flatMap((z) => [...pick(z)]);
    this.collected('rotor_dns_requests_total', 'DNS requests answered, by zone, transport, address family (1 IPv4, 2 IPv6) and query type.', 'counter', () => each((z) => z.requests.values()));
    this.collected('rotor_dns_responses_total', 'DNS responses sent, by zone and rcode.', 'counter', () => each((z) => z.responses.values()));
    this.collected('rotor_dns_request_duration_seconds', 'Time to handle a request, from the message read to the response built, by zone and query type.', 'histogram',
      () => each((z) => z.durations.values()).flatMap((b) => b.samples('rotor_dns_request_duration_seconds')));
    this.collected('rotor_dns_response_size_bytes', 'Size of the responses sent, by zone and transport.', 'histogram',
      () => each((z) => z.sizes).flatMap((b) => b.samples('rotor_dns_response_size_bytes')));
    // Every process serves the same zones: with several workers, any one's value is the answer.
    this.collected('rotor_zone_serial', 'SOA serial of each zone being served.', 'gauge',
      () => [...catalog.all()].map((z) => ({ labels: { zone: z.origin.key }, value: z.serial })), 'first');
    this.collected('rotor_zone_records', 'Records in each zone being served.', 'gauge',
      () => [...catalog.all()].map((z) => ({ labels: { zone: z.origin.key }, value: z.recordCount })), 'first');
    this.collected('rotor_zone_reloads_total', 'Loads of a zone file, the first included, by result (success or failure).', 'counter',
      () => [...history.loads].flatMap(([zone, t]) => [
        { labels: { zone, result: 'success' }, value: t.success },
        { labels: { zone, result: 'failure' }, value: t.failure },
      ]));
    this.collected('rotor_zone_last_load_failed', 'Whether the last load of each zone file failed (1; the previous version, if any, is still served) or succeeded (0).', 'gauge',
      () => history.states().map((z) => ({ labels: { zone: z.zone, file: z.file }, value: z.error ? 1 : 0 })), 'first');
    this.collected('rotor_build_info', 'The rotor version running, and the Node.js version it runs on; always 1.', 'gauge',
      () => [{ labels: { version: VERSION, nodejs: process.versions.node }, value: 1 }], 'first');
    this.collected('rotor_rotation_answers_total', 'Times each multi-record RRset was written into a response, turning it one step; restarts from 0 when its zone is reloaded.', 'counter',
      () => this.rotations());
    if (rrl) {
      // What rate limiting did to the answers it limited: in log-only mode it only logged them.
      this.collected('rotor_rrl_actions_total', 'UDP answers response rate limiting acted on, by action: drop, slip (sent truncated) or log (log-only mode).', 'counter',
        () => rrl.settings.logOnly
          ? [{ labels: { action: 'log' }, value: rrl.counts.limited }]
          : [{ labels: { action: 'drop' }, value: rrl.counts.limited - rrl.counts.slipped }, { labels: { action: 'slip' }, value: rrl.counts.slipped }]);
    }
    if (guards) {
      // Each is also logged, but at most a line a second per kind: the counts are whole.
      const { faults, connections } = guards;
      this.collected('rotor_faults_total', 'What was survived rather than answered, by kind: port_zero (datagrams from source port 0, dropped unread), udp_send (UDP replies that could not be sent), internal (bugs met while answering, answered SERVFAIL).', 'counter',
        () => [
          { labels: { kind: 'port_zero' }, value: faults.portZero },
          { labels: { kind: 'udp_send' }, value: faults.sendFailures },
          { labels: { kind: 'internal' }, value: faults.internalErrors },
        ]);
      this.collected('rotor_tcp_connections', 'TCP connections open now.', 'gauge', () => [{ labels: {}, value: connections.open }]);
      this.collected('rotor_tcp_connections_refused_total', 'TCP connections closed on arrival: their address, or its full netblock or table with no idle connection to close, was at its limit.', 'counter',
        () => [{ labels: {}, value: connections.refused }]);
      this.collected('rotor_tcp_connections_evicted_total', 'Idle TCP connections closed to make room for a new one (RFC 7766 §6.2.3).', 'counter',
        () => [{ labels: {}, value: connections.evicted }]);
    }
  }

  /** The server observer: counts one answered request. */
  readonly observe = (o: Outcome, ctx: RequestContext, startedNs: bigint): void => {
    const seconds = Number(process.hrtime.bigint() - startedNs) / 1e9;
    const key = o.zone ? o.zone.origin.key : NO_ZONE;
    let z = this.zones.get(key);
    if (!z) this.zones.set(key, (z = new ZoneSeries(key)));
    const type = o.question && KNOWN_TYPES.has(o.question.type) ? o.question.type : OTHER_TYPE;
    const proto = ctx.transport === 'tcp' ? 1 : 0;
    z.request(type, proto, ctx.client.address.includes(':') ? 1 : 0);
    z.response(o.rcode);
    z.duration(type, seconds);
    z.sizes[proto]!.observe(o.response.length);
  };

  /** Requests so far, in all and by query type and rcode, summed over zones. */
  totals(): QueryTotals {
    const t: QueryTotals = { all: 0, byType: new Map(), byRcode: new Map() };
    for (const z of this.zones.values()) {
      for (const c of z.requests.values()) {
        t.all += c.value;
        t.byType.set(c.labels.type!, (t.byType.get(c.labels.type!) ?? 0) + c.value);
      }
      for (const c of z.responses.values()) t.byRcode.set(c.labels.rcode!, (t.byRcode.get(c.labels.rcode!) ?? 0) + c.value);
    }
    return t;
  }

  private rotations(): Sample[] {
    const out: Sample[] = [];
    for (const zone of this.catalog.all()) {
      for (const set of zone.rrsets()) {
        const served = this.rotation.served(set);
        if (set.rdata.length > 1 && served > 0) {
          out.push({ labels: { zone: zone.origin.key, name: set.owner.key, type: typeName(set.type) }, value: served });
        }
      }
    }
    return out;
  }

  /**
   * A metric whose samples are read at scrape time. prom-client's registry and
   * AggregatorRegistry take any object of this shape (the aggregator registers
   * such objects itself); its types only name the built-in classes.
   */
  private collected(name: string, help: string, type: 'counter' | 'gauge' | 'histogram', samples: () => Sample[], aggregator: 'sum' | 'first' = 'sum'): void {
    const metric = { name, help, type, aggregator, get: async () => ({ name, help, type, aggregator, values: samples() }) };
    this.registry.registerMetric(metric as unknown as Metric);
  }
}

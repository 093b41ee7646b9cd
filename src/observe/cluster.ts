// With --workers, each worker counts its own queries and turns its own
// rotation counters; the primary serves the monitoring listener and asks the
// workers. prom-client's AggregatorRegistry sums their metrics; their status
// documents are merged here: query rates added up, zones as the first worker
// has them, and each worker's rotation shown on its own, since the next answer
// depends on which worker the kernel hands the query to.
import cluster, { type Worker } from 'node:cluster';
import { AggregatorRegistry, Registry } from 'prom-client';
import type { Logger } from '../log.js';
import type { ListenAddress } from '../net/address.js';
import type { DnsServer } from '../server/server.js';
import { observeServer, serveMonitor, type Monitor } from './monitor.js';
import { MONITOR_DEFAULTS, type MonitorSettings } from './settings.js';
import type { QueryRates, Rate, StatusDocument } from './status.js';

const STATUS_REQUEST = 'rotor:status-request';
const STATUS_REPLY = 'rotor:status';
const METRICS_REQUEST = 'rotor:metrics-request';
const METRICS_REPLY = 'rotor:metrics';
/** A worker that has not answered by then is reported as not answering. */
const REPLY_TIMEOUT_MS = 1000;

interface Reply {
  worker: number;
  doc: StatusDocument;
}

/** In a worker: counts `server` and answers the primary's requests for metrics and status. */
export function observeForPrimary(server: DnsServer): { close(): void } {
  const { metrics, status } = observeServer(server);
  AggregatorRegistry.setRegistries(metrics.registry);
  // Constructing one is what makes a worker answer the primary's metrics requests.
  new AggregatorRegistry();
  const onMessage = (m: { type?: string; id?: number } | undefined) => {
    if (m?.type === STATUS_REQUEST) process.send!({ type: STATUS_REPLY, id: m.id, doc: status.document() });
    if (m?.type === METRICS_REQUEST) void metrics.registry.getMetricsAsJSON().then((json) => process.send!({ type: METRICS_REPLY, id: m.id, metrics: json }));
  };
  process.on('message', onMessage);
  return {
    close: () => {
      status.close();
      process.off('message', onMessage);
    },
  };
}

function mergeRates(lists: Rate[][]): Rate[] {
  const byName = new Map<string, Rate>();
  for (const r of lists.flat()) {
    const sum = byName.get(r.name);
    byName.set(r.name, sum ? { name: r.name, count: sum.count + r.count, perSecond: sum.perSecond + r.perSecond } : { ...r });
  }
  return [...byName.values()].sort((a, b) => b.count - a.count || a.name.localeCompare(b.name));
}

function sumQueries(all: QueryRates[]): QueryRates {
  const length = Math.max(0, ...all.map((q) => q.history.length));
  const history = new Array<number>(length).fill(0);
  // Histories end at the same second; a younger worker's is shorter.
  for (const q of all) q.history.forEach((n, i) => { history[length - q.history.length + i] += n; });
  return {
    seconds: Math.max(1, ...all.map((q) => q.seconds)),
    total: all.reduce((n, q) => n + q.total, 0),
    perSecond: all.reduce((n, q) => n + q.perSecond, 0),
    history,
    byType: mergeRates(all.map((q) => q.byType)),
    byRcode: mergeRates(all.map((q) => q.byRcode)),
  };
}

/** The workers' documents as one: ready when all `expected` workers answered and each is ready. */
export function mergeDocuments(replies: Reply[], expected: number, startedAt: number): StatusDocument {
  const sorted = [...replies].sort((a, b) => a.worker - b.worker);
  const waiting = sorted.length < expected ? [`${sorted.length} of ${expected} workers answered`] : [];
  for (const { worker, doc } of sorted) for (const w of doc.waiting) waiting.push(`worker ${worker}: ${w}`);
  return {
    startedAt: new Date(startedAt).toISOString(),
    ready: waiting.length === 0,
    waiting,
    zones: sorted[0]?.doc.zones ?? [],
    queries: sumQueries(sorted.map((r) => r.doc.queries)),
    mail: sorted.flatMap(({ worker, doc }) => doc.mail.map((m) => ({ ...m, worker }))),
  };
}

type MetricsJson = Awaited<ReturnType<Registry['getMetricsAsJSON']>>;

/**
 * The counts of workers that are gone. Summing only the workers alive would
 * make every counter drop when one is replaced, which Prometheus takes for a
 * restart of the whole server; so what a worker had counted at the last scrape
 * before it exited is kept here and added to every later scrape. (What it
 * counted after that scrape is lost: a counter may miss counts, never go down.)
 */
export class RetiredCounts {
  private readonly sums = new Map<string, { metric: MetricsJson[number]; values: Map<string, MetricsJson[number]['values'][number]> }>();

  /** Adds a worker's last counters and histograms; gauges describe the living only. */
  add(metrics: MetricsJson): void {
    for (const m of metrics) {
      if (String(m.type) !== 'counter' && String(m.type) !== 'histogram') continue;
      let sum = this.sums.get(m.name);
      if (!sum) this.sums.set(m.name, (sum = { metric: m, values: new Map() }));
      for (const v of m.values) {
        const key = `${(v as { metricName?: string }).metricName ?? ''} ${JSON.stringify(v.labels)}`;
        const old = sum.values.get(key);
        sum.values.set(key, old ? { ...old, value: old.value + v.value } : { ...v });
      }
    }
  }

  /** As one more worker's metrics, for AggregatorRegistry.aggregate. */
  asWorker(): MetricsJson {
    return [...this.sums.values()].map(({ metric, values }) => ({ ...metric, values: [...values.values()] }));
  }

  get empty(): boolean {
    return this.sums.size === 0;
  }
}

/** In the primary: serves the sum of the workers on `address`. */
export function startClusterMonitor(address: ListenAddress, workers: number, logger: Logger, settings: MonitorSettings = MONITOR_DEFAULTS): Promise<Monitor> {
  const startedAt = Date.now();
  const { contentType } = new Registry();
  const pending = new Map<number, (worker: Worker, reply: unknown) => void>();
  let nextId = 0;
  const onMessage = (worker: Worker, m: { type?: string; id?: number; doc?: StatusDocument; metrics?: MetricsJson } | undefined) => {
    if (m?.type === STATUS_REPLY && m.doc) pending.get(m.id!)?.(worker, m.doc);
    if (m?.type === METRICS_REPLY && m.metrics) pending.get(m.id!)?.(worker, m.metrics);
  };
  cluster.on('message', onMessage);
  // Each worker's metrics as last scraped, kept for when it exits.
  const lastMetrics = new Map<number, MetricsJson>();
  const retired = new RetiredCounts();
  const onExit = (worker: Worker) => {
    const last = lastMetrics.get(worker.id);
    lastMetrics.delete(worker.id);
    if (last) retired.add(last);
  };
  cluster.on('exit', onExit);

  const ask = <T>(type: string) => new Promise<{ worker: number; reply: T }[]>((resolve) => {
    const asked = Object.values(cluster.workers ?? {}).filter((w): w is Worker => w?.isConnected() === true);
    const replies: { worker: number; reply: T }[] = [];
    const id = nextId++;
    const finish = () => {
      clearTimeout(timer);
      pending.delete(id);
      resolve(replies);
    };
    const timer = setTimeout(finish, REPLY_TIMEOUT_MS);
    pending.set(id, (worker, reply) => {
      replies.push({ worker: worker.id, reply: reply as T });
      if (replies.length === asked.length) finish();
    });
    if (asked.length === 0) return finish();
    for (const w of asked) w.send({ type, id });
  });

  const metrics = async () => {
    const replies = await ask<MetricsJson>(METRICS_REQUEST);
    for (const { worker, reply } of replies) if (cluster.workers?.[worker]) lastMetrics.set(worker, reply);
    const all = replies.map((r) => r.reply);
    if (!retired.empty) all.push(retired.asWorker());
    return AggregatorRegistry.aggregate(all).metrics();
  };

  return serveMonitor(address, {
    metrics: async () => ({ type: contentType, text: await metrics() }),
    document: async () => mergeDocuments((await ask<StatusDocument>(STATUS_REQUEST)).map(({ worker, reply }) => ({ worker, doc: reply })), workers, startedAt),
    close: () => {
      cluster.off('message', onMessage);
      cluster.off('exit', onExit);
    },
  }, logger, settings);
}

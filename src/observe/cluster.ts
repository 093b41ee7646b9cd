// With --workers, each worker counts its own queries and turns its own
// rotation counters; the primary serves the monitoring listener and asks the
// workers. prom-client's AggregatorRegistry sums their metrics; their status
// documents are merged here: query rates added up, zones as the first worker
// has them, and each worker's rotation shown on its own, since the next answer
// depends on which worker the kernel hands the query to.
import cluster, { type Worker } from 'node:cluster';
import { AggregatorRegistry } from 'prom-client';
import type { Logger } from '../log.js';
import type { ListenAddress } from '../net/address.js';
import type { DnsServer } from '../server/server.js';
import { observeServer, serveMonitor, type Monitor } from './monitor.js';
import { MONITOR_DEFAULTS, type MonitorSettings } from './settings.js';
import type { QueryRates, Rate, StatusDocument } from './status.js';

const STATUS_REQUEST = 'rotor:status-request';
const STATUS_REPLY = 'rotor:status';
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

/** In the primary: serves the sum of the workers on `address`. */
export function startClusterMonitor(address: ListenAddress, workers: number, logger: Logger, settings: MonitorSettings = MONITOR_DEFAULTS): Promise<Monitor> {
  const aggregator = new AggregatorRegistry();
  const startedAt = Date.now();
  const pending = new Map<number, (worker: Worker, doc: StatusDocument) => void>();
  let nextId = 0;
  const onMessage = (worker: Worker, m: { type?: string; id?: number; doc?: StatusDocument } | undefined) => {
    if (m?.type === STATUS_REPLY && m.doc) pending.get(m.id!)?.(worker, m.doc);
  };
  cluster.on('message', onMessage);

  const ask = () => new Promise<Reply[]>((resolve) => {
    const asked = Object.values(cluster.workers ?? {}).filter((w): w is Worker => w?.isConnected() === true);
    const replies: Reply[] = [];
    const id = nextId++;
    const finish = () => {
      clearTimeout(timer);
      pending.delete(id);
      resolve(replies);
    };
    const timer = setTimeout(finish, REPLY_TIMEOUT_MS);
    pending.set(id, (worker, doc) => {
      replies.push({ worker: worker.id, doc });
      if (replies.length === asked.length) finish();
    });
    if (asked.length === 0) return finish();
    for (const w of asked) w.send({ type: STATUS_REQUEST, id });
  });

  return serveMonitor(address, {
    metrics: async () => ({ type: aggregator.contentType, text: await aggregator.clusterMetrics() }),
    document: async () => mergeDocuments(await ask(), workers, startedAt),
    close: () => { cluster.off('message', onMessage); },
  }, logger, settings);
}

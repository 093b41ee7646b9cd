// The monitoring listener, off unless configured: /metrics for Prometheus,
// /healthz and /readyz for supervisors, and the status page (/, its JSON at
// /api/status and live updates as server-sent events at /api/events).
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { RotationPolicy } from '../authority/rotation.js';
import type { Logger } from '../log.js';
import { formatHostPort, type ListenAddress } from '../server/address.js';
import type { DnsServer } from '../server/server.js';
import type { RRset, Zone } from '../zone/zone.js';
import { Metrics } from './metrics.js';
import { Status, type StatusDocument } from './status.js';
import { ZoneHistory } from './zones.js';

/** The page's files, plain HTML, CSS and JS next to src/ and dist/ alike. */
const WEB = new URL('../../web/', import.meta.url);
const ASSETS: Record<string, [file: string, type: string]> = {
  '/': ['status.html', 'text/html; charset=utf-8'],
  '/status.css': ['status.css', 'text/css; charset=utf-8'],
  '/status.js': ['status.js', 'text/javascript; charset=utf-8'],
};

/** How often live clients are sent the status when it changed. */
const PUSH_MS = 500;

/** What the listener serves: one process's counts, or the sum of several workers'. */
export interface MonitorSource {
  metrics(): Promise<{ type: string; text: string }>;
  document(): Promise<StatusDocument>;
  close(): void;
}

export interface Monitor {
  address: ListenAddress;
  close(): Promise<void>;
}

/** Server-sent events: every client gets the status document whenever it changes. */
class LiveUpdates {
  private readonly clients = new Set<http.ServerResponse>();
  private last = '';
  private timer: NodeJS.Timeout | undefined;
  private pushing = false;

  constructor(private readonly source: MonitorSource, private readonly logger: Logger) {}

  async add(res: http.ServerResponse): Promise<void> {
    const doc = JSON.stringify(await this.source.document());
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store' });
    res.write(`retry: 2000\ndata: ${doc}\n\n`);
    this.clients.add(res);
    this.timer ??= setInterval(() => void this.push(), PUSH_MS);
    res.on('close', () => {
      this.clients.delete(res);
      if (this.clients.size === 0) this.stop();
    });
  }

  private async push(): Promise<void> {
    if (this.pushing) return;
    this.pushing = true;
    try {
      const doc = JSON.stringify(await this.source.document());
      if (doc === this.last) return;
      this.last = doc;
      for (const res of this.clients) res.write(`data: ${doc}\n\n`);
    } catch (e) {
      this.logger.error({ err: e }, 'status update failed');
    } finally {
      this.pushing = false;
    }
  }

  private stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.last = '';
  }

  close(): void {
    this.stop();
    for (const res of this.clients) res.end();
  }
}

function send(res: http.ServerResponse, code: number, type: string, body: string | Buffer): void {
  res.writeHead(code, { 'content-type': type, 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
  res.end(body);
}

/**
 * Starts counting on `server`: metrics, zone history and the status document.
 * Call before loading zones so that the first loads are recorded.
 */
export function observeServer(server: DnsServer, policy: (zone: Zone, set: RRset) => RotationPolicy): { metrics: Metrics; status: Status } {
  const history = new ZoneHistory(server.events);
  const metrics = new Metrics(server.catalog, history, server.rrl);
  server.observers.push(metrics.observe);
  return { metrics, status: new Status({ catalog: server.catalog, history, metrics, policy, bound: () => server.bound }) };
}

/** Serves `source` on `address`: the metrics, the health checks and the status page. */
export async function serveMonitor(address: ListenAddress, source: MonitorSource, logger: Logger): Promise<Monitor> {
  const assets = new Map(Object.entries(ASSETS).map(([path, [file, type]]) => [path, { type, body: readFileSync(new URL(file, WEB)) }]));
  const live = new LiveUpdates(source, logger);

  const route = async (path: string, res: http.ServerResponse): Promise<void> => {
    const asset = assets.get(path);
    if (asset) return send(res, 200, asset.type, asset.body);
    switch (path) {
      case '/metrics': {
        const { type, text } = await source.metrics();
        return send(res, 200, type, text);
      }
      case '/healthz': return send(res, 200, 'text/plain; charset=utf-8', 'ok\n');
      case '/readyz': {
        const { waiting } = await source.document();
        return waiting.length === 0
          ? send(res, 200, 'text/plain; charset=utf-8', 'ready\n')
          : send(res, 503, 'text/plain; charset=utf-8', `not ready:\n${waiting.join('\n')}\n`);
      }
      case '/api/status': return send(res, 200, 'application/json', JSON.stringify(await source.document()));
      case '/api/events': return live.add(res);
      default: return send(res, 404, 'text/plain; charset=utf-8', 'not found\n');
    }
  };

  const httpServer = http.createServer((req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('allow', 'GET, HEAD');
      return send(res, 405, 'text/plain; charset=utf-8', 'method not allowed\n');
    }
    let path: string;
    try {
      path = new URL(req.url ?? '/', 'http://rotor').pathname;
    } catch {
      return send(res, 400, 'text/plain; charset=utf-8', 'bad request\n');
    }
    route(path, res).catch((e: unknown) => {
      logger.error({ err: e, path }, 'monitoring request failed');
      if (!res.headersSent) send(res, 500, 'text/plain; charset=utf-8', 'internal error\n');
      else res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen({ host: address.host, port: address.port, ipv6Only: address.family === 6 }, () => {
      httpServer.off('error', reject);
      resolve();
    });
  });
  const port = (httpServer.address() as { port: number }).port;
  const bound = { ...address, port };
  logger.info({ address: bound.host, port, url: `http://${formatHostPort(bound)}/` }, 'metrics and status page listening');

  return {
    address: bound,
    close: () => new Promise<void>((resolve) => {
      live.close();
      source.close();
      httpServer.close(() => resolve());
      httpServer.closeAllConnections();
    }),
  };
}

/** One process: counts `server` and serves it on `address`. */
export function startMonitor(server: DnsServer, address: ListenAddress, policy: (zone: Zone, set: RRset) => RotationPolicy, logger: Logger): Promise<Monitor> {
  const { metrics, status } = observeServer(server, policy);
  return serveMonitor(address, {
    metrics: async () => ({ type: metrics.registry.contentType, text: await metrics.registry.metrics() }),
    document: async () => status.document(),
    close: () => status.close(),
  }, logger);
}

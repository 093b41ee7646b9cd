// The monitoring listener, off unless configured: /metrics for Prometheus,
// /healthz and /readyz for supervisors, and the status page (/, its JSON at
// /api/status and live updates as server-sent events at /api/events).
import { MONITOR_DEFAULTS, type MonitorSettings } from './settings.js';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { isIPv4, isIPv6 } from 'node:net';
import { EventLog, type Logger } from '../log.js';
import { formatHostPort, type ListenAddress } from '../net/address.js';
import type { DnsServer } from '../server/server.js';
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

/**
 * What a browser may do with these pages: load their own script and style
 * sheet and open /api/events, nothing inline, nothing from elsewhere, and
 * never be framed by another site (clickjacking).
 */
const SECURITY_HEADERS = {
  'content-security-policy': "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};


/**
 * Connections the listener holds at once, whatever they are doing: room for
 * every live client, scrapers and browsers; more are closed as they arrive.
 * A connection that has not sent its headers within HEADERS_TIMEOUT_MS, or
 * sent nothing at all for as long, is closed too (Node's own default is a
 * minute, checked every 30 s), so sockets opened and left silent cannot hold
 * the table for long.
 */
export const MAX_CONNECTIONS = 256;
const HEADERS_TIMEOUT_MS = 10_000;

/**
 * Whether a request's Host header names this listener: an IP literal,
 * localhost or a configured name. A DNS-rebinding page has its own name in
 * Host (its name now resolving to this address), so it is refused and cannot
 * read the status or the metrics. No Host at all is no browser: allowed.
 */
export function hostAllowed(host: string | undefined, names: ReadonlySet<string>): boolean {
  if (host === undefined) return true;
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(host);
  if (bracketed) return isIPv6(bracketed[1]!);
  const name = /^([^:]*)(?::\d+)?$/.exec(host)?.[1]?.toLowerCase().replace(/\.$/, '');
  if (!name) return false;
  return isIPv4(name) || name === 'localhost' || names.has(name);
}

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

/**
 * Server-sent events: every client gets the status document whenever it
 * changes. At most `maxLiveClients` at once, and one that leaves more than
 * `liveClientBuffer` octets unread is dropped, so clients that never read
 * cannot hold memory without limit.
 */
class LiveUpdates {
  /** Clients being sent updates. */
  private readonly clients = new Set<http.ServerResponse>();
  /** Clients waiting for their first document: they count against the cap too. */
  private readonly joining = new Set<http.ServerResponse>();
  private last = '';
  private timer: NodeJS.Timeout | undefined;
  private pushing = false;
  private readonly events: EventLog;

  constructor(private readonly source: MonitorSource, private readonly logger: Logger, private readonly settings: MonitorSettings) {
    this.events = new EventLog(logger);
  }

  async add(res: http.ServerResponse): Promise<void> {
    if (this.clients.size + this.joining.size >= this.settings.maxLiveClients) {
      this.events.log('warn', 'live-refused', { max: this.settings.maxLiveClients }, 'live updates: too many clients, one refused');
      return send(res, 503, 'text/plain; charset=utf-8', 'too many live clients\n');
    }
    this.joining.add(res);
    let doc: string;
    try {
      doc = JSON.stringify(await this.source.document());
    } finally {
      this.joining.delete(res);
    }
    // Gone while the document was made: nothing to send, and no close event left to remove it.
    if (res.destroyed) return;
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
      for (const res of this.clients) {
        // writableLength: what this process still holds for the client, its socket's buffer included.
        if (res.writableLength > this.settings.liveClientBuffer) {
          this.events.log('warn', 'live-dropped', { unsent: res.writableLength, max: this.settings.liveClientBuffer }, 'live updates: dropped a client that does not read');
          res.destroy();
          continue;
        }
        res.write(`data: ${doc}\n\n`);
      }
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
  res.writeHead(code, { 'content-type': type, 'cache-control': 'no-store' });
  res.end(body);
}

/**
 * Starts counting on `server`: metrics, zone history and the status document.
 * Call before loading zones so that the first loads are recorded.
 */
export function observeServer(server: DnsServer): { metrics: Metrics; status: Status } {
  const history = new ZoneHistory(server.events);
  const metrics = new Metrics(server.catalog, history, server.rotation, server.rrl, { faults: server.faults, connections: server.tcp.connections });
  server.observers.push(metrics.observe);
  return { metrics, status: new Status({ catalog: server.catalog, history, metrics, rotation: server.rotation, bound: () => server.bound }) };
}

/** Serves `source` on `address`: the metrics, the health checks and the status page. */
export async function serveMonitor(address: ListenAddress, source: MonitorSource, logger: Logger, settings: MonitorSettings = MONITOR_DEFAULTS): Promise<Monitor> {
  const assets = new Map(Object.entries(ASSETS).map(([path, [file, type]]) => [path, { type, body: readFileSync(new URL(file, WEB)) }]));
  const live = new LiveUpdates(source, logger, settings);
  const hosts = new Set(settings.hosts);

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

  const httpServer = http.createServer({ headersTimeout: HEADERS_TIMEOUT_MS, requestTimeout: 2 * HEADERS_TIMEOUT_MS, connectionsCheckingInterval: 1000 }, (req, res) => {
    // A request came: from here Node's request and keep-alive timeouts take over.
    req.socket.setTimeout(0);
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value);
    // 421 Misdirected Request (RFC 9110 §15.5.20): not a name this listener answers to.
    if (!hostAllowed(req.headers.host, hosts)) return send(res, 421, 'text/plain; charset=utf-8', 'unknown host name: list it under metrics-hosts in rotor.yaml\n');
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
  httpServer.maxConnections = MAX_CONNECTIONS;
  // Node's headers timeout starts with the first octet of a request; a connection that sends none is closed by this.
  httpServer.on('connection', (socket) => socket.setTimeout(HEADERS_TIMEOUT_MS, () => socket.destroy()));
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
export function startMonitor(
  server: DnsServer, address: ListenAddress, logger: Logger, settings: MonitorSettings = MONITOR_DEFAULTS,
): Promise<Monitor> {
  const { metrics, status } = observeServer(server);
  return serveMonitor(address, {
    metrics: async () => ({ type: metrics.registry.contentType, text: await metrics.registry.metrics() }),
    document: async () => status.document(),
    close: () => status.close(),
  }, logger, settings);
}

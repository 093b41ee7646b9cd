// A DnsServer in this process, with the monitor's counting attached and the
// repository's example zones loaded, answering hand-made queries without sockets.
import { join } from 'node:path';
import { DEFAULTS } from '../../src/config.js';
import { createLogger } from '../../src/log.js';
import { Metrics } from '../../src/observe/metrics.js';
import { ZoneHistory } from '../../src/observe/zones.js';
import type { RequestContext } from '../../src/net/context.js';
import { DnsServer, type ServerOptions } from '../../src/server/server.js';
import { REPO } from '../e2e/harness.js';
import { makeQuery } from '../e2e/raw.js';

export const UDP4: RequestContext = { transport: 'udp', client: { address: '127.0.0.1', port: 40000 } };
export const TCP6: RequestContext = { transport: 'tcp', client: { address: '::1', port: 40001 } };

export async function observedServer(options: Partial<ServerOptions> = {}) {
  const server = new DnsServer({ ...DEFAULTS, listen: [], zonesDir: join(REPO, 'zones'), logger: createLogger('silent'), ...options });
  const history = new ZoneHistory(server.events);
  const metrics = new Metrics(server.catalog, history, server.rotation, server.rrl, { faults: server.faults, connections: server.tcp.connections });
  server.observers.push(metrics.observe);
  await server.loadZones();
  /** Answers one query; returns the response's bytes. */
  const ask = (name: string, type: number, ctx: RequestContext = UDP4): Buffer => {
    const reply = server.handle(makeQuery(name, type), ctx);
    if (!Buffer.isBuffer(reply)) throw new Error(`no immediate reply to ${name}/${type}`);
    return reply;
  };
  return { server, history, metrics, ask };
}

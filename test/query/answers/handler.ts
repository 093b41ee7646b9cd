// rotor's message handler in this process, CoreDNS test.Case style: a DnsServer
// composed as `rotor serve` composes it (the defaults, a zone directory read by
// the real loaders), asked without sockets. This is the one module that knows
// how the handler is built and called, so that a change to the pipeline's API
// is absorbed here and nowhere else in the answer tables.
import dns2 from 'dns2';
import { DEFAULTS } from '../../../src/config.js';
import { createLogger } from '../../../src/log.js';
import type { RequestContext } from '../../../src/net/context.js';
import { DnsServer, type ServerOptions } from '../../../src/server/server.js';

const { Packet } = dns2;

export interface Ask {
  /** The name as sent, in its case. */
  name: string;
  type: number;
  tcp?: boolean;
  /** The EDNS UDP payload size, or false for a query without OPT; dig's 1232 unless given. */
  edns?: number | false;
  /** The DO bit (dig +dnssec); off unless given. */
  dnssec?: boolean;
}

export interface Handler {
  /** The response's bytes, as the server would send them. */
  ask(q: Ask): Promise<Buffer>;
  close(): Promise<void>;
}

/** dig's default UDP payload size (BIND 9.18). */
const DIG_EDNS_SIZE = 1232;
/** Loopback: exempt from RRL, which `rotor serve` turns on by default. */
const CLIENT = { address: '127.0.0.1', port: 40000 };

/** A query as `dig +norec +nocookie` sends it: AD set, RD off, a plain OPT. */
export function query(q: Ask): Buffer {
  const p = new Packet();
  p.header.id = 0x1f2e;
  Object.assign(p.header, { ad: 1 });
  p.questions.push(Object.assign(new Packet.Question(), { name: q.name, type: q.type, class: Packet.CLASS.IN }));
  const size = q.edns ?? DIG_EDNS_SIZE;
  if (size !== false) p.additionals.push(Packet.Resource.EDNS([], { udpPayloadSize: size }));
  const msg = p.toBuffer();
  // The OPT record, without options, ends the message: DO is the top bit of its TTL's third octet.
  if (q.dnssec && size !== false) msg[msg.length - 4]! |= 0x80;
  return msg;
}

/**
 * Loads `zonesDir` into a server with the answer memo on (the default) or off
 * (answer-cache-bytes 0), as `rotor serve` would with that setting and `extra`
 * (a `forward` section, say).
 */
export async function startHandler(zonesDir: string, memo: boolean, extra: Partial<ServerOptions> = {}): Promise<Handler> {
  const server = new DnsServer({
    ...DEFAULTS, listen: [], zonesDir, logger: createLogger('silent'), ...(memo ? {} : { answerCacheBytes: 0 }), ...extra,
  });
  await server.loadZones();
  return {
    async ask(q) {
      const ctx: RequestContext = { transport: q.tcp ? 'tcp' : 'udp', client: CLIENT };
      const reply = await server.handle(query(q), ctx);
      if (!Buffer.isBuffer(reply)) throw new Error(`no single response to ${q.name}/${q.type}: ${String(reply)}`);
      return reply;
    },
    close: () => server.close(0),
  };
}

// One SMTP gateway of the story, on smtp-server: it greets with "220 NAME
// ESMTP ready", checks every connecting client against the block list (if it
// has one) and answers a listed client "554 5.7.1" with the list's TXT reason,
// accepts MAIL, RCPT and DATA with RFC 3463 enhanced codes (250 2.1.0, 250
// 2.1.5, 354, 250 2.6.0), and counts what it accepted and rejected: the
// gateway's side of where the mail went.
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import { DnsError } from '../client/dns.js';
import type { Logger } from '../log.js';
import { unmapped, type Dnsbl } from './dnsbl.js';

export interface GatewayOptions {
  /** The name it greets with, such as mx1.lab.example. */
  name: string;
  host: string;
  /** 0 picks a free port. */
  port: number;
  dnsbl?: Dnsbl;
  logger?: Logger;
}

export interface Gateway {
  name: string;
  host: string;
  port: number;
  /** Messages taken after DATA. */
  accepted: number;
  /** Sessions refused with 554 because the client is listed. */
  rejected: number;
  close(): Promise<void>;
}

/** Error with the reply code smtp-server sends for it. */
function reply(code: number, message: string): Error & { responseCode: number } {
  return Object.assign(new Error(message), { responseCode: code });
}

export async function startGateway(opts: GatewayOptions): Promise<Gateway> {
  const log = opts.logger;
  const gateway = { name: opts.name, host: opts.host, port: opts.port, accepted: 0, rejected: 0, close: async () => {} };
  const options: SMTPServerOptions = {
    name: opts.name,
    banner: 'ready',
    // smtp-server leaves RFC 3463 codes out unless asked: the story's replies have them.
    hideENHANCEDSTATUSCODES: false,
    // A lab gateway: no TLS certificates, no accounts, and no reverse lookups
    // of loopback clients through the system resolver.
    disabledCommands: ['STARTTLS', 'AUTH'],
    authOptional: true,
    disableReverseLookup: true,
    size: 1 << 20,
    logger: false,
    onConnect(session, callback) {
      if (!opts.dnsbl) return callback();
      const client = unmapped(session.remoteAddress);
      opts.dnsbl.check(client).then((listing) => {
        if (!listing.listed) return callback();
        gateway.rejected++;
        log?.info({ gateway: opts.name, client, list: opts.dnsbl!.list, reason: listing.reason }, 'rejected listed client');
        callback(reply(554, `5.7.1 Service unavailable; client [${client}] blocked using ${opts.dnsbl!.list}: ${listing.reason}`));
      }, (e: unknown) => {
        // A list that does not answer blocks nobody, as Exim's dnslists do by default.
        if (!(e instanceof DnsError)) return callback(e as Error);
        log?.warn({ gateway: opts.name, client, err: e.message }, 'block list did not answer; client accepted');
        callback();
      });
    },
    onData(stream, session, callback) {
      stream.resume();
      stream.once('end', () => {
        if (stream.sizeExceeded) return callback(reply(552, 'message too large'));
        gateway.accepted++;
        log?.debug({ gateway: opts.name, client: unmapped(session.remoteAddress), id: session.id }, 'accepted');
        callback(null, `queued as ${session.id}`);
      });
    },
  };
  const server = new SMTPServer(options);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  // Errors of single sessions (a client that hangs up mid-command) are theirs, not the gateway's.
  server.on('error', (e) => log?.debug({ gateway: opts.name, err: e.message }, 'session error'));
  gateway.port = (server.server.address() as { port: number }).port;
  gateway.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return gateway;
}

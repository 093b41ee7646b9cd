import { parseArgs } from 'node:util';
import { DnsClient, fqdn } from '../client/dns.js';
import { ConfigError, parseLogFormat, parseLogLevel } from '../config.js';
import { createLogger } from '../log.js';
import { Dnsbl } from '../mail/dnsbl.js';
import { startGateway } from '../mail/gateway.js';
import { formatHostPort } from '../net/address.js';
import { hostPortOption } from './options.js';

export const usage = `rotor gateway --listen ADDR:PORT [--name NAME] [--dnsbl LIST] [options]

Runs one SMTP gateway of the story until stopped (Ctrl-C): it greets with
"220 NAME ESMTP ready", checks each client at the block list, answers a
listed client "554 5.7.1" with the list's TXT reason, and takes MAIL, RCPT
and DATA (250 2.1.0, 250 2.1.5, 354, 250 2.6.0), so that swaks or telnet can
play the mail path by hand.
  --listen ADDR:PORT   where to listen, such as 127.0.0.11:2525 (port 0 picks one)
  --name NAME          the name it greets with (default mx.lab.example)
  --dnsbl LIST         RFC 5782 block list to check clients at, such as dnsbl.example
  --server ADDR:PORT   DNS server to ask, rotor itself (default 127.0.0.1:5300)
  --log-level LEVEL    trace, debug (one line per message), info, warn, error
  --log-format FORMAT  json (default) or pretty`;

export async function gateway(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      listen: { type: 'string' },
      name: { type: 'string' },
      dnsbl: { type: 'string' },
      server: { type: 'string' },
      'log-level': { type: 'string' },
      'log-format': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    console.log(usage);
    return 0;
  }
  if (!values.listen) throw new ConfigError('gateway: --listen ADDR:PORT is required');
  const listen = hostPortOption('listen', values.listen);
  const server = hostPortOption('server', values.server ?? '127.0.0.1:5300');
  const logger = createLogger(parseLogLevel('--log-level', values['log-level'] ?? 'info'), parseLogFormat('--log-format', values['log-format'] ?? 'json'));
  let client: DnsClient | undefined;
  if (values.dnsbl) {
    client = new DnsClient({ ...server, concurrency: 64, timeoutMs: 2000, tries: 2 });
    await client.open();
  }
  const name = (values.name ?? 'mx.lab.example').replace(/\.$/, '');
  const g = await startGateway({ name, host: listen.host, port: listen.port, logger, ...(client ? { dnsbl: new Dnsbl(client, values.dnsbl!) } : {}) });
  logger.info({ name, address: g.host, port: g.port, dnsbl: values.dnsbl ? fqdn(values.dnsbl) : null, server: client ? formatHostPort(server) : null }, 'gateway listening');
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  await g.close();
  client?.close();
  logger.info({ name, accepted: g.accepted, rejected: g.rejected }, 'gateway stopped');
  return 0;
}

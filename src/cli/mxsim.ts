import { writeFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { parseArgs } from 'node:util';
import { DnsClient, DnsError, fqdn } from '../client/dns.js';
import { ConfigError } from '../config.js';
import { createLogger } from '../log.js';
import { Dnsbl } from '../mail/dnsbl.js';
import { GatewayLab, LabError, planGateways } from '../mail/lab.js';
import { compareWithPrediction, formatSmtp, type SmtpReport } from '../mail/report.js';
import { UdpAuthority } from '../mxsim/dns.js';
import { seededRandom } from '../mxsim/prng.js';
import { formatText, summarize, type Summary } from '../mxsim/report.js';
import { FAMILIES_OF, SENDER_FAMILIES, SENDER_MODELS, type DualPreference, type MixEntry, type SenderFamily, type SenderModel } from '../mxsim/senders.js';
import { simulate, type SimOptions, type Tally } from '../mxsim/simulate.js';
import { renderSvg } from '../mxsim/svg.js';
import { formatHostPort } from '../net/address.js';
import { hostPortOption } from './options.js';

export const usage = `rotor mxsim --domain NAME [--server ADDR:PORT] [options]

Looks NAME's MX set up on a running server with real DNS queries and plays
SMTP senders choosing where to connect; reports connections per gateway.
  --server ADDR:PORT        server to query (default 127.0.0.1:5300)
  --domain NAME             mail domain (required)
  --senders N               sending MTAs (default 1000)
  --messages M              messages, each from a random sender (default
                            20000; 2000 with --smtp)
  --sender MODEL[=W],...    rfc5321, first-record or sticky, or a mix such as
                            rfc5321=70,first-record=30 (default rfc5321)
  --family ipv4|ipv6|dual   address families the senders connect over: A
                            records, AAAA records, or both (default ipv4)
  --dual-preference ipv6|any
                            which family dual-stack senders try first: ipv6 as
                            Exim does, or any (a coin toss per delivery) as
                            Postfix's smtp_address_preference = any (default ipv6)
  --resolvers K             resolvers the senders share, sender i on i mod K (default 10)
  --resolver-cache on|off   resolvers keep each RRset for its TTL (default off)
  --resolver-rotation on|off
                            resolvers turn RRsets by a random step on each use,
                            like Unbound's rrset-roundrobin (default off)
  --duration TIME           simulated time the messages spread over evenly:
                            90s, 30m, 6h, 2d (default 1h)
  --down HOST               gateway name or address refusing connections,
                            repeatable; a name without a trailing dot is
                            relative to the domain (mx1 is mx1.NAME)
  --retries N               further tries of a message no exchange took (default 4)
  --retry-after TIME        simulated time before the first retry, doubling
                            for each further one (default 5m)
  --seed S                  seed of every random choice (default 1)
  --concurrency N           DNS queries in flight at most (default 16)
  --smtp                    also deliver every message through real SMTP
                            sessions, to one gateway per address of the MX set
                            started on loopback, and compare what the gateways
                            counted with the DNS-only run of the same seed
  --sessions N              with --smtp: SMTP sessions in flight at most
                            (default 100; each gateway pauses 100 ms before
                            its greeting, as smtp-server does for early talkers)
  --map ADDR=LOOPBACK,...   with --smtp: listen for ADDR on a loopback address
                            (repeatable); addresses already in 127.0.0.0/8 or
                            ::1, as in a lab zone, need none
  --dnsbl LIST              with --smtp: the gateways check each client at
                            this RFC 5782 block list, asked of --server
  --listed PCT              with --dnsbl: this share of the senders (5%)
                            connect from 127.0.0.2, the list's test point
  --svg FILE                also write a bar chart of the connections
  --json                    print the results as JSON
An exchange whose addresses cannot be had (NXDOMAIN, REFUSED, SERVFAIL, no
answer, no record of the senders' families) is skipped, as RFC 5321 §5.1 says.`;

const DURATION_UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

function integer(option: string, text: string | undefined, fallback: number, min: number, max: number): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < min || n > max) throw new ConfigError(`--${option}: expected an integer from ${min} to ${max}, got "${text}"`);
  return n;
}

function onOff(option: string, text: string | undefined): boolean {
  if (text === undefined || text === 'off') return false;
  if (text === 'on') return true;
  throw new ConfigError(`--${option}: expected on or off, got "${text}"`);
}

function duration(option: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const m = /^(\d+(?:\.\d+)?)([smhd]?)$/.exec(text);
  const seconds = m ? Number(m[1]) * DURATION_UNITS[m[2] || 's']! : 0;
  if (!(seconds > 0)) throw new ConfigError(`--${option}: expected a time such as 90s, 30m, 6h or 2d, got "${text}"`);
  return seconds;
}

function oneOf<T extends string>(option: string, text: string | undefined, choices: readonly T[], fallback: T): T {
  if (text === undefined) return fallback;
  if (!(choices as readonly string[]).includes(text)) throw new ConfigError(`--${option}: expected ${choices.join(', ')} or ${choices.at(-1)}, got "${text}"`.replace(/, (\w+) or/, ' or'));
  return text as T;
}

/**
 * A --down value as the simulation spells it: an address as given, a name
 * with a trailing dot as given, any other name relative to the domain unless
 * it already ends in it (so mx1 and mx1.corp.example both mean mx1.corp.example.).
 */
export function downName(text: string, domain: string): string {
  if (isIP(text)) return text.toLowerCase();
  const name = fqdn(text);
  if (text.endsWith('.') || name === domain || name.endsWith(`.${domain}`)) return name;
  return `${name}${domain}`;
}

/** 203.0.113.25=127.0.0.25, repeatable and comma-separated: each address to a loopback one. */
export function parseMap(values: readonly string[]): Map<string, string> {
  const map = new Map<string, string>();
  for (const pair of values.flatMap((v) => v.split(','))) {
    const [from, to, extra] = pair.trim().split('=');
    if (!from || !to || extra !== undefined || !isIP(from) || !isIP(to)) throw new ConfigError(`--map: "${pair}" is not ADDR=LOOPBACK`);
    if (!to.startsWith('127.') && to !== '::1') throw new ConfigError(`--map: ${to} is not a loopback address (127.0.0.0/8 or ::1)`);
    map.set(from.toLowerCase(), to);
  }
  return map;
}

/** 5%, or 0.05: a share from 0 to 1. */
function share(option: string, text: string): number {
  const m = /^(\d+(?:\.\d+)?)(%?)$/.exec(text);
  const x = m ? Number(m[1]) / (m[2] ? 100 : 1) : NaN;
  if (!(x >= 0 && x <= 1)) throw new ConfigError(`--${option}: expected a share such as 5% or 0.05, got "${text}"`);
  return x;
}

/** rfc5321, or rfc5321=70,first-record=30. */
export function parseMix(text: string): MixEntry[] {
  const mix = text.split(',').map((part): MixEntry => {
    const [model, weight, extra] = part.trim().split('=');
    if (!(SENDER_MODELS as readonly string[]).includes(model!) || extra !== undefined) {
      throw new ConfigError(`--sender: "${part}" is not MODEL or MODEL=WEIGHT with MODEL one of ${SENDER_MODELS.join(', ')}`);
    }
    const w = weight === undefined ? 1 : Number(weight);
    if (!(w > 0) || !Number.isFinite(w)) throw new ConfigError(`--sender: weight of ${model} must be a positive number, got "${weight}"`);
    return { model: model as SenderModel, weight: w };
  });
  if (new Set(mix.map((m) => m.model)).size !== mix.length) throw new ConfigError(`--sender: a model appears twice in "${text}"`);
  return mix;
}

export async function mxsim(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      server: { type: 'string' },
      domain: { type: 'string' },
      senders: { type: 'string' },
      messages: { type: 'string' },
      sender: { type: 'string' },
      family: { type: 'string' },
      'dual-preference': { type: 'string' },
      retries: { type: 'string' },
      'retry-after': { type: 'string' },
      resolvers: { type: 'string' },
      'resolver-cache': { type: 'string' },
      'resolver-rotation': { type: 'string' },
      duration: { type: 'string' },
      down: { type: 'string', multiple: true },
      seed: { type: 'string' },
      concurrency: { type: 'string' },
      smtp: { type: 'boolean' },
      map: { type: 'string', multiple: true },
      sessions: { type: 'string' },
      dnsbl: { type: 'string' },
      listed: { type: 'string' },
      svg: { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    console.log(usage);
    return 0;
  }
  if (!values.domain) throw new ConfigError('mxsim: --domain NAME is required');
  const target = hostPortOption('server', values.server ?? '127.0.0.1:5300');
  const domain = fqdn(values.domain);
  const opts: SimOptions = {
    domain,
    senders: integer('senders', values.senders, 1000, 1, 10_000_000),
    messages: integer('messages', values.messages, values.smtp ? 2000 : 20_000, 1, 10_000_000),
    mix: parseMix(values.sender ?? 'rfc5321'),
    family: oneOf<SenderFamily>('family', values.family, SENDER_FAMILIES, 'ipv4'),
    dualPreference: oneOf<DualPreference>('dual-preference', values['dual-preference'], ['ipv6', 'any'], 'ipv6'),
    resolvers: integer('resolvers', values.resolvers, 10, 1, 1_000_000),
    cache: onOff('resolver-cache', values['resolver-cache']),
    rotation: onOff('resolver-rotation', values['resolver-rotation']),
    durationSeconds: duration('duration', values.duration, 3600),
    // A name is a gateway; an address is one of its addresses.
    down: new Set((values.down ?? []).map((d) => downName(d, domain))),
    retries: integer('retries', values.retries, 4, 0, 100),
    retryAfterSeconds: duration('retry-after', values['retry-after'], 300),
    seed: values.seed ?? '1',
    concurrency: integer('concurrency', values.concurrency, 16, 1, 1024),
  };

  if (!values.smtp && (values.map || values.dnsbl || values.listed || values.sessions)) throw new ConfigError('mxsim: --map, --sessions, --dnsbl and --listed go with --smtp');
  if (values.listed && !values.dnsbl) throw new ConfigError('mxsim: --listed needs --dnsbl LIST, the list that names them');
  const map = parseMap(values.map ?? []);
  const listedShare = values.listed ? share('listed', values.listed) : 0;
  const sessions = integer('sessions', values.sessions, 100, 1, 1000);

  const client = new DnsClient({ ...target, concurrency: opts.concurrency, timeoutMs: 1000, tries: 3 });
  await client.open();
  const authority = new UdpAuthority(client);
  const summarized = (tally: Tally, sentBefore = 0): Summary =>
    summarize(tally, { domain, family: opts.family, messages: opts.messages, down: opts.down, sent: client.sent - sentBefore });
  let summary: Summary;
  let smtp: SmtpReport | undefined;
  // The gateways have a resolver of their own for the block list: its queries are not the senders'.
  let listClient: DnsClient | undefined;
  try {
    summary = summarized(await simulate(opts, authority));
    if (values.smtp) {
      const prediction = summary;
      const plans = await planGateways(authority, domain, FAMILIES_OF[opts.family], opts.down, map);
      if (values.dnsbl) {
        listClient = new DnsClient({ ...target, concurrency: sessions, timeoutMs: 1000, tries: 3 });
        await listClient.open();
      }
      const logger = createLogger('warn');
      const lab = await GatewayLab.start(plans, { ...(listClient ? { dnsbl: new Dnsbl(listClient, values.dnsbl!) } : {}), logger });
      try {
        const listed = (sender: number): boolean => seededRandom(`${opts.seed} listed`, sender)() < listedShare;
        const sentBefore = client.sent;
        const started = performance.now();
        // As many messages at once as sessions: the DNS client still keeps --concurrency queries in flight at most.
        const tally = await simulate({ ...opts, concurrency: sessions }, authority, lab.connect({ domain, listed, timeoutMs: 10_000 }));
        smtp = compareWithPrediction(lab.stations, prediction, (performance.now() - started) / 1000);
        summary = summarized(tally, sentBefore);
      } finally {
        await lab.close();
      }
    }
  } catch (e) {
    if (e instanceof LabError) throw new ConfigError(`mxsim --smtp: ${e.message}`);
    if (!(e instanceof DnsError)) throw e;
    console.error(`rotor mxsim: ${e.message}`);
    return 1;
  } finally {
    client.close();
    listClient?.close();
  }

  const senders = opts.mix.map((m) => (opts.mix.length > 1 ? `${m.model}=${m.weight}` : m.model)).join(',');
  const resolvers = `${opts.resolvers} resolver${opts.resolvers > 1 ? 's' : ''} (cache ${opts.cache ? 'on' : 'off'}, rotation ${opts.rotation ? 'on' : 'off'})`;
  const down = opts.down.size ? [...opts.down].join(', ') : 'none';
  if (values.svg) {
    await writeFile(values.svg, renderSvg(summary, `Connections per gateway for ${opts.domain}`, [
      `${opts.messages.toLocaleString('en-US')} messages from ${opts.senders.toLocaleString('en-US')} senders (${senders}) via ${formatHostPort(target)}`,
      `${resolvers}; down: ${down}; seed ${opts.seed}`,
    ]));
  }
  if (values.json) {
    const { down: downSet, ...rest } = opts;
    console.log(JSON.stringify({ options: { ...rest, down: [...downSet], server: formatHostPort(target) }, ...summary, ...(smtp ? { smtp } : {}) }, null, 2));
  } else {
    console.log(formatText(summary, [
      `rotor mxsim: ${opts.messages.toLocaleString('en-US')} messages from ${opts.senders.toLocaleString('en-US')} senders (${senders}) to ${opts.domain} via ${formatHostPort(target)}`,
      `${resolvers}; ${values.duration ?? '1h'} of simulated time; down: ${down}; seed ${opts.seed}${opts.family === 'ipv4' ? '' : `; senders over ${opts.family}${opts.family === 'dual' ? ` preferring ${opts.dualPreference}` : ''}`}`,
    ]));
    if (smtp) console.log(`\n${formatSmtp(smtp)}`);
  }
  return 0;
}

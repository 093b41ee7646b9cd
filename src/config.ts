// rotor.yaml: the server's settings. Every key is known and checked; anything
// else is a one-line ConfigError that the CLI turns into exit code 2.
import { readFile } from 'node:fs/promises';
import { availableParallelism, hostname } from 'node:os';
import { dirname, resolve } from 'node:path';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node } from 'yaml';
import { ROTATION_POLICIES, type RotationPolicy, type RotationSettings } from './authority/rotation.js';
import { suggestion } from './suggest.js';
import { Name } from './wire/name.js';
import { typeFromName } from './wire/types.js';
import { AddressError, parseHostPort, type ListenAddress } from './net/address.js';
import { LOG_FORMATS, type LogFormat } from './log.js';
import { AclError, LOOPBACK, parseAcl, type Acl } from './net/acl.js';
import { RRL_DEFAULTS, type RrlSettings } from './query/rrl.js';
import { TCP_DEFAULTS } from './net/tcp.js';
import { UDP_RECEIVE_BUFFER } from './net/udp.js';
import { TRANSPORT_SETTINGS, type TransportSetting } from './net/transport.js';
import type { Identity } from './query/identity.js';
import { ANSWER_CACHE_BYTES } from './query/memo.js';
import { MONITOR_DEFAULTS, type MonitorSettings } from './observe/settings.js';
import type { ForwardConfig } from './resolver/resolver.js';
import { SOURCE_DEFAULTS, type SourceLimits } from './zone/source.js';
import { ZONE_FORMATS, type ZoneFormat } from './zone/load.js';
import type { ZoneEntry } from './lifecycle/zones.js';
import type { CatalogSettings, MemberProperties, ZonePattern } from './lifecycle/catalog-zone.js';
import { VERSION } from './version.js';
import {
  checkDnssecSettings, DNSSEC_KEYS, DnssecSettingsError, mergeDnssecBlocks, NSEC3_KEYS, parseDnssecBlock, type DnssecSettings,
} from './dnssec/settings.js';
import {
  applyDefault, checkKeyReferences, KEY_FIELDS, defaultTransferSettings, parseKeys, parseZoneSettings, SettingsError, TRANSFER_SETTINGS, type TransferSettings,
} from './transfer/settings.js';

export class ConfigError extends Error {}

export interface Config {
  listen: ListenAddress[];
  zonesDir: string;
  defaultTtl: number;
  logLevel: string;
  /** Pretty lines when stdout is a terminal and JSON otherwise, unless set. */
  logFormat?: LogFormat;
  /** Share of queries written to the log: 0 (off) to 1 (all). */
  queryLog: number;
  /** Where /metrics, the health checks and the status page are served; off when undefined. */
  metrics?: ListenAddress;
  /** The metrics listener's Host names and live-update limits. */
  monitor: MonitorSettings;
  tcpIdleTimeoutMs: number;
  /** Once a TCP query's first octet is in, the rest must follow within this. */
  tcpQueryTimeoutMs: number;
  /** Queries one TCP connection may send; 0 for no limit. */
  tcpMaxQueries: number;
  tcpMaxConnections: number;
  tcpMaxConnectionsPerClient: number;
  /** Connections from one /24 (IPv4) or /56 (IPv6); past it a newcomer takes the place of the longest idle. */
  tcpMaxConnectionsPerNetblock: number;
  /** Octets of answers a TCP client may leave unread before its connection is read no further. */
  tcpMaxUnsentBytes: number;
  /** SO_RCVBUF asked for each UDP socket (the kernel caps it at net.core.rmem_max). */
  udpReceiveBuffer: number;
  /** What carries UDP: the native addon (batched, auto where it was built) or node:dgram. */
  transport: TransportSetting;
  /** Response rate limiting over UDP: on (RRL_DEFAULTS) unless `rrl: off`; off when undefined. */
  rrl?: RrlSettings;
  /** The prepared-answer memo's cap in (estimated) bytes, per process; 0 turns it off. */
  answerCacheBytes: number;
  /** Server processes sharing the sockets (node:cluster); 1 runs no cluster. */
  workers: number;
  rotation: RotationSettings;
  /** Names outside every local zone are forwarded when this is set. */
  forward?: ForwardConfig;
  /** TSIG keys, allow-transfer, NOTIFY targets: globally and per zone. */
  transfer: TransferSettings;
  /** Where $INCLUDE may read (include-dirs) and how large a zone's files may be (max-zone-file-size). */
  zoneSources: SourceLimits;
  /** Zones listed in rotor.yaml (`zone:`), served beside the zone directory's. */
  zoneList: ZoneEntry[];
  /** The Unix socket `rotor ctl` talks to; none when undefined. */
  controlSocket?: string;
  /** The user and group to run as once the sockets are bound (names or numeric ids). */
  user?: string;
  group?: string;
  /** What CH TXT version.bind, id.server and hostname.bind, and NSID (RFC 5001), say. */
  identity: Identity;
  /** The catalog zone (RFC 9432) rotor writes for secondaries; none when undefined. */
  catalog?: CatalogSettings;
  /** Zone signing: the `dnssec:` blocks, globally and per zone (dnssecPolicy gives a zone's). */
  dnssec: DnssecSettings;
  /** What loadConfig found worth saying but not refusing, as `file:line:col: message`. */
  warnings: string[];
}


export const DEFAULTS: Config = {
  listen: [{ host: '127.0.0.1', port: 5300, family: 4 }],
  zonesDir: 'zones',
  defaultTtl: 3600,
  logLevel: 'info',
  queryLog: 0,
  monitor: MONITOR_DEFAULTS,
  tcpIdleTimeoutMs: 10_000,
  tcpQueryTimeoutMs: TCP_DEFAULTS.queryTimeoutMs,
  tcpMaxQueries: TCP_DEFAULTS.maxQueries,
  tcpMaxConnections: TCP_DEFAULTS.maxConnections,
  tcpMaxConnectionsPerClient: TCP_DEFAULTS.maxConnectionsPerClient,
  tcpMaxConnectionsPerNetblock: TCP_DEFAULTS.maxConnectionsPerNetblock,
  tcpMaxUnsentBytes: TCP_DEFAULTS.maxUnsentBytes,
  udpReceiveBuffer: UDP_RECEIVE_BUFFER,
  transport: 'auto',
  rrl: RRL_DEFAULTS,
  answerCacheBytes: ANSWER_CACHE_BYTES,
  workers: 1,
  rotation: { policy: 'cyclic', zones: new Map(), overrides: [] },
  transfer: defaultTransferSettings(),
  zoneSources: SOURCE_DEFAULTS,
  zoneList: [],
  // As Knot: the version and the host name are told, NSID only when set.
  identity: { version: `rotor ${VERSION}`, hostname: hostname() },
  dnssec: { keyDirectory: 'keys', zones: new Map() },
  warnings: [],
};

const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'];

type Setter = (c: Config, v: unknown, base: string) => void;

/** A zone's own `dnssec:` block (from zone-settings or a zone: entry), over any it had. */
function setZoneDnssec(c: Config, zone: Name, at: string, v: unknown, base: string): void {
  const zones = new Map(c.dnssec.zones);
  const block = parseDnssecBlock(at, v, base, c.warnings);
  zones.set(zone.key, { at, block: mergeDnssecBlocks(zones.get(zone.key)?.block, block) });
  c.dnssec = { ...c.dnssec, zones };
}

function integer(key: string, v: unknown, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw new ConfigError(`${key}: expected an integer from ${min} to ${max}, got ${JSON.stringify(v)}`);
  }
  return v;
}

export function parseListenList(key: string, v: unknown): ListenAddress[] {
  const list = Array.isArray(v) ? v : [v];
  if (list.length === 0) throw new ConfigError(`${key}: at least one ADDR:PORT is needed`);
  return list.map((item) => {
    if (typeof item !== 'string') throw new ConfigError(`${key}: expected ADDR:PORT strings, got ${JSON.stringify(item)}`);
    try {
      return parseHostPort(item);
    } catch (e) {
      if (e instanceof AddressError) throw new ConfigError(`${key}: ${e.message}`);
      throw e;
    }
  });
}

export function parseRotation(key: string, v: unknown): RotationPolicy {
  if (typeof v !== 'string' || !(ROTATION_POLICIES as readonly string[]).includes(v)) {
    throw new ConfigError(`${key}: expected one of ${ROTATION_POLICIES.join(', ')}, got ${JSON.stringify(v)}`);
  }
  return v as RotationPolicy;
}

/** A mapping; with `allowed`, any other key is an error. */
function mapping(key: string, v: unknown, allowed?: string[]): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new ConfigError(`${key}: expected a mapping`);
  for (const k of Object.keys(v)) {
    if (allowed && !allowed.includes(k)) throw new ConfigError(`${key}: unknown key "${k}"${suggestion(k, allowed)}`);
  }
  return v as Record<string, unknown>;
}

function absoluteName(key: string, v: unknown): Name {
  if (typeof v !== 'string' || v === '') throw new ConfigError(`${key}: expected a domain name`);
  try {
    return Name.parse(v.endsWith('.') ? v : `${v}.`);
  } catch (e) {
    throw new ConfigError(`${key}: ${(e as Error).message}`);
  }
}

const ROTATION_KEYS = ['policy', 'zones', 'names'];

/**
 * rotation: cyclic — or, to set it per zone and per name:
 *   rotation:
 *     policy: cyclic
 *     zones: { corp.example: random }
 *     names:
 *       - { name: corp.example, type: MX, policy: fixed }
 */
export function parseRotationSettings(v: unknown): RotationSettings {
  if (typeof v === 'string') return { policy: parseRotation('rotation', v), zones: new Map(), overrides: [] };
  const m = mapping('rotation', v, ROTATION_KEYS);
  const settings: RotationSettings = { policy: m.policy === undefined ? 'cyclic' : parseRotation('rotation.policy', m.policy), zones: new Map(), overrides: [] };
  if (m.zones !== undefined) {
    for (const [zone, policy] of Object.entries(mapping('rotation.zones', m.zones))) {
      settings.zones.set(absoluteName(`rotation.zones`, zone).key, parseRotation(`rotation.zones.${zone}`, policy));
    }
  }
  if (m.names !== undefined) {
    if (!Array.isArray(m.names)) throw new ConfigError('rotation.names: expected a list of {name, type?, policy}');
    m.names.forEach((entry, i) => {
      const key = `rotation.names[${i}]`;
      const e = mapping(key, entry, ['name', 'type', 'policy']);
      let type: number | undefined;
      if (e.type !== undefined) {
        type = typeof e.type === 'string' ? typeFromName(e.type) : undefined;
        if (type === undefined) throw new ConfigError(`${key}.type: unknown record type ${JSON.stringify(e.type)}`);
      }
      settings.overrides.push({ name: absoluteName(`${key}.name`, e.name).key, type, policy: parseRotation(`${key}.policy`, e.policy) });
    });
  }
  return settings;
}

/** A number of worker processes, or auto: one per CPU this process may use. */
export function parseWorkers(key: string, v: unknown): number {
  if (v === 'auto') return availableParallelism();
  const n = typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > 256) {
    throw new ConfigError(`${key}: expected auto or an integer from 1 to 256, got ${JSON.stringify(v)}`);
  }
  return n;
}

export function parseLogLevel(key: string, v: unknown): string {
  if (typeof v !== 'string' || !LOG_LEVELS.includes(v)) throw new ConfigError(`${key}: expected one of ${LOG_LEVELS.join(', ')}`);
  return v;
}

export function parseTransport(key: string, v: unknown): TransportSetting {
  if (typeof v !== 'string' || !(TRANSPORT_SETTINGS as readonly string[]).includes(v)) {
    throw new ConfigError(`${key}: expected one of ${TRANSPORT_SETTINGS.join(', ')}, got ${JSON.stringify(v)}`);
  }
  return v as TransportSetting;
}

export function parseLogFormat(key: string, v: unknown): LogFormat {
  if (typeof v !== 'string' || !(LOG_FORMATS as readonly string[]).includes(v)) {
    throw new ConfigError(`${key}: expected one of ${LOG_FORMATS.join(', ')}, got ${JSON.stringify(v)}`);
  }
  return v as LogFormat;
}

/** on | off | a sample rate from 0 to 1 (YAML's true/false, and the strings the command line gives, too). */
export function parseQueryLog(key: string, v: unknown): number {
  if (v === true || v === 'on') return 1;
  if (v === false || v === 'off') return 0;
  const rate = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
  if (typeof rate !== 'number' || !(rate >= 0 && rate <= 1)) {
    throw new ConfigError(`${key}: expected on, off or a sample rate from 0 to 1, got ${JSON.stringify(v)}`);
  }
  return rate;
}

/** ADDR:PORT of the metrics and status listener, or off. */
export function parseMetricsAddress(key: string, v: unknown): ListenAddress | undefined {
  if (v === false || v === 'off') return undefined;
  if (typeof v !== 'string') throw new ConfigError(`${key}: expected ADDR:PORT or off, got ${JSON.stringify(v)}`);
  return parseListenList(key, v)[0];
}

/** Host names the metrics listener answers to besides IP literals and localhost: lowercase, without the final dot. */
export function parseMetricsHosts(key: string, v: unknown): string[] {
  if (!Array.isArray(v)) throw new ConfigError(`${key}: expected a list of host names`);
  return v.map((host) => absoluteName(key, host).toString().toLowerCase().replace(/\.$/, ''));
}

const FORWARD_KEYS = ['upstreams', 'allow-recursion', 'timeout-ms', 'cache'];
const FORWARD_CACHE_KEYS = ['max-entries', 'max-bytes', 'max-ttl', 'min-ttl'];

/** forward: { upstreams, allow-recursion, timeout-ms, cache: { max-entries, max-bytes, max-ttl, min-ttl } } */
export function parseForward(v: unknown): ForwardConfig {
  const m = mapping('forward', v, FORWARD_KEYS);
  if (m.upstreams === undefined) throw new ConfigError('forward.upstreams: at least one ADDR:PORT is needed');
  let allowRecursion: Acl;
  try {
    // Like BIND's default, only this host: a resolver open to everyone is a reflector.
    allowRecursion = parseAcl(m['allow-recursion'] ?? LOOPBACK);
  } catch (e) {
    if (e instanceof AclError) throw new ConfigError(`forward.allow-recursion: ${e.message}`);
    throw e;
  }
  const c = m.cache === undefined ? {} : mapping('forward.cache', m.cache, FORWARD_CACHE_KEYS);
  const setting = (key: string, fallback: number, min: number, max: number) => c[key] === undefined ? fallback : integer(`forward.cache.${key}`, c[key], min, max);
  const cache = {
    maxEntries: setting('max-entries', 10_000, 1, 10_000_000),
    maxBytes: setting('max-bytes', 32 * 1024 * 1024, 64 * 1024, 2 ** 31),
    maxTtl: setting('max-ttl', 86_400, 0, 0x7fffffff),
    minTtl: setting('min-ttl', 0, 0, 0x7fffffff),
  };
  if (cache.minTtl > cache.maxTtl) throw new ConfigError(`forward.cache: min-ttl ${cache.minTtl} is above max-ttl ${cache.maxTtl}`);
  const upstreams = parseListenList('forward.upstreams', m.upstreams);
  if (upstreams.some((u) => u.port === 0)) throw new ConfigError('forward.upstreams: an upstream needs its port (53 for most)');
  return {
    upstreams,
    allowRecursion,
    timeoutMs: m['timeout-ms'] === undefined ? 1500 : integer('forward.timeout-ms', m['timeout-ms'], 10, 30_000),
    cache,
  };
}

const RRL_KEYS = [
  'responses-per-second', 'nxdomains-per-second', 'nodata-per-second', 'errors-per-second', 'referrals-per-second',
  'window', 'slip', 'ipv4-prefix-length', 'ipv6-prefix-length', 'exempt-clients', 'log-only', 'max-table-size',
];

/**
 * rrl: on (the default) | off — or a mapping of BIND's rate-limit settings, any
 * of RRL_KEYS. The per-class rates default to responses-per-second; 0 leaves
 * that class unlimited. exempt-clients, when given, replaces the default
 * (this host) rather than adding to it: [] limits loopback clients too.
 */
export function parseRrl(v: unknown): RrlSettings | undefined {
  if (v === false || v === 'off') return undefined;
  if (v === true || v === 'on') return { ...RRL_DEFAULTS };
  const m = mapping('rrl', v, RRL_KEYS);
  const int = (key: string, fallback: number, min: number, max: number) => (m[key] === undefined ? fallback : integer(`rrl.${key}`, m[key], min, max));
  const rate = int('responses-per-second', RRL_DEFAULTS.responsesPerSecond, 1, 1_000_000);
  let exemptClients = RRL_DEFAULTS.exemptClients;
  if (m['exempt-clients'] !== undefined) {
    try {
      exemptClients = parseAcl(m['exempt-clients']);
    } catch (e) {
      if (e instanceof AclError) throw new ConfigError(`rrl.exempt-clients: ${e.message}`);
      throw e;
    }
  }
  const logOnly = m['log-only'] ?? false;
  if (typeof logOnly !== 'boolean') throw new ConfigError(`rrl.log-only: expected true or false, got ${JSON.stringify(logOnly)}`);
  return {
    responsesPerSecond: rate,
    nxdomainsPerSecond: int('nxdomains-per-second', rate, 0, 1_000_000),
    nodataPerSecond: int('nodata-per-second', rate, 0, 1_000_000),
    errorsPerSecond: int('errors-per-second', rate, 0, 1_000_000),
    referralsPerSecond: int('referrals-per-second', rate, 0, 1_000_000),
    window: int('window', RRL_DEFAULTS.window, 1, 3600),
    slip: int('slip', RRL_DEFAULTS.slip, 0, 10),
    ipv4PrefixLength: int('ipv4-prefix-length', RRL_DEFAULTS.ipv4PrefixLength, 0, 32),
    ipv6PrefixLength: int('ipv6-prefix-length', RRL_DEFAULTS.ipv6PrefixLength, 0, 128),
    exemptClients,
    logOnly,
    maxTableSize: int('max-table-size', RRL_DEFAULTS.maxTableSize, 1, 10_000_000),
  };
}

/** What a CH TXT query tells: a string (a TXT character-string holds 255 octets), or hidden. */
function identityText(key: string, v: unknown): string | undefined {
  if (v === false || v === 'hidden') return undefined;
  if (typeof v === 'number') v = String(v);
  if (typeof v !== 'string' || v === '' || Buffer.byteLength(v) > 255) throw new ConfigError(`${key}: expected a string of 1 to 255 octets or hidden, got ${JSON.stringify(v)}`);
  return v;
}

/** nsid: a string, 0x and hex digits for octets, hostname for this host's name, or off (RFC 5001 leaves the payload to the operator). */
export function parseNsid(v: unknown): Buffer | undefined {
  if (v === false || v === 'off') return undefined;
  if (v === 'hostname') return Buffer.from(hostname());
  if (typeof v === 'number') v = String(v);
  if (typeof v === 'string' && /^0x([0-9a-f]{2})+$/i.test(v)) return Buffer.from(v.slice(2), 'hex');
  if (typeof v !== 'string' || v === '' || Buffer.byteLength(v) > 512) throw new ConfigError(`nsid: expected a string, 0x and hex digits, hostname or off, got ${JSON.stringify(v)}`);
  return Buffer.from(v);
}

/** A user or group: a name, or a numeric id. */
function account(key: string, v: unknown): string {
  if (typeof v === 'number' && Number.isInteger(v) && v >= 0) return String(v);
  if (typeof v !== 'string' || !/^[A-Za-z0-9_][A-Za-z0-9_.-]*\$?$/.test(v)) throw new ConfigError(`${key}: expected a name or a numeric id, got ${JSON.stringify(v)}`);
  return v;
}

/** Settings for the same zone from zone-settings and from a zone: entry: the later key wins, field by field. */
function mergeZoneSettings(old: TransferSettings['zones'], added: TransferSettings['zones']): TransferSettings['zones'] {
  const merged = new Map(old);
  for (const [zone, s] of added) merged.set(zone, { ...merged.get(zone), ...s });
  return merged;
}

const ZONE_ENTRY_KEYS = ['name', 'file', 'format', 'dnssec', ...TRANSFER_SETTINGS];

/**
 * zone:                       # as Knot's zone: list; beside the zone directory
 *   - name: example.com
 *     file: /etc/bind/db.example.com   # relative to rotor.yaml
 *     format: zone                     # yaml | zone; else from the extension (.yaml, .yml: yaml)
 *     allow-transfer: [192.0.2.2]      # any zone-settings key
 */
function parseZoneList(c: Config, v: unknown, base: string): ZoneEntry[] {
  if (!Array.isArray(v)) throw new ConfigError('zone: expected a list of {name, file, format?} entries');
  const seen = new Set<string>();
  return v.map((item, i): ZoneEntry => {
    const at = `zone[${i}]`;
    const { name, file, format, dnssec, ...settings } = mapping(at, item, ZONE_ENTRY_KEYS);
    const origin = absoluteName(`${at}.name`, name);
    if (seen.has(origin.key)) throw new ConfigError(`${at}.name: zone ${origin} is listed twice`);
    seen.add(origin.key);
    if (dnssec !== undefined) setZoneDnssec(c, origin, `${at}.dnssec`, dnssec, base);
    if (typeof file !== 'string' || file === '') throw new ConfigError(`${at}.file: expected the zone file's path`);
    if (format !== undefined && !(ZONE_FORMATS as readonly unknown[]).includes(format)) {
      throw new ConfigError(`${at}.format: expected one of ${ZONE_FORMATS.join(', ')}, got ${JSON.stringify(format)}`);
    }
    if (Object.keys(settings).length > 0) {
      try {
        c.transfer = { ...c.transfer, zones: mergeZoneSettings(c.transfer.zones, parseZoneSettings({ [origin.toString()]: settings })) };
      } catch (e) {
        // Its messages name zone-settings.ZONE; here the place is the list entry.
        throw new ConfigError((e as Error).message.replace(/^zone-settings\.[^:]*?(\.[a-z-]+)?:/, (_, k: string | undefined) => `${at}${k ?? ''}:`));
      }
    }
    return { origin, file: resolve(base, file), format: format as ZoneFormat | undefined };
  });
}

const CATALOG_KEYS = ['name', 'members', 'properties'];
const MEMBER_PROPERTY_KEYS = ['group', 'coo'];

/** A zone name, or `*.NAME` for every zone below NAME. */
function zonePattern(key: string, v: unknown): ZonePattern {
  if (typeof v === 'string' && v.startsWith('*.')) return `*.${absoluteName(key, v.slice(2)).key}`;
  return absoluteName(key, v).key;
}

/**
 * catalog:
 *   name: catalog.invalid
 *   members: all                   # or a list: [corp.example, "*.lab.example"]
 *   properties:                    # RFC 9432 member properties, by zone or pattern
 *     "*.lab.example": { group: lab }
 *     old.example: { coo: other-catalog.invalid }
 */
function parseCatalog(v: unknown): CatalogSettings {
  const m = mapping('catalog', v, CATALOG_KEYS);
  if (m.name === undefined) throw new ConfigError('catalog.name: the catalog zone\'s name is required (e.g. catalog.invalid)');
  const name = absoluteName('catalog.name', m.name);
  let members: ZonePattern[] | undefined;
  if (m.members !== undefined && m.members !== 'all') {
    if (!Array.isArray(m.members)) throw new ConfigError(`catalog.members: expected all or a list of zone names and *.NAME patterns, got ${JSON.stringify(m.members)}`);
    members = m.members.map((p, i) => zonePattern(`catalog.members[${i}]`, p));
  }
  const properties = new Map<ZonePattern, MemberProperties>();
  for (const [pattern, spec] of Object.entries(m.properties === undefined ? {} : mapping('catalog.properties', m.properties))) {
    const at = `catalog.properties.${pattern}`;
    const p = mapping(at, spec, MEMBER_PROPERTY_KEYS);
    const props: MemberProperties = {};
    if (p.group !== undefined) {
      // A TXT character-string holds 255 octets.
      if (typeof p.group !== 'string' || p.group === '' || Buffer.byteLength(p.group) > 255) throw new ConfigError(`${at}.group: expected a string of 1 to 255 octets, got ${JSON.stringify(p.group)}`);
      props.group = p.group;
    }
    if (p.coo !== undefined) props.coo = absoluteName(`${at}.coo`, p.coo);
    properties.set(zonePattern(at, pattern), props);
  }
  return { name, members, properties };
}

const SETTERS: Record<string, Setter> = {
  listen: (c, v) => { c.listen = parseListenList('listen', v); },
  zones: (c, v, base) => {
    if (typeof v !== 'string' || v === '') throw new ConfigError('zones: expected a directory path');
    c.zonesDir = resolve(base, v);
  },
  'default-ttl': (c, v) => { c.defaultTtl = integer('default-ttl', v, 0, 0x7fffffff); },
  'log-level': (c, v) => { c.logLevel = parseLogLevel('log-level', v); },
  'log-format': (c, v) => { c.logFormat = parseLogFormat('log-format', v); },
  'query-log': (c, v) => { c.queryLog = parseQueryLog('query-log', v); },
  metrics: (c, v) => { c.metrics = parseMetricsAddress('metrics', v); },
  'metrics-hosts': (c, v) => { c.monitor = { ...c.monitor, hosts: parseMetricsHosts('metrics-hosts', v) }; },
  'metrics-max-live-clients': (c, v) => { c.monitor = { ...c.monitor, maxLiveClients: integer('metrics-max-live-clients', v, 0, 100_000) }; },
  'metrics-live-client-buffer': (c, v) => { c.monitor = { ...c.monitor, liveClientBuffer: integer('metrics-live-client-buffer', v, 1024, 64 * 1024 * 1024) }; },
  'tcp-idle-timeout': (c, v) => { c.tcpIdleTimeoutMs = integer('tcp-idle-timeout', v, 1, 3600) * 1000; },
  'tcp-query-timeout': (c, v) => { c.tcpQueryTimeoutMs = integer('tcp-query-timeout', v, 1, 3600) * 1000; },
  'tcp-max-queries': (c, v) => { c.tcpMaxQueries = integer('tcp-max-queries', v, 0, 1_000_000); },
  'tcp-max-connections': (c, v) => { c.tcpMaxConnections = integer('tcp-max-connections', v, 1, 1_000_000); },
  'tcp-max-connections-per-client': (c, v) => { c.tcpMaxConnectionsPerClient = integer('tcp-max-connections-per-client', v, 1, 1_000_000); },
  'tcp-max-connections-per-netblock': (c, v) => { c.tcpMaxConnectionsPerNetblock = integer('tcp-max-connections-per-netblock', v, 1, 1_000_000); },
  'tcp-max-unsent-bytes': (c, v) => { c.tcpMaxUnsentBytes = integer('tcp-max-unsent-bytes', v, 512, 16 << 20); },
  'udp-receive-buffer': (c, v) => { c.udpReceiveBuffer = integer('udp-receive-buffer', v, 65536, 256 << 20); },
  transport: (c, v) => { c.transport = parseTransport('transport', v); },
  rrl: (c, v) => { c.rrl = parseRrl(v); },
  'answer-cache-bytes': (c, v) => { c.answerCacheBytes = integer('answer-cache-bytes', v, 0, 2 ** 40); },
  workers: (c, v) => { c.workers = parseWorkers('workers', v); },
  rotation: (c, v) => { c.rotation = parseRotationSettings(v); },
  forward: (c, v) => { c.forward = parseForward(v); },
  keys: (c, v, base) => { c.transfer = { ...c.transfer, keys: parseKeys(v, base) }; },
  'include-dirs': (c, v, base) => {
    if (!Array.isArray(v) || v.some((d) => typeof d !== 'string' || d === '')) throw new ConfigError('include-dirs: expected a list of directory paths');
    c.zoneSources = { ...c.zoneSources, includeDirs: v.map((d: string) => resolve(base, d)) };
  },
  'max-zone-file-size': (c, v) => {
    // A zone is read as one string, and parsed it takes several times its size in memory.
    c.zoneSources = { ...c.zoneSources, maxBytes: integer('max-zone-file-size', v, 1024, 256 * 2 ** 20) };
  },
  'zone-settings': (c, v, base) => {
    // dnssec is a zone setting of its own; the rest are transfer settings.
    const transfer: Record<string, unknown> = {};
    for (const [zone, settings] of Object.entries(mapping('zone-settings', v))) {
      // Anything but a mapping is parseZoneSettings' to refuse.
      const { dnssec, ...rest } = typeof settings === 'object' && settings !== null ? settings as Record<string, unknown> : { dnssec: undefined };
      if (dnssec !== undefined) setZoneDnssec(c, absoluteName(`zone-settings.${zone}`, zone), `zone-settings.${zone}.dnssec`, dnssec, base);
      transfer[zone] = dnssec === undefined ? settings : rest;
    }
    c.transfer = { ...c.transfer, zones: mergeZoneSettings(c.transfer.zones, parseZoneSettings(transfer)) };
  },
  zone: (c, v, base) => { c.zoneList = parseZoneList(c, v, base); },
  'control-socket': (c, v, base) => {
    if (v === false || v === 'off') c.controlSocket = undefined;
    else if (typeof v === 'string' && v !== '') c.controlSocket = resolve(base, v);
    else throw new ConfigError(`control-socket: expected a file path or off, got ${JSON.stringify(v)}`);
  },
  user: (c, v) => { c.user = account('user', v); },
  'server-version': (c, v) => { c.identity = { ...c.identity, version: identityText('server-version', v) }; },
  'server-hostname': (c, v) => { c.identity = { ...c.identity, hostname: identityText('server-hostname', v) }; },
  nsid: (c, v) => { c.identity = { ...c.identity, nsid: parseNsid(v) }; },
  group: (c, v) => { c.group = account('group', v); },
  catalog: (c, v) => { c.catalog = parseCatalog(v); },
  dnssec: (c, v, base) => {
    const block = parseDnssecBlock('dnssec', v, base, c.warnings);
    c.dnssec = { ...c.dnssec, global: block === false ? undefined : block };
  },
  ...Object.fromEntries(TRANSFER_SETTINGS.map((key): [string, Setter] => [key, (c, v) => {
    c.transfer = { ...c.transfer, defaults: { ...c.transfer.defaults } };
    applyDefault(c.transfer, key, v);
  }])),
};

/** Where in the file a message's key path (`rrl.slip`, `rotation.names[0].policy`, `zone-settings.corp.example`) is written. */
function locate(root: Node | null, message: string): number | undefined {
  const prefix = /^([^\s:"]+): /.exec(message)?.[1];
  const segments = (prefix ?? '').split('.').flatMap((s) => s.split(/(?=\[\d+\])/)).filter((s) => s !== '');
  let node: Node | null = root;
  let at: Node | null = root;
  for (let i = 0; i < segments.length && node;) {
    const index = /^\[(\d+)\]$/.exec(segments[i]!);
    if (index && isSeq(node)) {
      node = at = (node.items[Number(index[1])] as Node | undefined) ?? null;
      i++;
      continue;
    }
    const map: unknown = node;
    if (!isMap(map)) break;
    // Zone and key names hold dots: the longest run of segments that is a key.
    let next: number | undefined;
    for (let j = segments.length; j > i && next === undefined; j--) {
      const want = segments.slice(i, j).join('.');
      const pair = map.items.find((p) => isScalar(p.key) && String(p.key.value) === want);
      if (pair) {
        at = (pair.value as Node | null) ?? (pair.key as Node);
        node = pair.value as Node | null;
        next = j;
      }
    }
    if (next === undefined) break;
    i = next;
  }
  // An unknown key is shown where it is written, not where its value is.
  const unknown = /unknown (?:key|setting) "([^"]+)"/.exec(message)?.[1];
  const last: unknown = node;
  if (unknown !== undefined && isMap(last)) {
    const pair = last.items.find((p) => isScalar(p.key) && String(p.key.value) === unknown);
    if (pair) at = pair.key as Node;
  }
  return at?.range?.[0];
}

/**
 * The settings a running server keeps until it restarts, with the fields they
 * set: sockets are bound once, the processes are started once, and the limits
 * of the listeners are taken when they start. Every other setting changes live.
 */
const RESTART_SETTINGS: Record<string, string[]> = {
  listen: ['listen'],
  zones: ['zonesDir'],
  workers: ['workers'],
  metrics: ['metrics'],
  'metrics-hosts': ['monitor.hosts'],
  'metrics-max-live-clients': ['monitor.maxLiveClients'],
  'metrics-live-client-buffer': ['monitor.liveClientBuffer'],
  'tcp-idle-timeout': ['tcpIdleTimeoutMs'],
  'tcp-query-timeout': ['tcpQueryTimeoutMs'],
  'tcp-max-queries': ['tcpMaxQueries'],
  'tcp-max-connections': ['tcpMaxConnections'],
  'tcp-max-connections-per-client': ['tcpMaxConnectionsPerClient'],
  'tcp-max-connections-per-netblock': ['tcpMaxConnectionsPerNetblock'],
  'tcp-max-unsent-bytes': ['tcpMaxUnsentBytes'],
  'udp-receive-buffer': ['udpReceiveBuffer'],
  transport: ['transport'],
  'answer-cache-bytes': ['answerCacheBytes'],
  'control-socket': ['controlSocket'],
  user: ['user'],
  group: ['group'],
  'log-format': ['logFormat'],
};

/** Whether `key` changes on a configuration reload, or only with a restart. */
export function reloadsLive(key: string): boolean {
  return !(key in RESTART_SETTINGS);
}

/**
 * A reload from `running` to `next`: the configuration to run with (next's
 * live settings, running's others) and the settings that changed but wait for
 * a restart.
 */
export function reloadedConfig(running: Config, next: Config): { config: Config; needRestart: string[] } {
  const field = (c: Config, path: string) => path.split('.').reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k], c);
  const needRestart = Object.keys(RESTART_SETTINGS).filter((key) => RESTART_SETTINGS[key]!.some((f) => JSON.stringify(field(running, f)) !== JSON.stringify(field(next, f))));
  // What waits for a restart keeps running as it is: whole fields (monitor holds three settings).
  const kept = new Set(Object.values(RESTART_SETTINGS).flat().map((f) => f.split('.')[0] as keyof Config));
  const config = { ...next };
  for (const f of kept) (config as unknown as Record<string, unknown>)[f] = running[f];
  return { config, needRestart };
}

/** Every key rotor.yaml may hold, nested ones as `parent.child` (`zone-settings.ZONE.allow-query`): the reference page must list each. */
export function configKeys(): string[] {
  return [
    ...Object.keys(SETTERS),
    ...ROTATION_KEYS.map((k) => `rotation.${k}`),
    ...FORWARD_KEYS.map((k) => `forward.${k}`),
    ...FORWARD_CACHE_KEYS.map((k) => `forward.cache.${k}`),
    ...RRL_KEYS.map((k) => `rrl.${k}`),
    ...KEY_FIELDS.map((k) => `keys.NAME.${k}`),
    ...TRANSFER_SETTINGS.map((k) => `zone-settings.ZONE.${k}`),
    ...ZONE_ENTRY_KEYS.map((k) => `zone[].${k}`),
    ...CATALOG_KEYS.map((k) => `catalog.${k}`),
    ...MEMBER_PROPERTY_KEYS.map((k) => `catalog.properties.ZONE.${k}`),
    ...DNSSEC_KEYS.map((k) => `dnssec.${k}`),
    ...NSEC3_KEYS.map((k) => `dnssec.nsec3.${k}`),
    'zone-settings.ZONE.dnssec',
  ];
}

/** Reads rotor.yaml; relative paths in it are relative to the file. Errors are `file:line:col: message`. */
export async function loadConfig(file: string): Promise<Config> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new ConfigError(`${file}: cannot read: ${(e as Error).message}`);
  }
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  const where = (offset: number) => {
    const { line, col } = lines.linePos(offset);
    return `${file}:${line}:${col}`;
  };
  const syntax = doc.errors[0];
  if (syntax) throw new ConfigError(`${where(syntax.pos[0])}: ${syntax.message.split('\n')[0]}`);
  const fail = (message: string): ConfigError => {
    const at = locate(doc.contents as Node | null, message);
    return new ConfigError(`${at === undefined ? file : where(at)}: ${message}`);
  };
  const settings: unknown = doc.toJS() ?? {};
  if (typeof settings !== 'object' || Array.isArray(settings)) throw new ConfigError(`${where(0)}: expected a mapping of settings`);
  // Keys live beside rotor.yaml unless the file says otherwise.
  const config: Config = { ...DEFAULTS, dnssec: { ...DEFAULTS.dnssec, keyDirectory: resolve(dirname(file), 'keys') }, warnings: [] };
  for (const [key, value] of Object.entries(settings as Record<string, unknown>)) {
    const set = SETTERS[key];
    if (!set) throw fail(`unknown setting "${key}"${suggestion(key, Object.keys(SETTERS))}`);
    try {
      set(config, value, dirname(file));
    } catch (e) {
      if (e instanceof ConfigError || e instanceof SettingsError || e instanceof DnssecSettingsError) throw fail(e.message);
      throw e;
    }
  }
  try {
    checkKeyReferences(config.transfer);
    checkDnssecSettings(config.dnssec);
  } catch (e) {
    throw fail((e as Error).message);
  }
  config.warnings = config.warnings.map((w) => fail(w).message);
  return config;
}

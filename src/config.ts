// rotor.yaml: the server's settings. Every key is known and checked; anything
// else is a one-line ConfigError that the CLI turns into exit code 2.
import { readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { dirname, resolve } from 'node:path';
import { parse } from 'yaml';
import { ROTATION_POLICIES, type RotationPolicy, type RotationSettings } from './authority/rotation.js';
import { Name } from './wire/name.js';
import { typeFromName } from './wire/types.js';
import { AddressError, parseHostPort, type ListenAddress } from './net/address.js';
import { LOG_FORMATS, type LogFormat } from './log.js';
import { AclError, LOOPBACK, parseAcl, type Acl } from './net/acl.js';
import { RRL_DEFAULTS, type RrlSettings } from './query/rrl.js';
import { TCP_DEFAULTS } from './net/tcp.js';
import { UDP_RECEIVE_BUFFER } from './net/udp.js';
import { ANSWER_CACHE_BYTES } from './query/memo.js';
import { MONITOR_DEFAULTS, type MonitorSettings } from './observe/settings.js';
import type { ForwardConfig } from './resolver/resolver.js';
import { SOURCE_DEFAULTS, type SourceLimits } from './zone/source.js';
import {
  applyDefault, checkKeyReferences, defaultTransferSettings, parseKeys, parseZoneSettings, SettingsError, TRANSFER_SETTINGS, type TransferSettings,
} from './transfer/settings.js';

export class ConfigError extends Error {}

export interface Config {
  listen: ListenAddress[];
  zonesDir: string;
  defaultTtl: number;
  logLevel: string;
  logFormat: LogFormat;
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
}


export const DEFAULTS: Config = {
  listen: [{ host: '127.0.0.1', port: 5300, family: 4 }],
  zonesDir: 'zones',
  defaultTtl: 3600,
  logLevel: 'info',
  logFormat: 'json',
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
  rrl: RRL_DEFAULTS,
  answerCacheBytes: ANSWER_CACHE_BYTES,
  workers: 1,
  rotation: { policy: 'cyclic', zones: new Map(), overrides: [] },
  transfer: defaultTransferSettings(),
  zoneSources: SOURCE_DEFAULTS,
};

const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'];

type Setter = (c: Config, v: unknown, base: string) => void;

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
    if (allowed && !allowed.includes(k)) throw new ConfigError(`${key}: unknown key "${k}" (known: ${allowed.join(', ')})`);
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
  const m = mapping('rotation', v, ['policy', 'zones', 'names']);
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

/** forward: { upstreams, allow-recursion, timeout-ms, cache: { max-entries, max-bytes, max-ttl, min-ttl } } */
export function parseForward(v: unknown): ForwardConfig {
  const m = mapping('forward', v, ['upstreams', 'allow-recursion', 'timeout-ms', 'cache']);
  if (m.upstreams === undefined) throw new ConfigError('forward.upstreams: at least one ADDR:PORT is needed');
  let allowRecursion: Acl;
  try {
    // Like BIND's default, only this host: a resolver open to everyone is a reflector.
    allowRecursion = parseAcl(m['allow-recursion'] ?? LOOPBACK);
  } catch (e) {
    if (e instanceof AclError) throw new ConfigError(`forward.allow-recursion: ${e.message}`);
    throw e;
  }
  const c = m.cache === undefined ? {} : mapping('forward.cache', m.cache, ['max-entries', 'max-bytes', 'max-ttl', 'min-ttl']);
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
  'zone-settings': (c, v) => { c.transfer = { ...c.transfer, zones: parseZoneSettings(v) }; },
  ...Object.fromEntries(TRANSFER_SETTINGS.map((key): [string, Setter] => [key, (c, v) => {
    c.transfer = { ...c.transfer, defaults: { ...c.transfer.defaults } };
    applyDefault(c.transfer, key, v);
  }])),
};

/** Reads rotor.yaml; relative paths in it are relative to the file. */
export async function loadConfig(file: string): Promise<Config> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new ConfigError(`${file}: cannot read: ${(e as Error).message}`);
  }
  let doc: unknown;
  try {
    doc = parse(text) ?? {};
  } catch (e) {
    throw new ConfigError(`${file}: ${(e as Error).message.split('\n')[0]}`);
  }
  if (typeof doc !== 'object' || Array.isArray(doc)) throw new ConfigError(`${file}: expected a mapping of settings`);
  const config: Config = { ...DEFAULTS };
  for (const [key, value] of Object.entries(doc as Record<string, unknown>)) {
    const set = SETTERS[key];
    if (!set) throw new ConfigError(`${file}: unknown setting "${key}" (known: ${Object.keys(SETTERS).join(', ')})`);
    try {
      set(config, value, dirname(file));
    } catch (e) {
      if (e instanceof ConfigError || e instanceof SettingsError) throw new ConfigError(`${file}: ${e.message}`);
      throw e;
    }
  }
  try {
    checkKeyReferences(config.transfer);
  } catch (e) {
    throw new ConfigError(`${file}: ${(e as Error).message}`);
  }
  return config;
}

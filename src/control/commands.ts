// What `rotor ctl` may ask a running server: status, its zones, one zone, a
// reload (of everything or of one zone), flushing the forwarder's cache,
// counters, and stop. Each answer is a plain object: ctl prints it for people,
// or as it is with --json.
import { formatHostPort } from '../net/address.js';
import type { DnsServer } from '../server/server.js';
import { formatDiagnostic } from '../zone/errors.js';
import { Name } from '../wire/name.js';
import { rcodeName } from '../wire/types.js';
import { ControlError, type ControlRequest } from './socket.js';

export const CONTROL_COMMANDS = ['status', 'zones', 'zone', 'reload', 'flush-cache', 'stats', 'stop'] as const;

/** What a configuration reload reports: the settings that wait for a restart, or why the file was not taken. */
export interface ReloadReport {
  config?: string;
  /** Settings changed in rotor.yaml that only a restart applies. */
  needRestart: string[];
  /** The file could not be used (file:line:col: message); the running configuration stays. */
  error?: string;
}

export interface ControlTarget {
  server: DnsServer;
  version: string;
  config: string | undefined;
  zonesDir: string;
  startedAt: number;
  /** Reads rotor.yaml again and applies it, then reloads every zone. */
  reload(): Promise<ReloadReport>;
  /** Stops the server, as SIGTERM does. */
  stop(): void;
}

function zoneName(arg: string | undefined, command: string): Name {
  if (arg === undefined) throw new ControlError(`${command}: name a zone (rotor ctl zones lists them)`);
  try {
    return Name.parse(arg.endsWith('.') ? arg : `${arg}.`);
  } catch (e) {
    throw new ControlError(`${command}: ${arg}: ${(e as Error).message}`);
  }
}

export function controlHandler(target: ControlTarget): (r: ControlRequest) => Promise<unknown> {
  const { server } = target;
  /** Each member of the catalog zone, by origin key. */
  const membership = () => new Map(server.catalogZone.members.map((m) => [m.zone.key, m]));
  const zoneInfo = (origin: string, members = membership()) => {
    const file = server.zones.fileOf(origin);
    const zone = server.catalog.get(origin);
    const failing = file === undefined ? undefined : server.zones.failing.get(file);
    const member = members.get(origin);
    return {
      zone: zone?.origin.toString() ?? origin,
      file,
      served: zone !== undefined,
      serial: zone?.serial,
      records: zone?.recordCount,
      lastLoadFailed: failing !== undefined,
      errors: failing?.filter((d) => d.severity === 'error').map(formatDiagnostic),
      // Its membership of the catalog zone (RFC 9432), as the secondaries see it.
      catalog: member && server.catalogZone.origin,
      catalogLabel: member?.label,
      group: member?.group,
      coo: member?.coo?.toString(),
    };
  };
  /** The catalog zone itself, listed among the zones: served, written by rotor, no file. */
  const catalogInfo = () => {
    const zone = server.catalogZone.current;
    return zone && {
      zone: zone.origin.toString(), file: null, served: server.catalog.current(zone), serial: zone.serial, records: zone.recordCount,
      lastLoadFailed: false, catalogMembers: server.catalogZone.members.length,
    };
  };
  const commands: Record<string, (args: string[]) => Promise<unknown> | unknown> = {
    status: () => ({
      version: target.version,
      pid: process.pid,
      uptimeSeconds: Math.round((Date.now() - target.startedAt) / 1000),
      config: target.config ?? null,
      zonesDirectory: target.zonesDir,
      listening: server.bound.map(formatHostPort),
      zones: server.catalog.size,
      failing: server.zones.failing.size,
    }),
    zones: () => {
      const members = membership();
      const files = server.zones.files().map((f) => f.origin !== undefined ? zoneInfo(f.origin, members) : {
        zone: null, file: f.file, served: false, lastLoadFailed: true, errors: f.failing?.filter((d) => d.severity === 'error').map(formatDiagnostic),
      });
      const catalog = catalogInfo();
      return catalog ? [catalog, ...files] : files;
    },
    zone: ([name]) => {
      const origin = zoneName(name, 'zone').key;
      if (origin === server.catalogZone.origin) return catalogInfo() ?? zoneInfo(origin);
      if (server.zones.fileOf(origin) === undefined) throw new ControlError(`zone: no zone ${origin} (rotor ctl zones lists them)`);
      return zoneInfo(origin);
    },
    reload: async ([name]) => {
      if (name === undefined) return target.reload();
      const origin = zoneName(name, 'reload').key;
      const file = server.zones.fileOf(origin);
      if (file === undefined) throw new ControlError(`reload: no zone ${origin} (rotor ctl zones lists them)`);
      await server.zones.reload(file);
      return zoneInfo(origin);
    },
    'flush-cache': ([name]) => {
      const resolver = server.resolver;
      if (!resolver) throw new ControlError('flush-cache: forwarding is not configured, so there is no cache');
      if (name === undefined) {
        const flushed = resolver.cache.size;
        resolver.cache.clear();
        return { flushed };
      }
      const origin = zoneName(name, 'flush-cache').key;
      // Entries are keyed NAME/TYPE: the name itself and every name below it go.
      return { flushed: resolver.cache.deleteWhere((key) => { const n = key.slice(0, key.lastIndexOf('/')); return n === origin || origin === '.' || n.endsWith(`.${origin}`); }) };
    },
    stats: () => ({
      answers: Object.fromEntries(server.answered.flatMap((n, rcode) => (n ? [[rcodeName(rcode), n]] : []))),
      zones: server.catalog.size,
      failingZones: server.zones.failing.size,
      tcpConnections: server.tcp.connections.open,
      faults: { ...server.faults },
      rrl: server.rrl ? { ...server.rrl.counts, tableSize: server.rrl.size } : null,
      forwarder: server.resolver ? { ...server.resolver.stats, cacheEntries: server.resolver.cache.size, cacheBytes: server.resolver.cache.bytes } : null,
    }),
    stop: () => {
      setImmediate(() => target.stop());
      return { stopping: true };
    },
  };
  return async ({ command, args }) => {
    const run = commands[command];
    if (!run) throw new ControlError(`unknown command "${command}" (known: ${CONTROL_COMMANDS.join(', ')})`);
    return run(args);
  };
}

// rotor.yaml: the server's settings. Every key is known and checked; anything
// else is a one-line ConfigError that the CLI turns into exit code 2.
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { parse } from 'yaml';
import { ROTATION_POLICIES, type RotationPolicy, type RotationSettings } from './authority/rotation.js';
import { Name } from './wire/name.js';
import { typeFromName } from './wire/types.js';
import { AddressError, parseHostPort, type ListenAddress } from './server/address.js';

export class ConfigError extends Error {}

export interface Config {
  listen: ListenAddress[];
  zonesDir: string;
  defaultTtl: number;
  logLevel: string;
  tcpIdleTimeoutMs: number;
  rotation: RotationSettings;
}

export const DEFAULTS: Config = {
  listen: [{ host: '127.0.0.1', port: 5300, family: 4 }],
  zonesDir: 'zones',
  defaultTtl: 3600,
  logLevel: 'info',
  tcpIdleTimeoutMs: 10_000,
  rotation: { policy: 'cyclic', zones: new Map(), overrides: [] },
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

const SETTERS: Record<string, Setter> = {
  listen: (c, v) => { c.listen = parseListenList('listen', v); },
  zones: (c, v, base) => {
    if (typeof v !== 'string' || v === '') throw new ConfigError('zones: expected a directory path');
    c.zonesDir = resolve(base, v);
  },
  'default-ttl': (c, v) => { c.defaultTtl = integer('default-ttl', v, 0, 0x7fffffff); },
  'log-level': (c, v) => {
    if (typeof v !== 'string' || !LOG_LEVELS.includes(v)) throw new ConfigError(`log-level: expected one of ${LOG_LEVELS.join(', ')}`);
    c.logLevel = v;
  },
  'tcp-idle-timeout': (c, v) => { c.tcpIdleTimeoutMs = integer('tcp-idle-timeout', v, 1, 3600) * 1000; },
  rotation: (c, v) => { c.rotation = parseRotationSettings(v); },
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
      if (e instanceof ConfigError) throw new ConfigError(`${file}: ${e.message}`);
      throw e;
    }
  }
  return config;
}

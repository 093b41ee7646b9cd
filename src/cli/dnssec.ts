// rotor dnssec: a signed zone's keys, as BIND's dnssec-* tools and keymgr
// show and change them. It reads rotor.yaml for the policy and the key
// directory, and works on the key files alone: a running server follows the
// times they hold, so nothing is sent to it.
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig, type Config } from '../config.js';
import { DnssecKeyError, dsRData, ALGORITHM_NAMES } from '../dnssec/keys.js';
import { keyRole, keysInForce, type KeyRole } from '../dnssec/key-set.js';
import { nextKeyEvent, readZoneKeys, zonesWithKeys } from '../dnssec/key-store.js';
import { keyState, KEY_TIME_FIELDS } from '../dnssec/key-timing.js';
import type { DnssecPolicy } from '../dnssec/policy.js';
import { rollKey, RolloverError } from '../dnssec/rollover.js';
import { dnssecPolicy } from '../dnssec/settings.js';
import { closest } from '../suggest.js';
import { Name } from '../wire/name.js';

export const usage = `rotor dnssec ds|status|rollover [--config FILE] ...

A signed zone's keys (dnssec: in rotor.yaml; docs/dnssec.md):
  ds ZONE                    the DS records for the parent (SHA-256) of the
                             keys the zone's CDS names, as master-file lines
  status [ZONE] [--json]     each key: tag, algorithm, role, state, times;
                             without ZONE, every zone with keys
  rollover ZONE [--ksk|--zsk]
                             starts a pre-publication rollover: a new key now,
                             signing once caches hold it; the old one retires
                             (default: the CSK, or the ZSK with keys: ksk+zsk)
  --config FILE              rotor.yaml (default: ./rotor.yaml, else /etc/rotor/rotor.yaml)
The key files hold every time; rotor serve follows them without a reload.`;

const SUBCOMMANDS = ['ds', 'status', 'rollover'];

async function readConfig(file: string | undefined): Promise<Config> {
  const found = file ?? ['rotor.yaml', '/etc/rotor/rotor.yaml'].find((f) => existsSync(f));
  if (!found) throw new ConfigError('dnssec: no rotor.yaml here or in /etc/rotor: give --config');
  const config = await loadConfig(found);
  for (const warning of config.warnings) console.error(`rotor: warning: ${warning}`);
  return config;
}

function zoneName(text: string | undefined, what: string): Name {
  if (text === undefined) throw new ConfigError(`dnssec ${what}: name the zone`);
  try {
    return Name.parse(text.endsWith('.') ? text : `${text}.`);
  } catch (e) {
    throw new ConfigError(`dnssec ${what}: ${text}: ${(e as Error).message}`);
  }
}

function policyOf(config: Config, zone: Name): DnssecPolicy {
  const policy = dnssecPolicy(config.dnssec, zone);
  if (!policy) throw new ConfigError(`dnssec: zone ${zone} is not signed: rotor.yaml gives it no dnssec: settings`);
  return policy;
}

const warnStderr = (message: string) => console.error(`rotor: warning: ${message}`);
const time = (t: Date | undefined) => (t ? t.toISOString().replace(/\.000Z$/, 'Z') : '-');

async function ds(config: Config, zone: Name): Promise<number> {
  const policy = policyOf(config, zone);
  const keys = keysInForce(await readZoneKeys(zone, policy.keyDirectory, warnStderr), policy, new Date());
  if (keys.cds.length === 0) throw new ConfigError(`dnssec ds: no active key-signing key for ${zone} in ${policy.keyDirectory} (rotor serve makes the keys when it first signs the zone)`);
  for (const key of keys.cds) {
    const rdata = dsRData(zone, key.dnskey);
    console.log(`${zone} IN DS ${key.tag} ${key.algorithm} 2 ${rdata.subarray(4).toString('hex').toUpperCase()}`);
  }
  const parent = zone.labelCount === 0 ? 'the root' : `the parent of ${zone}`;
  console.error(`Give these DS records to the registrar or operator of ${parent}, in place of any DS it has for keys not listed; a parent that scans CDS (RFC 8078) takes them from the zone itself.`);
  return 0;
}

interface KeyReport {
  tag: number;
  algorithm: string;
  flags: number;
  role: KeyRole | 'ignored';
  state: string;
  file: string;
  times: Record<string, string | null>;
}

async function zoneReport(zone: Name, policy: DnssecPolicy, now: Date) {
  const keyFiles = (await readZoneKeys(zone, policy.keyDirectory, warnStderr)).map((k): KeyReport => {
    const role = k.key.algorithm === policy.algorithm ? keyRole(k.key, policy) : undefined;
    return {
      tag: k.key.tag,
      algorithm: ALGORITHM_NAMES[k.key.algorithm],
      flags: k.key.flags,
      role: role ?? 'ignored',
      state: keyState(k.times, now),
      file: `${k.path}.key`,
      times: Object.fromEntries(KEY_TIME_FIELDS.map((f) => [f, k.times[f]?.toISOString() ?? null])),
    };
  });
  const next = await nextKeyEvent(zone, policy, now);
  return { zone: zone.toString(), algorithm: ALGORITHM_NAMES[policy.algorithm], keys: policy.keys, keyDirectory: policy.keyDirectory, keyFiles, nextChange: next?.toISOString() ?? null };
}

async function status(config: Config, zoneText: string | undefined, json: boolean): Promise<number> {
  const now = new Date();
  let zones: Name[];
  if (zoneText !== undefined) {
    const zone = zoneName(zoneText, 'status');
    policyOf(config, zone);
    zones = [zone];
  } else {
    // Every zone with key files in a key directory the settings name, and still a policy.
    const dirs = new Set([config.dnssec.keyDirectory, config.dnssec.global?.keyDirectory, ...[...config.dnssec.zones.values()].map((z) => z.block && z.block.keyDirectory)]);
    const found = new Map<string, Name>();
    for (const dir of dirs) if (dir) for (const zone of await zonesWithKeys(dir)) found.set(zone.key, zone);
    zones = [...found.values()].filter((z) => dnssecPolicy(config.dnssec, z) !== undefined);
  }
  const reports = [];
  for (const zone of zones) reports.push(await zoneReport(zone, dnssecPolicy(config.dnssec, zone)!, now));
  if (json) {
    console.log(JSON.stringify({ now: now.toISOString(), zones: reports }, null, 2));
    return 0;
  }
  if (reports.length === 0) console.log('no signed zone has keys yet (rotor serve makes them when it first signs a zone)');
  for (const r of reports) {
    console.log(`${r.zone} ${r.keys} ${r.algorithm}, keys in ${r.keyDirectory}; next change: ${r.nextChange ?? 'none planned'}`);
    if (r.keyFiles.length === 0) console.log('  no keys yet: rotor serve makes them when it first signs the zone');
    else console.log(`  ${'tag'.padEnd(6)}${'algorithm'.padEnd(17)}${'role'.padEnd(8)}${'state'.padEnd(10)}${['published', 'active', 'retired', 'removed'].map((h) => h.padEnd(22)).join('')}`.trimEnd());
    for (const k of r.keyFiles) {
      const t = (f: string) => time(k.times[f] ? new Date(k.times[f]!) : undefined).padEnd(22);
      console.log(`  ${String(k.tag).padEnd(6)}${k.algorithm.padEnd(17)}${k.role.padEnd(8)}${k.state.padEnd(10)}${t('publish')}${t('activate')}${t('inactive')}${t('delete')}`.trimEnd());
    }
  }
  return 0;
}

async function rollover(config: Config, zone: Name, flags: { ksk?: boolean; zsk?: boolean }): Promise<number> {
  const policy = policyOf(config, zone);
  if (flags.ksk && flags.zsk) throw new ConfigError('dnssec rollover: --ksk or --zsk, not both');
  let role: KeyRole;
  if (policy.keys === 'csk') {
    if (flags.ksk || flags.zsk) throw new ConfigError(`dnssec rollover: ${zone} has one combined key (keys: csk): leave out --ksk and --zsk`);
    role = 'CSK';
  } else {
    role = flags.ksk ? 'KSK' : 'ZSK';
  }
  const { plan, successor } = await rollKey(zone, policy, role, new Date());
  const old = plan.retiring.map((r) => r.key.key.tag).join(', ');
  const retire = plan.retiring[0]!.times;
  console.log(`${zone}: ${role} rollover started: key ${successor.key.tag} (${ALGORITHM_NAMES[policy.algorithm]}) is published now and signs from ${time(plan.successor.activate)}; key ${old} stops signing at ${time(retire.inactive)} and leaves the zone at ${time(retire.delete)}`);
  if (role !== 'ZSK') {
    console.log(`From ${time(plan.successor.activate)}, the zone's CDS names the new key: give the parent its DS (rotor dnssec ds ${zone}) before ${time(retire.inactive)}; if the parent will be later, move the old key's times with dnssec-settime -I and -D.`);
  }
  return 0;
}

export async function dnssec(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { config: { type: 'string' }, json: { type: 'boolean' }, ksk: { type: 'boolean' }, zsk: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    allowPositionals: true,
  });
  if (values.help) {
    console.log(usage);
    return 0;
  }
  const [command, zone, ...extra] = positionals;
  if (command === undefined) {
    console.error(usage);
    return 2;
  }
  if (!SUBCOMMANDS.includes(command)) {
    const near = closest(command, SUBCOMMANDS);
    throw new ConfigError(`dnssec: unknown command "${command}"${near ? `; did you mean "${near}"?` : ` (known: ${SUBCOMMANDS.join(', ')})`}`);
  }
  if (extra.length > 0) throw new ConfigError(`dnssec ${command}: one zone at a time, not "${extra.join(' ')}"`);
  if ((values.ksk || values.zsk) && command !== 'rollover') throw new ConfigError(`dnssec ${command}: --ksk and --zsk are for rollover`);
  const config = await readConfig(values.config);
  try {
    if (command === 'ds') return await ds(config, zoneName(zone, 'ds'));
    if (command === 'status') return await status(config, zone, values.json ?? false);
    return await rollover(config, zoneName(zone, 'rollover'), values);
  } catch (e) {
    // A key directory that cannot be read, a rollover already under way: the user's to fix, in one line.
    if (e instanceof DnssecKeyError || e instanceof RolloverError) throw new ConfigError(`dnssec ${command}: ${e.message}`);
    throw e;
  }
}

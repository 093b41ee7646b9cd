// Reads one zone file (the format follows from its extension) into a Zone.
import { statSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { withSoaSerial } from '../rrtypes/soa.js';
import { Name } from '../wire/name.js';
import { RRType } from '../wire/types.js';
import type { Diagnostic } from './errors.js';
import { ZoneLoadError } from './errors.js';
import { parseMasterFile } from './masterfile.js';
import { buildZone, type Zone } from './zone.js';
import { parseYamlZone, type ParsedZoneText } from './yaml.js';
import { confinedPath, readBudget, readSource, SOURCE_DEFAULTS, SourceError, type SourceLimits } from './source.js';

export interface LoadOptions {
  defaultTtl: number;
  /** The zone's name when the file's name does not give it (rotor convert --origin, zones listed in rotor.yaml). */
  origin?: Name;
  /** The file's format when its extension does not give it (zones listed in rotor.yaml). */
  format?: ZoneFormat;
  /** rotor check: a file with errors is still built and checked, so that one run reports every finding. */
  everyFinding?: boolean;
  /** Where $INCLUDE may read besides the zone file's directory, and how much; SOURCE_DEFAULTS where unset. */
  sources?: SourceLimits;
}

export const ZONE_EXTENSIONS = ['.yaml', '.yml', '.zone'] as const;

export const ZONE_FORMATS = ['yaml', 'zone'] as const;
export type ZoneFormat = (typeof ZONE_FORMATS)[number];

/** YAML by extension; anything else is read as an RFC 1035 master file. */
export function isYamlFile(file: string): boolean {
  return file.endsWith('.yaml') || file.endsWith('.yml');
}

/** The zone a file serves, from its name: corp.example.yaml → corp.example. */
export function zoneNameOf(file: string): string | undefined {
  const base = basename(file);
  const ext = ZONE_EXTENSIONS.find((e) => base.endsWith(e));
  if (!ext || base.startsWith('.')) return undefined;
  return base.slice(0, -ext.length);
}

export interface LoadedZone {
  zone: Zone;
  diagnostics: Diagnostic[];
}

/** Whether `file` is read as YAML under `opts`. */
export function isYamlZone(file: string, opts: LoadOptions): boolean {
  return opts.format ? opts.format === 'yaml' : isYamlFile(file);
}

/**
 * Parses a zone file's text. $INCLUDEs are read from the zone file's directory
 * and `sources.includeDirs` only, regular files only, within the octets `budget` has left;
 * `pending` holds the texts of included files about to be written (dynamic updates check them first).
 */
export function parseZoneText(text: string, file: string, origin: Name, opts: LoadOptions, budget = readBudget(opts.sources ?? SOURCE_DEFAULTS), pending?: ReadonlyMap<string, string>): ParsedZoneText {
  if (isYamlZone(file, opts)) return parseYamlZone(text, file, origin, opts.defaultTtl);
  const roots = [dirname(file), ...(opts.sources ?? SOURCE_DEFAULTS).includeDirs];
  return parseMasterFile(text, file, origin, opts.defaultTtl, (path) => pending?.get(path) ?? readSource(confinedPath(path, roots), budget));
}

function originOf(file: string): Name {
  const zoneName = zoneNameOf(file);
  if (zoneName === undefined) throw new Error(`${file}: not a zone file (expected <zone>.yaml or <zone>.zone)`);
  try {
    return Name.parse(zoneName === '' || zoneName === '.' ? '.' : zoneName + '.');
  } catch (e) {
    const pos = { file, line: 1, col: 1 };
    throw new ZoneLoadError([{ pos, severity: 'error', message: `file name does not give a zone name: ${(e as Error).message}` }]);
  }
}

export async function loadZoneFile(file: string, opts: LoadOptions): Promise<LoadedZone> {
  const origin = opts.origin ?? originOf(file);
  const sources = opts.sources ?? SOURCE_DEFAULTS;
  const budget = readBudget(sources);
  let text: string;
  let mtimeMs: number;
  try {
    const real = confinedPath(file, [dirname(file), ...sources.includeDirs]);
    text = readSource(real, budget);
    mtimeMs = statSync(real).mtimeMs;
  } catch (e) {
    if (!(e instanceof SourceError)) throw e;
    throw new ZoneLoadError([{ pos: { file, line: 1, col: 1 }, severity: 'error', message: `cannot read: ${e.message}` }]);
  }
  // An editor that truncates before writing leaves an empty file for a moment:
  // never take that for a zone with no records.
  if (text.trim() === '') throw new ZoneLoadError([{ pos: { file, line: 1, col: 1 }, severity: 'error', message: 'zone file is empty' }]);
  const parsed = parseZoneText(text, file, origin, opts, budget);
  // A file with errors is not served; for rotor check what parsed is still
  // built and checked, so that every finding comes in one report, not a stage a run.
  const failed = parsed.diagnostics.some((d) => d.severity === 'error');
  if (failed && !opts.everyFinding) throw new ZoneLoadError(parsed.diagnostics);
  // An automatic serial follows the file's modification time: it increases with
  // every saved edit and stays put across restarts.
  const serial = Math.floor(mtimeMs / 1000) >>> 0;
  if (parsed.autoSerial) {
    for (const r of parsed.records) if (r.type === RRType.SOA) r.rdata = withSoaSerial(r.rdata, serial);
  }
  const built = buildZone(origin, file, parsed.records, { serial, ttl: opts.defaultTtl });
  if (failed) throw new ZoneLoadError([...parsed.diagnostics, ...built.diagnostics]);
  built.zone.autoSerial = parsed.autoSerial;
  return { zone: built.zone, diagnostics: [...parsed.diagnostics, ...built.diagnostics] };
}

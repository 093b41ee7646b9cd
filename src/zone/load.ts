// Reads one zone file (the format follows from its extension) into a Zone or a ZoneVersion.
import { statSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { Name } from '../wire/name.js';
import type { Diagnostic } from './errors.js';
import { ZoneLoadError } from './errors.js';
import { findCut, parseMasterFile, parseMasterFileInParts, parseMasterFilePart, type IncludeReader, type PartOutcome } from './masterfile.js';
import { Zone } from './zone.js';
import { VersionBuilder, type StagedRecords } from './version-builder.js';
import { checkVersion } from './version-check.js';
import { versionDigest } from './digest.js';
import { ZoneVersion, type VersionHandOver } from './version.js';
import { parseYamlZone, type YamlSink } from './yaml.js';
import { confinedPath, readBudget, readSource, readSourceOctets, SOURCE_DEFAULTS, SourceError, type ReadBudget, type SourceLimits } from './source.js';
import { RecordPositions, type PositionColumns } from './records.js';
import type { ParsedZoneText } from './masterfile.js';

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
 * and `sources.includeDirs` only, regular files only, within the octets `budget`
 * has left. Records go to `sink` when one is given (a YAML file may restart
 * it, see YamlSink); `pending` holds the texts of included files about to be
 * written (dynamic updates check them first).
 */
export function parseZoneText(
  text: string, file: string, origin: Name, opts: LoadOptions, budget = readBudget(opts.sources ?? SOURCE_DEFAULTS),
  { sink, pending }: { sink?: YamlSink; pending?: ReadonlyMap<string, string> } = {},
): ParsedZoneText {
  if (isYamlZone(file, opts)) return parseYamlZone(text, file, origin, opts.defaultTtl, sink);
  return parseMasterFile(text, file, origin, opts.defaultTtl, includeReader(file, opts, budget, pending), sink && ((r) => sink.add(r)));
}

function includeReader(file: string, opts: LoadOptions, budget: ReadBudget, pending?: ReadonlyMap<string, string>): IncludeReader {
  const roots = [dirname(file), ...(opts.sources ?? SOURCE_DEFAULTS).includeDirs];
  return (path) => pending?.get(path) ?? readSource(confinedPath(path, roots), budget);
}

/**
 * A zone file at least this large is loaded with a helper thread (see
 * LoadHelper): about 300,000 records, where the time saved is well over what
 * starting that thread costs.
 */
export const HELPED_FROM = 8 * 2 ** 20;

/** The part of a master file after a cut, to read on another thread (names as text: a Name does not survive the structured clone). */
export interface PartRequest {
  /** The file's octets after the cut. */
  part: Uint8Array;
  file: string;
  origin: string;
  cut: { line: number; origin: string; dollarTtl: number | undefined };
  defaultTtl: number;
}

export interface PartReply {
  outcome: PartOutcome;
  staged: StagedRecords;
}

/** A version written in shared memory (and where its records were written), for another thread to run check.ts's checks of the nodes from written[from] on. */
export interface CheckRequest {
  version: VersionHandOver['message'];
  positions: PositionColumns;
  written: Uint32Array;
  from: number;
}

/** Those checks' warnings, and the version's digest (see Zone.digest), which that thread has time to compute. */
export interface CheckReply {
  diagnostics: Diagnostic[];
  digest: string;
}

/**
 * What a thread beside the loader does for a large zone: read the second part
 * of a master file (parseMasterFileInParts), and run the last part of the
 * checks while the loader runs the rest. Neither rejects: undefined when the
 * thread could not, and the loader then does that work itself.
 */
export interface LoadHelper {
  readPart(req: PartRequest): Promise<PartReply | undefined>;
  check(req: CheckRequest): Promise<CheckReply | undefined>;
}

/** What the helper thread does with a CheckRequest. */
export function checkPart(req: CheckRequest): CheckReply {
  const version = ZoneVersion.receive(req.version);
  const diagnostics = checkVersion(version, RecordPositions.received(req.positions), req.written.subarray(req.from));
  return { diagnostics, digest: versionDigest(version, req.written) };
}

/** What the helper thread does with a PartRequest. */
export function readPart(req: PartRequest): PartReply {
  const origin = Name.parse(req.origin);
  const builder = new VersionBuilder(origin, req.file, { serial: 0, ttl: req.defaultTtl }, Math.ceil(req.part.length / 24));
  const cut = { line: req.cut.line, origin: Name.parse(req.cut.origin), dollarTtl: req.cut.dollarTtl };
  const text = Buffer.from(req.part.buffer, req.part.byteOffset, req.part.length).toString('utf8');
  const outcome = parseMasterFilePart(text, req.file, cut, req.defaultTtl, (r) => builder.add(r, r.pos));
  builder.sortOwners();
  return { outcome, staged: builder.staged() };
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

/** A zone file's octets, read within the limits, and the serial an automatic SOA gets. */
interface ZoneSource {
  origin: Name;
  octets: Buffer;
  budget: ReadBudget;
  serial: number;
}

/** A file of `sharedFrom` octets or more is read into memory another thread can read (see readSourceOctets). */
function readZoneSource(file: string, opts: LoadOptions, sharedFrom: number): ZoneSource {
  const origin = opts.origin ?? originOf(file);
  const sources = opts.sources ?? SOURCE_DEFAULTS;
  const budget = readBudget(sources);
  let octets: Buffer;
  let mtimeMs: number;
  try {
    const real = confinedPath(file, [dirname(file), ...sources.includeDirs]);
    octets = readSourceOctets(real, budget, sharedFrom);
    mtimeMs = statSync(real).mtimeMs;
  } catch (e) {
    if (!(e instanceof SourceError)) throw e;
    throw new ZoneLoadError([{ pos: { file, line: 1, col: 1 }, severity: 'error', message: `cannot read: ${e.message}` }]);
  }
  // An automatic serial follows the file's modification time: it increases with
  // every saved edit and stays put across restarts.
  return { origin, octets, budget, serial: Math.floor(mtimeMs / 1000) >>> 0 };
}

function zoneText(octets: Buffer, file: string): string {
  const text = octets.toString('utf8');
  // An editor that truncates before writing leaves an empty file for a moment:
  // never take that for a zone with no records.
  if (text.trim() === '') throw new ZoneLoadError([{ pos: { file, line: 1, col: 1 }, severity: 'error', message: 'zone file is empty' }]);
  return text;
}

/**
 * Throws the parser's errors, unless rotor check wants every finding (then
 * `built` throws them after the zone is built and checked).
 */
function throwParseErrors(parsed: ParsedZoneText, opts: LoadOptions): void {
  if (parsed.diagnostics.some((d) => d.severity === 'error') && !opts.everyFinding) throw new ZoneLoadError(parsed.diagnostics);
}

/**
 * What `build` makes of the parsed records, with the parser's findings before
 * its own. A file with errors is not served: for rotor check what parsed is
 * still built and checked, so that every finding comes in one report, not a stage a run.
 */
function built<Z>(parsed: ParsedZoneText, build: () => { zone: Z; diagnostics: Diagnostic[] }): { zone: Z; diagnostics: Diagnostic[] } {
  const failed = parsed.diagnostics.some((d) => d.severity === 'error');
  let result: { zone: Z; diagnostics: Diagnostic[] };
  try {
    result = build();
  } catch (e) {
    if (failed && e instanceof ZoneLoadError) throw new ZoneLoadError([...parsed.diagnostics, ...e.diagnostics]);
    throw e;
  }
  const diagnostics = [...parsed.diagnostics, ...result.diagnostics];
  if (failed) throw new ZoneLoadError(diagnostics);
  return { zone: result.zone, diagnostics };
}

/**
 * A zone file as a ZoneVersion. The records go into the builder as they are
 * read, never into an array; a YAML SOA's `serial: auto` is known as such
 * only once the whole file is read, and then set in the builder.
 */
export interface LoadedVersion {
  version: ZoneVersion;
  positions: RecordPositions;
  written: Uint32Array;
  /** The serial was not written in the file (`serial: auto`, or no SOA): the server picks it. */
  autoSerial: boolean;
  /** Zone.digest, when the helper thread computed it. */
  digest?: string;
}

export async function loadZoneVersion(file: string, opts: LoadOptions, helper?: LoadHelper): Promise<{ zone: LoadedVersion; diagnostics: Diagnostic[] }> {
  const yaml = isYamlZone(file, opts);
  // A master file's octets go in shared memory when the helper may read part of them.
  const { origin, octets, budget, serial } = readZoneSource(file, opts, helper && !yaml ? HELPED_FROM : Infinity);
  // rotor check (everyFinding) wants the checks' warnings even when the parser
  // found errors, and built() throws those right after writing: one thread, as finish() does it.
  const helped = !opts.everyFinding && octets.length >= HELPED_FROM ? helper : undefined;
  // About 30 octets of master file a record (more in YAML): the builder's columns rarely grow.
  const expected = yaml ? octets.length >> 5 : Math.ceil(octets.length / 24);
  const newBuilder = () => new VersionBuilder(origin, file, { serial, ttl: opts.defaultTtl }, expected);
  let builder = newBuilder();
  const sink: YamlSink = { add: (r) => builder.add(r, r.pos), restart: () => void (builder = newBuilder()) };
  const cut = helped && !yaml ? findCut(octets, origin) : undefined;
  let parsed: ParsedZoneText | undefined;
  if (cut) {
    // The helper decodes its octets itself, from the same memory.
    const request = { part: octets.subarray(cut.at), file, origin: origin.toString(), cut: { line: cut.line, origin: cut.origin.toString(), dollarTtl: cut.dollarTtl }, defaultTtl: opts.defaultTtl };
    const part = helped!.readPart(request).then((reply) => reply && { outcome: reply.outcome, take: () => builder.append(reply.staged) });
    // Each side sorts its owners: the builder then merges the two orders instead of sorting them all.
    parsed = await parseMasterFileInParts(octets.toString('utf8', 0, cut.at), file, origin, opts.defaultTtl, sink.add, cut, part, () => builder.sortOwners());
    if (!parsed) sink.restart();
  }
  parsed ??= parseZoneText(zoneText(octets, file), file, origin, opts, budget, { sink });
  throwParseErrors(parsed, opts);
  // In a master file an SOA that is written is never automatic (then there is none to set), and one made up takes `serial`.
  if (parsed.autoSerial) builder.setSoaSerials(serial);
  const { autoSerial } = parsed;
  const { zone, diagnostics } = built(parsed, () => {
    const b = helped ? builder.write(true) : builder.finish();
    return { zone: b, diagnostics: b.diagnostics };
  });
  const { version, positions, written } = zone;
  if (!helped) return { zone: { version, positions, written, autoSerial }, diagnostics };
  // The checks in two parts, the second on the helper, which reads the version
  // where it lies and computes its digest too: so it takes the smaller part.
  const from = Math.floor((written.length * 2) / 3);
  const second = helped.check({ version: version.message(), positions, written, from });
  diagnostics.push(...checkVersion(version, positions, written.subarray(0, from)));
  const reply = await second;
  diagnostics.push(...(reply ? reply.diagnostics : checkVersion(version, positions, written.subarray(from))));
  return { zone: { version, positions, written, autoSerial, digest: reply?.digest }, diagnostics };
}

/** A zone file as the zone served (rotor serve's first load, rotor convert). */
export async function loadZoneFile(file: string, opts: LoadOptions): Promise<LoadedZone> {
  const { zone: loaded, diagnostics } = await loadZoneVersion(file, opts);
  const zone = new Zone(loaded.version, file, loaded.positions, loaded.written);
  zone.autoSerial = loaded.autoSerial;
  return { zone, diagnostics };
}

// A directory of zone files: every DIR/<zone>.yaml (.yml, .zone) is one zone.
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ZoneLoadError, type Diagnostic } from './errors.js';
import { loadZoneFile, zoneNameOf, type LoadOptions } from './load.js';
import type { Zone } from './zone.js';

export type FileResult<Z = Zone> =
  | { file: string; ok: true; zone: Z; diagnostics: Diagnostic[] }
  | { file: string; ok: false; diagnostics: Diagnostic[] };

/** A file in a zone directory that serves no zone, and why. */
export interface SkippedFile {
  file: string;
  reason: string;
  /** A file that belongs there (rotor.yaml): worth a line, not a warning. */
  expected?: boolean;
}

/** Why a file name is not taken for a zone, with the way out; BIND's and NSD's habits get their own. */
function skipReason(name: string): string {
  const fix = (zone: string) => `rename it to ${zone}.zone (or ${zone}.yaml), or list it under zone: in rotor.yaml with name: ${zone}`;
  const bind = /^db\.(.+)$/.exec(name) ?? /^(.+)\.(?:db|hosts|zonefile)$/.exec(name);
  if (bind) return `named as BIND's files are, not <zone>.zone: ${fix(bind[1]!)}`;
  if (/^[a-z0-9-]+(\.[a-z0-9-]+)+$/i.test(name) && !/\.(txt|md|bak|orig|old|json|conf|yml|yaml|zone)$/i.test(name)) return `no .zone or .yaml extension: ${fix(name)}`;
  return 'not <zone>.yaml, <zone>.yml or <zone>.zone';
}

/**
 * The zone files of a directory, and the other files in it. Hidden files (an
 * editor's swap files) and subdirectories are neither.
 */
export async function scanZoneDirectory(dir: string): Promise<{ files: string[]; skipped: SkippedFile[] }> {
  const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const files: string[] = [];
  const skipped: SkippedFile[] = [];
  for (const e of entries) {
    // Symlinks too: whether one may be served (where it leads) is checked when it is loaded.
    if (!(e.isFile() || e.isSymbolicLink()) || e.name.startsWith('.')) continue;
    // rotor.yaml beside the zones (zones: .) is the settings, not a zone "rotor.".
    if (e.name === 'rotor.yaml') skipped.push({ file: join(dir, e.name), reason: "rotor's settings file", expected: true });
    else if (zoneNameOf(e.name) !== undefined) files.push(join(dir, e.name));
    else skipped.push({ file: join(dir, e.name), reason: skipReason(e.name) });
  }
  return { files, skipped };
}

export async function zoneFilesIn(dir: string): Promise<string[]> {
  return (await scanZoneDirectory(dir)).files;
}

/** Loads one file into a Zone, turning a rejected zone into diagnostics instead of an exception. */
export function loadOne(file: string, opts: LoadOptions): Promise<FileResult> {
  return loadWith(loadZoneFile, file, opts);
}

/** Loads one file with `load`, turning a rejected zone into diagnostics instead of an exception. */
export async function loadWith<Z>(load: (file: string, opts: LoadOptions) => Promise<{ zone: Z; diagnostics: Diagnostic[] }>, file: string, opts: LoadOptions): Promise<FileResult<Z>> {
  try {
    const { zone, diagnostics } = await load(file, opts);
    return { file, ok: true, zone, diagnostics };
  } catch (e) {
    if (e instanceof ZoneLoadError) return { file, ok: false, diagnostics: e.diagnostics };
    const message = (e as NodeJS.ErrnoException).code ? `cannot read: ${(e as Error).message}` : (e as Error).message;
    return { file, ok: false, diagnostics: [{ pos: { file, line: 1, col: 1 }, severity: 'error', message }] };
  }
}

// A directory of zone files: every DIR/<zone>.yaml (.yml, .zone) is one zone.
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ZoneLoadError, type Diagnostic } from './errors.js';
import { loadZoneFile, zoneNameOf, type LoadOptions } from './load.js';
import type { Zone } from './zone.js';

export type FileResult<Z = Zone> =
  | { file: string; ok: true; zone: Z; diagnostics: Diagnostic[] }
  | { file: string; ok: false; diagnostics: Diagnostic[] };

export async function zoneFilesIn(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  return entries
    // Symlinks too: whether one may be served (where it leads) is checked when it is loaded.
    .filter((e) => (e.isFile() || e.isSymbolicLink()) && zoneNameOf(e.name) !== undefined)
    .map((e) => join(dir, e.name))
    .sort();
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

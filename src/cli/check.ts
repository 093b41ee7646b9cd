// rotor check: the project's named-checkzone. Parses and validates zone files
// exactly as `rotor serve` would load them, and prints every finding.
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError, DEFAULTS } from '../config.js';
import { loadWith, scanZoneDirectory, type SkippedFile } from '../zone/directory.js';
import { Name } from '../wire/name.js';
import { formatDiagnostic, type Diagnostic } from '../zone/errors.js';
import { SOURCE_DEFAULTS } from '../zone/source.js';
import { loadZoneVersion, ZONE_FORMATS, type ZoneFormat } from '../zone/load.js';
import { verifyZone } from '../dnssec/verify-zone.js';

export const usage = `rotor check [--strict] [--default-ttl N] [--include-dir DIR]... [--origin NAME [--format yaml|zone]] FILE|DIR...

Checks zone files (<zone>.yaml, <zone>.zone) as rotor serve would load them,
and a signed zone (DNSKEY at the apex) as dnssec-verify does.
Prints file:line:col: error|warning: message lines and a summary per file.
Files in a directory that serve no zone are listed with the reason.
Exit code 0 when there are no errors, 1 when there are or no zone was found.
  --origin NAME     the zone's name, for one file not named <zone>.yaml or
                    <zone>.zone (db.example.com, example.com.db)
  --format F        yaml or zone, for that file (default: from its extension)
  --strict          warnings count as errors
  --default-ttl N   TTL for records without one (default ${DEFAULTS.defaultTtl})
  --include-dir DIR a directory $INCLUDE may read besides the zone file's own,
                    repeatable (rotor.yaml's include-dirs)`;

async function expand(paths: string[]): Promise<{ files: string[]; skipped: SkippedFile[] }> {
  const files: string[] = [];
  const skipped: SkippedFile[] = [];
  for (const p of paths) {
    const info = await stat(p).catch(() => undefined);
    if (!info) throw new ConfigError(`${p}: no such file or directory`);
    if (!info.isDirectory()) {
      files.push(p);
      continue;
    }
    const found = await scanZoneDirectory(p);
    files.push(...found.files);
    skipped.push(...found.skipped);
  }
  return { files, skipped };
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

export async function check(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      strict: { type: 'boolean' }, 'default-ttl': { type: 'string' }, 'include-dir': { type: 'string', multiple: true },
      origin: { type: 'string' }, format: { type: 'string' }, help: { type: 'boolean', short: 'h' },
    },
    allowPositionals: true,
  });
  if (values.help) {
    console.log(usage);
    return 0;
  }
  if (positionals.length === 0) throw new ConfigError('check: name at least one zone file or directory');
  const ttlText = values['default-ttl'];
  const defaultTtl = ttlText === undefined ? DEFAULTS.defaultTtl : Number(ttlText);
  if (!Number.isInteger(defaultTtl) || defaultTtl < 0 || defaultTtl > 0x7fffffff) throw new ConfigError(`--default-ttl: "${ttlText}" is not a TTL`);

  const sources = { ...SOURCE_DEFAULTS, includeDirs: (values['include-dir'] ?? []).map((d) => resolve(d)) };
  const format = values.format;
  if (format !== undefined && !(ZONE_FORMATS as readonly string[]).includes(format)) throw new ConfigError(`--format: expected yaml or zone, got "${format}"`);
  let origin: Name | undefined;
  if (values.origin !== undefined) {
    if (positionals.length !== 1) throw new ConfigError('--origin names the zone of one file: give exactly one');
    try {
      origin = Name.parse(values.origin.endsWith('.') ? values.origin : `${values.origin}.`);
    } catch (e) {
      throw new ConfigError(`--origin: ${(e as Error).message}`);
    }
  }
  let errors = 0;
  let warnings = 0;
  const { files, skipped } = await expand(positionals);
  for (const { file, reason } of skipped) console.log(`${file}: not checked, not a zone file: ${reason}`);
  for (const file of files) {
    const result = await loadWith(loadZoneVersion, file, { defaultTtl, sources, origin, format: format as ZoneFormat | undefined, everyFinding: true });
    // A signed zone is verified as dnssec-verify would (an unsigned one has nothing to verify).
    const verified = result.ok ? await verifyZone(result.zone.version, { file, positions: result.zone.positions }, Math.floor(Date.now() / 1000)) : [];
    const found: Diagnostic[] = [...result.diagnostics, ...verified]
      .map((d): Diagnostic => (values.strict && d.severity === 'warning' ? { ...d, severity: 'error' } : d))
      .sort((a, b) => a.pos.file.localeCompare(b.pos.file) || a.pos.line - b.pos.line || a.pos.col - b.pos.col);
    for (const d of found) console.log(formatDiagnostic(d));
    const e = found.filter((d) => d.severity === 'error').length;
    const w = found.length - e;
    errors += e;
    warnings += w;
    const counts = `${plural(e, 'error')}, ${plural(w, 'warning')}`;
    if (result.ok && e === 0) {
      console.log(`${file}: zone ${result.zone.version.origin} OK: ${result.zone.version.recordCount} records, serial ${result.zone.version.serial} (${counts})`);
    } else {
      // rotor serves a pre-signed zone whose signatures fail (as NSD does); validators will not accept its answers.
      const why = verified.some((d) => d.severity === 'error') ? 'its DNSSEC does not verify' : 'fails --strict';
      console.log(`${file}: ${result.ok ? `zone would load, but ${why}` : 'zone would not load'} (${counts})`);
    }
  }
  if (files.length > 1) console.log(`${files.length} files: ${plural(errors, 'error')}, ${plural(warnings, 'warning')}`);
  if (files.length === 0) {
    // Nothing checked is not a pass: rotor serve would answer REFUSED to everything.
    console.log(`error: no zone file found in ${positionals.join(', ')} (a zone file is <zone>.yaml, <zone>.yml or <zone>.zone; give --origin NAME for one named otherwise)`);
    return 1;
  }
  return errors > 0 ? 1 : 0;
}

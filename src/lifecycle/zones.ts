// The zone directory as served: which file serves which zone, and loading,
// reloading and removing them. A new version is validated in full and swapped
// in with one Map assignment, so a query sees the old zone or the new one and
// never a mix; a version that fails keeps the previous one serving.
import { EventEmitter } from 'node:events';
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import type { Catalog } from './catalog.js';
import type { Logger } from '../log.js';
import { loadOne, scanZoneDirectory, type FileResult, type SkippedFile } from '../zone/directory.js';
import { ZoneLoaderThread } from '../zone/load-thread.js';
import { formatDiagnostic, type Diagnostic } from '../zone/errors.js';
import { unreachableAliases } from './alias-targets.js';
import type { LoadOptions, ZoneFormat } from '../zone/load.js';
import type { Name } from '../wire/name.js';
import { recordChange } from '../transfer/journal.js';
import { serialGreater, Zone } from '../zone/zone.js';
import { sameKeys, samePolicy, signingDue, type SignedState, type ZoneSigning } from './signing.js';
import { signZone } from '../dnssec/signer.js';

/** What tells one version of a file from another: inode, size and modification time; '' when it is gone. */
export async function fileStamp(file: string): Promise<string> {
  return stat(file).then((s) => `${s.ino}:${s.size}:${s.mtimeMs}`, () => '');
}

/** Whether the directory can still be listed: a file gone with its directory is not a deleted zone. */
async function readable(dir: string): Promise<boolean> {
  return access(dir, constants.R_OK | constants.X_OK).then(() => true, () => false);
}

/** When a zone that failed to load is tried again: after `firstMs`, doubling up to `maxMs`; an edit of the file starts over. */
export interface RetrySettings {
  firstMs: number;
  maxMs: number;
}

export const RETRY_DEFAULTS: RetrySettings = { firstMs: 30_000, maxMs: 600_000 };

/**
 * Where a zone file is parsed: on the loader thread, so that answers go on
 * meanwhile (every load once the server answers), or here, on the serving
 * thread, which is four times faster for a large zone (no hand-over) and is
 * for the first load, before anything is answered.
 */
export type LoadWhere = 'thread' | 'here';

/** A zone listed in rotor.yaml: its file need not follow <zone>.yaml or <zone>.zone, nor be in the zone directory. */
export interface ZoneEntry {
  origin: Name;
  file: string;
  /** From the extension when unset (.yaml and .yml are YAML, the rest master files). */
  format?: ZoneFormat;
}

export interface ZoneFilesOptions {
  /** Bytes of IXFR journal to keep for a zone (journalBytesFor); none unless given. */
  journalBytes?: (origin: string) => number;
  retry?: RetrySettings;
  /** Why no file may serve `origin` (a key), when none may: the catalog zone is rotor's own. */
  reserved?: (origin: string) => string | undefined;
  /** Whether names outside the served zones can be looked up (forward.upstreams is set), for ALIAS targets. */
  canForward?: () => boolean;
  /** How `origin` (a key) is signed, when it is: its `dnssec:` policy and its keys (from rotor.yaml and the key directory). */
  dnssec?: (origin: string) => ZoneSigning | undefined;
}

export interface ZoneEvents {
  /** `previous` is the version it replaced, if any. */
  loaded: [zone: Zone, file: string, previous: Zone | undefined];
  /** `origin` when the file's name does not give it (a zone listed in rotor.yaml). */
  rejected: [file: string, diagnostics: Diagnostic[], origin?: string];
  removed: [origin: string, file: string];
}

export class ZoneFiles {
  /**
   * Zone lifecycle, for whoever reports on it: 'loaded' with the zone now served,
   * 'rejected' with the file and its diagnostics (the previous version, if any,
   * stays served), 'removed' when a zone file is deleted.
   */
  readonly events = new EventEmitter<ZoneEvents>();
  /** File → origin key of the zone it serves. */
  private readonly served = new Map<string, string>();
  /** Files whose last load failed, with the errors, reported again until fixed. */
  readonly failing = new Map<string, Diagnostic[]>();
  /** One reload at a time per file; a change during a reload runs it again after. */
  private readonly running = new Map<string, Promise<void>>();
  private readonly again = new Set<string>();
  /** Files that failed: when they are tried next, and the delay that led there. */
  private readonly retries = new Map<string, { delayMs: number; timer: NodeJS.Timeout }>();
  private readonly loader = new ZoneLoaderThread();

  /** Zones listed in rotor.yaml, by file. */
  private listed = new Map<string, ZoneEntry>();
  /** loadAll is loading the directory: zones are checked against each other once it has. */
  private loadingAll = false;
  /** Files in the directory that serve no zone, reported once each. */
  private readonly skipped = new Set<string>();
  /** Signed zones, by file: the version loaded from the file and when it is signed again. */
  private readonly signed = new Map<string, SignedState>();

  constructor(
    private readonly catalog: Catalog,
    private readonly dir: string,
    private loadOptions: LoadOptions,
    private readonly logger: Logger,
    private readonly options: ZoneFilesOptions = {},
    listed: ZoneEntry[] = [],
  ) {
    this.configure(loadOptions, listed);
  }

  /** New settings from a configuration reload; they apply from the next load (loadAll loads every zone). */
  configure(loadOptions: LoadOptions, listed: ZoneEntry[] = []): void {
    this.loadOptions = loadOptions;
    this.listed = new Map(listed.map((z) => [z.file, z]));
  }

  /** How `file` is read: a listed zone's name and format come from rotor.yaml, the others' from the file name. */
  optionsFor(file: string): LoadOptions {
    const entry = this.listed.get(file);
    return entry ? { ...this.loadOptions, origin: entry.origin, format: entry.format } : this.loadOptions;
  }

  /** Files rotor wrote itself (dynamic updates), as they were once written and loaded: the watch does not load them again. */
  private readonly written = new Map<string, string>();

  /** Notes that rotor wrote `file` and is loading it; call once it is written. */
  async wrote(file: string): Promise<void> {
    this.written.set(file, await fileStamp(file));
  }

  /** The watch saw `file` change: loads it again, unless the change is rotor's own write. */
  async changed(file: string): Promise<void> {
    const own = this.written.get(file);
    this.written.delete(file);
    if (own !== undefined && own === await fileStamp(file)) return;
    return this.reload(file);
  }

  /** Resolves once no reload of `file` is running or queued. */
  async settled(file: string): Promise<void> {
    while (this.running.has(file)) await this.running.get(file);
  }

  /** The file serving `origin` (a key, lowercase with the final dot), or whose last load of that zone failed. */
  fileOf(origin: string): string | undefined {
    for (const [file, o] of this.served) if (o === origin) return file;
    for (const [file, z] of this.listed) if (z.origin.key === origin) return file;
    return undefined;
  }

  /** Every file loaded or tried: the zone it serves, if any, and whether its last load failed. */
  files(): { file: string; origin?: string; failing?: Diagnostic[] }[] {
    const all = new Set([...this.served.keys(), ...this.failing.keys()]);
    return [...all].sort().map((file) => ({ file, origin: this.served.get(file), failing: this.failing.get(file) }));
  }

  /** Stops the retries, the re-signing timers and the loader thread. */
  async close(): Promise<void> {
    for (const r of this.retries.values()) clearTimeout(r.timer);
    this.retries.clear();
    for (const s of this.signed.values()) clearTimeout(s.timer);
    this.signed.clear();
    await this.loader.close();
  }

  /**
   * Loads every zone file in the directory; zones whose files are gone stop being
   * served. When the directory itself cannot be read (deleted, renamed, no
   * permission), nothing is removed: like BIND when a reload fails, the zones
   * loaded stay served and the error is logged.
   */
  async loadAll(where: LoadWhere = 'thread'): Promise<void> {
    let files: string[];
    try {
      const found = await scanZoneDirectory(this.dir);
      this.reportSkipped(found.skipped);
      files = [...new Set([...found.files.filter((f) => !this.listed.has(f)), ...this.listed.keys()])];
    } catch (e) {
      this.directoryUnreadable(e);
      return;
    }
    const present = new Set(files);
    for (const file of [...this.served.keys()]) if (!present.has(file)) this.remove(file);
    for (const file of [...this.failing.keys()]) {
      if (present.has(file)) continue;
      this.failing.delete(file);
      this.stopRetrying(file);
    }
    this.loadingAll = true;
    try {
      await Promise.all(files.map((f) => this.reload(f, 'change', where)));
    } finally {
      this.loadingAll = false;
    }
    for (const [file, origin] of this.served) {
      const zone = this.catalog.get(origin);
      for (const d of zone ? this.unreachableAliases(zone) : []) this.logger.warn({ file }, formatDiagnostic(d));
    }
  }

  /** ALIAS targets nothing can look up, when there are no upstreams: the served zones are all that answer. */
  private unreachableAliases(zone: Zone): Diagnostic[] {
    if (this.options.canForward?.()) return [];
    return unreachableAliases(zone, (name) => this.catalog.find(name));
  }

  /**
   * Loads `file` again. A `change` (an edit, SIGHUP) also starts its retries
   * over; a `retry` is one of them, and keeps the backoff going.
   */
  reload(file: string, cause: 'change' | 'retry' = 'change', where: LoadWhere = 'thread'): Promise<void> {
    if (cause === 'change') this.stopRetrying(file);
    const busy = this.running.get(file);
    if (busy) {
      this.again.add(file);
      return busy;
    }
    const run = (async () => {
      do {
        this.again.delete(file);
        if (await access(file).then(() => true, () => false)) {
          const options = this.optionsFor(file);
          await this.apply(await (where === 'here' ? loadOne(file, options) : this.loader.load(file, options)));
        }
        else if (await readable(this.dir)) this.remove(file);
        else this.directoryUnreadable(undefined);
      } while (this.again.has(file));
    })()
      .catch((e: unknown) => this.logger.error({ err: e, file }, 'zone reload failed'))
      .finally(() => this.running.delete(file));
    this.running.set(file, run);
    return run;
  }

  /** A file an admin may have meant as a zone (db.example.com, example.com.db) is named once, with why it is not served. */
  private reportSkipped(skipped: SkippedFile[]): void {
    for (const { file, reason, expected } of skipped) {
      if (this.skipped.has(file) || this.listed.has(file)) continue;
      this.skipped.add(file);
      this.logger[expected ? 'info' : 'warn']({ file, reason }, `not a zone file, not served: ${file}: ${reason}`);
    }
  }

  private directoryUnreadable(e: unknown): void {
    const reason = e instanceof Error ? e.message : 'it is gone or cannot be read';
    this.logger.error({ dir: this.dir, served: this.served.size }, `cannot read the zone directory ${this.dir}: ${reason}; the zones loaded stay served`);
  }

  private stopRetrying(file: string): void {
    clearTimeout(this.retries.get(file)?.timer);
    this.retries.delete(file);
  }

  /**
   * A failing zone is tried again so that its errors are reported until it is
   * fixed, but less and less often: re-parsing a large broken zone every 30 s
   * costs a core for seconds each time, for nothing.
   */
  private retryLater(file: string): number {
    const last = this.retries.get(file);
    const retry = this.options.retry ?? RETRY_DEFAULTS;
    const delayMs = last ? Math.min(last.delayMs * 2, retry.maxMs) : retry.firstMs;
    clearTimeout(last?.timer);
    const timer = setTimeout(() => void this.reload(file, 'retry'), delayMs).unref();
    this.retries.set(file, { delayMs, timer });
    return delayMs;
  }

  private remove(file: string): void {
    this.stopRetrying(file);
    this.failing.delete(file);
    clearTimeout(this.signed.get(file)?.timer);
    this.signed.delete(file);
    const origin = this.served.get(file);
    if (origin === undefined) return;
    this.served.delete(file);
    this.catalog.delete(origin);
    this.logger.info({ zone: origin, file }, 'zone removed: its file is gone');
    this.events.emit('removed', origin, file);
  }

  private reject(file: string, diagnostics: Diagnostic[]): void {
    const errors = diagnostics.filter((x) => x.severity === 'error').map(formatDiagnostic);
    const keeping = this.served.has(file) ? ' (the previous version stays served)' : '';
    const retryInS = this.retryLater(file) / 1000;
    this.logger.error({ file, errors, retryInS }, `zone rejected: ${errors[0] ?? 'unknown error'}${keeping}`);
    this.failing.set(file, diagnostics);
    this.events.emit('rejected', file, diagnostics, this.listed.get(file)?.origin.key);
  }

  private async apply(r: FileResult): Promise<void> {
    if (!r.ok) return this.reject(r.file, r.diagnostics);
    const { zone, file } = r;
    const origin = zone.origin.key;
    const reserved = this.options.reserved?.(origin);
    if (reserved) return this.reject(file, [{ pos: { file, line: 1, col: 1 }, severity: 'error', message: `zone ${zone.origin} is ${reserved}: no file may serve it` }]);
    const owner = [...this.served].find(([f, o]) => o === origin && f !== file)?.[0];
    if (owner) {
      return this.reject(file, [{ pos: { file, line: 1, col: 1 }, severity: 'error', message: `zone ${zone.origin} is already served from ${owner}` }]);
    }
    const warnings = [...r.diagnostics];
    const previous = this.served.get(file) === origin ? this.catalog.get(origin) : undefined;
    const signing = this.options.dnssec?.(origin);
    if (signing) return this.sign(zone, file, previous, signing, warnings);
    clearTimeout(this.signed.get(file)?.timer);
    this.signed.delete(file);
    if (previous) {
      const changed = previous.digest !== zone.digest;
      // The same records again (a save without a change): the IXFR history stays.
      if (!changed) zone.changes = previous.changes;
      if (zone.autoSerial) {
        // Automatic serials move on with every change and stand still otherwise.
        zone.serial = changed ? (serialGreater(zone.serial, previous.serial) ? zone.serial : (previous.serial + 1) >>> 0) : previous.serial;
      } else if (changed && !serialGreater(zone.serial, previous.serial)) {
        warnings.push({ pos: zone.soa.pos, severity: 'warning', message: `the zone changed but its SOA serial ${zone.serial} did not increase (was ${previous.serial}): secondaries will not pick up the change` });
      }
      // Before the swap: a secondary that hears of the new serial finds its change in the journal.
      await recordChange(previous, zone, this.options.journalBytes?.(origin) ?? 0);
    }
    this.publish(zone, file, previous, warnings);
  }

  /** Serves `zone` from `file` in place of `previous`: the swap every version goes through, signed or not. */
  private publish(zone: Zone, file: string, previous: Zone | undefined, warnings: Diagnostic[], signed?: { made: number; kept: number }): void {
    const origin = zone.origin.key;
    // While the whole directory loads, the other zones are not all in yet: loadAll checks once they are.
    if (!this.loadingAll) warnings.push(...this.unreachableAliases(zone));
    for (const d of warnings.filter((x) => x.severity === 'warning')) this.logger.warn({ file }, formatDiagnostic(d));
    const oldOrigin = this.served.get(file);
    if (oldOrigin !== undefined && oldOrigin !== origin) this.catalog.delete(oldOrigin);
    this.catalog.set(zone);
    this.served.set(file, origin);
    this.failing.delete(file);
    this.stopRetrying(file);
    this.logger.info({ zone: zone.origin.toString(), records: zone.recordCount, serial: zone.serial, file, reload: !!previous, ...(signed && { signatures: signed }) }, 'zone loaded');
    this.events.emit('loaded', zone, file, previous);
  }

  /**
   * The signing stage of a zone with a `dnssec:` policy, between the load and
   * the swap. The served serial is the file's while the file's is ahead of it,
   * else one more than the one served (BIND's inline signing, serial-update-method
   * increment): every re-sign raises it, so it may run ahead of the file's, and
   * an edit that raises the file's serial past it takes the file's again. A file
   * saved unchanged is not signed again unless signatures are due for refreshing
   * or the keys or the policy changed. When signing fails, the previous version stays served
   * and the failure is reported like a load's, with its retries.
   */
  private async sign(unsigned: Zone, file: string, previous: Zone | undefined, signing: ZoneSigning, warnings: Diagnostic[]): Promise<void> {
    const now = Date.now() / 1000;
    const last = this.signed.get(file);
    try {
      const keys = await signing.keys(now);
      const same = previous && last && last.unsigned.origin.equals(unsigned.origin) && last.unsigned.digest === unsigned.digest;
      if (same && sameKeys(last.keys, keys) && samePolicy(last.policy, signing.policy) && !signingDue(last, now)) {
        this.failing.delete(file);
        this.stopRetrying(file);
        last.wakeAt = wakeTime(await signing.nextKeyEvent?.(now), last.refreshAt, now);
        clearTimeout(last.timer);
        last.timer = this.resignLater(file, last.wakeAt, now);
        return;
      }
      if (previous) unsigned.serial = serialGreater(unsigned.serial, previous.serial) ? unsigned.serial : (previous.serial + 1) >>> 0;
      const signed = await signZone(unsigned.version, keys, signing.policy, now, previous?.version, { positions: unsigned.positions, file });
      if (signed.leftOut > 0) {
        warnings.push({ pos: { file, line: 1, col: 1 }, severity: 'warning', message: `${signed.leftOut} DNSSEC records (DNSKEY, CDS, CDNSKEY, RRSIG, NSEC, NSEC3, NSEC3PARAM) in the file are left out: rotor signs ${unsigned.origin} itself (dnssec: in rotor.yaml)` });
      }
      const zone = new Zone(signed.version, file, signed.positions, signed.written);
      // Before the swap: a secondary that hears of the new serial finds its change in the journal.
      if (previous) await recordChange(previous, zone, this.options.journalBytes?.(zone.origin.key) ?? 0);
      const wakeAt = wakeTime(await signing.nextKeyEvent?.(now), signed.refreshAt, now);
      clearTimeout(last?.timer);
      this.signed.set(file, { unsigned, keys, policy: signing.policy, refreshAt: signed.refreshAt, wakeAt, timer: this.resignLater(file, wakeAt, now) });
      this.publish(zone, file, previous, warnings, { made: signed.made, kept: signed.kept });
    } catch (e) {
      this.reject(file, [{ pos: { file, line: 1, col: 1 }, severity: 'error', message: `zone ${unsigned.origin} could not be signed: ${(e as Error).message}` }]);
    }
  }

  /** The timer that signs the zone of `file` again at `at` (a reload: an edit meanwhile is taken too). */
  private resignLater(file: string, at: number, now: number): NodeJS.Timeout {
    return setTimeout(() => void this.reload(file), resignDelayMs(at, now)).unref();
  }
}

/** A rollover's next step changes the keys in force: a zone is signed again then, or when its signatures fall due. */
function wakeTime(keyEvent: number | undefined, refreshAt: number, now: number): number {
  return keyEvent !== undefined && keyEvent > now ? Math.min(keyEvent, refreshAt) : refreshAt;
}

/** Up to a minute after `at`, spread so that zones signed together are not signed again together; setTimeout's limit at most. */
function resignDelayMs(at: number, now: number): number {
  const due = Math.max(0, at - now) * 1000;
  return Math.min(due + Math.random() * Math.min(60_000, due / 10), 2 ** 31 - 1);
}

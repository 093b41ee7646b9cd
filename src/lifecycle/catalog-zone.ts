// The catalog zone (RFC 9432): a zone rotor writes itself, listing the zones it
// serves, so that secondaries (BIND's catalog-zones, Knot's catalog-role:
// interpret, PowerDNS) create and delete their copies of them without anyone
// editing their configuration. Not to be confused with catalog.ts, the set of
// zones served, which this reads and into which it puts its own zone.
//
// A member's label is a hash of its name: the same in every run and every
// worker with no state to keep, and a zone that goes and comes back (a file
// renamed away and back, a rename of its format .zone → .yaml) gets its old
// label again, so secondaries see the same member and keep their copy
// (RFC 9432 §5.4: a new label for the same name would make them start over).
import { createHash } from 'node:crypto';
import { statSync } from 'node:fs';
import type { Logger } from '../log.js';
import { encodeFields } from '../rrtypes/fields.js';
import { singleNameData } from '../rrtypes/single-name.js';
import { soaData } from '../rrtypes/soa.js';
import { recordChangeNow } from '../transfer/journal.js';
import { Name } from '../wire/name.js';
import { RRType } from '../wire/types.js';
import type { ParsedRecord, SourcePos } from '../zone/records.js';
import { buildZone } from '../zone/build-zone.js';
import { serialGreater, type Zone } from '../zone/zone.js';
import type { Catalog } from './catalog.js';

/** A member's RFC 9432 properties (§4.4). */
export interface MemberProperties {
  /** group: how the secondaries should configure it (Knot picks a catalog-template by it). */
  group?: string;
  /** coo: the catalog zone the member is moving to (change of ownership). */
  coo?: Name;
}

/**
 * A pattern naming zones: a zone's name (its key: lowercase, with the final
 * dot), or `*.` before a name for every zone below that name.
 */
export type ZonePattern = string;

export interface CatalogSettings {
  /** The catalog zone's name, e.g. catalog.invalid. */
  name: Name;
  /** Which served zones are members; every one when unset. */
  members?: ZonePattern[];
  /** Properties by pattern: a zone's exact name wins over patterns, a longer pattern over a shorter. */
  properties: Map<ZonePattern, MemberProperties>;
}

export interface Member extends MemberProperties {
  zone: Name;
  label: string;
}

/** Whether `pattern` names `zone` (a key), and how specifically: undefined when it does not. */
function matchLength(pattern: ZonePattern, zone: string): number | undefined {
  if (!pattern.startsWith('*.')) return pattern === zone ? Infinity : undefined;
  const below = pattern.slice(2);
  if (below === '.') return zone === '.' ? undefined : 0;
  return zone.length > below.length && zone.endsWith(`.${below}`) ? below.length : undefined;
}

export function isMember(settings: CatalogSettings, zone: Name): boolean {
  if (zone.equals(settings.name)) return false;
  return !settings.members || settings.members.some((p) => matchLength(p, zone.key) !== undefined);
}

export function propertiesOf(settings: CatalogSettings, zone: Name): MemberProperties {
  let best: MemberProperties = {};
  let bestLength = -1;
  for (const [pattern, props] of settings.properties) {
    const length = matchLength(pattern, zone.key);
    if (length !== undefined && length > bestLength) [best, bestLength] = [props, length];
  }
  return best;
}

const BASE32HEX = '0123456789abcdefghijklmnopqrstuv';

/**
 * The member's label under zones.<catalog>: 80 bits of SHA-256 of its name in
 * base32hex, 16 characters. Unique among a million members with odds of a
 * clash under 1 in 10^12 (and a clash is caught: membersOf).
 */
export function memberLabel(zone: Name): string {
  const hash = createHash('sha256').update(zone.key).digest();
  let bits = 0n;
  for (const octet of hash.subarray(0, 10)) bits = (bits << 8n) | BigInt(octet);
  let label = '';
  for (let i = 15; i >= 0; i--) label += BASE32HEX[Number((bits >> BigInt(i * 5)) & 31n)];
  return label;
}

/** The members among `zones`, sorted by name; of two whose labels clash, the first by name stays, and `clash` hears of the other. */
export function membersOf(settings: CatalogSettings, zones: Iterable<Zone>, clash: (zone: Name, taken: Name) => void = () => undefined): Member[] {
  const chosen = [...zones].map((z) => z.origin).filter((origin) => isMember(settings, origin)).sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const byLabel = new Map<string, Name>();
  const members: Member[] = [];
  for (const zone of chosen) {
    const label = memberLabel(zone);
    const taken = byLabel.get(label);
    if (taken) {
      clash(zone, taken);
      continue;
    }
    byLabel.set(label, zone);
    members.push({ zone, label, ...propertiesOf(settings, zone) });
  }
  return members;
}

const TXT_FIELDS = [{ kind: 'string', label: 'text' }] as const;
const txt = (text: string) => encodeFields(TXT_FIELDS, [Buffer.from(text)]);

/** Where the generated records come from, for diagnostics. */
export const CATALOG_SOURCE = 'rotor.yaml catalog:';

/**
 * The catalog zone's records (RFC 9432 §4): an SOA and an NS that point
 * nowhere (invalid.), the schema version, and a PTR per member with its
 * properties below it. TTLs are 0: the zone is transferred, never cached.
 */
export function catalogRecords(name: Name, members: readonly Member[], serial: number): ParsedRecord[] {
  const pos: SourcePos = { file: CATALOG_SOURCE, line: 1, col: 1 };
  const invalid = Name.parse('invalid.');
  const at = (owner: Name, type: number, rdata: Buffer): ParsedRecord => ({ owner, type, ttl: 0, rdata, pos });
  // Refresh and retry as in the RFC's example; NOTIFY carries every change at once.
  const records = [
    at(name, RRType.SOA, soaData(invalid, invalid, serial >>> 0, 3600, 600, 2147483646, 0)),
    at(name, RRType.NS, singleNameData(invalid)),
    at(name.prepend('version'), RRType.TXT, txt('2')),
  ];
  const zones = name.prepend('zones');
  for (const m of members) {
    const owner = zones.prepend(m.label);
    records.push(at(owner, RRType.PTR, singleNameData(m.zone)));
    if (m.group !== undefined) records.push(at(owner.prepend('group'), RRType.TXT, txt(m.group)));
    if (m.coo) records.push(at(owner.prepend('coo'), RRType.PTR, singleNameData(m.coo)));
  }
  return records;
}

/** The catalog zone as served: built by the zone builder every file goes through. */
export function buildCatalogZone(name: Name, members: readonly Member[], serial: number): Zone {
  return buildZone(name, CATALOG_SOURCE, catalogRecords(name, members, serial), { serial, ttl: 0 }).zone;
}

/**
 * The newest modification time among `paths`, in whole seconds; undefined when
 * none can be read. One that cannot be read is left out: a member file removed
 * has left the catalog, and its directory's time says when.
 */
export function newestMtime(paths: Iterable<string>): number | undefined {
  let newest: number | undefined;
  for (const path of paths) {
    let seconds: number;
    try {
      seconds = Math.floor(statSync(path).mtimeMs / 1000);
    } catch {
      continue;
    }
    if (newest === undefined || seconds > newest) newest = seconds;
  }
  return newest;
}

/**
 * A new version's serial: the newest modification time among its sources, the
 * same in every worker and after a restart, or one more than the previous
 * serial when that time is not past it (changes within a second). The clock
 * only when no source can be read.
 */
export function catalogSerial(newest: number | undefined, previous: number | undefined): number {
  const base = (newest ?? Math.floor(Date.now() / 1000)) >>> 0;
  return previous !== undefined && !serialGreater(base, previous) ? (previous + 1) >>> 0 : base;
}

export interface CatalogZoneOptions {
  logger: Logger;
  /** Bytes of IXFR journal to keep for the catalog zone (journalBytesFor). */
  journalBytes: (origin: string) => number;
  /** Each new version, once served: for NOTIFY. */
  published: (zone: Zone, previous: Zone | undefined) => void;
  /** The paths whose newest modification time is the serial: the zone directory and the members' files (catalogSerial). */
  sources: (members: readonly Member[]) => Iterable<string>;
  /** How long zones that appear are gathered before a version lists them (ms). */
  gatherMs?: number;
}

/**
 * Keeps the catalog zone in step with the zones served. A zone that stops
 * being served leaves the catalog in the same step (update(), called from the
 * event of its removal), so a secondary is never sent a member it could not
 * transfer. A zone that appears joins within gatherMs (added()): a hundred
 * files dropped at once make a version per gatherMs of loading, not a hundred — each version
 * moves the serial (catalogSerial: the newest time among the files, which every
 * worker and a restart see alike).
 */
export class CatalogZone {
  private settings: CatalogSettings | undefined;
  private zone: Zone | undefined;
  /** The membership the served version lists, as text: an unchanged membership makes no version. */
  private listed = '';
  private listedMembers: Member[] = [];
  private gathering: NodeJS.Timeout | undefined;

  constructor(private readonly served: Catalog, private readonly opts: CatalogZoneOptions) {}

  /** The catalog zone's origin key, when one is configured. */
  get origin(): string | undefined {
    return this.settings?.name.key;
  }

  /** The members the served version lists. */
  get members(): readonly Member[] {
    return this.listedMembers;
  }

  get current(): Zone | undefined {
    return this.zone;
  }

  /** New settings (a configuration reload), for update() to apply; a new name drops the old catalog zone now. */
  configure(settings: CatalogSettings | undefined): void {
    if (this.zone && (!settings || !settings.name.equals(this.zone.origin))) {
      this.served.delete(this.zone.origin.key);
      this.zone = undefined;
      this.listed = '';
      this.listedMembers = [];
    }
    this.settings = settings;
  }

  /** A zone began to be served: it joins within gatherMs; a member no longer served leaves now. */
  added(): void {
    if (!this.settings || this.gathering) return;
    if (this.listedMembers.some((m) => !this.served.get(m.zone.key))) return this.update();
    this.gathering = setTimeout(() => this.update(), this.opts.gatherMs ?? 100);
    this.gathering.unref();
  }

  /** Makes the catalog list the zones served now, with a new version if that changes it. */
  update(): void {
    clearTimeout(this.gathering);
    this.gathering = undefined;
    const settings = this.settings;
    if (!settings) return;
    const members = membersOf(settings, this.served.all(), (zone, taken) => {
      this.opts.logger.error({ zone: zone.toString(), with: taken.toString() }, `catalog zone: ${zone} has the same label as ${taken} and is left out`);
    });
    const listed = members.map((m) => `${m.label} ${m.zone.key} ${m.group ?? ''} ${m.coo?.key ?? ''}`).join('\n');
    const previous = this.zone && this.served.current(this.zone) ? this.zone : undefined;
    if (previous && listed === this.listed) return;
    const serial = catalogSerial(newestMtime(this.opts.sources(members)), previous?.serial);
    const zone = buildCatalogZone(settings.name, members, serial);
    // Before the swap: a secondary told of the new serial finds its change in the journal.
    if (previous) recordChangeNow(previous, zone, this.opts.journalBytes(settings.name.key));
    this.served.set(zone);
    this.zone = zone;
    this.listed = listed;
    this.listedMembers = members;
    this.opts.logger.info({ zone: settings.name.toString(), serial, members: members.length }, 'catalog zone updated');
    this.opts.published(zone, previous);
  }

  close(): void {
    clearTimeout(this.gathering);
    this.gathering = undefined;
  }
}

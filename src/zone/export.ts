// Writes a loaded zone back out, as an RFC 1035 master file or in the octoDNS
// YAML layout that yaml.ts reads, so that loading the output gives the same records.
import { stringify } from 'yaml';
import type { Name } from '../wire/name.js';
import { typeName } from '../wire/types.js';
import type { RData, SourcePos } from './records.js';
import type { RRset, Zone } from './zone.js';

/** RRsets in the order a master file needs: the apex SOA first, then as loaded. */
function orderedSets(zone: Zone): RRset[] {
  const rest = [...zone.rrsets()].filter((s) => s !== zone.soa);
  return [zone.soa, ...rest];
}

/**
 * A name as master-file text: relative to the origin where it is inside it and
 * spells the origin in the same case, since a relative name takes $ORIGIN's case.
 */
function relativeName(name: Name, origin: Name): string {
  const text = name.toString();
  return text.endsWith(origin.toString()) ? name.relativeTo(origin) || '@' : text;
}

/** A quoted <character-string>: printable ASCII as is, `"` and `\` escaped, other octets as \DDD. */
function quoted(octets: Buffer): string {
  let out = '"';
  for (const c of octets) {
    if (c === 0x22 || c === 0x5c) out += '\\' + String.fromCharCode(c);
    else if (c >= 0x20 && c < 0x7f) out += String.fromCharCode(c);
    else out += '\\' + String(c).padStart(3, '0');
  }
  return out + '"';
}

/** Record data in master-file syntax, names relative to `origin` when one is given. */
export function presentation(rd: RData, origin?: Name): string {
  const relative = (name: Name) => (origin ? relativeName(name, origin) : name.toString());
  switch (rd.kind) {
    case 'A': case 'AAAA': return rd.address;
    case 'NS': case 'CNAME': case 'PTR': return relative(rd.target);
    case 'MX': return `${rd.preference} ${relative(rd.exchange)}`;
    case 'SRV': return `${rd.priority} ${rd.weight} ${rd.port} ${relative(rd.target)}`;
    case 'TXT': case 'SPF': return rd.strings.map(quoted).join(' ');
    case 'CAA': return `${rd.flags} ${rd.tag} ${quoted(rd.value)}`;
    case 'SOA':
      return `${relative(rd.mname)} ${relative(rd.rname)} ${rd.serial} ${rd.refresh} ${rd.retry} ${rd.expire} ${rd.minimum}`;
    case 'GENERIC':
      // RFC 3597 §5; "\# 0" is how empty data is written.
      return rd.data.length ? `\\# ${rd.data.length} ${rd.data.toString('hex').toUpperCase()}` : '\\# 0';
  }
}

function mostCommonTtl(sets: RRset[]): number {
  const counts = new Map<number, number>();
  for (const s of sets) counts.set(s.ttl, (counts.get(s.ttl) ?? 0) + s.rdata.length);
  let best = sets[0]!.ttl;
  for (const [ttl, n] of counts) if (n > counts.get(best)!) best = ttl;
  return best;
}

/** The zone as a master file that BIND, NSD and Knot (and rotor) load. */
export function toMasterFile(zone: Zone): string {
  const origin = zone.origin;
  const sets = orderedSets(zone);
  const ttl = mostCommonTtl(sets);
  const owners = sets.map((s) => relativeName(s.owner, origin));
  // Loops, not Math.max(...list): a large zone has more owners than a call has room for arguments.
  let width = 0;
  for (const o of owners) width = Math.max(width, Math.min(o.length, 40));
  let ttlWidth = 0;
  for (const s of sets) if (s.ttl !== ttl) ttlWidth = Math.max(ttlWidth, String(s.ttl).length);
  const lines = [`$ORIGIN ${origin}`, `$TTL ${ttl}`];
  let previous: Name | undefined;
  sets.forEach((set, i) => {
    const ttlText = (set.ttl === ttl ? '' : String(set.ttl)).padEnd(ttlWidth);
    const head = `${ttlText} IN ${typeName(set.type).padEnd(5)}`;
    for (const rd of set.rdata) {
      // The owner is written once; the lines after it begin with blanks (RFC 1035 §5.1).
      const owner = previous?.equals(set.owner) ? '' : owners[i]!;
      previous = set.owner;
      lines.push(`${owner.padEnd(width)} ${head} ${presentation(rd, origin)}`);
    }
  });
  return lines.join('\n') + '\n';
}

/** A record that the YAML layout has no way to hold, for the caller to report. */
export interface Unconverted {
  owner: Name;
  type: number;
  rdata: RData;
  /** Where its RRset was written. */
  pos: SourcePos;
  reason: string;
}

function isUtf8(octets: Buffer): boolean {
  return Buffer.from(octets.toString('utf8'), 'utf8').equals(octets);
}

/** octoDNS escapes ";" in TXT values as "\;" (yaml.ts undoes it). */
function txtText(octets: Buffer): string {
  return octets.toString('utf8').replace(/;/g, '\\;');
}

const NOT_UTF8 = 'YAML zones hold UTF-8 text and this is not';

/** The YAML form of one record's data, or why it has none. */
function yamlValue(rd: RData): { value: unknown } | { reason: string } {
  switch (rd.kind) {
    case 'A': case 'AAAA': return { value: rd.address };
    case 'NS': case 'CNAME': case 'PTR': return { value: rd.target.toString() };
    case 'MX': return { value: { exchange: rd.exchange.toString(), preference: rd.preference } };
    case 'SRV': return { value: { priority: rd.priority, weight: rd.weight, port: rd.port, target: rd.target.toString() } };
    case 'TXT': case 'SPF':
      if (!rd.strings.every(isUtf8)) return { reason: NOT_UTF8 };
      // yaml.ts splits a string at 255 octets, so each character-string stays one item.
      return { value: rd.strings.length === 1 ? txtText(rd.strings[0]!) : rd.strings.map(txtText) };
    case 'CAA':
      if (!isUtf8(rd.value)) return { reason: NOT_UTF8 };
      return { value: { flags: rd.flags, tag: rd.tag, value: rd.value.toString('utf8') } };
    case 'SOA':
      return {
        value: {
          mname: rd.mname.toString(), rname: rd.rname.toString(), serial: rd.serial,
          refresh: rd.refresh, retry: rd.retry, expire: rd.expire, minimum: rd.minimum,
        },
      };
    case 'GENERIC': return { reason: 'YAML zones have no syntax for RFC 3597 data' };
  }
}

const YAML_SLICE = 1000;

/**
 * The zone in octoDNS's YAML layout, every record with its TTL so that no default
 * of the reader changes it. Records YAML cannot hold are left out and returned.
 */
export function toYaml(zone: Zone): { text: string; unconverted: Unconverted[] } {
  const unconverted: Unconverted[] = [];
  // A Map keeps owners in zone order; an object would move numeric owners ("1") first.
  const byOwner = new Map<string, unknown[]>();
  for (const set of orderedSets(zone)) {
    const values: unknown[] = [];
    for (const rd of set.rdata) {
      const y = yamlValue(rd);
      if ('reason' in y) unconverted.push({ owner: set.owner, type: set.type, rdata: rd, pos: set.pos, reason: y.reason });
      else values.push(y.value);
    }
    if (values.length === 0) continue;
    const owner = set.owner.equals(zone.origin) ? '' : relativeName(set.owner, zone.origin);
    let records = byOwner.get(owner);
    if (!records) {
      records = [];
      byOwner.set(owner, records);
    }
    records.push({ type: typeName(set.type), ttl: set.ttl, ...(values.length === 1 ? { value: values[0] } : { values }) });
  }
  // Top-level entries stand alone in YAML, so the text is written a slice of owners
  // at a time: the library builds a node for every value it writes, and a whole
  // large zone's worth of them at once would not fit in memory.
  const entries = [...byOwner].map(([owner, records]): [string, unknown] => [owner, records.length === 1 ? records[0] : records]);
  let text = '';
  for (let i = 0; i < entries.length; i += YAML_SLICE) {
    text += stringify(new Map(entries.slice(i, i + YAML_SLICE)), { lineWidth: 0, singleQuote: true });
  }
  return { text, unconverted };
}

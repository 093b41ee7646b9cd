// Writes a loaded zone back out, as an RFC 1035 master file or in the octoDNS
// YAML layout that yaml.ts reads, so that loading the output gives the same records.
import { stringify } from 'yaml';
import { masterFileText, relativeName, toYaml as yamlValue } from '../rrtypes/registry.js';
import type { Name } from '../wire/name.js';
import { RRType, typeName } from '../wire/types.js';
import type { SourcePos } from './records.js';
import type { RRset, Zone } from './zone.js';

/** RRsets in the order a master file needs: the apex SOA first, then as loaded, signatures after what they cover, the NSEC3 chain last. */
function orderedSets(zone: Zone): RRset[] {
  // Only the apex has an SOA (the loaders refuse one elsewhere); its signatures follow it.
  const all = [...zone.recordSets()];
  const soa = all.findIndex((s) => s.type === RRType.SOA);
  const soaSigs = all[soa + 1]?.type === RRType.RRSIG && all[soa + 1]!.owner === all[soa]!.owner ? 2 : 1;
  return [...all.splice(soa, soaSigs), ...all];
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
    for (const rd of set.rdata) {
      const text = masterFileText(set.type, rd, origin);
      // The owner is written once; the lines after it begin with blanks (RFC 1035 §5.1).
      const owner = previous?.equals(set.owner) ? '' : owners[i]!;
      previous = set.owner;
      lines.push(`${owner.padEnd(width)} ${ttlText} IN ${text.type.padEnd(5)} ${text.data}`);
    }
  });
  return lines.join('\n') + '\n';
}

/** A record that the YAML layout has no way to hold, for the caller to report. */
export interface Unconverted {
  owner: Name;
  type: number;
  rdata: Buffer;
  /** Where its RRset was written. */
  pos: SourcePos;
  reason: string;
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
      const y = yamlValue(set.type, rd);
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

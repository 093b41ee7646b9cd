// Building zone versions from master-file text, for the version tests.
import { Name } from '../../src/wire/name.js';
import { parseMasterFile } from '../../src/zone/masterfile.js';
import type { ParsedRecord } from '../../src/zone/records.js';
import { VersionBuilder, type Built } from '../../src/zone/version-builder.js';
import type { ZoneVersion } from '../../src/zone/version.js';

export const FILE = 'test.zone';

export function parse(text: string, origin: Name): ParsedRecord[] {
  const parsed = parseMasterFile(text, FILE, origin, 3600);
  const errors = parsed.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length) throw new Error(errors.map((d) => d.message).join('; '));
  return parsed.records;
}

export function buildRecords(records: ParsedRecord[], origin: Name): Built {
  const b = new VersionBuilder(origin, FILE, { serial: 7, ttl: 3600 });
  for (const r of records) b.add({ owner: r.owner, type: r.type, ttl: r.ttl, rdata: r.rdata }, r.pos);
  return b.finish();
}

export function build(text: string, origin = Name.parse('example.')): Built {
  return buildRecords(parse(text, origin), origin);
}

/** Every record of a version as one line: owner (case kept), type, TTL, RDATA in hex. */
export function lines(v: ZoneVersion): string[] {
  return [...v.records()].map((r) => `${r.owner} ${r.type} ${r.ttl} ${r.rdata.toString('hex')}`);
}

/** The owners of the nodes that hold records, in the version's order. */
export function owners(v: ZoneVersion): string[] {
  const out: string[] = [];
  for (let n = 0; n < v.nodeCount; n++) {
    const [s0, s1] = v.setsOf(n);
    if (s1 > s0) out.push(v.ownerName(n).toString());
  }
  return out;
}

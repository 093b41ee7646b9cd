// Records as the zone loaders produce them, with where each was written.
import type { Name } from '../wire/name.js';
import type { RData } from '../wire/rdata.js';

export type { RData };

/** Where a record came from, for messages that point at it. */
export interface SourcePos {
  file: string;
  line: number;
  col: number;
}

export interface ParsedRecord {
  owner: Name;
  type: number;
  ttl: number;
  rdata: RData;
  pos: SourcePos;
}

/** The name inside record data that a resolver would look up next, if any. */
export function targetOf(rd: RData): Name | undefined {
  switch (rd.kind) {
    case 'NS': case 'CNAME': case 'PTR': case 'SRV': return rd.target;
    case 'MX': return rd.exchange;
    default: return undefined;
  }
}

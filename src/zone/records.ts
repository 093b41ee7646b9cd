// Records as the zone loaders produce them, with where each was written.
import type { Name } from '../wire/name.js';

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
  /** In uncompressed wire form (src/rrtypes), names in the case they were written. */
  rdata: Buffer;
  pos: SourcePos;
}

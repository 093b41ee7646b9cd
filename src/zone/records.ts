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

/** RecordPositions' columns, as they cross to another thread (a structured clone keeps the fields, not the class). */
export type PositionColumns = Pick<RecordPositions, 'files' | 'file' | 'line' | 'col'>;

/** Where each record of a version was written, by record index. */
export class RecordPositions {
  static received(c: PositionColumns): RecordPositions {
    return new RecordPositions(c.files, c.file, c.line, c.col);
  }

  constructor(
    readonly files: readonly string[],
    readonly file: Uint16Array,
    readonly line: Uint32Array,
    readonly col: Uint32Array,
  ) {}

  at(record: number): SourcePos {
    return { file: this.files[this.file[record]!]!, line: this.line[record]!, col: this.col[record]! };
  }
}

// Carries an update's changes into RFC 1035 master files at the level of lines:
// a deleted record's lines go (all of them, when parentheses spread it over
// several), an added record is written on one line after the last record of
// its owner (in the file that holds it, an $INCLUDEd one included), and a
// serial that only rises is replaced in place, so comments inside the SOA's
// parentheses stay. Every other line stays byte for byte. Added lines name
// their owner in full, with TTL and class, so no $ORIGIN or $TTL around them
// changes what they mean.
import { canonicalRData, presentation } from '../rrtypes/registry.js';
import { soaSerial, withSoaSerial } from '../rrtypes/soa.js';
import { RRType, typeName } from '../wire/types.js';
import type { ParsedRecord } from '../zone/records.js';
import type { RRsetChange } from './changes.js';

/** One entry of a master file: the lines of one record or directive, and its tokens. */
interface Entry {
  /** 0-based, inclusive. */
  startLine: number;
  endLine: number;
  /** The line starts with a blank: the owner is the previous entry's. */
  blankOwner: boolean;
  tokens: { text: string; start: number; end: number }[];
}

/** The entries of a master file, read as the loader's lexer reads them (quotes, comments, parentheses). */
export function entriesOf(text: string): Entry[] {
  const entries: Entry[] = [];
  let line = 0;
  let current: Entry | undefined;
  let depth = 0;
  let atLineStart = true;
  let lineBlank = false;
  for (let i = 0; i < text.length;) {
    const c = text[i]!;
    if (atLineStart) {
      lineBlank = c === ' ' || c === '\t';
      atLineStart = false;
    }
    if (c === '\n') {
      if (current && depth === 0) {
        entries.push(current);
        current = undefined;
      }
      line++;
      atLineStart = true;
      i++;
    } else if (c === ' ' || c === '\t' || c === '\r') {
      i++;
    } else if (c === ';') {
      const nl = text.indexOf('\n', i);
      i = nl < 0 ? text.length : nl;
    } else if (c === '(' || c === ')') {
      depth = Math.max(0, depth + (c === '(' ? 1 : -1));
      current ??= { startLine: line, endLine: line, blankOwner: lineBlank, tokens: [] };
      current.endLine = line;
      i++;
    } else {
      current ??= { startLine: line, endLine: line, blankOwner: lineBlank, tokens: [] };
      current.endLine = line;
      const start = i;
      if (c === '"') {
        for (i++; i < text.length && text[i] !== '"' && text[i] !== '\n'; i++) if (text[i] === '\\') i++;
        i++;
      } else {
        for (; i < text.length && !' \t\r\n;()"'.includes(text[i]!); i++) if (text[i] === '\\' && text[i + 1] !== '\n') i++;
      }
      current.tokens.push({ text: text.slice(start, i), start, end: i });
    }
  }
  if (current) entries.push(current);
  return entries;
}

function recordKey(owner: string, type: number, rdata: Buffer): string {
  return `${owner}/${type}/${canonicalRData(type, rdata).toString('hex')}`;
}

/** The line an added record is written as. */
export function recordLine(change: RRsetChange, rdata: Buffer): string {
  return `${change.owner} ${change.ttl} IN ${typeName(change.type)} ${presentation(change.type, rdata)}`;
}

/** Where lines go that are added after everything in a file. */
const AT_END = Number.MAX_SAFE_INTEGER;

interface FileEdits {
  deleted: Set<number>;
  /** After line n (0-based, or AT_END), these lines. */
  inserted: Map<number, string[]>;
}

/**
 * The new texts of the files `changes` touches. `read` gives a file's current
 * text; `records` are the zone's records as the loader read them from these
 * texts, each with the file and line it came from.
 */
export function editMasterFiles(mainFile: string, read: (file: string) => string, records: readonly ParsedRecord[], changes: readonly RRsetChange[]): Map<string, string> {
  const texts = new Map<string, string>();
  const textOf = (file: string): string => {
    let t = texts.get(file);
    if (t === undefined) texts.set(file, (t = read(file)));
    return t;
  };
  const where = new Map<string, ParsedRecord>();
  const lastOfOwner = new Map<string, ParsedRecord>();
  for (const r of records) {
    where.set(recordKey(r.owner.key, r.type, r.rdata), r);
    lastOfOwner.set(r.owner.key, r);
  }
  const edits = new Map<string, FileEdits>();
  const editsOf = (file: string): FileEdits => {
    let e = edits.get(file);
    if (!e) edits.set(file, (e = { deleted: new Set(), inserted: new Map() }));
    return e;
  };
  const entryAt = (rec: ParsedRecord): Entry => {
    const entry = entriesOf(textOf(rec.pos.file)).find((e) => e.startLine === rec.pos.line - 1);
    if (!entry) throw new Error(`${rec.pos.file}:${rec.pos.line}: the record is not where the loader found it`);
    return entry;
  };
  const located = (change: RRsetChange, rdata: Buffer): ParsedRecord => {
    const rec = where.get(recordKey(change.owner.key, change.type, rdata));
    if (!rec) throw new Error(`the ${typeName(change.type)} record at ${change.owner} being changed is not in the zone's files`);
    return rec;
  };

  for (const change of changes) {
    const same = (a: Buffer, b: Buffer) => canonicalRData(change.type, a).equals(canonicalRData(change.type, b));
    if (change.type === RRType.SOA && change.ttl === change.ttlBefore && withSoaSerial(change.before[0]!, 0).equals(withSoaSerial(change.after[0]!, 0))) {
      // Only the serial moved: that one token changes.
      const rec = located(change, change.before[0]!);
      const entry = entryAt(rec);
      const at = entry.tokens.findIndex((t) => t.text.toUpperCase() === 'SOA');
      const serial = entry.tokens[at + 3];
      if (at < 0 || !serial) throw new Error(`${rec.pos.file}:${rec.pos.line}: cannot find the SOA serial`);
      const text = textOf(rec.pos.file);
      texts.set(rec.pos.file, text.slice(0, serial.start) + String(soaSerial(change.after[0]!)) + text.slice(serial.end));
      continue;
    }
    const rewrite = change.ttl !== change.ttlBefore;
    const removed = rewrite ? change.before : change.before.filter((d) => !change.after.some((a) => same(a, d)));
    const added = rewrite ? change.after : change.after.filter((d) => !change.before.some((b) => same(b, d)));
    for (const d of removed) {
      const rec = located(change, d);
      const entry = entryAt(rec);
      for (let l = entry.startLine; l <= entry.endLine; l++) editsOf(rec.pos.file).deleted.add(l);
    }
    if (added.length === 0) continue;
    const last = lastOfOwner.get(change.owner.key);
    const file = last?.pos.file ?? mainFile;
    const after = last ? entryAt(last).endLine : AT_END;
    const lines = editsOf(file).inserted.get(after) ?? [];
    lines.push(...added.map((d) => recordLine(change, d)));
    editsOf(file).inserted.set(after, lines);
  }

  for (const [file, e] of edits) texts.set(file, applyLines(textOf(file), e));
  return texts;
}

/**
 * Drops and inserts lines. A deleted record that named its owner hands the
 * name on to the next record when that one leaves it blank (and so took it
 * from the deleted one), so the records that stay keep their owners.
 */
function applyLines(text: string, e: FileEdits): string {
  const lines = text.split('\n');
  const endsWithNewline = lines.length > 1 && lines[lines.length - 1] === '';
  if (endsWithNewline) lines.pop();
  const starts = new Map(entriesOf(text).map((en) => [en.startLine, en]));
  const out: string[] = [];
  let pendingOwner: string | undefined;
  for (let i = 0; i < lines.length; i++) {
    const entry = starts.get(i);
    if (e.deleted.has(i)) {
      if (entry && !entry.blankOwner && !entry.tokens[0]!.text.startsWith('$')) pendingOwner = entry.tokens[0]!.text;
    } else {
      let line = lines[i]!;
      if (entry) {
        if (entry.blankOwner && pendingOwner !== undefined) line = line.replace(/^[ \t]+/, `${pendingOwner}\t`);
        pendingOwner = undefined;
      }
      out.push(line);
    }
    const inserted = e.inserted.get(i);
    if (inserted) {
      out.push(...inserted);
      pendingOwner = undefined;
    }
  }
  out.push(...e.inserted.get(AT_END) ?? []);
  // Lines added after the last one, beyond the end of a file without a final newline, still end in one.
  return out.join('\n') + (endsWithNewline || e.inserted.has(lines.length - 1) || e.inserted.has(AT_END) ? '\n' : '');
}

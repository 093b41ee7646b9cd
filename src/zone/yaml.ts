// Zones in octoDNS's YamlProvider layout: one file per zone, top-level keys are
// owner names relative to the zone, each holding one record or a list of them.
import { isMap, isScalar, isSeq, parseDocument, type Node, type Pair } from 'yaml';
import { Name } from '../wire/name.js';
import { RRType, typeFromName, typeName } from '../wire/types.js';
import { parseMasterFile } from './masterfile.js';
import { fromYaml, rrType } from '../rrtypes/registry.js';
import type { YamlValue } from '../rrtypes/rrtype.js';
import { isAutoSerial } from '../rrtypes/soa.js';
import { checkUint, parseDomainName, ValueError } from '../rrtypes/values.js';
import type { Diagnostic } from './errors.js';
import type { ParsedRecord, SourcePos } from './records.js';
import type { ParsedZoneText } from './masterfile.js';
import { readPlainYaml } from './yaml-reader.js';

const RECORD_KEYS = ['type', 'ttl', 'value', 'values', 'octodns', 'geo', 'dynamic'] as const;
/** Each record key's place in RECORD_KEYS. */
const RECORD_KEY_AT = new Map<string, number>(RECORD_KEYS.map((k, i) => [k, i]));
/** A record key not written (one written with no value reads as undefined, as node.get gives it). */
const UNSET = Symbol('unset');

/** octoDNS's routing keys: its providers answer by the client's place or by pools; rotor serves `value`/`values` to everyone. */
const ROUTING_KEYS = ['geo', 'dynamic'] as const;
const MAX_TTL = 0x7fffffff; // RFC 2181 §8

/** About how much text one yaml Document is made from; see pieceEnds. */
const PIECE_LENGTH = 1 << 16;

/**
 * Where to cut a zone file into pieces that parse on their own: before a line
 * that starts a top-level key, once a piece is long enough. The yaml library
 * keeps a node with its source range for every scalar, so a file of a million
 * records parsed whole holds gigabytes; in pieces, one piece's worth at a time.
 * Files with document markers or directives are never cut, and a piece that
 * does not parse cleanly sends the caller back to the whole text, so what a
 * file means and every error reported are those of parsing it whole.
 */
function pieceEnds(text: string): number[] {
  const ends: number[] = [];
  if (!/^(?:---|\.\.\.|%)/m.test(text)) {
    for (let from = PIECE_LENGTH; from < text.length;) {
      const nl = text.indexOf('\n', from);
      if (nl < 0 || nl + 1 >= text.length) break;
      const c = text.charCodeAt(nl + 1);
      // Not a blank, a comment, a sequence entry or a continuation: a new top-level key.
      const keyStart = c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d && c !== 0x23 && c !== 0x2d;
      from = keyStart ? nl + 1 + PIECE_LENGTH : nl + 1;
      if (keyStart) ends.push(nl + 1);
    }
  }
  ends.push(text.length);
  return ends;
}

/** Offsets where each line starts, for turning an offset into line:col. */
export function lineStarts(text: string): Uint32Array {
  let n = 1;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) n++;
  const starts = new Uint32Array(n);
  let k = 1;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts[k++] = i + 1;
  return starts;
}

/** The line (from 0) that holds `offset`, by the offsets lineStarts gave; `near`, a line to try first. */
export function lineAt(starts: Uint32Array, offset: number, near = 0): number {
  // A reader asks about offsets that mostly go forward a line or two at a time.
  for (let l = near; l < near + 3 && l < starts.length && starts[l]! <= offset; l++) {
    if (l + 1 === starts.length || starts[l + 1]! > offset) return l;
  }
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    if (starts[mid]! <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/**
 * Top-level owner names written unquoted that YAML cannot read as keys: `*`
 * starts an alias and `@` is reserved, so `*.apps:` and `@:` are syntax errors
 * that the parser reports at length, far from the cause. Each is found here,
 * reported with the fix, and read as if quoted, so that the rest of the file
 * is still checked in the same run. `quoted` maps each such line (0-based) to
 * the length of the key, for positions on it.
 */
function quoteReservedOwners(text: string): { text: string; quoted: Map<number, number>; keys: { line: number; key: string }[] } {
  const quoted = new Map<number, number>();
  const keys: { line: number; key: string }[] = [];
  let line = 0;
  const fixed = text.replace(/^([^\n]*)$/gm, (whole) => {
    const m = /^([*@][^\s:'"#]*)(?=:(?:\s|$))/.exec(whole);
    if (m) {
      quoted.set(line, m[1]!.length);
      keys.push({ line, key: m[1]! });
    }
    line++;
    return m ? `'${m[1]}'${whole.slice(m[1]!.length)}` : whole;
  });
  return { text: fixed, quoted, keys };
}

/**
 * Where a YAML zone's records go as they are read, when the caller takes them
 * one by one: `add` each record; `restart` drops those added so far, when the
 * file has to be read again whole (see pieceEnds).
 */
export interface YamlSink {
  add(r: ParsedRecord): void;
  restart(): void;
}

/**
 * Parses a YAML zone. With `sink`, records go to it as they are read and the
 * result's `records` stays empty; an SOA's `serial: auto` is then known from
 * the result's `autoSerial` only, after the records went.
 */
export function parseYamlZone(source: string, file: string, origin: Name, defaultTtl: number, sink?: YamlSink): ParsedZoneText {
  const reserved = /^[*@]/m.test(source) ? quoteReservedOwners(source) : undefined;
  const text = reserved?.text ?? source;
  const starts = lineStarts(text);
  let diagnostics: Diagnostic[] = [];
  let records: ParsedRecord[] = [];
  const add = sink ? (r: ParsedRecord) => sink.add(r) : (r: ParsedRecord) => records.push(r);
  let autoSerial = true;
  /** Where the piece being parsed starts in `text`: node ranges count from there. */
  let base = 0;
  /** The line of the last position asked for: the next is most often on it or just after. */
  let lastLine = 0;
  const posAt = (offset: number): SourcePos => {
    const at = base + offset;
    const lo = (lastLine = lineAt(starts, at, lastLine));
    let col = at - starts[lo]! + 1;
    // A line whose owner was quoted above: back to the columns of the file as written.
    const keyLength = reserved?.quoted.get(lo);
    if (keyLength !== undefined && col > 1) col -= col > keyLength + 2 ? 2 : 1;
    return { file, line: lo + 1, col };
  };
  const posOf = (node: unknown): SourcePos => posAt((node as Node | null)?.range?.[0] ?? 0);
  const fail = (pos: SourcePos, message: string) => diagnostics.push({ pos, severity: 'error', message });
  const warnAt = (node: unknown, message: string) => diagnostics.push({ pos: posOf(node), severity: 'warning', message });

  const ends = pieceEnds(text);
  if (ends.length === 1 || !parsePieces(ends)) parsePieces([text.length]);
  for (const { line, key } of reserved?.keys ?? []) {
    const what = key.startsWith('*') ? 'an unquoted * starts a YAML alias' : 'YAML reserves an unquoted @';
    diagnostics.unshift({ pos: { file, line: line + 1, col: 1 }, severity: 'error', message: `owner ${key} must be quoted, '${key}': (${what}); read as quoted to check the rest` });
  }
  return { records, diagnostics, autoSerial };

  /** Parses text cut at `ends`; false, with nothing kept, when a piece of several does not parse cleanly. */
  function parsePieces(ends: number[]): boolean {
    diagnostics = [];
    records = [];
    sink?.restart();
    autoSerial = true;
    /** The line where each owner was first written. */
    const owners = new Map<string, number>();
    let start = 0;
    for (const end of ends) {
      base = start;
      const piece = text.slice(start, end);
      start = end;
      const plain = readPlainYaml(piece);
      if (plain) {
        parseOwners(plain.items as Pair<unknown, unknown>[], owners);
        continue;
      }
      // uniqueKeys: false — the library's own duplicate check is quadratic in the
      // number of keys; duplicates are detected below with a Map instead.
      const doc = parseDocument(piece, { uniqueKeys: false, prettyErrors: false });
      const whole = ends.length === 1;
      if (!whole && (doc.errors.length || (doc.contents !== null && !isMap(doc.contents)))) return false;
      for (const e of doc.errors) fail(posAt(e.pos[0]), e.message.split('\n')[0]!);
      if (doc.errors.length || doc.contents === null) continue;
      if (!isMap(doc.contents)) {
        fail(posOf(doc.contents), 'a zone file is a mapping of owner names to records');
        continue;
      }
      parseOwners(doc.contents.items as Pair<unknown, unknown>[], owners);
    }
    return true;
  }

  function parseOwners(pairs: Pair<unknown, unknown>[], owners: Map<string, number>): void {
    for (const pair of pairs) {
      const keyPos = posOf(pair.key);
      if (!isScalar(pair.key) || (typeof pair.key.value !== 'string' && typeof pair.key.value !== 'number') && pair.key.value !== null) {
        fail(keyPos, 'owner names must be plain strings');
        continue;
      }
      // Numeric keys (a reverse zone's "1:") keep the text as written, not the number.
      const range = pair.key.range;
      const ownerText = typeof pair.key.value === 'string' ? pair.key.value
        : pair.key.value === null ? '' : text.slice(base + range![0], base + range![1]);
      let owner: Name;
      try {
        // '' and '@' are the apex ('@' as in master files).
        owner = ownerText === '' ? origin : parseDomainName(ownerText, origin);
      } catch (e) {
        fail(keyPos, (e as Error).message);
        continue;
      }
      const first = owners.get(owner.key);
      if (first !== undefined) {
        fail(keyPos, `duplicate owner name "${ownerText}" (first at line ${first}); put all its records in one list`);
        continue;
      }
      owners.set(owner.key, keyPos.line);
      const items = isSeq(pair.value) ? pair.value.items : [pair.value];
      for (const item of items) {
        try {
          if (parseRecordNode(item, owner) === false) autoSerial = false;
        } catch (e) {
          if (!(e instanceof LocatedError)) throw e;
          fail(posOf(e.node), e.message);
        }
      }
    }
  }

  /**
   * Adds the records of one record node; returns whether an SOA among them has
   * `serial: auto` (undefined when there is no SOA), once they are all added.
   */
  function parseRecordNode(node: unknown, owner: Name): boolean | undefined {
    if (!isMap(node)) throw new LocatedError(node, 'a record is a mapping with "type" and "value" or "values"');
    // Every key is checked, and each one's first value taken (what node.get gives), in one pass.
    const found: unknown[] = RECORD_KEYS.map(() => UNSET);
    for (const pair of node.items as Pair<unknown, unknown>[]) {
      const k = isScalar(pair.key) ? String(pair.key.value) : '';
      const at = RECORD_KEY_AT.get(k);
      if (at === undefined) throw new LocatedError(pair.key, `unknown record key "${k}" (expected type, ttl, value or values)`);
      if (found[at] === UNSET) found[at] = pair.value ?? undefined;
    }
    const get = (k: (typeof RECORD_KEYS)[number]): unknown => {
      const v = found[RECORD_KEY_AT.get(k)!];
      return v === UNSET ? undefined : v;
    };
    const typeNode = get('type');
    if (!isScalar(typeNode) || typeof typeNode.value !== 'string') throw new LocatedError(node, 'record has no "type"');
    const typeText = typeNode.value.toUpperCase();
    // octoDNS's URLFWD is a provider's web redirect, not DNS data: an octoDNS file holding one still loads.
    if (typeText === 'URLFWD') {
      warnAt(typeNode, 'URLFWD is an HTTP redirect some octoDNS providers run, not DNS data: not served');
      return undefined;
    }
    for (const k of ROUTING_KEYS) {
      const routing = get(k);
      if (routing !== undefined) warnAt(routing, `octoDNS "${k}" routing is for providers that answer by the client's location or pools: rotor serves the record's values to every client`);
    }
    const type = typeFromName(typeText);
    if (type === undefined) throw new LocatedError(typeNode, `unknown record type "${typeNode.value}"`);
    // Types spelled by their mnemonic only (TYPE1 is not A here), and not RFC 3597 data.
    if (rrType(type).generic || typeName(type) !== typeText) throw new LocatedError(typeNode, `record type ${typeText} is not supported in YAML zones`);

    let ttl = defaultTtl;
    const ttlNode = get('ttl');
    if (ttlNode !== undefined) {
      const v = isScalar(ttlNode) ? ttlNode.value : undefined;
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > MAX_TTL) {
        throw new LocatedError(ttlNode, `ttl must be an integer from 0 to ${MAX_TTL}`);
      }
      ttl = v;
    }

    const valueNode = get('value');
    const valuesNode = get('values');
    if (valueNode !== undefined && valuesNode !== undefined) throw new LocatedError(node, 'record has both "value" and "values"');
    let valueNodes: unknown[];
    if (valuesNode !== undefined) {
      valueNodes = isSeq(valuesNode) ? valuesNode.items : [valuesNode];
      if (valueNodes.length === 0) throw new LocatedError(valuesNode, '"values" is empty');
    } else if (valueNode !== undefined) {
      valueNodes = [valueNode];
    } else {
      throw new LocatedError(node, `${typeText} record has no "value" or "values"`);
    }
    if ((type === RRType.CNAME || type === RRType.SOA || type === RRType.ALIAS) && valueNodes.length > 1) {
      throw new LocatedError(valuesNode, `a ${typeText} record has exactly one value`);
    }
    if (type === RRType.SOA && !owner.equals(origin)) throw new LocatedError(typeNode, 'an SOA record belongs at the zone apex (owner \'\')');

    // Every value is read before any record goes: a bad one rejects the whole node.
    let serialAuto: boolean | undefined;
    const out: ParsedRecord[] = valueNodes.map((vn) => {
      try {
        const value = new NodeValue(vn, origin, warnAt);
        const rdata = fromYaml(type, value);
        if (type === RRType.SOA) serialAuto = isAutoSerial(value);
        return { owner, type, ttl, rdata, pos: posOf(vn) };
      } catch (e) {
        if (e instanceof ValueError) throw new LocatedError(e instanceof FieldError ? e.node : vn, e.message);
        throw e;
      }
    });
    for (const r of out) add(r);
    return serialAuto;
  }
}

class LocatedError extends Error {
  constructor(readonly node: unknown, message: string) {
    super(message);
  }
}

/** A ValueError about one field of a mapping value, located at that field. */
class FieldError extends ValueError {
  constructor(readonly node: unknown, message: string) {
    super(message);
  }
}

function scalarText(node: unknown, what: string): string {
  if (!isScalar(node) || (typeof node.value !== 'string' && typeof node.value !== 'number')) {
    throw new FieldError(node, `${what} must be a string`);
  }
  return String(node.value);
}

function field(node: unknown, key: string, what: string): unknown {
  if (!isMap(node)) throw new ValueError(`${what} value must be a mapping`);
  const v = node.get(key, true);
  if (v === undefined || v === null) throw new ValueError(`${what} value has no "${key}"`);
  return v;
}

function uintField(node: unknown, key: string, bits: 8 | 16 | 32, what: string): number {
  const v = field(node, key, what);
  try {
    return checkUint(isScalar(v) ? v.value : v, bits, `${what} ${key}`);
  } catch (e) {
    throw new FieldError(v, (e as Error).message);
  }
}

function nameField(node: unknown, key: string, what: string, origin: Name): Name {
  const v = field(node, key, what);
  try {
    return parseDomainName(scalarText(v, `${what} ${key}`), origin);
  } catch (e) {
    if (e instanceof FieldError) throw e;
    throw new FieldError(v, (e as Error).message);
  }
}

/** One value node as the type modules read it (src/rrtypes/rrtype.ts). */
class NodeValue implements YamlValue {
  constructor(private readonly node: unknown, readonly origin: Name, private readonly warnAt: (node: unknown, message: string) => void) {}
  text(what: string): string {
    return scalarText(this.node, what);
  }
  items(): YamlValue[] | undefined {
    return isSeq(this.node) ? this.node.items.map((n) => new NodeValue(n, this.origin, this.warnAt)) : undefined;
  }
  isMap(): boolean {
    return isMap(this.node);
  }
  keys(): string[] | undefined {
    return isMap(this.node) ? (this.node.items as Pair<unknown, unknown>[]).map((p) => String(isScalar(p.key) ? p.key.value : p.key)) : undefined;
  }
  has(key: string): boolean {
    return isMap(this.node) && this.node.has(key);
  }
  peek(key: string): unknown {
    const v = isMap(this.node) ? this.node.get(key, true) : undefined;
    return isScalar(v) ? v.value : v;
  }
  field(key: string, what: string): YamlValue {
    return new NodeValue(field(this.node, key, what), this.origin, this.warnAt);
  }
  uint(key: string, bits: 8 | 16 | 32, what: string): number {
    return uintField(this.node, key, bits, what);
  }
  name(key: string, what: string): Name {
    return nameField(this.node, key, what, this.origin);
  }
  fromText(mnemonic: string): Buffer {
    const text = scalarText(this.node, `${mnemonic} value`).replace(/[\r\n]/g, ' ');
    // The value is the record's master-file text after the type, read by the master-file parser.
    const parsed = parseMasterFile(`@ 0 IN ${mnemonic} ${text}\n`, 'value', this.origin, 0);
    const problem = parsed.diagnostics[0];
    if (problem) throw new FieldError(this.node, `${mnemonic} value: ${problem.message}`);
    return parsed.records[0]!.rdata;
  }
  fail(message: string): never {
    throw new FieldError(this.node, message);
  }
  warn(message: string): void {
    this.warnAt(this.node, message);
  }
}

// RFC 1035 §5 master files, as BIND, NSD and Knot read them: $ORIGIN, $TTL,
// $INCLUDE, parentheses, comments, quoted strings, TTL units and the RFC 3597
// generic form. Every error becomes a diagnostic at the file:line:col of the
// token it is about; nothing throws out of the parser.
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { takesRest } from '../rrtypes/fields.js';
import { invalidData, parseText, readRData, rrType } from '../rrtypes/registry.js';
import type { TextArgs } from '../rrtypes/rrtype.js';
import { soaMinimum } from '../rrtypes/soa.js';
import { checkUint, parseDomainName, ValueError } from '../rrtypes/values.js';
import { Name, WireError } from '../wire/name.js';
import type { MessageWriter } from '../wire/writer.js';
import { RRType, typeFromName, typeName } from '../wire/types.js';
import type { Diagnostic } from './errors.js';
import type { ParsedRecord, SourcePos } from './records.js';

/** Reads an $INCLUDEd file; throws (any error) when it cannot. */
export type IncludeReader = (path: string) => string;

const MAX_TTL = 0x7fffffff; // RFC 2181 §8
const MAX_INCLUDE_DEPTH = 16;
/**
 * A file that is not a zone file gives an error on nearly every line: past this
 * many the rest is not read, so that neither the diagnostics nor the log grow
 * with the size of such a file.
 */
const MAX_ERRORS = 100;
/** Longest text of a token quoted in a message; more is cut, so a message never carries much of a file. */
const MAX_QUOTED = 40;

function clip(text: string): string {
  return text.length > MAX_QUOTED ? `${text.slice(0, MAX_QUOTED)}…` : text;
}

const LONG_QUOTE = new RegExp(`"([^"\\n]{${MAX_QUOTED + 1},})"`, 'g');

/** Cuts every "quoted" piece of a message (the value parsers quote what they refuse) to MAX_QUOTED characters. */
function capQuotes(message: string): string {
  return message.replace(LONG_QUOTE, (_, text: string) => `"${clip(text)}"`);
}

/** Whether an entry has a record type among its words: then, right or wrong, it is meant as a record. */
function namesAType(tokens: Token[]): boolean {
  return tokens.some((t) => !t.quoted && typeFromName(t.text) !== undefined);
}

/** Thrown once MAX_ERRORS errors are found, and caught where parsing starts. */
class TooManyErrors extends Error {}

interface Token {
  /** As written, escapes kept (names keep them for Name.parse); quotes removed. */
  text: string;
  quoted: boolean;
  line: number;
  col: number;
}

class LocatedError extends Error {
  constructor(readonly token: Token, message: string) {
    super(message);
  }
}

const SPACE = 0x20, TAB = 0x09, LF = 0x0a, CR = 0x0d, QUOTE = 0x22, SEMI = 0x3b;
const LPAREN = 0x28, RPAREN = 0x29, BACKSLASH = 0x5c;

function endsUnquoted(c: number): boolean {
  return c === SPACE || c === TAB || c === LF || c === CR || c === SEMI || c === LPAREN || c === RPAREN || c === QUOTE;
}

/**
 * Splits a file into entries: the tokens of one logical line, where parentheses
 * join physical lines. Comments and blank lines produce nothing.
 */
class Lexer {
  private pos = 0;
  private lineStart = 0;

  /** `line`: the number of the text's first line (a part of a file after a cut starts further on). */
  constructor(private readonly text: string, private readonly fail: (line: number, col: number, message: string) => void, private line = 1) {}

  /** The next entry, whether its line began with a blank (the owner is omitted), or undefined at the end. */
  next(): { tokens: Token[]; blankOwner: boolean } | undefined {
    const text = this.text;
    const len = text.length;
    while (this.pos < len) {
      const first = text.charCodeAt(this.pos);
      const blankOwner = first === SPACE || first === TAB;
      const tokens: Token[] = [];
      let open: { line: number; col: number } | undefined;
      let broken = false;
      while (this.pos < len) {
        const c = text.charCodeAt(this.pos);
        if (c === LF) {
          this.pos++;
          this.line++;
          this.lineStart = this.pos;
          if (!open) break;
        } else if (c === SPACE || c === TAB || c === CR) {
          this.pos++;
        } else if (c === SEMI) {
          const nl = text.indexOf('\n', this.pos);
          this.pos = nl < 0 ? len : nl;
        } else if (c === LPAREN) {
          if (open) {
            broken = this.error(`nested "(": the one at line ${open.line}:${open.col} is still open`);
            break;
          }
          open = { line: this.line, col: this.col };
          this.pos++;
        } else if (c === RPAREN) {
          if (!open) {
            broken = this.error('")" without a "(" before it');
            break;
          }
          open = undefined;
          this.pos++;
        } else if (c === QUOTE) {
          const token = this.quoted();
          if (!token) {
            broken = true;
            break;
          }
          tokens.push(token);
        } else {
          tokens.push(this.unquoted());
        }
      }
      if (broken) {
        // The rest of the entry is lost; its other lines must not read as records of their own.
        if (open) this.skipPast(RPAREN);
        this.skipPast(LF);
        continue;
      }
      if (open) {
        this.fail(open.line, open.col, '"(" is never closed');
        return undefined;
      }
      if (tokens.length > 0) return { tokens, blankOwner };
    }
    return undefined;
  }

  private get col(): number {
    return this.pos - this.lineStart + 1;
  }

  private error(message: string): true {
    this.fail(this.line, this.col, message);
    return true;
  }

  /** Moves past the next `c` (or to the end), counting lines. */
  private skipPast(c: number): void {
    const text = this.text;
    while (this.pos < text.length) {
      const at = text.charCodeAt(this.pos++);
      if (at === LF) {
        this.line++;
        this.lineStart = this.pos;
      }
      if (at === c) return;
    }
  }

  private unquoted(): Token {
    const text = this.text;
    const start = this.pos;
    const token = { text: '', quoted: false, line: this.line, col: this.col };
    let i = start;
    for (; i < text.length; i++) {
      const c = text.charCodeAt(i);
      // An escaped blank or delimiter belongs to the token; a newline never does.
      if (c === BACKSLASH && i + 1 < text.length && text.charCodeAt(i + 1) !== LF) i++;
      else if (endsUnquoted(c)) break;
    }
    this.pos = i;
    token.text = text.slice(start, i);
    return token;
  }

  /** A "quoted string" on one line (BIND rejects a line break inside one too). */
  private quoted(): Token | undefined {
    const text = this.text;
    const token = { text: '', quoted: true, line: this.line, col: this.col };
    for (let i = this.pos + 1; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === LF) break;
      if (c === BACKSLASH) {
        if (text.charCodeAt(i + 1) === LF) break;
        i++;
      } else if (c === QUOTE) {
        token.text = text.slice(this.pos + 1, i);
        this.pos = i + 1;
        return token;
      }
    }
    this.error('quoted string is not closed on its line');
    return undefined;
  }
}

/** A TTL in seconds: plain digits or units as BIND writes them (1w2d, 1h30m); undefined if malformed. */
export function parseTtl(text: string): number | undefined {
  if (text.length === 0) return undefined;
  let total = 0;
  let n = 0;
  let digits = 0;
  let units = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i) | 0x20;
    if (c >= 0x30 && c <= 0x39) {
      n = n * 10 + (c - 0x30);
      digits++;
      if (n > 0xffffffff) return undefined;
      continue;
    }
    const unit = c === 0x77 ? 604800 : c === 0x64 ? 86400 : c === 0x68 ? 3600 : c === 0x6d ? 60 : c === 0x73 ? 1 : 0;
    if (unit === 0 || digits === 0) return undefined;
    total += n * unit;
    n = 0;
    digits = 0;
    units++;
  }
  // "1h30" is an error to BIND: once units are used, every number carries one.
  if (digits > 0 && units > 0) return undefined;
  total += n;
  return total > 0xffffffff ? undefined : total;
}

const CLASSES: Record<string, number> = { IN: 1, CS: 2, CH: 3, HS: 4 };

function classOf(text: string): number | undefined {
  if (text === 'IN') return 1;
  // Every class is two letters or CLASSnnn: the type after the class (A, MX, TXT…) is most often what is asked about.
  if (text.length !== 2 && !(text.length > 5 && (text.charCodeAt(0) | 0x20) === 0x63)) return undefined;
  const upper = text.toUpperCase();
  const known = CLASSES[upper];
  if (known !== undefined) return known;
  const m = /^CLASS(\d{1,5})$/.exec(upper);
  return m && Number(m[1]) <= 0xffff ? Number(m[1]) : undefined;
}

/** RFC 6895 §3.1: 0, OPT and 128–255 are not types a zone can hold. */
function isMetaType(type: number): boolean {
  return type === 0 || type === 41 || (type >= 128 && type <= 255);
}

/** The octets of a <character-string> as written: \X is X, \DDD is one octet, the rest is UTF-8. */
function octetsOf(tok: Token): Buffer {
  const text = tok.text;
  if (!text.includes('\\')) return Buffer.from(text, 'utf8');
  const parts: Buffer[] = [];
  let run = 0;
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) !== BACKSLASH) continue;
    parts.push(Buffer.from(text.slice(run, i), 'utf8'));
    const digits = text.slice(i + 1, i + 4);
    if (/^\d{3}$/.test(digits)) {
      const v = Number(digits);
      if (v > 255) throw new LocatedError(tok, `bad escape \\${digits}: a \\DDD escape is one octet, 000 to 255`);
      parts.push(Buffer.of(v));
      i += 3;
    } else if (i + 1 < text.length) {
      parts.push(Buffer.from(text[i + 1]!, 'utf8'));
      i++;
    } else {
      throw new LocatedError(tok, 'dangling backslash at the end of the text');
    }
    run = i + 1;
  }
  parts.push(Buffer.from(text.slice(run), 'utf8'));
  return Buffer.concat(parts);
}

function characterString(tok: Token): Buffer {
  const octets = octetsOf(tok);
  if (octets.length > 255) {
    throw new LocatedError(tok, `character-string of ${octets.length} octets: at most 255 fit; split it into several quoted strings`);
  }
  return octets;
}

/** parse(token text, ...args), its ValueError placed at the token. */
function located<A extends unknown[], T>(tok: Token, parse: (text: string, ...args: A) => T, ...args: A): T {
  try {
    return parse(tok.text, ...args);
  } catch (e) {
    if (e instanceof ValueError) throw new LocatedError(tok, e.message);
    throw e;
  }
}

const uint = (tok: Token, bits: 8 | 16 | 32, what: string): number => located(tok, checkUint, bits, what);

function timer(tok: Token, what: string): number {
  const v = parseTtl(tok.text);
  if (v === undefined) throw new LocatedError(tok, `${what} "${tok.text}" is not a number of seconds or a duration such as 1h30m`);
  return v;
}

/** The tokens after a record's type, offered to its type module (one object, reused for every record). */
class TokenArgs implements TextArgs {
  tokens: Token[] = [];
  constructor(private readonly names: (tok: Token) => Name, private readonly origin: () => Name) {}
  get count(): number {
    return this.tokens.length;
  }
  name(i: number): Name {
    return this.names(this.tokens[i]!);
  }
  writeName(i: number, w: MessageWriter): void {
    const text = this.tokens[i]!.text;
    if (!w.nameText(text, this.origin())) w.name(this.name(i), false);
  }
  uint(i: number, bits: 8 | 16 | 32, what: string): number {
    return uint(this.tokens[i]!, bits, what);
  }
  duration(i: number, what: string): number {
    return timer(this.tokens[i]!, what);
  }
  text<T>(i: number, parse: (text: string) => T): T {
    return located(this.tokens[i]!, parse);
  }
  characterString(i: number): Buffer {
    return characterString(this.tokens[i]!);
  }
  octets(i: number): Buffer {
    return octetsOf(this.tokens[i]!);
  }
  fail(i: number, message: string): never {
    throw new LocatedError(this.tokens[i]!, message);
  }
}

/** RFC 3597 §5: "\# LENGTH HEX...", the hex possibly split into several words. */
function genericData(args: Token[], typeText: string): Buffer {
  const marker = args[0]!;
  const lenTok = args[1];
  if (!lenTok) throw new LocatedError(marker, `${typeText} record in RFC 3597 form needs a length after \\#`);
  const length = uint(lenTok, 16, 'RFC 3597 data length');
  const hex = args.slice(2);
  for (const h of hex) {
    if (h.quoted || !/^[0-9A-Fa-f]*$/.test(h.text)) throw new LocatedError(h, `"${h.text}" is not hexadecimal`);
  }
  const all = hex.map((h) => h.text).join('');
  if (all.length % 2 === 1) throw new LocatedError(hex[hex.length - 1]!, 'hexadecimal data has an odd number of digits');
  if (all.length / 2 !== length) {
    throw new LocatedError(lenTok, `RFC 3597 length says ${length} octets but ${all.length / 2} follow`);
  }
  return Buffer.from(all, 'hex');
}

/**
 * RFC 3597 §5: data in generic form for a type with its own syntax means the same
 * record, so it must be valid data of that type (the answer code relies on it:
 * an SOA's MINIMUM, a CNAME's target). Throws ValueError when it is not.
 */
function rdataFromWire(type: number, data: Buffer): Buffer {
  let rd: Buffer;
  try {
    rd = readRData(data, 0, data.length, type);
  } catch (e) {
    if (e instanceof WireError) throw new ValueError(e.message);
    throw e;
  }
  const problem = invalidData(type, rd);
  if (problem) throw new ValueError(problem);
  // Catches what decoding alone lets through, such as a compressed name.
  if (!rd.equals(data)) throw new ValueError(`the data is not ${typeName(type)} data in uncompressed wire form`);
  return rd;
}

/** Parser state that lives across $INCLUDEs: TTL defaults carry on, origin and owner do not. */
class MasterFileParser {
  readonly records: ParsedRecord[] = [];
  readonly diagnostics: Diagnostic[] = [];
  autoSerial = true;
  private errors = 0;
  /** From $TTL (or an SOA's MINIMUM when the file has no $TTL). */
  dollarTtl: number | undefined;
  /** The last TTL written on a record. */
  private lastTtl: number | undefined;
  /**
   * Reading the part after a cut (see MasterFileCut): the last TTL written
   * before it is not known here until a record writes one. A record that would
   * take it sets `tookUnknownTtl`, and the parts do not join: the whole file is read again.
   */
  lastTtlUnknown = false;
  tookUnknownTtl = false;
  origin: Name;
  // A few names recur very often (MX exchanges, NS targets, owners written again):
  // one Name object each saves parsing time and memory. Names as written, under
  // the origin they were read with; cleared when it grows or the origin changes,
  // so a zone of unique names costs little more than without it.
  private readonly names = new Map<string, Name>();
  private namesOrigin: Name;
  private readonly args = new TokenArgs((tok) => this.name(tok), () => this.origin);
  /** The last owner written, as text under the origin of then: the next line often names it again. */
  private lastOwner: { text: string; origin: Name; name: Name } | undefined;

  constructor(
    origin: Name,
    private readonly defaultTtl: number,
    private readonly readInclude: IncludeReader | undefined,
    /** Where each record goes: the records array unless the caller takes them one by one. */
    private readonly sink: (r: ParsedRecord) => void = (r) => this.records.push(r),
  ) {
    this.origin = origin;
    this.namesOrigin = origin;
  }

  name(tok: Token): Name {
    if (tok.text === '@') return this.origin;
    if (this.namesOrigin !== this.origin || this.names.size >= 4096) {
      this.names.clear();
      this.namesOrigin = this.origin;
    }
    let n = this.names.get(tok.text);
    if (n === undefined) {
      n = located(tok, parseDomainName, this.origin);
      this.names.set(tok.text, n);
    }
    return n;
  }

  /**
   * An owner name. Owners are mostly written once, or on lines in a row: through
   * the cache of recurring names they would only push those out (and, in a
   * zone of a million names, fill the old generation with short-lived entries).
   */
  private ownerName(tok: Token): Name {
    const last = this.lastOwner;
    if (last && last.text === tok.text && last.origin === this.origin) return last.name;
    const name = tok.text === '@' ? this.origin : located(tok, parseDomainName, this.origin);
    this.lastOwner = { text: tok.text, origin: this.origin, name };
    return name;
  }

  /**
   * `including`: the resolved paths of this file and the files that include it.
   * An $INCLUDEd file whose first entry fails and names no record type is taken for what it
   * most likely is, a file that is not a zone file (a password file, a binary):
   * one error says so, and nothing of its content is quoted or read further.
   */
  parseFile(text: string, file: string, including: readonly string[], firstLine = 1): void {
    const included = including.length > 1;
    const errorsBefore = this.diagnostics.length;
    const notAZoneFile = (line: number, col: number) => {
      this.errors -= this.diagnostics.length - errorsBefore;
      this.diagnostics.length = errorsBefore;
      fail(line, col, 'this does not look like a zone file (its first entry is not a record or directive): it is not read');
    };
    const fail = (line: number, col: number, message: string) => {
      this.diagnostics.push({ pos: { file, line, col }, severity: 'error', message: capQuotes(message) });
      if (++this.errors >= MAX_ERRORS) {
        this.diagnostics.push({ pos: { file, line, col }, severity: 'error', message: `${MAX_ERRORS} errors: the rest of the zone is not read` });
        throw new TooManyErrors();
      }
    };
    const lexer = new Lexer(text, fail, firstLine);
    // undefined: no owner yet; null: the last owner was bad and has been reported.
    let owner: Name | null | undefined;
    let entry = lexer.next();
    if (included && this.diagnostics.length > errorsBefore) return notAZoneFile(1, 1);
    for (let firstEntry = included; entry; entry = lexer.next(), firstEntry = false) {
      const tokens = entry.tokens;
      const first = tokens[0]!;
      const isDirective = !entry.blankOwner && !first.quoted && first.text.startsWith('$');
      try {
        if (isDirective) {
          this.directive(tokens, file, including);
          continue;
        }
        let i = 0;
        if (!entry.blankOwner) {
          owner = null; // stays so if the name is bad
          owner = this.ownerName(first);
          i = 1;
        } else if (owner === undefined) {
          throw new LocatedError(first, 'the first record has no owner name (its line starts with a blank)');
        } else if (owner === null) {
          continue;
        }
        this.record(owner, tokens, i, { file, line: first.line, col: first.col });
      } catch (e) {
        if (!(e instanceof LocatedError)) throw e;
        if (firstEntry && !isDirective && !namesAType(tokens)) return notAZoneFile(first.line, first.col);
        fail(e.token.line, e.token.col, e.message);
      }
    }
  }

  /** Reads the zone file itself (parseFile at the top), up to MAX_ERRORS errors. */
  read(text: string, file: string, firstLine = 1): void {
    try {
      this.parseFile(text, file, [resolve(file)], firstLine);
    } catch (e) {
      if (!(e instanceof TooManyErrors)) throw e;
    }
  }

  private directive(tokens: Token[], file: string, including: readonly string[]): void {
    const [d, arg, extra] = tokens as [Token, Token | undefined, Token | undefined];
    const word = d.text.toUpperCase();
    const onlyOne = () => {
      if (!arg) throw new LocatedError(d, `${word} needs an argument`);
      if (extra) throw new LocatedError(extra, `unexpected "${extra.text}" after ${word} ${clip(arg.text)}`);
    };
    switch (word) {
      case '$ORIGIN':
        onlyOne();
        // A relative $ORIGIN is relative to the current one, as in BIND.
        this.origin = this.name(arg!);
        return;
      case '$TTL': {
        onlyOne();
        const ttl = parseTtl(arg!.text);
        if (ttl === undefined || ttl > MAX_TTL) throw new LocatedError(arg!, `$TTL "${arg!.text}" is not a TTL from 0 to ${MAX_TTL} seconds (units w d h m s allowed)`);
        this.dollarTtl = ttl;
        return;
      }
      case '$INCLUDE': {
        if (!arg) throw new LocatedError(d, '$INCLUDE needs a file name');
        if (tokens.length > 3) throw new LocatedError(tokens[3]!, `unexpected "${tokens[3]!.text}" after $INCLUDE ${clip(arg.text)} ${clip(extra!.text)}`);
        this.include(arg, extra, file, including);
        return;
      }
      default:
        throw new LocatedError(d, `unknown directive ${clip(d.text)} (known: $ORIGIN, $TTL, $INCLUDE)`);
    }
  }

  private include(pathTok: Token, originTok: Token | undefined, file: string, including: readonly string[]): void {
    if (!this.readInclude) throw new LocatedError(pathTok, '$INCLUDE is not available here');
    const path = isAbsolute(pathTok.text) ? pathTok.text : join(dirname(file), pathTok.text);
    if (including.includes(resolve(path))) throw new LocatedError(pathTok, `$INCLUDE loop: ${path} is already being read`);
    if (including.length >= MAX_INCLUDE_DEPTH) throw new LocatedError(pathTok, `$INCLUDE nested more than ${MAX_INCLUDE_DEPTH} deep`);
    const newOrigin = originTok ? this.name(originTok) : this.origin;
    let text: string;
    try {
      text = this.readInclude(path);
    } catch (e) {
      throw new LocatedError(pathTok, `cannot read $INCLUDE file ${path}: ${(e as Error).message}`);
    }
    // RFC 1035 §5.1: the origin reverts when the included file ends.
    const saved = this.origin;
    this.origin = newOrigin;
    try {
      this.parseFile(text, path, [...including, resolve(path)]);
    } finally {
      this.origin = saved;
    }
  }

  private record(owner: Name, tokens: Token[], start: number, pos: SourcePos): void {
    let i = start;
    let ttl: number | undefined;
    let classSeen = false;
    // TTL and class come in either order before the type (RFC 1035 §5.1).
    for (; i < tokens.length; i++) {
      const tok = tokens[i]!;
      if (tok.quoted) break;
      const c = tok.text.charCodeAt(0);
      if (c >= 0x30 && c <= 0x39) {
        if (ttl !== undefined) throw new LocatedError(tok, `a second TTL "${tok.text}"`);
        const v = parseTtl(tok.text);
        if (v === undefined || v > MAX_TTL) throw new LocatedError(tok, `TTL "${tok.text}" is not a TTL from 0 to ${MAX_TTL} seconds (units w d h m s allowed)`);
        ttl = v;
        continue;
      }
      const cls = classOf(tok.text);
      if (cls === undefined) break;
      if (classSeen) throw new LocatedError(tok, `a second class "${tok.text}"`);
      if (cls !== 1) throw new LocatedError(tok, `class ${tok.text}: only IN zones are served`);
      classSeen = true;
    }
    const typeTok = tokens[i];
    if (!typeTok) throw new LocatedError(tokens[tokens.length - 1]!, 'record has no type');
    const type = typeTok.quoted ? undefined : typeFromName(typeTok.text);
    if (type === undefined) {
      const hint = typeTok.text.startsWith('$') ? ' (directives start at the beginning of a line)' : ' (write other types as TYPEnnn \\# LENGTH HEX, RFC 3597)';
      throw new LocatedError(typeTok, `unknown record type "${typeTok.text}"${hint}`);
    }
    const typeText = typeName(type);
    if (isMetaType(type)) throw new LocatedError(typeTok, `${typeText} is a query or meta type, not a record type`);
    const args = tokens.slice(i + 1);
    const mod = rrType(type);
    let rdata: Buffer;
    if (args[0] && !args[0].quoted && args[0].text === '\\#') {
      const data = genericData(args, typeText);
      rdata = mod.generic ? data : located(args[0], () => rdataFromWire(type, data));
    } else if (!mod.generic) {
      const fields = mod.fields;
      const n = fields.length;
      // An empty type bitmap (NSEC of a name with no data) is no tokens at all.
      const needed = fields[n - 1]?.kind === 'types' ? n - 1 : n;
      if (mod.ownTokenCount && args.length === 0) throw new LocatedError(typeTok, `${typeText} record has no data`);
      if (!mod.ownTokenCount && args.length < needed) throw new LocatedError(typeTok, `${typeText} record is missing its ${fields.slice(args.length, needed).map((f) => f.label).join(', ')}`);
      if (!mod.ownTokenCount && args.length > n && !takesRest(fields[n - 1]!)) throw new LocatedError(args[n]!, `unexpected "${args[n]!.text}" after the ${typeText} data`);
      this.args.tokens = args;
      rdata = parseText(type, this.args);
    } else {
      throw new LocatedError(typeTok, `record type ${typeText} has no presentation syntax in rotor; write it in RFC 3597 form (${typeText} \\# LENGTH HEX)`);
    }

    if (type === RRType.SOA) this.autoSerial = false;
    // Without $TTL a record takes the last TTL written (RFC 1035 §5.1), and an SOA
    // with none takes its MINIMUM, which then serves as $TTL: both as BIND does.
    // Where BIND would reject the zone for want of any TTL, the server's default is used.
    if (ttl !== undefined) {
      this.lastTtl = ttl;
      this.lastTtlUnknown = false;
    } else if (this.dollarTtl !== undefined) ttl = this.dollarTtl;
    else if (this.lastTtlUnknown) {
      this.tookUnknownTtl = true;
      ttl = this.defaultTtl;
    } else if (this.lastTtl !== undefined) ttl = this.lastTtl;
    else if (type === RRType.SOA) ttl = this.dollarTtl = Math.min(soaMinimum(rdata), MAX_TTL);
    else ttl = this.defaultTtl;
    this.sink({ owner, type, ttl, rdata, pos });
  }
}

/** What a loader makes of a zone file's text. */
export interface ParsedZoneText {
  records: ParsedRecord[];
  diagnostics: Diagnostic[];
  /** `serial: auto` (or no SOA at all): the loader picks an increasing serial. */
  autoSerial: boolean;
}

/**
 * Parses a master file whose names are relative to `origin` until an $ORIGIN says
 * otherwise. $INCLUDE paths are relative to the including file's directory and
 * are read with `readInclude`; without it, $INCLUDE is an error. With `sink`,
 * records go to it as they are read and the result's `records` stays empty.
 */
export function parseMasterFile(text: string, file: string, origin: Name, defaultTtl: number, readInclude?: IncludeReader, sink?: (r: ParsedRecord) => void): ParsedZoneText {
  const p = new MasterFileParser(origin, defaultTtl, readInclude, sink);
  p.read(text, file);
  return { records: p.records, diagnostics: p.diagnostics, autoSerial: p.autoSerial };
}

/** What reading the part after a cut found, besides its records. */
export interface PartOutcome {
  /** Read as the whole file's parser would have read it: no errors, and no record took a TTL written before the cut. */
  clean: boolean;
  /** No SOA in the part. */
  autoSerial: boolean;
}

/** Reads `part`, the text after `cut` (see findCut), into `sink` as if the head before it had been read. */
export function parseMasterFilePart(part: string, file: string, cut: Omit<MasterFileCut, 'at'>, defaultTtl: number, sink: (r: ParsedRecord) => void): PartOutcome {
  const p = new MasterFileParser(cut.origin, defaultTtl, undefined, sink);
  p.dollarTtl = cut.dollarTtl;
  p.lastTtlUnknown = true;
  p.read(part, file, cut.line);
  return { clean: p.diagnostics.length === 0 && !p.tookUnknownTtl, autoSerial: p.autoSerial };
}

/** The part after a cut, read elsewhere: `take` adds its records after those sent to the sink so far. */
export interface JoinablePart {
  outcome: PartOutcome;
  take(): void;
}

/**
 * parseMasterFile for a file cut at `cut` (see findCut): `head` is its text up
 * to the cut, read here, while the part after it is read elsewhere (another
 * thread) into `part`. When the head reads without an error and ends in the
 * state the part was read with, and the part read clean, the part's records
 * follow the head's and the outcome is the file's. Otherwise (the guess was
 * wrong: an entry in parentheses runs over the cut, or a record takes its TTL
 * from before it; either side has errors, to report in order; the part never
 * came) undefined: read the whole file again, into a new sink.
 * `meanwhile` runs once the head is read, while the part may still be coming.
 */
export async function parseMasterFileInParts(
  head: string, file: string, origin: Name, defaultTtl: number, sink: (r: ParsedRecord) => void, cut: MasterFileCut, part: Promise<JoinablePart | undefined>,
  meanwhile?: () => void,
): Promise<ParsedZoneText | undefined> {
  const p = new MasterFileParser(origin, defaultTtl, undefined, sink);
  p.read(head, file);
  if (p.diagnostics.length > 0 || p.origin.toString() !== cut.origin.toString() || p.dollarTtl !== cut.dollarTtl) return undefined;
  meanwhile?.();
  const read = await part;
  if (!read?.outcome.clean) return undefined;
  read.take();
  return { records: p.records, diagnostics: p.diagnostics, autoSerial: p.autoSerial && read.outcome.autoSerial };
}

/**
 * A place to cut a large master file in two, so that the part after it is read
 * on another thread while this one reads the head: a line that starts with an
 * owner name, and the $ORIGIN and $TTL in force there as the directives before
 * it say. Read ahead without the parser, so it is a guess; the head's parser
 * confirms it when it gets there (see parseMasterFileInParts).
 */
export interface MasterFileCut {
  /** The offset of the line. */
  at: number;
  line: number;
  origin: Name;
  dollarTtl: number | undefined;
}

const LINE_FEED = 0x0a, DOLLAR = 0x24;

/** An octet that can start an owner name at the beginning of a line (not a blank, comment, directive, parenthesis or quote). */
function startsOwner(c: number): boolean {
  return !endsUnquoted(c) && c !== DOLLAR;
}

/**
 * A cut near `fraction` of a file's octets, or undefined where the file is not
 * worth cutting: it $INCLUDEs (the part would read files on another thread,
 * within the same octet budget), or a directive before the cut does not read
 * plainly. A line feed is never part of a multi-octet UTF-8 character, so the
 * octets on either side of a cut decode on their own.
 */
export function findCut(octets: Uint8Array, origin: Name, fraction = 0.5): MasterFileCut | undefined {
  const text = Buffer.from(octets.buffer, octets.byteOffset, octets.length);
  let at = text.indexOf(LINE_FEED, Math.floor(text.length * fraction));
  while (at >= 0 && at + 1 < text.length && !startsOwner(text[at + 1]!)) at = text.indexOf(LINE_FEED, at + 1);
  if (at < 0 || at + 1 >= text.length) return undefined;
  at++;
  let line = 1;
  let dollarTtl: number | undefined;
  for (let start = 0; ; line++) {
    if (text[start] === DOLLAR) {
      const words = text.toString('utf8', start, text.indexOf(LINE_FEED, start)).split(';')[0]!.trim().split(/[ \t]+/);
      const [word, arg] = [words[0]!.toUpperCase(), words[1]];
      if (words.length !== 2 || /[()"\\]/.test(arg!)) return undefined;
      if (word === '$TTL') {
        dollarTtl = parseTtl(arg!);
        if (dollarTtl === undefined || dollarTtl > MAX_TTL) return undefined;
      } else if (word === '$ORIGIN') {
        try {
          origin = parseDomainName(arg!, origin);
        } catch {
          return undefined;
        }
      } else {
        return undefined;
      }
    }
    start = text.indexOf(LINE_FEED, start) + 1;
    if (start === at) break;
  }
  for (let d = text.indexOf('\n$', at - 1, 'latin1'); d >= 0; d = text.indexOf('\n$', d + 2, 'latin1')) {
    if (text.toString('latin1', d + 2, d + 9).toUpperCase() === 'INCLUDE') return undefined;
  }
  return { at, line: line + 1, origin, dollarTtl };
}

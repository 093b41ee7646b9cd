// A reader for the plain YAML that zone files are written in: block mappings and
// sequences indented with spaces, one-line plain and quoted scalars, one-line
// flow collections. It builds the same nodes, with the same source ranges, as
// the yaml library's parseDocument, at several times its speed; the library is
// what costs most when a large YAML zone loads. Anything outside that subset
// (anchors, tags, block scalars, multi-line scalars, floats and booleans, ...)
// makes it give up, and the caller parses with the library instead.
import { Pair, Scalar, YAMLMap, YAMLSeq } from 'yaml';

class NotPlain extends Error {}
const notPlain = new NotPlain();

const SPACE = 0x20, HASH = 0x23, QUOTE = 0x27, DQUOTE = 0x22, COLON = 0x3a, DASH = 0x2d, COMMA = 0x2c;
const LBRACKET = 0x5b, RBRACKET = 0x5d, LBRACE = 0x7b, RBRACE = 0x7d, CR = 0x0d;

/** Characters that may not start a plain scalar here (YAML 1.2 §7.3.3 c-indicator), besides "-" and ":". */
const INDICATORS = new Set([...'?,[]{}#&*!|>\'"%@`'].map((c) => c.charCodeAt(0)));

/** Plain scalars the core schema reads as something other than a string or a decimal integer. */
const SPECIAL = /^(?:~|null|Null|NULL|true|True|TRUE|false|False|FALSE|[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)|0o[0-7]+|0x[0-9a-fA-F]+)$/;
const DECIMAL = /^[0-9]+$/;
/** Tabs, control characters and non-ASCII text: where YAML's rules on blanks and line breaks get subtle. */
const UNUSUAL = /[^\x20-\x7e\n\r]/;

// The library's node constructors mark each node with its kind through
// Object.defineProperty, which makes making nodes its costliest step. These
// prototypes carry the same mark once, for every node made from them; isMap,
// isScalar and the rest, and the classes' methods, work on such nodes as on
// their own.
function prototypeOf<T extends object>(sample: T): T {
  const mark = Object.getOwnPropertySymbols(sample)[0]!;
  return Object.create(Object.getPrototypeOf(sample) as object, { [mark]: { value: (sample as Record<symbol, unknown>)[mark] } }) as T;
}
const SCALAR = prototypeOf(new Scalar(null));
const MAP = prototypeOf(new YAMLMap());
const SEQ = prototypeOf(new YAMLSeq());
const PAIR = prototypeOf(new Pair(null));

function scalar(value: unknown, start: number, end: number): Scalar {
  const s = Object.create(SCALAR) as Scalar;
  s.value = value;
  s.range = [start, end, end];
  return s;
}

function collection<T extends YAMLMap | YAMLSeq>(proto: T, start: number): T {
  const node = Object.create(proto) as T;
  node.items = [];
  node.range = [start, start, start];
  return node;
}

function pair(key: Scalar, value: unknown): Pair<Scalar, unknown> {
  const p = Object.create(PAIR) as Pair<Scalar, unknown>;
  p.key = key;
  p.value = value;
  return p;
}

interface Frame {
  node: YAMLMap | YAMLSeq;
  indent: number;
  /** A key of this mapping whose value starts on a later line. */
  open: Pair<Scalar, unknown> | undefined;
}

/**
 * The document's top-level mapping, or undefined when the text is not in the
 * subset (or is empty): then only the library knows what it means.
 */
export function readPlainYaml(text: string): YAMLMap | undefined {
  try {
    return new Reader(text).read();
  } catch (e) {
    if (e === notPlain) return undefined;
    throw e;
  }
}

class Reader {
  private pos = 0;
  /** End of the current line (the offset of its "\n", or of the text's end). */
  private eol = 0;

  constructor(private readonly text: string) {}

  read(): YAMLMap | undefined {
    const text = this.text;
    if (UNUSUAL.test(text)) throw notPlain;
    const stack: Frame[] = [];
    let root: YAMLMap | undefined;
    for (let start = 0; start < text.length; start = this.eol + 1) {
      let eol = text.indexOf('\n', start);
      if (eol < 0) eol = text.length;
      this.eol = eol;
      let p = start;
      while (p < eol && text.charCodeAt(p) === SPACE) p++;
      const c = text.charCodeAt(p);
      if (p === eol || c === HASH || (c === CR && p + 1 === eol)) continue;
      const indent = p - start;
      this.pos = p;
      while (stack.length && indent < stack[stack.length - 1]!.indent) {
        if (stack.pop()!.open) throw notPlain; // a key with no value: null
      }
      let top = stack[stack.length - 1];
      if (!top) {
        if (root || indent !== 0) throw notPlain;
        root = collection(MAP, p);
        top = { node: root, indent, open: undefined };
        stack.push(top);
      }
      if (top.open) {
        if (indent <= top.indent) throw notPlain;
        const open = top.open;
        top.open = undefined;
        const nested: YAMLMap | YAMLSeq = this.isSeqEntry() ? collection(SEQ, p) : collection(MAP, p);
        open.value = nested;
        top = { node: nested, indent, open: undefined };
        stack.push(top);
      } else if (indent !== top.indent) {
        throw notPlain;
      }
      if (top.node instanceof YAMLSeq) {
        if (!this.isSeqEntry()) throw notPlain;
        this.pos += 2;
        this.skipSpaces();
        if (this.atMapEntry()) {
          const map = collection(MAP, this.pos);
          top.node.items.push(map);
          top = { node: map, indent: this.pos - start, open: undefined };
          stack.push(top);
          this.entry(top);
        } else {
          top.node.items.push(this.inlineValue());
          this.endOfLine();
        }
      } else {
        if (this.isSeqEntry()) throw notPlain;
        this.entry(top);
      }
    }
    if (stack.some((f) => f.open)) throw notPlain;
    return root;
  }

  private isSeqEntry(): boolean {
    return this.text.charCodeAt(this.pos) === DASH && this.text.charCodeAt(this.pos + 1) === SPACE;
  }

  private skipSpaces(): void {
    while (this.pos < this.eol && this.text.charCodeAt(this.pos) === SPACE) this.pos++;
  }

  /** A ":" at `at` that ends a block mapping key: followed by a blank or the line's end. */
  private colonEnds(at: number): boolean {
    const next = this.text.charCodeAt(at + 1);
    return this.text.charCodeAt(at) === COLON && (at + 1 === this.eol || next === SPACE || next === CR);
  }

  /** Whether the rest of the line is "key: value" or "key:". */
  private atMapEntry(): boolean {
    const text = this.text;
    const c = text.charCodeAt(this.pos);
    if (c === QUOTE || c === DQUOTE) {
      const close = text.indexOf(String.fromCharCode(c), this.pos + 1);
      return close > 0 && close < this.eol && this.colonEnds(close + 1);
    }
    for (let i = this.pos; i < this.eol; i++) if (this.colonEnds(i)) return true;
    return false;
  }

  /** One "key: value" or "key:" line of a block mapping. */
  private entry(frame: Frame): void {
    const key = this.key();
    this.skipSpaces();
    const entry = pair(key, null);
    (frame.node as YAMLMap).items.push(entry);
    if (this.atEndOfLine()) {
      frame.open = entry;
      return;
    }
    entry.value = this.inlineValue();
    this.endOfLine();
  }

  private key(): Scalar {
    const text = this.text;
    const c = text.charCodeAt(this.pos);
    let key: Scalar;
    if (c === QUOTE || c === DQUOTE) {
      key = this.quoted();
    } else {
      const start = this.pos;
      if (INDICATORS.has(c) || c === DASH || c === COLON) throw notPlain;
      let end = start;
      while (end < this.eol && !this.colonEnds(end)) {
        if (text.charCodeAt(end) === HASH && text.charCodeAt(end - 1) === SPACE) throw notPlain;
        end++;
      }
      while (end > start && text.charCodeAt(end - 1) === SPACE) end--;
      this.pos = end;
      key = this.plain(start, end);
    }
    this.skipSpaces();
    if (!this.colonEnds(this.pos)) throw notPlain;
    this.pos++;
    return key;
  }

  /** Nothing but blanks and perhaps a comment to the end of the line. */
  private atEndOfLine(): boolean {
    const c = this.text.charCodeAt(this.pos);
    return this.pos >= this.eol || c === HASH || (c === CR && this.pos + 1 === this.eol);
  }

  private endOfLine(): void {
    this.skipSpaces();
    if (!this.atEndOfLine()) throw notPlain;
    if (this.text.charCodeAt(this.pos) === HASH && this.text.charCodeAt(this.pos - 1) !== SPACE) throw notPlain;
  }

  private inlineValue(): Scalar | YAMLMap | YAMLSeq {
    const c = this.text.charCodeAt(this.pos);
    if (c === LBRACKET || c === LBRACE) return this.flow();
    if (c === QUOTE || c === DQUOTE) return this.quoted();
    if (INDICATORS.has(c) || c === COLON || (c === DASH && this.text.charCodeAt(this.pos + 1) === SPACE)) throw notPlain;
    const text = this.text;
    const start = this.pos;
    let end = start;
    for (; end < this.eol; end++) {
      const x = text.charCodeAt(end);
      if (x === HASH && text.charCodeAt(end - 1) === SPACE) break;
      // "a: b" inside a block value would be a nested mapping: an error the library should report.
      if (x === COLON && (end + 1 === this.eol || text.charCodeAt(end + 1) === SPACE)) throw notPlain;
    }
    while (end > start && (text.charCodeAt(end - 1) === SPACE || text.charCodeAt(end - 1) === CR)) end--;
    this.pos = end;
    return this.plain(start, end);
  }

  private plain(start: number, end: number): Scalar {
    if (end === start) throw notPlain;
    const s = this.text.slice(start, end);
    if (DECIMAL.test(s)) {
      const n = Number(s);
      if (!Number.isSafeInteger(n)) throw notPlain;
      return scalar(n, start, end);
    }
    if (SPECIAL.test(s)) throw notPlain;
    return scalar(s, start, end);
  }

  /** A quoted scalar closed on its line; double quotes only without escapes. */
  private quoted(): Scalar {
    const text = this.text;
    const start = this.pos;
    const q = text.charCodeAt(start);
    let value = '';
    let from = start + 1;
    for (;;) {
      const close = text.indexOf(String.fromCharCode(q), from);
      if (close < 0 || close >= this.eol) throw notPlain;
      value += text.slice(from, close);
      if (q === QUOTE && text.charCodeAt(close + 1) === QUOTE) {
        value += "'";
        from = close + 2;
        continue;
      }
      if (q === DQUOTE && value.includes('\\')) throw notPlain;
      this.pos = close + 1;
      return scalar(value, start, close + 1);
    }
  }

  /** A flow sequence or mapping that ends on the line it starts. */
  private flow(): YAMLMap | YAMLSeq {
    const text = this.text;
    const start = this.pos;
    const isMap = text.charCodeAt(start) === LBRACE;
    const node: YAMLMap | YAMLSeq = isMap ? collection(MAP, start) : collection(SEQ, start);
    const close = isMap ? RBRACE : RBRACKET;
    this.pos++;
    for (;;) {
      this.skipSpaces();
      if (this.pos >= this.eol) throw notPlain;
      if (text.charCodeAt(this.pos) === close) break;
      if (isMap) {
        const key = text.charCodeAt(this.pos) === QUOTE || text.charCodeAt(this.pos) === DQUOTE ? this.quoted() : this.flowPlain(true);
        this.skipSpaces();
        if (text.charCodeAt(this.pos) !== COLON || text.charCodeAt(this.pos + 1) !== SPACE) throw notPlain;
        this.pos += 2;
        this.skipSpaces();
        (node as YAMLMap).items.push(pair(key, this.flowItem()));
      } else {
        (node as YAMLSeq).items.push(this.flowItem());
      }
      this.skipSpaces();
      const sep = text.charCodeAt(this.pos);
      if (sep === COMMA) {
        this.pos++;
        this.skipSpaces();
        // A trailing comma, or an empty entry: leave those to the library.
        if (text.charCodeAt(this.pos) === close || text.charCodeAt(this.pos) === COMMA) throw notPlain;
      } else if (sep !== close) {
        throw notPlain;
      }
    }
    this.pos++;
    node.range = [start, this.pos, this.pos];
    return node;
  }

  private flowItem(): Scalar | YAMLMap | YAMLSeq {
    const c = this.text.charCodeAt(this.pos);
    if (c === LBRACKET || c === LBRACE) return this.flow();
    if (c === QUOTE || c === DQUOTE) return this.quoted();
    return this.flowPlain(false);
  }

  /** A plain scalar inside a flow collection: it ends at , ] } (or ": " after a key). */
  private flowPlain(isKey: boolean): Scalar {
    const text = this.text;
    const c = text.charCodeAt(this.pos);
    if (INDICATORS.has(c) || c === DASH || c === COLON) throw notPlain;
    const start = this.pos;
    let end = start;
    for (; end < this.eol; end++) {
      const x = text.charCodeAt(end);
      if (x === COMMA || x === RBRACKET || x === RBRACE || x === LBRACKET || x === LBRACE) break;
      if (x === HASH && text.charCodeAt(end - 1) === SPACE) throw notPlain;
      if (x === COLON && text.charCodeAt(end + 1) === SPACE) {
        if (!isKey) throw notPlain;
        break;
      }
    }
    if (text.charCodeAt(end) === LBRACKET || text.charCodeAt(end) === LBRACE) throw notPlain;
    let trimmed = end;
    while (trimmed > start && text.charCodeAt(trimmed - 1) === SPACE) trimmed--;
    this.pos = end;
    return this.plain(start, trimmed);
  }
}

// Domain names. A Name keeps the wire octets of each label as written (so case
// survives into answers) and a canonical key (lowercase presentation form,
// absolute) that every map in the server is keyed by.

export class NameError extends Error {}

const MAX_LABEL = 63;
const MAX_NAME = 255;

// Octets that stand for themselves in presentation form; everything else is escaped.
function isPlain(b: number): boolean {
  return b > 0x20 && b < 0x7f && b !== 0x2e && b !== 0x5c && b !== 0x22 && b !== 0x28 &&
    b !== 0x29 && b !== 0x3b && b !== 0x40 && b !== 0x24;
}

function labelText(label: Buffer, lower: boolean): string {
  let out = '';
  for (const raw of label) {
    const b = lower && raw >= 0x41 && raw <= 0x5a ? raw + 0x20 : raw;
    if (isPlain(b)) out += String.fromCharCode(b);
    else if (b > 0x20 && b < 0x7f) out += '\\' + String.fromCharCode(b);
    else out += '\\' + String(b).padStart(3, '0');
  }
  return out;
}

export class Name {
  readonly labels: readonly Buffer[];
  /** Lowercase presentation form with the trailing dot; the root is ".". */
  readonly key: string;
  private suffixes: string[] | undefined;

  private constructor(labels: readonly Buffer[], key: string) {
    this.labels = labels;
    this.key = key;
  }

  static readonly root = new Name([], '.');

  static fromLabels(labels: readonly Buffer[]): Name {
    if (labels.length === 0) return Name.root;
    let wire = 1;
    for (const l of labels) {
      if (l.length === 0) throw new NameError('empty label');
      if (l.length > MAX_LABEL) throw new NameError(`label longer than ${MAX_LABEL} octets`);
      wire += l.length + 1;
    }
    if (wire > MAX_NAME) throw new NameError(`name longer than ${MAX_NAME} octets`);
    return new Name(labels, labels.map((l) => labelText(l, true)).join('.') + '.');
  }

  /**
   * Parses presentation form (RFC 1035 §5.1 escapes: \X and \DDD). A name without a
   * trailing dot is relative to `origin`; without an origin it is taken as absolute.
   */
  static parse(text: string, origin?: Name): Name {
    if (text === '') throw new NameError('empty name');
    if (text === '.') return Name.root;
    const labels: Buffer[] = [];
    let cur: number[] = [];
    let absolute = false;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 0x2e) {
        if (cur.length === 0) throw new NameError(`empty label in "${text}"`);
        labels.push(Buffer.from(cur));
        cur = [];
        if (i === text.length - 1) absolute = true;
      } else if (c === 0x5c) {
        const d = text.slice(i + 1, i + 4);
        if (/^\d{3}$/.test(d)) {
          const v = Number(d);
          if (v > 255) throw new NameError(`bad escape \\${d} in "${text}"`);
          cur.push(v);
          i += 3;
        } else if (i + 1 < text.length) {
          cur.push(text.charCodeAt(++i));
        } else {
          throw new NameError(`dangling backslash in "${text}"`);
        }
      } else if (c > 0x7f) {
        throw new NameError(`non-ASCII character in "${text}" (use the A-label/punycode form)`);
      } else {
        cur.push(c);
      }
      if (cur.length > MAX_LABEL) throw new NameError(`label longer than ${MAX_LABEL} octets in "${text}"`);
    }
    if (cur.length > 0) labels.push(Buffer.from(cur));
    if (!absolute && origin) labels.push(...origin.labels);
    return Name.fromLabels(labels);
  }

  /** Presentation form with the case as written. */
  toString(): string {
    if (this.labels.length === 0) return '.';
    return this.labels.map((l) => labelText(l, false)).join('.') + '.';
  }

  get wireLength(): number {
    let n = 1;
    for (const l of this.labels) n += l.length + 1;
    return n;
  }

  /** suffixKey(i) is the key of the name formed by labels i..end. */
  suffixKey(i: number): string {
    if (!this.suffixes) {
      const s: string[] = new Array(this.labels.length + 1);
      s[this.labels.length] = '.';
      let acc = '';
      for (let j = this.labels.length - 1; j >= 0; j--) {
        acc = labelText(this.labels[j]!, true) + '.' + acc;
        s[j] = acc;
      }
      this.suffixes = s;
    }
    return this.suffixes[i]!;
  }

  isSubdomainOf(ancestor: Name): boolean {
    const skip = this.labels.length - ancestor.labels.length;
    return skip >= 0 && this.suffixKey(skip) === ancestor.key;
  }

  equals(other: Name): boolean {
    return this.key === other.key;
  }

  parent(): Name {
    if (this.labels.length === 0) throw new NameError('the root has no parent');
    return Name.fromLabels(this.labels.slice(1));
  }

  /** The first `count` labels removed. */
  strip(count: number): Name {
    return count === 0 ? this : Name.fromLabels(this.labels.slice(count));
  }

  prepend(label: string): Name {
    return Name.fromLabels([Buffer.from(label, 'latin1'), ...this.labels]);
  }

  get isWildcard(): boolean {
    const first = this.labels[0];
    return first !== undefined && first.length === 1 && first[0] === 0x2a;
  }

  /** Owner text relative to an origin it is inside: '' for the origin itself. */
  relativeTo(origin: Name): string {
    if (!this.isSubdomainOf(origin)) return this.toString();
    const n = this.labels.length - origin.labels.length;
    return this.labels.slice(0, n).map((l) => labelText(l, false)).join('.');
  }
}

export class WireError extends Error {}

/**
 * Reads a possibly compressed name. Every pointer must go strictly backwards from
 * the label that holds it, which rules out loops and forward references, and the
 * name's total length is capped at 255 octets.
 */
export function readName(buf: Buffer, offset: number): { name: Name; end: number } {
  const labels: Buffer[] = [];
  let pos = offset;
  let end = -1;
  let total = 1;
  let lowest = offset;
  for (;;) {
    if (pos >= buf.length) throw new WireError('name runs past the end of the message');
    const len = buf[pos]!;
    if (len === 0) {
      if (end < 0) end = pos + 1;
      break;
    }
    const kind = len & 0xc0;
    if (kind === 0xc0) {
      if (pos + 1 >= buf.length) throw new WireError('truncated compression pointer');
      const target = ((len & 0x3f) << 8) | buf[pos + 1]!;
      if (target >= lowest) throw new WireError('compression pointer does not point backwards');
      if (end < 0) end = pos + 2;
      lowest = target;
      pos = target;
      continue;
    }
    if (kind !== 0) throw new WireError('unsupported label type');
    if (pos + 1 + len > buf.length) throw new WireError('label runs past the end of the message');
    total += len + 1;
    if (total > MAX_NAME) throw new WireError('name longer than 255 octets');
    labels.push(buf.subarray(pos + 1, pos + 1 + len));
    pos += 1 + len;
  }
  return { name: Name.fromLabels(labels), end };
}

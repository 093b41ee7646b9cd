// Domain names. A Name keeps its presentation form as written (so case survives
// into answers) and a canonical key (lowercase presentation form, absolute) that
// every map in the server is keyed by.

import { HEADER_LENGTH } from './header.js';

export class NameError extends Error {}

export const MAX_LABEL = 63;
export const MAX_NAME = 255;

// Octets that stand for themselves in presentation form; everything else is escaped.
export function isPlain(b: number): boolean {
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

/** The label octets of presentation-form text (RFC 1035 §5.1 escapes: \X and \DDD). */
function decodeLabels(text: string): { labels: Buffer[]; absolute: boolean } {
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
  return { labels, absolute };
}

/** Where label `index` starts in a presentation form, skipping escaped dots. */
function labelOffset(text: string, index: number): number {
  let at = 0;
  for (let i = 0; i < index; i++) {
    for (;;) {
      const c = text.charCodeAt(at++);
      if (c === 0x2e) break;
      if (c === 0x5c) at += text.charCodeAt(at) >= 0x30 && text.charCodeAt(at) <= 0x39 ? 3 : 1;
    }
  }
  return at;
}

// A Name holds its presentation form and builds the label octets only when they
// are first asked for (the wire writer and readName need them; a zone of a
// million owners mostly does not), so a loaded name costs one object and
// usually one string.
export class Name {
  /** Lowercase presentation form with the trailing dot; the root is ".". */
  readonly key: string;
  readonly labelCount: number;
  /** Presentation form with the case as written: the same string as key when that is lowercase. */
  private readonly text: string;
  private octets: readonly Buffer[] | undefined;

  private constructor(text: string, labelCount: number, labels?: readonly Buffer[]) {
    // Both are ASCII (labelText escapes the rest), so lowering keeps every offset.
    const key = text.toLowerCase();
    this.key = key;
    this.text = key === text ? key : text;
    this.labelCount = labelCount;
    this.octets = labels;
  }

  static readonly root = new Name('.', 0, []);

  static fromLabels(labels: readonly Buffer[]): Name {
    if (labels.length === 0) return Name.root;
    let wire = 1;
    for (const l of labels) {
      if (l.length === 0) throw new NameError('empty label');
      if (l.length > MAX_LABEL) throw new NameError(`label longer than ${MAX_LABEL} octets`);
      wire += l.length + 1;
    }
    if (wire > MAX_NAME) throw new NameError(`name longer than ${MAX_NAME} octets`);
    return new Name(labels.map((l) => labelText(l, false)).join('.') + '.', labels.length, labels);
  }

  /**
   * The name of the wire labels wire[start, end) (no root octet) followed by
   * `origin`'s, when every octet is plain (none needs an escape); else undefined.
   * For names read back from wire data already checked (a zone's columns): no
   * presentation text to parse again.
   */
  static fromPlainWire(wire: Uint8Array, start: number, end: number, origin: Name): Name | undefined {
    if (start === end) return origin;
    if (end - start + origin.wireLength > MAX_NAME) return undefined;
    let text = '';
    let count = 0;
    for (let p = start; p < end; p += wire[p]! + 1, count++) {
      for (let i = p + 1; i <= p + wire[p]!; i++) {
        if (!isPlain(wire[i]!)) return undefined;
        text += String.fromCharCode(wire[i]!);
      }
      text += '.';
    }
    return new Name(origin.labelCount === 0 ? text : text + origin.text, count + origin.labelCount);
  }

  /**
   * Parses presentation form (RFC 1035 §5.1 escapes: \X and \DDD). A name without a
   * trailing dot is relative to `origin`; without an origin it is taken as absolute.
   */
  static parse(text: string, origin?: Name): Name {
    if (text === '') throw new NameError('empty name');
    if (text === '.') return Name.root;
    return Name.parsePlain(text, origin) ?? Name.parseEscaped(text, origin);
  }

  /** The common case, text already in canonical form (no escapes, no empty label): no octets built. */
  private static parsePlain(text: string, origin: Name | undefined): Name | undefined {
    let count = 0;
    let wire = 1;
    let length = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 0x2e) {
        if (length === 0) return undefined;
        count++;
        wire += length + 1;
        length = 0;
      } else if (!isPlain(c) || ++length > MAX_LABEL) {
        return undefined;
      }
    }
    if (length === 0) return wire > MAX_NAME ? undefined : new Name(text, count);
    count++;
    wire += length + 1;
    if (!origin || origin.labelCount === 0) return wire > MAX_NAME ? undefined : new Name(text + '.', count);
    if (wire + origin.wireLength - 1 > MAX_NAME) return undefined;
    return new Name(text + '.' + origin.text, count + origin.labelCount);
  }

  private static parseEscaped(text: string, origin: Name | undefined): Name {
    const { labels, absolute } = decodeLabels(text);
    if (!absolute && origin) labels.push(...origin.labels);
    return Name.fromLabels(labels);
  }

  /** The octets of each label, as they go on the wire. */
  get labels(): readonly Buffer[] {
    this.octets ??= decodeLabels(this.text).labels;
    return this.octets;
  }

  /** Presentation form with the case as written. */
  toString(): string {
    return this.text;
  }

  get wireLength(): number {
    let n = 1;
    for (const l of this.labels) n += l.length + 1;
    return n;
  }

  /** suffixKey(i) is the key of the name formed by labels i..end. */
  suffixKey(i: number): string {
    if (i === 0) return this.key;
    if (i >= this.labelCount) return '.';
    return this.key.slice(labelOffset(this.key, i));
  }

  isSubdomainOf(ancestor: Name): boolean {
    const a = ancestor.key;
    const k = this.key;
    if (a === '.') return true;
    if (a.length > k.length || !k.endsWith(a)) return false;
    if (a.length === k.length) return true;
    // The suffix must start a label: the character before it is a dot that no
    // backslash escapes (an odd run of backslashes would).
    let at = k.length - a.length - 1;
    if (k.charCodeAt(at) !== 0x2e) return false;
    let backslashes = 0;
    while (--at >= 0 && k.charCodeAt(at) === 0x5c) backslashes++;
    return backslashes % 2 === 0;
  }

  equals(other: Name): boolean {
    return this.key === other.key;
  }

  parent(): Name {
    if (this.labelCount === 0) throw new NameError('the root has no parent');
    return this.strip(1);
  }

  /** The first `count` labels removed. */
  strip(count: number): Name {
    if (count === 0) return this;
    if (count >= this.labelCount) return Name.root;
    return new Name(this.text.slice(labelOffset(this.text, count)), this.labelCount - count, this.octets?.slice(count));
  }

  prepend(label: string): Name {
    return Name.fromLabels([Buffer.from(label, 'latin1'), ...this.labels]);
  }

  get isWildcard(): boolean {
    return this.key.startsWith('*.');
  }

  /** Owner text relative to an origin it is inside: '' for the origin itself. */
  relativeTo(origin: Name): string {
    if (!this.isSubdomainOf(origin)) return this.text;
    if (origin.labelCount === 0) return this.text.slice(0, -1);
    return this.text.slice(0, Math.max(0, this.text.length - origin.key.length - 1));
  }
}

export class WireError extends Error {}

/**
 * Reads a possibly compressed name. Every pointer must go strictly backwards from
 * the label that holds it, which rules out loops and forward references, and past
 * the 12-octet header; the name's total length is capped at 255 octets.
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
      // The header holds no names; a question pointing into it would be echoed
      // into our reply pointing at our own header.
      if (target < HEADER_LENGTH) throw new WireError('compression pointer into the header');
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

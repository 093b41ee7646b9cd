// Builds a DNS message in one Buffer, compressing names (RFC 1035 §4.1.4).
import { isPlain, MAX_LABEL, MAX_NAME, Name } from './name.js';

/**
 * Compression targets kept per message. A name is compared with the names
 * already written, in the message itself (as Knot does), rather than through
 * a table of text keys: building those keys from record data cost more than
 * the rest of encoding a record. Past this many suffixes, later names are
 * written in full: larger, never wrong.
 */
const MAX_TARGETS = 512;

/** ASCII letters compare without case (RFC 4343); every other octet exactly. */
function lower(c: number): number {
  return c >= 0x41 && c <= 0x5a ? c | 0x20 : c;
}

export class WriterOverflow extends Error {}

export class MessageWriter {
  readonly buf: Buffer;
  pos = 0;
  /** Writes past this offset overflow; a caller may lower it to stop a write at its budget. */
  limit: number;
  /** Offsets of the names (and their suffixes) written so far, first written first. */
  private readonly targets = new Uint16Array(MAX_TARGETS);
  private targetCount = 0;

  /** With `compression` off every name is written in full, as in canonical RDATA. */
  constructor(capacity = 65535, private readonly compression = true) {
    this.buf = Buffer.allocUnsafe(capacity);
    this.limit = capacity;
  }

  reset(): void {
    this.pos = 0;
    this.limit = this.buf.length;
    this.targetCount = 0;
  }

  private room(n: number): void {
    if (this.pos + n > this.limit) throw new WriterOverflow(`message larger than ${this.limit} octets`);
  }

  u8(v: number): void {
    this.room(1);
    this.buf[this.pos++] = v;
  }

  u16(v: number): void {
    this.room(2);
    this.buf.writeUInt16BE(v, this.pos);
    this.pos += 2;
  }

  u32(v: number): void {
    this.room(4);
    this.buf.writeUInt32BE(v >>> 0, this.pos);
    this.pos += 4;
  }

  bytes(b: Uint8Array): void {
    this.room(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }

  /** src[start, end), without making a view of it (the hot path copies record data this way). */
  copy(src: Uint8Array, start: number, end: number): void {
    const n = end - start;
    this.room(n);
    const buf = this.buf;
    let pos = this.pos;
    for (let i = start; i < end; i++) buf[pos++] = src[i]!;
    this.pos = pos;
  }

  /** One <character-string>: a length octet, then up to 255 octets. */
  characterString(b: Uint8Array): void {
    this.u8(b.length);
    this.bytes(b);
  }

  /**
   * Writes a name, pointing at an earlier copy of its longest known suffix when
   * `compress` is set; either way its suffixes become targets for later names.
   */
  name(name: Name, compress: boolean): void {
    // Without compression no suffix is ever looked for: a plain name goes from its text, its labels never made.
    if (!this.compression && this.nameText(name.toString(), Name.root)) return;
    const labels = name.labels;
    // The name's own labels become targets as they are written, before its tail is.
    const known = this.targetCount;
    for (let i = 0; i < labels.length; i++) {
      if (compress && this.compression) {
        const at = this.findLabels(labels, i, known);
        if (at >= 0) {
          this.u16(0xc000 | at);
          return;
        }
      }
      this.addOffset(this.pos);
      const label = labels[i]!;
      this.u8(label.length);
      this.bytes(label);
    }
    this.u8(0);
  }

  /**
   * Writes, uncompressed, the name that presentation text `text` means under
   * `origin` (relative unless it ends with a dot), when the text is plain: no
   * escapes, no empty label, within the limits on labels and names. Returns
   * false, with nothing written, for any other text: Name.parse then says what
   * is wrong with it, or reads its escapes. Zone files write most names in
   * record data this way, and no Name is made for them.
   */
  nameText(text: string, origin: Name): boolean {
    const start = this.pos;
    const buf = this.buf;
    const n = text.length;
    const absolute = n > 0 && text.charCodeAt(n - 1) === 0x2e;
    const end = absolute ? n - 1 : n;
    if (end === 0 || n + 2 > this.limit - start) return false;
    let lengthAt = start;
    let at = start + 1;
    for (let i = 0; i < end; i++) {
      const c = text.charCodeAt(i);
      if (c === 0x2e) {
        const length = at - lengthAt - 1;
        if (length === 0) return false;
        buf[lengthAt] = length;
        lengthAt = at++;
      } else if (!isPlain(c) || at - lengthAt > MAX_LABEL) {
        return false;
      } else {
        buf[at++] = c;
      }
    }
    const length = at - lengthAt - 1;
    if (length === 0) return false;
    buf[lengthAt] = length;
    if (!absolute) {
      for (const label of origin.labels) {
        if (at + label.length + 2 > this.limit || at + label.length + 2 - start > MAX_NAME) return false;
        buf[at++] = label.length;
        buf.set(label, at);
        at += label.length;
      }
    }
    if (at + 1 - start > MAX_NAME) return false;
    buf[at++] = 0;
    this.pos = at;
    return true;
  }

  /**
   * Writes the uncompressed name at src[offset] (record data) as name() writes a
   * Name, and returns the offset after it in src.
   */
  wireName(src: Buffer, offset: number, compress: boolean): number {
    let at = offset;
    const known = this.targetCount;
    for (let len = src[at]!; len !== 0; len = src[at]!) {
      if (compress && this.compression) {
        const target = this.findWire(src, at, known);
        if (target >= 0) {
          this.u16(0xc000 | target);
          return this.skipName(src, at);
        }
      }
      this.addOffset(this.pos);
      this.copy(src, at, at + len + 1);
      at += len + 1;
    }
    this.u8(0);
    return at + 1;
  }

  private skipName(src: Buffer, at: number): number {
    while (src[at] !== 0) at += src[at]! + 1;
    return at + 1;
  }

  /** Registers a name already present in the buffer (the copied question) as a target. */
  addTarget(name: Name, offset: number): void {
    let at = offset;
    for (const label of name.labels) {
      this.addOffset(at);
      at += label.length + 1;
    }
  }

  private addOffset(at: number): void {
    if (at < 0x4000 && this.targetCount < MAX_TARGETS) this.targets[this.targetCount++] = at;
  }

  /** Where the buffer's name at `at` continues, past any pointers. */
  private follow(at: number): number {
    const buf = this.buf;
    while (buf[at]! >= 0xc0) at = ((buf[at]! & 0x3f) << 8) | buf[at + 1]!;
    return at;
  }

  /** The first of the first `count` targets equal to the uncompressed name at src[offset], or -1. */
  private findWire(src: Buffer, offset: number, count: number): number {
    const buf = this.buf;
    next: for (let t = 0; t < count; t++) {
      let a = this.follow(this.targets[t]!);
      let b = offset;
      for (;;) {
        const len = buf[a]!;
        if (len !== src[b]) continue next;
        if (len === 0) return this.targets[t]!;
        for (let k = 1; k <= len; k++) if (lower(buf[a + k]!) !== lower(src[b + k]!)) continue next;
        a = this.follow(a + len + 1);
        b += len + 1;
      }
    }
    return -1;
  }

  /** The first of the first `count` targets equal to the name made of labels[from..], or -1. */
  private findLabels(labels: readonly Buffer[], from: number, count: number): number {
    const buf = this.buf;
    next: for (let t = 0; t < count; t++) {
      let a = this.follow(this.targets[t]!);
      for (let i = from; ; i++) {
        const len = buf[a]!;
        if (i === labels.length) {
          if (len === 0) return this.targets[t]!;
          continue next;
        }
        const label = labels[i]!;
        if (len !== label.length) continue next;
        for (let k = 0; k < len; k++) if (lower(buf[a + 1 + k]!) !== lower(label[k]!)) continue next;
        a = this.follow(a + len + 1);
      }
    }
    return -1;
  }

  /** Forgets compression targets at or after `offset` (used when rewinding). */
  rewind(offset: number): void {
    this.pos = offset;
    let kept = 0;
    for (let t = 0; t < this.targetCount; t++) if (this.targets[t]! < offset) this.targets[kept++] = this.targets[t]!;
    this.targetCount = kept;
  }

  result(): Buffer {
    return Buffer.from(this.buf.subarray(0, this.pos));
  }
}

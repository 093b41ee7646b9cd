// Builds a DNS message in one Buffer, compressing names (RFC 1035 §4.1.4).
import { plainNameKey, readName, type Name } from './name.js';

export class WriterOverflow extends Error {}

export class MessageWriter {
  readonly buf: Buffer;
  pos = 0;
  /** Writes past this offset overflow; a caller may lower it to stop a write at its budget. */
  limit: number;
  /** Name key (lowercase) → offset of an earlier copy, for compression. */
  private readonly targets = new Map<string, number>();

  /** With `compression` off every name is written in full, as in canonical RDATA. */
  constructor(capacity = 65535, private readonly compression = true) {
    this.buf = Buffer.allocUnsafe(capacity);
    this.limit = capacity;
  }

  reset(): void {
    this.pos = 0;
    this.limit = this.buf.length;
    this.targets.clear();
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
    const labels = name.labels;
    for (let i = 0; i < labels.length; i++) {
      const key = name.suffixKey(i);
      if (compress && this.compression) {
        const at = this.targets.get(key);
        if (at !== undefined) {
          this.u16(0xc000 | at);
          return;
        }
      }
      if (this.pos < 0x4000 && !this.targets.has(key)) this.targets.set(key, this.pos);
      const label = labels[i]!;
      this.u8(label.length);
      this.bytes(label);
    }
    this.u8(0);
  }

  /**
   * Writes the uncompressed name at src[offset] (record data) as name() writes a
   * Name, and returns the offset after it in src.
   */
  wireName(src: Buffer, offset: number, compress: boolean): number {
    const key = plainNameKey(src, offset);
    if (key === undefined) {
      const { name, end } = readName(src, offset);
      this.name(name, compress);
      return end;
    }
    let at = offset;
    for (let len = src[at]!; len !== 0; len = src[at]!) {
      const suffix = at === offset ? key : key.slice(at - offset);
      if (compress && this.compression) {
        const target = this.targets.get(suffix);
        if (target !== undefined) {
          this.u16(0xc000 | target);
          return this.skipName(src, at);
        }
      }
      if (this.pos < 0x4000 && !this.targets.has(suffix)) this.targets.set(suffix, this.pos);
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
    for (let i = 0; i < name.labels.length && at < 0x4000; i++) {
      const key = name.suffixKey(i);
      if (!this.targets.has(key)) this.targets.set(key, at);
      at += name.labels[i]!.length + 1;
    }
  }

  /** Forgets compression targets at or after `offset` (used when rewinding). */
  rewind(offset: number): void {
    this.pos = offset;
    for (const [k, v] of this.targets) if (v >= offset) this.targets.delete(k);
  }

  result(): Buffer {
    return Buffer.from(this.buf.subarray(0, this.pos));
  }
}

// Growable typed arrays, for building a zone version's columns without an
// object per record: each doubles when full and is trimmed to an array of its
// own (a transferable ArrayBuffer, not a view into a pool) when finished.
type Typed = Uint8Array | Uint16Array | Uint32Array;

export class Column<T extends Typed> {
  data: T;
  length = 0;

  constructor(private readonly make: new (n: number) => T, capacity = 1024) {
    this.data = new make(capacity);
  }

  /** Room for `n` more values. */
  reserve(n: number): void {
    if (this.length + n <= this.data.length) return;
    let size = this.data.length * 2;
    while (size < this.length + n) size *= 2;
    const bigger = new this.make(size);
    bigger.set(this.data.subarray(0, this.length));
    this.data = bigger;
  }

  push(v: number): void {
    if (this.length === this.data.length) this.reserve(1);
    this.data[this.length++] = v;
  }

  /** Appends `src[start, end)`. */
  append(src: ArrayLike<number> & { subarray(start: number, end: number): Typed }, start: number, end: number): void {
    this.reserve(end - start);
    // Most values are a few octets: a loop costs less than a view to copy from.
    if (end - start > 32) {
      this.data.set(src.subarray(start, end), this.length);
      this.length += end - start;
      return;
    }
    const data = this.data;
    let at = this.length;
    for (let i = start; i < end; i++) data[at++] = src[i]!;
    this.length = at;
  }

  /** The values pushed, in an array that owns its buffer. */
  finish(): T {
    return this.data.slice(0, this.length) as T;
  }
}

export const bytes = (capacity?: number) => new Column(Uint8Array, capacity);
export const u16s = (capacity?: number) => new Column(Uint16Array, capacity);
export const u32s = (capacity?: number) => new Column(Uint32Array, capacity);

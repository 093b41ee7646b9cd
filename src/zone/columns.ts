// Growable typed arrays, for building a zone version's columns without an
// object per record: each doubles when full and ends as an array on an
// ArrayBuffer of its own (transferable; never a view into Node's Buffer pool).
type Typed = Uint8Array | Uint16Array | Uint32Array;

export class Column<T extends Typed> {
  data: T;
  length = 0;

  constructor(private readonly make: new (n: number) => T, capacity = 1024) {
    this.data = new make(Math.max(capacity, 16));
  }

  /** Room for `n` more values. */
  reserve(n: number): void {
    if (this.length + n > this.data.length) this.grow(n);
  }

  private grow(n: number): void {
    let size = this.data.length * 2;
    while (size < this.length + n) size *= 2;
    const bigger = new this.make(size);
    bigger.set(this.data.subarray(0, this.length));
    this.data = bigger;
  }

  push(v: number): void {
    if (this.length === this.data.length) this.grow(1);
    this.data[this.length++] = v;
  }

  /** Appends `src[start, end)`, each value plus `shift`. */
  appendShifted(src: Typed, start: number, end: number, shift: number): void {
    this.reserve(end - start);
    const data = this.data;
    let at = this.length;
    for (let i = start; i < end; i++) data[at++] = src[i]! + shift;
    this.length = at;
  }

  /** Appends `src[start, end)`. */
  append(src: Typed, start: number, end: number): void {
    if (this.length + end - start > this.data.length) this.grow(end - start);
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

  /**
   * The values pushed, in an array that owns its buffer: the one filled, when
   * at most an eighth of it is unused (callers that know their sizes give them
   * as capacities), else a copy. Copying a large column costs as much as
   * filling it.
   */
  finish(): T {
    if (this.data.length - this.length <= this.data.length >> 3) return this.data.subarray(0, this.length) as T;
    return this.data.slice(0, this.length) as T;
  }
}

export const bytes = (capacity?: number) => new Column(Uint8Array, capacity);
export const u16s = (capacity?: number) => new Column(Uint16Array, capacity);
export const u32s = (capacity?: number) => new Column(Uint32Array, capacity);

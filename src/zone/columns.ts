// Growable typed arrays, for building a zone version's columns without an
// object per record: each doubles when full and ends as an array on an
// ArrayBuffer of its own (transferable; never a view into Node's Buffer pool),
// or, for a shared column, on a SharedArrayBuffer (other threads read it in place).
type Typed = Uint8Array | Uint16Array | Uint32Array;

interface TypedConstructor<T extends Typed> {
  new (n: number): T;
  new (buffer: SharedArrayBuffer): T;
  readonly BYTES_PER_ELEMENT: number;
}

export class Column<T extends Typed> {
  data: T;
  length = 0;

  constructor(private readonly make: TypedConstructor<T>, capacity = 1024, private readonly shared = false) {
    this.data = this.alloc(Math.max(capacity, 16));
  }

  private alloc(n: number): T {
    return typed(this.make, n, this.shared);
  }

  /** Room for `n` more values. */
  reserve(n: number): void {
    if (this.length + n > this.data.length) this.grow(n);
  }

  private grow(n: number): void {
    let size = this.data.length * 2;
    while (size < this.length + n) size *= 2;
    const bigger = this.alloc(size);
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

  /** Appends all of `src`. */
  appendAll(src: T): void {
    this.reserve(src.length);
    this.data.set(src, this.length);
    this.length += src.length;
  }

  /** Appends `src[start, end)`. */
  append(src: Uint8Array, start: number, end: number): void {
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
    const copy = this.alloc(this.length);
    copy.set(this.data.subarray(0, this.length));
    return copy;
  }
}

/** A typed array of `n` values, on a SharedArrayBuffer when `shared`. */
export function typed<T extends Typed>(make: TypedConstructor<T>, n: number, shared = false): T {
  return shared ? new make(new SharedArrayBuffer(n * make.BYTES_PER_ELEMENT)) : new make(n);
}

/** The buffers of `arrays` that a postMessage can move (transfer): a shared one is shared, not moved. */
export function movable(arrays: readonly { buffer: ArrayBufferLike }[]): ArrayBuffer[] {
  return arrays.map((a) => a.buffer).filter((b): b is ArrayBuffer => b instanceof ArrayBuffer);
}

export const bytes = (capacity?: number, shared?: boolean) => new Column(Uint8Array, capacity, shared);
export const u16s = (capacity?: number, shared?: boolean) => new Column(Uint16Array, capacity, shared);
export const u32s = (capacity?: number, shared?: boolean) => new Column(Uint32Array, capacity, shared);

// The random order the encoder writes a large RRset in (rotation's `random`
// policy): part of the codec, so that writing a random order needs nothing
// from the layers above.

/**
 * A uniformly random order of 0..n-1 drawn from the front, one position at a
 * time (Fisher–Yates the other way round), so that a writer which stops after k
 * records — a large RRset truncated — pays k steps, not n. Positions moved so far
 * live in two typed arrays stamped with the draw they belong to: nothing is
 * cleared or allocated per draw. One draw at a time: start() forgets the last.
 */
export class LazyShuffle {
  private value = new Uint32Array(0);
  private stamp = new Uint32Array(0);
  private draw = 0;
  private n = 0;
  private i = 0;

  constructor(private readonly random: () => number = Math.random) {}

  start(n: number): void {
    if (n > this.stamp.length) {
      this.value = new Uint32Array(n);
      this.stamp = new Uint32Array(n);
      this.draw = 0;
    }
    if (++this.draw === 0xffffffff) {
      this.stamp.fill(0);
      this.draw = 1;
    }
    this.n = n;
    this.i = 0;
  }

  /** The next position of the order; at most n calls after start(n). */
  next(): number {
    const i = this.i++;
    const j = i + Math.floor(this.random() * (this.n - i));
    const picked = this.at(j);
    // Position i is never read again: only j needs to remember what was there.
    this.value[j] = this.at(i);
    this.stamp[j] = this.draw;
    return picked;
  }

  private at(k: number): number {
    return this.stamp[k] === this.draw ? this.value[k]! : k;
  }
}

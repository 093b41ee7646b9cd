// Long work on the serving thread (diffing two versions of a zone for IXFR)
// cut into slices, with queries answered between them: one loop over a million
// records must not hold every answer back.

/** How long such work runs before it lets queries in again. */
export const SLICE_MS = 3;

export class Slices {
  private start = performance.now();

  constructor(private readonly ms = SLICE_MS) {}

  /**
   * Call every few dozen steps: once the slice is spent, a promise that resolves
   * after the queries waiting meanwhile were answered; until then undefined, so
   * that the caller awaits (and pays for a microtask) only when it yields.
   */
  pause(): Promise<void> | undefined {
    if (performance.now() - this.start <= this.ms) return undefined;
    return new Promise<void>((resolve) => setImmediate(() => {
      this.start = performance.now();
      resolve();
    }));
  }
}

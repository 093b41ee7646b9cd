// "Did you mean": the known word a misspelt one was most likely meant to be.

/** Edits between two words, a swap of neighbours counting as one (optimal string alignment). */
function distance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, d[i - 2]![j - 2]! + 1);
      d[i]![j] = best;
    }
  }
  return d[a.length]![b.length]!;
}

/**
 * The word of `known` closest to `word`, when close enough to be a slip: case
 * and `_` for `-` are free (BIND and Knot users write default_ttl), then one
 * edit for short words and two from five letters on.
 */
export function closest(word: string, known: readonly string[]): string | undefined {
  const norm = (w: string) => w.toLowerCase().replaceAll('_', '-');
  const w = norm(word);
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const k of known) {
    const dist = distance(w, norm(k));
    if (dist < bestDistance) [best, bestDistance] = [k, dist];
  }
  return bestDistance <= (w.length >= 5 ? 2 : 1) ? best : undefined;
}

/** `; did you mean "x"?` when a known word is close, else the list of known words. */
export function suggestion(word: string, known: readonly string[]): string {
  const near = closest(word, known);
  return near !== undefined ? `; did you mean "${near}"?` : ` (known: ${known.join(', ')})`;
}

// The canonical forms DNSSEC hashes and signs (RFC 4034 §6): a name in
// uncompressed wire form with its ASCII letters lowercased.
import type { Name } from '../wire/name.js';

/** The canonical wire form of a name (RFC 4034 §6.2): no compression, A-Z lowered. */
export function canonicalName(name: Name): Buffer {
  const parts: Buffer[] = [];
  for (const label of name.labels) {
    const lower = Buffer.from(label);
    // Only ASCII letters: other octets in a label are data, not case (RFC 4343).
    for (let i = 0; i < lower.length; i++) if (lower[i]! >= 0x41 && lower[i]! <= 0x5a) lower[i]! |= 0x20;
    parts.push(Buffer.of(lower.length), lower);
  }
  parts.push(Buffer.of(0));
  return Buffer.concat(parts);
}

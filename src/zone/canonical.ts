// Names as keys that sort in canonical DNS order (RFC 4034 §6.1) when compared
// octet by octet: the labels from the most significant (rightmost) down,
// lowercased, each ended by 0x00. 0x00 and 0x01 inside a label are escaped as
// 0x01 0x01 and 0x01 0x02, so that the end of a label sorts before any octet it
// could hold (a label that is a prefix of another comes first, as the RFC
// says) and the key stays injective. A name's key starts with the key of each
// of its ancestors, so existence, enclosers and cuts are prefix questions.
// Keys inside a zone leave the zone's own labels out: the apex's key is empty.
import { Name } from '../wire/name.js';

/** Longest key: every octet of a 255-octet name escaped. */
export const MAX_KEY = 512;

const wireScratch = new Uint8Array(256);
const labelAt = new Int32Array(128);

/**
 * Writes the uncompressed wire form of `name` (case as written) into `out`,
 * without the root's zero octet; returns its length.
 */
export function nameWire(name: Name, out: Uint8Array = wireScratch): number {
  const text = name.toString();
  if (text === '.') return 0;
  let at = 0;
  let lengthAt = at++;
  for (let i = 0; i < text.length; i++) {
    let c = text.charCodeAt(i);
    if (c === 0x2e) {
      out[lengthAt] = at - lengthAt - 1;
      lengthAt = at++;
      continue;
    }
    if (c === 0x5c) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0x30 && d <= 0x39) {
        c = Number(text.slice(i + 1, i + 4));
        i += 3;
      } else {
        c = d;
        i += 1;
      }
    }
    out[at++] = c;
  }
  // The trailing dot opened a label that is not there.
  return at - 1;
}

/** Whether the labels in `wire[start, end)` hold an uppercase letter (differ from their key). */
/** A name's wire form (no root octet) in an array of its own. */
export function wireOf(name: Name): Uint8Array {
  const out = new Uint8Array(256);
  return out.slice(0, nameWire(name, out));
}

/**
 * Whether an owner's wire form `wire[0, length)`, whose labels below the apex
 * end at `end`, is not what its key and the origin give back (those labels
 * lowercase, then the origin's as written): a version keeps the whole wire form
 * of such an owner, so that every label keeps the case it was written in.
 */
export function needsCase(wire: Uint8Array, end: number, length: number, originWire: Uint8Array): boolean {
  return hasUpper(wire, 0, end) || compareKeys(wire, end, length, originWire, 0, originWire.length) !== 0;
}

function hasUpper(wire: Uint8Array, start: number, end: number): boolean {
  for (let at = start; at < end; at += wire[at]! + 1) {
    for (let j = at + 1; j <= at + wire[at]!; j++) if (wire[j]! >= 0x41 && wire[j]! <= 0x5a) return true;
  }
  return false;
}

/**
 * Writes the key of the first `count` labels of `wire[0, length)` into `out`
 * from `at`; returns where the key ends.
 */
export function wireKey(wire: Uint8Array, length: number, count: number, out: Uint8Array, at = 0): number {
  let labels = 0;
  for (let p = 0; p < length && labels < count; p += wire[p]! + 1) labelAt[labels++] = p;
  for (let l = labels - 1; l >= 0; l--) {
    const start = labelAt[l]!;
    const end = start + 1 + wire[start]!;
    for (let i = start + 1; i < end; i++) {
      let b = wire[i]!;
      if (b >= 0x41 && b <= 0x5a) b += 0x20;
      if (b < 2) {
        out[at++] = 1;
        out[at++] = b + 1;
      } else {
        out[at++] = b;
      }
    }
    out[at++] = 0;
  }
  return at;
}

/** The key of `name` below an origin of `originLabels` labels, into `out`; returns its length. */
export function relativeKey(name: Name, originLabels: number, out: Uint8Array): number {
  const length = nameWire(name);
  return wireKey(wireScratch, length, name.labelCount - originLabels, out);
}

/**
 * The wire form (labels in order, lowercase, no root octet) of `key[start, end)`
 * written into `out` from `at`; returns where it ends.
 */
export function keyWire(key: Uint8Array, start: number, end: number, out: Uint8Array, at = 0): number {
  // Labels come most significant first in the key: find them, then write them in reverse.
  let labels = 0;
  for (let p = start; p < end; p++) {
    labelAt[labels++] = p;
    while (key[p] !== 0) p += key[p] === 1 ? 2 : 1;
  }
  for (let l = labels - 1; l >= 0; l--) {
    const lengthAt = at++;
    for (let p = labelAt[l]!; key[p] !== 0; p++) {
      out[at++] = key[p] === 1 ? key[++p]! - 1 : key[p]!;
    }
    out[lengthAt] = at - lengthAt - 1;
  }
  return at;
}

/** Octet-wise comparison of a[as, ae) and b[bs, be): negative, 0 or positive. */
export function compareKeys(a: Uint8Array, as: number, ae: number, b: Uint8Array, bs: number, be: number): number {
  const n = Math.min(ae - as, be - bs);
  for (let i = 0; i < n; i++) {
    const d = a[as + i]! - b[bs + i]!;
    if (d !== 0) return d;
  }
  return ae - as - (be - bs);
}

/**
 * A Name from wire labels (no root octet) followed by an origin's labels. The
 * usual name, all plain octets, is made from its text, as the loaders make
 * theirs: a Name made from labels keeps a Buffer per label.
 */
export function nameOf(wire: Uint8Array, start: number, end: number, origin: Name): Name {
  return Name.fromPlainWire(wire, start, end, origin) ?? fromLabels(wire, start, end, origin);
}

/**
 * The name at data[at] in record data as a zone holds it (uncompressed, valid),
 * made as nameOf makes names, and where it ends: for readers of many names
 * (the checks) in place of readName, which keeps a Buffer per label.
 */
export function dataName(data: Uint8Array, at: number): { name: Name; end: number } {
  let end = at;
  while (data[end] !== 0) end += data[end]! + 1;
  return { name: nameOf(data, at, end, Name.root), end: end + 1 };
}

function fromLabels(wire: Uint8Array, start: number, end: number, origin: Name): Name {
  const labels: Buffer[] = [];
  for (let p = start; p < end; p += wire[p]! + 1) labels.push(Buffer.from(wire.subarray(p + 1, p + 1 + wire[p]!)));
  return Name.fromLabels([...labels, ...origin.labels]);
}

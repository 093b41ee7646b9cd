// The walks over a field list that nearly every type reduces to: building the
// wire form from field values, reading it back, reading it out of a message
// (decompressing names), and the presentation text of the values.
import { readName, WireError, type Name } from '../wire/name.js';
import { MessageWriter } from '../wire/writer.js';
import type { Field, FieldValue, TextArgs } from './rrtype.js';
import { typeFromName, typeName } from '../wire/types.js';
import { checkUint, ipv6Bytes, ipv6Text, parseIPv4, ValueError } from './values.js';

const scratch = new MessageWriter(65535, false);

/** The uncompressed RDATA of `values`, one per field. */
export function encodeFields(fields: readonly Field[], values: readonly FieldValue[]): Buffer {
  const w = scratch;
  w.reset();
  fields.forEach((f, i) => encodeField(w, f, values[i]!));
  return w.result();
}

function encodeField(w: MessageWriter, f: Field, v: FieldValue): void {
  switch (f.kind) {
    case 'u8': w.u8(v as number); break;
    case 'u16': w.u16(v as number); break;
    case 'u32': w.u32(v as number); break;
    case 'ipv4': case 'ipv6': case 'octets': case 'hex': case 'base64': case 'types': w.bytes(v as Buffer); break;
    case 'name': w.name(v as Name, false); break;
    case 'string': w.characterString(v as Buffer); break;
    case 'strings': for (const s of v as Buffer[]) w.characterString(s); break;
  }
}

/**
 * The uncompressed RDATA from master-file tokens (a `strings` field takes every
 * token from its own on), each field written as soon as it is read and names
 * straight from their text: no array of values, no Name a name. `whats[i]`
 * names field i in errors ("MX preference"). Only a field that runs to the end
 * of the data can be too long for it, and it is the last: a record's first
 * error is the same as when every field was read before any was written.
 */
export function encodeFieldsText(fields: readonly Field[], whats: readonly string[], args: TextArgs): Buffer {
  const w = scratch;
  w.reset();
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i]!;
    if (f.kind === 'name' && !f.validate) {
      args.writeName(i, w);
      continue;
    }
    const v = parseFieldText(f, i, whats[i]!, args);
    const wrong = f.validate?.(v);
    if (wrong) args.fail(i, wrong);
    encodeField(w, f, v);
  }
  return w.result();
}

/**
 * Walks the fields of the RDATA at msg[start, end), names read against the whole
 * message, checking that the data is exactly that long. `into`, when given,
 * receives the data again with every name written in full.
 */
export function walkFields(
  fields: readonly Field[], what: string, msg: Buffer, start: number, end: number,
  into?: MessageWriter, values?: FieldValue[],
): void {
  let at = start;
  const need = (n: number) => {
    if (at + n > end) throw new WireError(`${what} data ends early`);
  };
  const take = (n: number): Buffer => {
    need(n);
    at += n;
    const b = msg.subarray(at - n, at);
    into?.bytes(b);
    return b;
  };
  const string = (): Buffer => {
    need(1);
    const b = take(msg[at]! + 1);
    return b.subarray(1);
  };
  for (const f of fields) {
    let v: FieldValue;
    switch (f.kind) {
      case 'u8': v = take(1)[0]!; break;
      case 'u16': v = take(2).readUInt16BE(0); break;
      case 'u32': v = take(4).readUInt32BE(0); break;
      case 'ipv4': v = take(4); break;
      case 'ipv6': v = take(16); break;
      case 'octets': case 'hex': case 'base64': v = take(end - at); break;
      case 'types': {
        v = take(end - at);
        const problem = bitmapProblem(v);
        if (problem) throw new WireError(`${what} ${problem}`);
        break;
      }
      case 'string': v = string(); break;
      case 'strings': {
        const strings: Buffer[] = [];
        do strings.push(string()); while (at < end);
        v = strings;
        break;
      }
      case 'name': {
        let r: ReturnType<typeof readName>;
        try {
          r = readName(msg, at);
        } catch (e) {
          throw new WireError(`${what} data holds a bad name: ${(e as Error).message}`);
        }
        // A compressed name ends inside the record; its labels may lie anywhere before.
        if (r.end > end) throw new WireError(`a name runs past the ${what} data`);
        at = r.end;
        into?.name(r.name, false);
        v = r.name;
        break;
      }
    }
    values?.push(v);
  }
  if (at !== end) throw new WireError(`${end - at} octets left over after the ${what} data`);
}

/** The field values of valid RDATA. */
export function decodeFields(fields: readonly Field[], what: string, rdata: Buffer): FieldValue[] {
  const values: FieldValue[] = [];
  walkFields(fields, what, rdata, 0, rdata.length, undefined, values);
  return values;
}

/** The RDATA at msg[start, end) with its names decompressed. */
export function expandFields(fields: readonly Field[], what: string, msg: Buffer, start: number, end: number): Buffer {
  scratch.reset();
  walkFields(fields, what, msg, start, end, scratch);
  return scratch.result();
}

/** A quoted <character-string>: printable ASCII as is, `"` and `\` escaped, other octets as \DDD. */
export function quoted(octets: Buffer): string {
  let out = '"';
  for (const c of octets) {
    if (c === 0x22 || c === 0x5c) out += '\\' + String.fromCharCode(c);
    else if (c >= 0x20 && c < 0x7f) out += String.fromCharCode(c);
    else out += '\\' + String(c).padStart(3, '0');
  }
  return out + '"';
}

/** Presentation text of field values; `name` writes a name (relative to an origin or not). */
export function printFields(fields: readonly Field[], values: readonly FieldValue[], name: (n: Name) => string): string {
  return fields.map((f, i) => {
    const v = values[i]!;
    switch (f.kind) {
      case 'u8': case 'u16': case 'u32': return String(v);
      case 'ipv4': return [...(v as Buffer)].join('.');
      case 'ipv6': return ipv6Text(v as Buffer);
      case 'name': return name(v as Name);
      case 'string': case 'octets': return quoted(v as Buffer);
      case 'hex': return chunks((v as Buffer).toString('hex').toUpperCase());
      case 'base64': return chunks((v as Buffer).toString('base64'));
      case 'types': return bitmapText(v as Buffer);
      case 'strings': return (v as Buffer[]).map(quoted).join(' ');
    }
  }).filter((text) => text !== '').join(' '); // an empty type bitmap is no text at all
}

const ipv4Bytes = (text: string): Buffer => parseIPv4(text).bytes;

/** One field's value from master-file tokens, starting at token i. */
export function parseFieldText(f: Field, i: number, what: string, args: TextArgs): FieldValue {
    switch (f.kind) {
      case 'u8': {
        const named = f.named;
        return named ? args.text(i, (t) => named(t) ?? checkUint(t, 8, what)) : args.uint(i, 8, what);
      }
      case 'u16': return args.uint(i, 16, what);
      case 'u32': return f.duration ? args.duration(i, what) : args.uint(i, 32, what);
      case 'name': return args.name(i);
      case 'string': return args.characterString(i);
      case 'octets': return args.octets(i);
      case 'strings': {
        const out: Buffer[] = [];
        for (let j = i; j < args.count; j++) out.push(args.characterString(j));
        return out;
      }
      case 'hex': return rest(args, i, parseHex);
      case 'base64': return rest(args, i, parseBase64);
      case 'types': return rest(args, i, (t) => t).length ? typeBitmap(args, i) : Buffer.alloc(0);
      case 'ipv4': return args.text(i, ipv4Bytes);
      case 'ipv6': return args.text(i, ipv6Bytes);
    }
}

/** Names lowercased (RFC 4034 §6.2) in RDATA whose fields are `fields`. */
export function lowerNames(fields: readonly Field[], what: string, rdata: Buffer): Buffer {
  const out = Buffer.from(rdata);
  let at = 0;
  const skipString = () => (at += out[at]! + 1);
  for (const f of fields) {
    switch (f.kind) {
      case 'u8': at += 1; break;
      case 'u16': at += 2; break;
      case 'u32': case 'ipv4': at += 4; break;
      case 'ipv6': at += 16; break;
      case 'octets': case 'hex': case 'base64': case 'types': at = out.length; break;
      case 'string': skipString(); break;
      case 'strings': while (at < out.length) skipString(); break;
      case 'name':
        while (out[at] !== 0) {
          const end = at + 1 + out[at]!;
          for (let i = at + 1; i < end; i++) if (out[i]! >= 0x41 && out[i]! <= 0x5a) out[i] = out[i]! + 0x20;
          at = end;
        }
        at++;
        break;
    }
  }
  if (at !== out.length) throw new WireError(`${what} data does not match its layout`);
  return out;
}

/** Whether a field takes every token left in text (so a record may have more tokens than fields). */
export function takesRest(f: Field): boolean {
  return f.kind === 'strings' || f.kind === 'hex' || f.kind === 'base64' || f.kind === 'types';
}

/** Tokens i.. joined (BIND lets hex and base64 be split by blanks), parsed at token i. */
function rest<T>(args: TextArgs, i: number, parse: (text: string) => T): T {
  // No tokens at all: only an optional field (a type bitmap, IPSECKEY's key) gets here.
  if (i >= args.count) return parse('');
  let text = '';
  for (let j = i; j < args.count; j++) text += args.text(j, (t) => t);
  return args.text(i, () => parse(text));
}

/** Hex or base64 as BIND prints it: in groups of 56 characters. */
export function chunks(text: string): string {
  return text.length <= 56 ? text : (text.match(/.{1,56}/g) as string[]).join(' ');
}

export function parseHex(text: string): Buffer {
  if (!/^([0-9A-Fa-f]{2})*$/.test(text)) throw new ValueError(`"${clipped(text)}" is not hexadecimal octets (an even number of digits 0-9 a-f)`);
  return Buffer.from(text, 'hex');
}

export function parseBase64(text: string): Buffer {
  if (text.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(text)) throw new ValueError(`"${clipped(text)}" is not base64`);
  return Buffer.from(text, 'base64');
}

function clipped(text: string): string {
  return text.length > 40 ? `${text.slice(0, 40)}...` : text;
}

/** The type bitmap of RFC 4034 §4.1.2 from type names at tokens i.. */
function typeBitmap(args: TextArgs, i: number): Buffer {
  const types = new Set<number>();
  for (let j = i; j < args.count; j++) {
    const t = args.text(j, (text) => typeFromName(text));
    if (t === undefined) args.fail(j, `unknown record type "${args.text(j, (text) => text)}" in the type list`);
    types.add(t);
  }
  return encodeBitmap([...types]);
}

/** The type bitmap of RFC 4034 §4.1.2 (NSEC, NSEC3, CSYNC) for a set of type codes, in any order. */
export function encodeBitmap(types: number[]): Buffer {
  const windows = new Map<number, Buffer>();
  for (const t of types) {
    const w = t >> 8;
    let bits = windows.get(w);
    if (!bits) windows.set(w, (bits = Buffer.alloc(32)));
    bits[(t & 0xff) >> 3]! |= 0x80 >> (t & 7);
  }
  const parts: Buffer[] = [];
  for (const w of [...windows.keys()].sort((a, b) => a - b)) {
    const bits = windows.get(w)!;
    let len = 32;
    while (bits[len - 1] === 0) len--;
    parts.push(Buffer.of(w, len), bits.subarray(0, len));
  }
  return Buffer.concat(parts);
}

/** Why octets are not a type bitmap (windows in order, 1 to 32 octets each), or undefined. */
function bitmapProblem(b: Buffer): string | undefined {
  let last = -1;
  for (let at = 0; at < b.length;) {
    if (at + 2 > b.length) return 'type bitmap ends early';
    const w = b[at]!;
    const len = b[at + 1]!;
    if (w <= last) return 'type bitmap windows are out of order';
    if (len < 1 || len > 32 || at + 2 + len > b.length) return 'type bitmap has a window of a bad length';
    last = w;
    at += 2 + len;
  }
  return undefined;
}

export function bitmapTypes(b: Buffer): number[] {
  const out: number[] = [];
  for (let at = 0; at < b.length; at += 2 + b[at + 1]!) {
    const w = b[at]!;
    for (let i = 0; i < b[at + 1]!; i++) {
      for (let bit = 0; bit < 8; bit++) if (b[at + 2 + i]! & (0x80 >> bit)) out.push(w * 256 + i * 8 + bit);
    }
  }
  return out;
}

function bitmapText(b: Buffer): string {
  return bitmapTypes(b).map(typeName).join(' ');
}

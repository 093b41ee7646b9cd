// The walks over a field list that nearly every type reduces to: building the
// wire form from field values, reading it back, reading it out of a message
// (decompressing names), and the presentation text of the values.
import { readName, WireError, type Name } from '../wire/name.js';
import { MessageWriter } from '../wire/writer.js';
import type { Field, FieldValue, TextArgs } from './rrtype.js';
import { ipv6Text, parseIPv4, parseIPv6 } from './values.js';

const scratch = new MessageWriter(65535, false);

/** The uncompressed RDATA of `values`, one per field. */
export function encodeFields(fields: readonly Field[], values: readonly FieldValue[]): Buffer {
  const w = scratch;
  w.reset();
  fields.forEach((f, i) => {
    const v = values[i]!;
    switch (f.kind) {
      case 'u8': w.u8(v as number); break;
      case 'u16': w.u16(v as number); break;
      case 'u32': w.u32(v as number); break;
      case 'ipv4': case 'ipv6': case 'octets': w.bytes(v as Buffer); break;
      case 'name': w.name(v as Name, false); break;
      case 'string': w.characterString(v as Buffer); break;
      case 'strings': for (const s of v as Buffer[]) w.characterString(s); break;
    }
  });
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
      case 'octets': v = take(end - at); break;
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
      case 'strings': return (v as Buffer[]).map(quoted).join(' ');
    }
  }).join(' ');
}

/** Field values from master-file tokens (a `strings` field takes every token from its own on). */
export function parseFieldsText(fields: readonly Field[], mnemonic: string, args: TextArgs): FieldValue[] {
  return fields.map((f, i): FieldValue => {
    const v = parseFieldText(f, i, `${mnemonic} ${f.label}`, args);
    const wrong = f.validate?.(v);
    if (wrong) args.fail(i, wrong);
    return v;
  });
}

function parseFieldText(f: Field, i: number, what: string, args: TextArgs): FieldValue {
    switch (f.kind) {
      case 'u8': return args.uint(i, 8, what);
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
      case 'ipv4': return args.text(i, (t) => parseIPv4(t).bytes);
      case 'ipv6': return args.text(i, (t) => parseIPv6(t).bytes);
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
      case 'octets': at = out.length; break;
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

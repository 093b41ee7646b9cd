// The one table of record types: every type-specific question (how its data is
// written, read, compared, shown, checked) is answered by the module registered
// here, and every other type is RFC 3597 data. Adding a type is a module and a
// line in TYPES.
import { readName, type Name } from '../wire/name.js';
import { typeName } from '../wire/types.js';
import type { MessageWriter } from '../wire/writer.js';
import { A } from './a.js';
import { AAAA } from './aaaa.js';
import { CAA } from './caa.js';
import { AFSDB } from './afsdb.js';
import { ALIAS } from './alias.js';
import { CERT } from './cert.js';
import { CNAME } from './cname.js';
import { CSYNC } from './csync.js';
import { CDS, DS, SMIMEA, SSHFP, TLSA, ZONEMD } from './digests.js';
import { DNAME } from './dname.js';
import { CDNSKEY, DNSKEY } from './dnskey.js';
import { EUI48, EUI64 } from './eui.js';
import { HINFO } from './hinfo.js';
import { IPSECKEY } from './ipseckey.js';
import { NAPTR } from './naptr.js';
import { NSEC } from './nsec.js';
import { NSEC3, NSEC3PARAM } from './nsec3.js';
import { OPENPGPKEY } from './openpgpkey.js';
import { RP } from './rp.js';
import { RRSIG } from './rrsig.js';
import { URI } from './uri.js';
import { decodeFields, encodeFieldsText, expandFields, lowerNames, printFields, walkFields } from './fields.js';
import { LOC } from './loc.js';
import { MX } from './mx.js';
import { NS } from './ns.js';
import { PTR } from './ptr.js';
import { genericText, genericType } from './rfc3597.js';
import type { Field, RRTypeModule, TextArgs, YamlOut, YamlValue } from './rrtype.js';
import { SOA } from './soa.js';
import { SPF } from './spf.js';
import { SRV } from './srv.js';
import { HTTPS, SVCB } from './svcb.js';
import { TXT } from './txt.js';

const TYPES: readonly RRTypeModule[] = [
  A, NS, CNAME, SOA, PTR, HINFO, MX, TXT, RP, AFSDB, AAAA, LOC, SRV, NAPTR, CERT, DNAME, DS, SSHFP, IPSECKEY,
  RRSIG, NSEC, DNSKEY, NSEC3, NSEC3PARAM, TLSA, SMIMEA, CDS, CDNSKEY, OPENPGPKEY, CSYNC, ZONEMD, SVCB, HTTPS, SPF,
  EUI48, EUI64, URI, CAA, ALIAS,
];

/** A module with what the hot path needs worked out once. */
interface Entry {
  readonly mod: RRTypeModule;
  /**
   * The names to walk when the data is written (compressed, or registered as
   * targets): for each, the fields before it since the previous name. Empty: the
   * data is copied as it is.
   */
  readonly names: readonly (readonly Field[])[];
  /** What each field is called in errors about its text: "MX preference". */
  readonly whats: readonly string[];
}

const entries = new Map<number, Entry>();

function entryOf(mod: RRTypeModule): Entry {
  const names: Field[][] = [];
  let before: Field[] = [];
  // RFC 3597 data is copied: the names a layout shows there are only for reading.
  for (const f of mod.generic ? [] : mod.fields) {
    if (f.kind !== 'name') before.push(f);
    else {
      names.push(before);
      before = [];
    }
  }
  return { mod, names, whats: mod.fields.map((f) => `${mod.mnemonic} ${f.label}`) };
}

for (const mod of TYPES) entries.set(mod.code, entryOf(mod));

function entry(type: number): Entry {
  let e = entries.get(type);
  if (!e) {
    // Generic entries are made on first use and kept: there are at most 65536.
    e = entryOf(genericType(type, typeName(type)));
    entries.set(type, e);
  }
  return e;
}

/** The module for `type` (the RFC 3597 one when rotor has no module for it). */
export function rrType(type: number): RRTypeModule {
  return entry(type).mod;
}

/** Octets of a field that comes before a name (so not one that runs to the end) at rdata[at]. */
function fieldLength(f: Field, rdata: Buffer, at: number): number {
  switch (f.kind) {
    case 'u8': return 1;
    case 'u16': return 2;
    case 'u32': case 'ipv4': return 4;
    case 'ipv6': return 16;
    case 'string': return rdata[at]! + 1;
    default: throw new Error(`a ${f.kind} field runs to the end of the data and cannot come before a name`);
  }
}

/** Writes the data of a record of `type` into a message, compressing names where the type allows. */
export function writeRData(w: MessageWriter, type: number, rdata: Buffer): void {
  const { mod, names } = entry(type);
  if (names.length === 0) {
    w.bytes(rdata);
    return;
  }
  let at = 0;
  for (const before of names) {
    const from = at;
    for (const f of before) at += fieldLength(f, rdata, at);
    if (at > from) w.copy(rdata, from, at);
    at = w.wireName(rdata, at, mod.compress);
  }
  if (at < rdata.length) w.copy(rdata, at, rdata.length);
}

/**
 * The data of one record of `type` at msg[start, end) as uncompressed wire form,
 * names read against the whole message. Throws WireError when it does not match
 * the type's layout.
 */
export function readRData(msg: Buffer, start: number, end: number, type: number): Buffer {
  const { mod } = entry(type);
  if (mod.decompress) return expandFields(mod.fields, typeName(type), msg, start, end);
  if (!mod.generic) walkFields(mod.fields, typeName(type), msg, start, end);
  return Buffer.from(msg.subarray(start, end));
}

/** The canonical form of the data (RFC 4034 §6.2): names lowercased for the types that say so. */
export function canonicalRData(type: number, rdata: Buffer): Buffer {
  const { mod } = entry(type);
  return mod.canonicalLower ? lowerNames(mod.fields, typeName(type), rdata) : rdata;
}

/**
 * Reads the name at data[at] and says where it ends: readName, or a reader of
 * its own from a caller whose data is known to hold names uncompressed and
 * valid (a zone's checks read a million names and need no labels made).
 */
export type NameReader = (data: Buffer, at: number) => { name: Name; end: number };

function nameField(type: number, rdata: Buffer, index: number | undefined, read: NameReader): Name | undefined {
  if (index === undefined) return undefined;
  const { mod } = entry(type);
  // Found by stepping over the fields before it (numbers, names); any other field before it means decoding them all.
  let at = 0;
  for (let i = 0; i < index; i++) {
    const f = mod.fields[i]!;
    if (f.kind === 'u16') at += 2;
    else if (f.kind === 'name') at = read(rdata, at).end;
    else return decodeFields(mod.fields, mod.mnemonic, rdata)[index] as Name;
  }
  return read(rdata, at).name;
}

/** The name whose addresses additional-section processing adds (MX exchange, NS and SRV target). */
export function additionalName(type: number, rdata: Buffer, read: NameReader = readName): Name | undefined {
  return nameField(type, rdata, entry(type).mod.additional, read);
}

/** The name inside record data that a resolver would look up next, if any. */
export function targetOf(type: number, rdata: Buffer, read: NameReader = readName): Name | undefined {
  return nameField(type, rdata, entry(type).mod.target, read);
}

/** Whether records of `type` make additional-section work. */
export function hasAdditional(type: number): boolean {
  return entry(type).mod.additional !== undefined;
}

/** Record data in master-file syntax, names relative to `origin` when one is given. */
export function presentation(type: number, rdata: Buffer, origin?: Name): string {
  const { mod } = entry(type);
  const name = origin ? (n: Name) => relativeName(n, origin) : (n: Name) => n.toString();
  if (mod.printText) return mod.printText(rdata, name);
  return printFields(mod.fields, decodeFields(mod.fields, mod.mnemonic, rdata), name);
}

/**
 * The type and data of a record as a master-file line writes them: the type's
 * own syntax, or RFC 3597's for a type that is no IANA type (ALIAS), so that
 * every server can load the file.
 */
export function masterFileText(type: number, rdata: Buffer, origin: Name): { type: string; data: string } {
  if (entry(type).mod.privateUse) return { type: `TYPE${type}`, data: genericText(rdata) };
  return { type: typeName(type), data: presentation(type, rdata, origin) };
}

/**
 * A name as master-file text: relative to the origin where it is inside it and
 * spells the origin in the same case, since a relative name takes $ORIGIN's case.
 */
export function relativeName(name: Name, origin: Name): string {
  const text = name.toString();
  return text.endsWith(origin.toString()) ? name.relativeTo(origin) || '@' : text;
}

/** The data from master-file tokens (the type's own syntax, not RFC 3597). */
export function parseText(type: number, args: TextArgs): Buffer {
  const { mod, whats } = entry(type);
  if (mod.parseText) return mod.parseText(args);
  return encodeFieldsText(mod.fields, whats, args);
}

/** Why RFC 3597 data for a type with its own syntax is not valid data of that type, or undefined. */
export function invalidData(type: number, rdata: Buffer): string | undefined {
  const { mod } = entry(type);
  const values = decodeFields(mod.fields, mod.mnemonic, rdata);
  for (let i = 0; i < values.length; i++) {
    const problem = mod.fields[i]!.validate?.(values[i]!);
    if (problem) return problem;
  }
  return undefined;
}

export function fromYaml(type: number, value: YamlValue): Buffer {
  return entry(type).mod.yaml.parse(value);
}

export function toYaml(type: number, rdata: Buffer): YamlOut {
  return entry(type).mod.yaml.print(rdata);
}

/** Whether the type has checks of its own for each record's data (most have none). */
export function checksRData(type: number): boolean {
  return entry(type).mod.check !== undefined;
}

/** Warnings about one record's data. */
export function checkRData(type: number, rdata: Buffer): string[] {
  return entry(type).mod.check?.(rdata) ?? [];
}

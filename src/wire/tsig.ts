// TSIG (RFC 8945): HMAC signatures on messages, for zone transfers and NOTIFY.
// Requests signed with a known key are verified (key, MAC, time window) and
// their responses signed; a multi-message transfer signs each message over the
// previous MAC (§5.3.1).
import { createHmac, timingSafeEqual } from 'node:crypto';
import { Name, readName, WireError } from './name.js';
import { MessageWriter } from './writer.js';

export const TSIG_TYPE = 250;
const CLASS_ANY = 255;

export const TsigError = { BADSIG: 16, BADKEY: 17, BADTIME: 18 } as const;

export type TsigAlgorithm = 'hmac-sha256' | 'hmac-sha512';
export const TSIG_ALGORITHMS: Record<TsigAlgorithm, { hash: string; size: number }> = {
  'hmac-sha256': { hash: 'sha256', size: 32 },
  'hmac-sha512': { hash: 'sha512', size: 64 },
};

export interface TsigKey {
  name: Name;
  algorithm: TsigAlgorithm;
  secret: Buffer;
}

export type Keyring = ReadonlyMap<string, TsigKey>;

/** The TSIG record of a message, as read. */
export interface TsigRecord {
  keyName: Name;
  algorithm: Name;
  timeSigned: number;
  fudge: number;
  mac: Buffer;
  originalId: number;
  error: number;
  other: Buffer;
  /** Offset of the TSIG record: the signed message is everything before it. */
  start: number;
}

export const DEFAULT_FUDGE = 300;
/**
 * The widest time window a request may claim: a larger fudge is checked as this
 * one, so that a captured request cannot be replayed for up to 18 hours (BIND
 * and Knot do not cap it; RFC 8945 §5.2.3 recommends 300 s).
 */
export const MAX_FUDGE = 300;

function u48(w: MessageWriter, v: number): void {
  w.u16(Math.floor(v / 2 ** 32));
  w.u32(v % 2 ** 32);
}

/** Reads the TSIG record that starts at `start` and must end the message. */
export function readTsig(msg: Buffer, start: number): TsigRecord {
  const { name: keyName, end } = readName(msg, start);
  if (end + 10 > msg.length) throw new WireError('TSIG record runs past the end of the message');
  if (msg.readUInt16BE(end + 2) !== CLASS_ANY || msg.readUInt32BE(end + 4) !== 0) throw new WireError('TSIG record must have class ANY and TTL 0');
  const rdEnd = end + 10 + msg.readUInt16BE(end + 8);
  if (rdEnd !== msg.length) throw new WireError('TSIG record must end the message');
  const { name: algorithm, end: algEnd } = readName(msg, end + 10);
  let pos = algEnd;
  const need = (n: number) => {
    if (pos + n > rdEnd) throw new WireError('TSIG record data is truncated');
  };
  need(10);
  const timeSigned = msg.readUInt16BE(pos) * 2 ** 32 + msg.readUInt32BE(pos + 2);
  const fudge = msg.readUInt16BE(pos + 6);
  const macSize = msg.readUInt16BE(pos + 8);
  pos += 10;
  need(macSize + 6);
  const mac = msg.subarray(pos, pos + macSize);
  pos += macSize;
  const originalId = msg.readUInt16BE(pos);
  const error = msg.readUInt16BE(pos + 2);
  const otherLen = msg.readUInt16BE(pos + 4);
  pos += 6;
  need(otherLen);
  return { keyName, algorithm, timeSigned, fudge, mac, originalId, error, other: msg.subarray(pos, pos + otherLen), start };
}

/** The message as it was signed: without its TSIG record, ARCOUNT one less, the original ID. */
function unsigned(msg: Buffer, tsig: TsigRecord): Buffer {
  const out = Buffer.from(msg.subarray(0, tsig.start));
  out.writeUInt16BE(tsig.originalId, 0);
  out.writeUInt16BE(out.readUInt16BE(10) - 1, 10);
  return out;
}

interface Variables {
  keyName: Name;
  algorithm: Name;
  timeSigned: number;
  fudge: number;
  error: number;
  other: Buffer;
}

/** The TSIG variables of §4.3.3, names in canonical (lowercase, uncompressed) form. */
function variables(v: Variables): Buffer {
  const w = new MessageWriter(512, false);
  w.name(Name.parse(v.keyName.key), false);
  w.u16(CLASS_ANY);
  w.u32(0);
  w.name(Name.parse(v.algorithm.key), false);
  u48(w, v.timeSigned);
  w.u16(v.fudge);
  w.u16(v.error);
  w.u16(v.other.length);
  w.bytes(v.other);
  return w.result();
}

function macLength(mac: Buffer): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(mac.length);
  return b;
}

function hmac(key: TsigKey, parts: Buffer[]): Buffer {
  const h = createHmac(TSIG_ALGORITHMS[key.algorithm].hash, key.secret);
  for (const p of parts) h.update(p);
  return h.digest();
}

export type Verification =
  | { ok: true; key: TsigKey; tsig: TsigRecord }
  | { ok: false; error: number; key?: TsigKey; tsig: TsigRecord };

/** §5.2: the key first (BADKEY), then the MAC (BADSIG), then the time (BADTIME). */
export function verifyRequest(msg: Buffer, tsig: TsigRecord, keyring: Keyring, now = Date.now() / 1000): Verification {
  const key = keyring.get(tsig.keyName.key);
  if (!key || tsig.algorithm.key !== `${key.algorithm}.`) return { ok: false, error: TsigError.BADKEY, tsig };
  const expected = hmac(key, [unsigned(msg, tsig), variables(tsig)]);
  // A truncated MAC (RFC 8945 §5.2.2.1) must keep at least half the hash and 10 octets.
  const size = tsig.mac.length;
  const minimum = Math.max(10, expected.length / 2);
  if (size < minimum || size > expected.length || !timingSafeEqual(expected.subarray(0, size), tsig.mac)) {
    return { ok: false, error: TsigError.BADSIG, key, tsig };
  }
  if (Math.abs(now - tsig.timeSigned) > Math.min(tsig.fudge, MAX_FUDGE)) return { ok: false, error: TsigError.BADTIME, key, tsig };
  return { ok: true, key, tsig };
}

export interface SignOptions {
  key: TsigKey;
  /** The MAC this message answers or follows: the request's, or the previous message's. */
  priorMac?: Buffer;
  /** Later messages of a transfer sign only the timers, not all variables (§5.3.1). */
  timersOnly?: boolean;
  error?: number;
  other?: Buffer;
  originalId?: number;
  timeSigned?: number;
}

/** Appends a TSIG record to `msg` (and counts it in ARCOUNT); returns the message and its MAC. */
export function sign(msg: Buffer, opts: SignOptions): { message: Buffer; mac: Buffer } {
  const { key } = opts;
  const algorithm = Name.parse(`${key.algorithm}.`);
  const v: Variables = {
    keyName: key.name, algorithm, timeSigned: opts.timeSigned ?? Math.floor(Date.now() / 1000), fudge: DEFAULT_FUDGE,
    error: opts.error ?? 0, other: opts.other ?? Buffer.alloc(0),
  };
  const parts: Buffer[] = [];
  if (opts.priorMac) parts.push(macLength(opts.priorMac), opts.priorMac);
  parts.push(msg);
  if (opts.timersOnly) {
    const t = new MessageWriter(8, false);
    u48(t, v.timeSigned);
    t.u16(v.fudge);
    parts.push(t.result());
  } else {
    parts.push(variables(v));
  }
  const mac = hmac(key, parts);
  return { message: appendTsig(msg, v, mac, opts.originalId ?? msg.readUInt16BE(0)), mac };
}

/** An unsigned TSIG record carrying an error (BADKEY, BADSIG: the MAC is left empty, §5.3.2). */
export function appendTsigError(msg: Buffer, tsig: TsigRecord, error: number): Buffer {
  return appendTsig(msg, { ...tsig, error, other: Buffer.alloc(0) }, Buffer.alloc(0), tsig.originalId);
}

function appendTsig(msg: Buffer, v: Variables, mac: Buffer, originalId: number): Buffer {
  const w = new MessageWriter(msg.length + 512, false);
  w.bytes(msg);
  w.name(v.keyName, false);
  w.u16(TSIG_TYPE);
  w.u16(CLASS_ANY);
  w.u32(0);
  const lengthAt = w.pos;
  w.u16(0);
  w.name(v.algorithm, false);
  u48(w, v.timeSigned);
  w.u16(v.fudge);
  w.u16(mac.length);
  w.bytes(mac);
  w.u16(originalId);
  w.u16(v.error);
  w.u16(v.other.length);
  w.bytes(v.other);
  w.buf.writeUInt16BE(w.pos - lengthAt - 2, lengthAt);
  const out = w.result();
  out.writeUInt16BE(out.readUInt16BE(10) + 1, 10);
  return out;
}

/** Room a TSIG record takes, so responses can leave space for it. */
export function tsigSize(key: TsigKey): number {
  return key.name.wireLength + 10 + key.algorithm.length + 2 + 16 + TSIG_ALGORITHMS[key.algorithm].size + 6;
}

/** The server's clock as BADTIME's Other Data (§5.2.3). */
export function timeOther(now = Date.now() / 1000): Buffer {
  const w = new MessageWriter(6, false);
  u48(w, Math.floor(now));
  return w.result();
}

/**
 * Signs the response messages to one signed request: the first over the
 * request's MAC, each later one (a transfer) over the MAC before it (§5.3.1).
 */
export class ResponseSigner {
  private priorMac: Buffer;
  private first = true;

  constructor(readonly key: TsigKey, private readonly request: TsigRecord) {
    this.priorMac = request.mac;
  }

  sign(msg: Buffer): Buffer {
    const { message, mac } = sign(msg, { key: this.key, priorMac: this.priorMac, timersOnly: !this.first, originalId: this.request.originalId });
    this.first = false;
    this.priorMac = mac;
    return message;
  }
}

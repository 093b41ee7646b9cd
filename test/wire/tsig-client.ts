// A TSIG client written apart from src/wire/tsig.ts (RFC 8945 §4.3, §5.3), so
// that tests can sign requests the server's own signer never would (a long
// fudge, a short or empty MAC) and check replies without trusting its code.
import { createHmac } from 'node:crypto';

export interface ClientKey {
  name: string;
  secret: Buffer;
}

const ALGORITHM = 'hmac-sha256.';

/** Uncompressed, lowercase wire form of a dotted name. */
function wireName(name: string): Buffer {
  const labels = name.toLowerCase().split('.').filter(Boolean);
  return Buffer.concat([...labels.map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l)])), Buffer.from([0])]);
}

function u16(v: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(v);
  return b;
}

function u48(v: number): Buffer {
  const b = Buffer.alloc(6);
  b.writeUInt16BE(Math.floor(v / 2 ** 32));
  b.writeUInt32BE(v % 2 ** 32, 2);
  return b;
}

/** Key name, class ANY, TTL 0, algorithm, time, fudge, error, other: the variables the MAC covers. */
function variables(key: ClientKey, time: number, fudge: number, error: number, other: Buffer): Buffer {
  return Buffer.concat([wireName(key.name), u16(255), Buffer.alloc(4), wireName(ALGORITHM), u48(time), u16(fudge), u16(error), u16(other.length), other]);
}

export interface SignedRequest {
  message: Buffer;
  mac: Buffer;
}

/** `msg` with a TSIG record; `mac` replaces the real MAC (to send a truncated or empty one). */
export function signRequest(msg: Buffer, key: ClientKey, opts: { time?: number; fudge?: number; mac?: (real: Buffer) => Buffer } = {}): SignedRequest {
  const time = opts.time ?? Math.floor(Date.now() / 1000);
  const fudge = opts.fudge ?? 300;
  const real = createHmac('sha256', key.secret).update(msg).update(variables(key, time, fudge, 0, Buffer.alloc(0))).digest();
  const mac = opts.mac ? opts.mac(real) : real;
  const rdata = Buffer.concat([wireName(ALGORITHM), u48(time), u16(fudge), u16(mac.length), mac, msg.subarray(0, 2), u16(0), u16(0)]);
  const record = Buffer.concat([wireName(key.name), u16(250), u16(255), Buffer.alloc(4), u16(rdata.length), rdata]);
  const message = Buffer.concat([msg, record]);
  message.writeUInt16BE(message.readUInt16BE(10) + 1, 10);
  return { message, mac };
}

export interface ReplyCheck {
  /** Whether the reply carries a TSIG record whose MAC covers the request's MAC and the reply. */
  verified: boolean;
  error?: number;
  time?: number;
  other?: Buffer;
}

/** Finds the TSIG record that ends `reply` (the last additional record) and checks its MAC against `requestMac`. */
export function checkReply(reply: Buffer, requestMac: Buffer, key: ClientKey): ReplyCheck {
  if (reply.readUInt16BE(10) === 0) return { verified: false };
  const owner = wireName(key.name);
  const at = reply.lastIndexOf(Buffer.concat([owner, u16(250), u16(255)]));
  if (at < 0) return { verified: false };
  let pos = at + owner.length + 10 + wireName(ALGORITHM).length;
  const time = reply.readUInt16BE(pos) * 2 ** 32 + reply.readUInt32BE(pos + 2);
  const fudge = reply.readUInt16BE(pos + 6);
  const macLength = reply.readUInt16BE(pos + 8);
  pos += 10;
  const mac = reply.subarray(pos, pos + macLength);
  pos += macLength;
  const originalId = reply.readUInt16BE(pos);
  const error = reply.readUInt16BE(pos + 2);
  const other = reply.subarray(pos + 6, pos + 6 + reply.readUInt16BE(pos + 4));
  const signed = Buffer.from(reply.subarray(0, at));
  signed.writeUInt16BE(originalId, 0);
  signed.writeUInt16BE(signed.readUInt16BE(10) - 1, 10);
  const expected = createHmac('sha256', key.secret)
    .update(u16(requestMac.length)).update(requestMac).update(signed).update(variables(key, time, fudge, error, other)).digest();
  return { verified: macLength > 0 && expected.equals(mac), error, time, other };
}

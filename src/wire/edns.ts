// EDNS(0) (RFC 6891): the OPT pseudo-record.
import { WireError } from './name.js';

/** What we advertise and the most we send over UDP: the DNS Flag Day 2020 size. */
export const SERVER_UDP_SIZE = 1232;
export const MIN_UDP_SIZE = 512;

export interface Edns {
  udpSize: number;
  version: number;
  /** DNSSEC OK (RFC 3225): copied into the response. */
  dnssecOk: boolean;
  extendedRcode: number;
  /** The client asked for the server's NSID (RFC 5001). */
  nsid?: boolean;
}

/** EDNS option codes rotor reads or writes. */
export const EdnsOption = { NSID: 3, EDE: 15 } as const;

export const DO_BIT = 0x8000;

/** Decodes the OPT record whose CLASS and TTL fields start at `offset`. */
export function readOpt(buf: Buffer, classOffset: number): Edns {
  const ttl = buf.readUInt32BE(classOffset + 2);
  return {
    udpSize: buf.readUInt16BE(classOffset),
    extendedRcode: ttl >>> 24,
    version: (ttl >>> 16) & 0xff,
    dnssecOk: (ttl & DO_BIT) !== 0,
  };
}

/**
 * Checks that the OPT RDATA is a whole number of {code, length, data} options,
 * as BIND and Knot do before honouring it: a lying option length is FORMERR.
 * Returns whether one of them asks for the NSID.
 */
export function checkOptions(buf: Buffer, start: number, end: number): boolean {
  let pos = start;
  let nsid = false;
  while (pos < end) {
    if (pos + 4 > end) throw new WireError('EDNS option header runs past the OPT record');
    if (buf.readUInt16BE(pos) === EdnsOption.NSID) nsid = true;
    pos += 4 + buf.readUInt16BE(pos + 2);
    if (pos > end) throw new WireError('EDNS option runs past the OPT record');
  }
  return nsid;
}

/** The largest UDP response a client with these EDNS parameters may be sent. */
export function udpLimit(edns: Edns | undefined): number {
  if (!edns) return MIN_UDP_SIZE;
  return Math.max(MIN_UDP_SIZE, Math.min(edns.udpSize, SERVER_UDP_SIZE));
}

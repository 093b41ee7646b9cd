// EDNS options added to a response once it is built: the server's NSID (RFC
// 5001) for a client that asks, and an Extended DNS Error (RFC 8914) saying
// why a query was REFUSED or SERVFAILed. Both go into the OPT record, which
// every response to an EDNS query ends with, and only if the message still
// fits the client's limit: they explain, and are never worth a truncation.
import { EdnsOption } from '../wire/edns.js';
import { HEADER_LENGTH } from '../wire/header.js';
import { RRType } from '../wire/types.js';

/** RFC 8914 §4 INFO-CODEs rotor gives. */
export const EdeCode = {
  OTHER: 0,
  PROHIBITED: 18,
  NOT_AUTHORITATIVE: 20,
  NOT_SUPPORTED: 21,
  NO_REACHABLE_AUTHORITY: 22,
} as const;

export interface ExtendedError {
  code: number;
  /** EXTRA-TEXT, for people: never data from the query beyond its name. */
  text: string;
}

/** An OPT record with no options: root owner, type OPT, class, TTL, RDLENGTH 0. */
const OPT_LENGTH = 11;

/**
 * `response` with `options` ({code, data}) in its final OPT record, each only
 * while the message stays within `limit`; the response itself when it has no
 * OPT record at its end or nothing fits.
 */
function withOptions(response: Buffer, options: { code: number; data: Buffer }[], limit: number): Buffer {
  const at = response.length - OPT_LENGTH;
  if (at < HEADER_LENGTH || response[at] !== 0 || response.readUInt16BE(at + 1) !== RRType.OPT || response.readUInt16BE(at + 9) !== 0) return response;
  const parts: Buffer[] = [];
  let length = response.length;
  for (const { code, data } of options) {
    if (length + 4 + data.length > limit) continue;
    const head = Buffer.alloc(4);
    head.writeUInt16BE(code, 0);
    head.writeUInt16BE(data.length, 2);
    parts.push(head, data);
    length += 4 + data.length;
  }
  if (parts.length === 0) return response;
  const out = Buffer.concat([response, ...parts], length);
  out.writeUInt16BE(length - response.length, at + 9);
  return out;
}

/** The options owed to a response: NSID when asked for and configured, the extended error when there is one. */
export function addEdnsOptions(response: Buffer, nsid: Buffer | undefined, error: ExtendedError | undefined, limit: number): Buffer {
  const options: { code: number; data: Buffer }[] = [];
  if (nsid) options.push({ code: EdnsOption.NSID, data: nsid });
  if (error) {
    const data = Buffer.alloc(2 + Buffer.byteLength(error.text));
    data.writeUInt16BE(error.code, 0);
    data.write(error.text, 2);
    options.push({ code: EdnsOption.EDE, data });
  }
  return options.length === 0 ? response : withOptions(response, options, limit);
}

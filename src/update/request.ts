// An UPDATE message (RFC 2136 §2) as read: the zone section, the prerequisites
// (the answer section) and the updates (the authority section). Records keep
// their class, which says what they mean (ANY and NONE are the RFC's special
// forms); data of zero length is allowed, since deletions carry none.
import { readRData } from '../rrtypes/registry.js';
import { HEADER_LENGTH, readHeader } from '../wire/header.js';
import { readName, WireError, type Name } from '../wire/name.js';
import { readQuestion, type Question } from '../wire/query.js';

export interface UpdateRecord {
  owner: Name;
  type: number;
  class: number;
  ttl: number;
  /** Uncompressed wire form; empty for the deletion and existence forms. */
  rdata: Buffer;
}

export interface UpdateRequest {
  zone: Question;
  prerequisites: UpdateRecord[];
  updates: UpdateRecord[];
}

/** A malformed UPDATE: answered FORMERR. */
export class UpdateFormatError extends Error {}

function readRecord(msg: Buffer, offset: number): { record: UpdateRecord; end: number } {
  const { name: owner, end: nameEnd } = readName(msg, offset);
  if (nameEnd + 10 > msg.length) throw new WireError('record header runs past the end of the message');
  const type = msg.readUInt16BE(nameEnd);
  const rdlength = msg.readUInt16BE(nameEnd + 8);
  const start = nameEnd + 10;
  if (start + rdlength > msg.length) throw new WireError('record data runs past the end of the message');
  const rdata = rdlength === 0 ? Buffer.alloc(0) : readRData(msg, start, start + rdlength, type);
  return { record: { owner, type, class: msg.readUInt16BE(nameEnd + 2), ttl: msg.readUInt32BE(nameEnd + 4), rdata }, end: start + rdlength };
}

/**
 * Reads an UPDATE whose header is there; the TSIG record, if any, was verified
 * by the pipeline and is not read again. ZOCOUNT must be 1 (§3.1.1).
 */
export function parseUpdate(msg: Buffer): UpdateRequest {
  const header = readHeader(msg);
  if (header.qdcount !== 1) throw new UpdateFormatError(`${header.qdcount} zones in the zone section`);
  try {
    const { question: zone, end } = readQuestion(msg, HEADER_LENGTH);
    let pos = end;
    const read = (count: number): UpdateRecord[] => {
      const out: UpdateRecord[] = [];
      for (let i = 0; i < count; i++) {
        const r = readRecord(msg, pos);
        out.push(r.record);
        pos = r.end;
      }
      return out;
    };
    const prerequisites = read(header.ancount);
    const updates = read(header.nscount);
    return { zone, prerequisites, updates };
  } catch (e) {
    if (e instanceof WireError) throw new UpdateFormatError(e.message);
    throw e;
  }
}

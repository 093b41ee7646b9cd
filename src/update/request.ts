// An UPDATE message (RFC 2136 §2) as read: the zone section, the prerequisites
// (the answer section) and the updates (the authority section). Records keep
// their class, which says what they mean (ANY and NONE are the RFC's special
// forms); data of zero length is allowed, since deletions carry none.
import { readRecord, type WireRecord } from '../message/message.js';
import { HEADER_LENGTH, readHeader } from '../wire/header.js';
import { WireError } from '../wire/name.js';
import { readQuestion, type Question } from '../wire/query.js';

/** A record of the prerequisite or update section; its data is empty for the deletion and existence forms. */
export type UpdateRecord = WireRecord;

export interface UpdateRequest {
  zone: Question;
  prerequisites: UpdateRecord[];
  updates: UpdateRecord[];
}

/** A malformed UPDATE: answered FORMERR. */
export class UpdateFormatError extends Error {}

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
        const r = readRecord(msg, pos, true);
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

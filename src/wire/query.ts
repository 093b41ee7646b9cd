// Parsing of incoming messages: header, the one question, and the OPT record.
// Every read is bounds-checked; anything malformed becomes a QueryError that the
// pipeline answers with FORMERR (or drops, when not even the header is there).
import { checkOptions, readOpt, type Edns } from './edns.js';
import { HEADER_LENGTH, readHeader, type Header } from './header.js';
import { readName, WireError, type Name } from './name.js';
import { readTsig, TSIG_TYPE, type TsigRecord } from './tsig.js';
import { RRType } from './types.js';

export interface Question {
  name: Name;
  type: number;
  class: number;
  /** The question as it came, so the response echoes its case byte for byte. */
  raw: Buffer;
}

export interface Query {
  header: Header;
  question: Question;
  edns?: Edns;
  /** The request's signature, when it has one: verified by the pipeline. */
  tsig?: TsigRecord;
  /** Serial of the SOA in the authority section: the client's version in an IXFR. */
  soaSerial?: number;
}

export class QueryError extends Error {}

export function readQuestion(buf: Buffer, offset: number): { question: Question; end: number } {
  const { name, end: nameEnd } = readName(buf, offset);
  if (nameEnd + 4 > buf.length) throw new WireError('question runs past the end of the message');
  const question: Question = {
    name,
    type: buf.readUInt16BE(nameEnd),
    class: buf.readUInt16BE(nameEnd + 2),
    raw: buf.subarray(offset, nameEnd + 4),
  };
  return { question, end: nameEnd + 4 };
}

/** Skips one resource record, returning its type, where CLASS starts and where it ends. */
function skipRecord(buf: Buffer, offset: number): { type: number; owner: Name; classAt: number; end: number } {
  const { name, end } = readName(buf, offset);
  if (end + 10 > buf.length) throw new WireError('record header runs past the end of the message');
  const rdlength = buf.readUInt16BE(end + 8);
  const next = end + 10 + rdlength;
  if (next > buf.length) throw new WireError('record data runs past the end of the message');
  return { type: buf.readUInt16BE(end), owner: name, classAt: end + 2, end: next };
}

/**
 * Parses a query whose header is known to be present (buf.length >= 12) and
 * whose QDCOUNT is 1. Throws QueryError on anything malformed.
 */
export function parseQuery(buf: Buffer): Query {
  const header = readHeader(buf);
  try {
    const { question, end } = readQuestion(buf, HEADER_LENGTH);
    let pos = end;
    let edns: Edns | undefined;
    let tsig: TsigRecord | undefined;
    let soaSerial: number | undefined;
    const records = header.ancount + header.nscount + header.arcount;
    for (let i = 0; i < records; i++) {
      const rr = skipRecord(buf, pos);
      if (rr.type === TSIG_TYPE) {
        if (i !== records - 1 || i < header.ancount + header.nscount) throw new QueryError('TSIG record is not the last record of the message');
        tsig = readTsig(buf, pos);
      } else if (rr.type === RRType.SOA && i >= header.ancount && i < header.ancount + header.nscount && soaSerial === undefined && rr.end > rr.classAt + 10) {
        // An IXFR request carries the client's SOA in authority (RFC 1995 §3); an UPDATE deleting the SOA one without data.
        const mname = readName(buf, rr.classAt + 8);
        const rname = readName(buf, mname.end);
        if (rname.end + 4 > rr.end) throw new QueryError('SOA record data is truncated');
        soaSerial = buf.readUInt32BE(rname.end);
      } else if (rr.type === RRType.OPT) {
        if (i < header.ancount + header.nscount) throw new QueryError('OPT record outside the additional section');
        if (edns) throw new QueryError('more than one OPT record');
        if (rr.owner.labels.length !== 0) throw new QueryError('OPT record owner is not the root');
        edns = readOpt(buf, rr.classAt);
        if (checkOptions(buf, rr.classAt + 8, rr.end)) edns.nsid = true;
      }
      pos = rr.end;
    }
    return { header, question, edns, tsig, soaSerial };
  } catch (e) {
    if (e instanceof WireError) throw new QueryError(e.message);
    throw e;
  }
}

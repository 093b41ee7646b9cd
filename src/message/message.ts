// Parsing of whole messages with their records, as another server sends them:
// the forwarder reads its upstreams' answers with it. Names inside record data
// are decompressed, because the records are written again into other messages
// where the original pointers would point at nothing.
import { readRData } from '../rrtypes/registry.js';
import { HEADER_LENGTH, readHeader, type Header } from '../wire/header.js';
import { readName, WireError, type Name } from '../wire/name.js';
import { readQuestion, type Question } from '../wire/query.js';

export interface WireRecord {
  owner: Name;
  type: number;
  class: number;
  ttl: number;
  /** In uncompressed wire form: names a sender compressed are written in full. */
  rdata: Buffer;
}

export interface Message {
  header: Header;
  question?: Question;
  answer: WireRecord[];
  authority: WireRecord[];
  additional: WireRecord[];
}

/**
 * Reads the record at `offset`: its TTL as sent, its data decompressed and
 * checked against its type. With `emptyData`, data of zero length passes
 * unchecked (UPDATE's deletion and existence forms carry none).
 */
export function readRecord(msg: Buffer, offset: number, emptyData = false): { record: WireRecord; end: number } {
  const { name: owner, end: nameEnd } = readName(msg, offset);
  if (nameEnd + 10 > msg.length) throw new WireError('record header runs past the end of the message');
  const type = msg.readUInt16BE(nameEnd);
  const rdlength = msg.readUInt16BE(nameEnd + 8);
  const start = nameEnd + 10;
  if (start + rdlength > msg.length) throw new WireError('record data runs past the end of the message');
  const record: WireRecord = {
    owner,
    type,
    class: msg.readUInt16BE(nameEnd + 2),
    ttl: msg.readUInt32BE(nameEnd + 4),
    rdata: emptyData && rdlength === 0 ? Buffer.alloc(0) : readRData(msg, start, start + rdlength, type),
  };
  return { record, end: start + rdlength };
}

/** Parses a whole message; throws WireError on anything malformed. QDCOUNT above 1 is an error. */
export function parseMessage(msg: Buffer): Message {
  if (msg.length < HEADER_LENGTH) throw new WireError('message shorter than a header');
  const header = readHeader(msg);
  if (header.qdcount > 1) throw new WireError(`${header.qdcount} questions`);
  let pos = HEADER_LENGTH;
  let question: Question | undefined;
  if (header.qdcount === 1) ({ question, end: pos } = readQuestion(msg, pos));
  const out: Message = { header, question, answer: [], authority: [], additional: [] };
  const sections = [[header.ancount, out.answer], [header.nscount, out.authority], [header.arcount, out.additional]] as const;
  for (const [count, into] of sections) {
    for (let i = 0; i < count; i++) {
      const { record, end } = readRecord(msg, pos);
      // RFC 2181 §8: a TTL with the top bit set is taken as zero.
      if (record.ttl > 0x7fffffff) record.ttl = 0;
      into.push(record);
      pos = end;
    }
  }
  return out;
}

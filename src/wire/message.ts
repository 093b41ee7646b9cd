// Parsing of whole messages with their records, as another server sends them:
// the forwarder reads its upstreams' answers with it. Names inside record data
// are decompressed, because the records are written again into other messages
// where the original pointers would point at nothing.
import { Address6 } from 'ip-address';
import { HEADER_LENGTH, readHeader, type Header } from './header.js';
import { readName, WireError, type Name } from './name.js';
import { readQuestion, type Question } from './query.js';
import type { RData } from './rdata.js';
import { RRType, typeName } from './types.js';
import { MessageWriter } from './writer.js';

export interface WireRecord {
  owner: Name;
  type: number;
  class: number;
  ttl: number;
  rdata: RData;
}

export interface Message {
  header: Header;
  question?: Question;
  answer: WireRecord[];
  authority: WireRecord[];
  additional: WireRecord[];
}

/**
 * Types whose data holds names that a sender may have compressed (RFC 3597 §4:
 * those of RFC 1035, and those receivers are told to decompress), beyond the
 * ones RData has a kind for: their fields, in order; anything after is copied.
 */
const NAME_LAYOUTS: Record<number, readonly ('u16' | 'name' | 'string')[]> = {
  3: ['name'], 4: ['name'], 7: ['name'], 8: ['name'], 9: ['name'], // MD MF MB MG MR
  14: ['name', 'name'], 17: ['name', 'name'], // MINFO RP
  18: ['u16', 'name'], 21: ['u16', 'name'], // AFSDB RT
  26: ['u16', 'name', 'name'], // PX
  [RRType.NAPTR]: ['u16', 'u16', 'string', 'string', 'string', 'name'],
};

const expanded = new MessageWriter(65535, false);

/** The data of one record of `type` at msg[start, end), names read against the whole message. */
export function readRData(msg: Buffer, start: number, end: number, type: number): RData {
  let at = start;
  const need = (n: number) => {
    if (at + n > end) throw new WireError(`${typeName(type)} data ends early`);
  };
  const u8 = () => { need(1); return msg[at++]!; };
  const u16 = () => { need(2); at += 2; return msg.readUInt16BE(at - 2); };
  const u32 = () => { need(4); at += 4; return msg.readUInt32BE(at - 4); };
  const bytes = (n: number) => { need(n); at += n; return Buffer.from(msg.subarray(at - n, at)); };
  const name = () => {
    let r: ReturnType<typeof readName>;
    try {
      r = readName(msg, at);
    } catch (e) {
      throw new WireError(`${typeName(type)} data holds a bad name: ${(e as Error).message}`);
    }
    // A compressed name ends inside the record; its labels may lie anywhere before.
    if (r.end > end) throw new WireError(`a name runs past the ${typeName(type)} data`);
    at = r.end;
    return r.name;
  };
  let rd: RData;
  switch (type) {
    case RRType.A: {
      const b = bytes(4);
      rd = { kind: 'A', address: [...b].join('.'), bytes: b };
      break;
    }
    case RRType.AAAA: {
      const b = bytes(16);
      rd = { kind: 'AAAA', address: Address6.fromByteArray([...b]).correctForm(), bytes: b };
      break;
    }
    case RRType.NS: rd = { kind: 'NS', target: name() }; break;
    case RRType.CNAME: rd = { kind: 'CNAME', target: name() }; break;
    case RRType.PTR: rd = { kind: 'PTR', target: name() }; break;
    case RRType.MX: rd = { kind: 'MX', preference: u16(), exchange: name() }; break;
    case RRType.SRV: rd = { kind: 'SRV', priority: u16(), weight: u16(), port: u16(), target: name() }; break;
    case RRType.TXT:
    case RRType.SPF: {
      const strings: Buffer[] = [];
      do strings.push(bytes(u8())); while (at < end);
      rd = { kind: type === RRType.TXT ? 'TXT' : 'SPF', strings };
      break;
    }
    case RRType.CAA: {
      const flags = u8();
      const tag = bytes(u8()).toString('latin1');
      rd = { kind: 'CAA', flags, tag, value: bytes(end - at) };
      break;
    }
    case RRType.SOA:
      rd = { kind: 'SOA', mname: name(), rname: name(), serial: u32(), refresh: u32(), retry: u32(), expire: u32(), minimum: u32() };
      break;
    default: {
      const layout = NAME_LAYOUTS[type];
      if (!layout) {
        rd = { kind: 'GENERIC', type, data: bytes(end - at) };
        break;
      }
      expanded.reset();
      for (const field of layout) {
        if (field === 'u16') expanded.u16(u16());
        else if (field === 'name') expanded.name(name(), false);
        else expanded.characterString(bytes(u8()));
      }
      expanded.bytes(bytes(end - at));
      rd = { kind: 'GENERIC', type, data: expanded.result() };
    }
  }
  if (at !== end) throw new WireError(`${end - at} octets left over after the ${typeName(type)} data`);
  return rd;
}

function readRecord(msg: Buffer, offset: number): { record: WireRecord; end: number } {
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
    // RFC 2181 §8: a TTL with the top bit set is taken as zero.
    ttl: msg.readUInt32BE(nameEnd + 4) > 0x7fffffff ? 0 : msg.readUInt32BE(nameEnd + 4),
    rdata: type === RRType.OPT ? { kind: 'GENERIC', type, data: Buffer.from(msg.subarray(start, start + rdlength)) } : readRData(msg, start, start + rdlength, type),
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
      into.push(record);
      pos = end;
    }
  }
  return out;
}

// What the server says about itself: CH TXT version.bind and version.server,
// id.server and hostname.bind (RFC 4892), as BIND, Knot and NSD answer them;
// each can be set or hidden in rotor.yaml (server-version, server-hostname).
import { writeOpt } from '../message/response.js';
import { Flag, HEADER_LENGTH } from '../wire/header.js';
import type { Query } from '../wire/query.js';
import { MessageWriter } from '../wire/writer.js';
import { Rcode, RRClass, RRType } from '../wire/types.js';
import { EdeCode } from './ednsopts.js';
import type { Outcome } from './outcome.js';

/** Each field undefined is hidden: the query is REFUSED. */
export interface Identity {
  version?: string;
  hostname?: string;
  /** The NSID option's payload (RFC 5001), for clients that ask; none when undefined. */
  nsid?: Buffer;
}

const NAMES: Record<string, 'version' | 'hostname'> = {
  'version.bind.': 'version',
  'version.server.': 'version',
  'id.server.': 'hostname',
  'hostname.bind.': 'hostname',
};

const writer = new MessageWriter(1024, false);

/**
 * The answer to a CH query: the TXT record for the names above (TXT or ANY;
 * other types get an empty answer), REFUSED for the rest of class CH and for
 * what is hidden, with the reason as an extended error.
 */
export function chaosAnswer(query: Query, identity: Identity | undefined, refused: (code: number, text: string) => Outcome): Outcome {
  const { question } = query;
  const which = NAMES[question.name.key];
  if (!which) return refused(EdeCode.NOT_AUTHORITATIVE, `not authoritative for ${question.name} in class CH`);
  const text = identity?.[which];
  if (text === undefined) return refused(EdeCode.PROHIBITED, `${question.name.key.slice(0, -1)} is hidden`);
  const w = writer;
  w.reset();
  w.pos = HEADER_LENGTH;
  w.bytes(question.raw);
  const answers = question.type === RRType.TXT || question.type === RRType.ANY ? 1 : 0;
  if (answers) {
    const data = Buffer.from(text);
    w.u16(0xc000 | HEADER_LENGTH); // the question's name
    w.u16(RRType.TXT);
    w.u16(RRClass.CH);
    w.u32(0);
    w.u16(data.length + 1);
    w.u8(data.length);
    w.bytes(data);
  }
  if (query.edns) writeOpt(w, Rcode.NOERROR, query.edns.dnssecOk);
  const b = w.buf;
  b.writeUInt16BE(query.header.id, 0);
  b.writeUInt16BE(Flag.QR | Flag.AA | (query.header.flags & (0x7800 | Flag.RD | Flag.CD)), 2);
  b.writeUInt16BE(1, 4);
  b.writeUInt16BE(answers, 6);
  b.writeUInt16BE(0, 8);
  b.writeUInt16BE(query.edns ? 1 : 0, 10);
  return { response: w.result(), rcode: Rcode.NOERROR, aa: true, answers, question };
}

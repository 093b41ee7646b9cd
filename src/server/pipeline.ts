// One request in, at most one response out: the checks every query goes
// through before the answer algorithm sees it, shared by UDP and TCP.
import { answer, type AnswerOptions } from '../authority/answer.js';
import type { Catalog } from '../authority/catalog.js';
import { udpLimit } from '../wire/edns.js';
import { Flag, HEADER_LENGTH, opcodeOf } from '../wire/header.js';
import { encodeResponse, type ResponseSpec } from '../wire/message.js';
import { parseQuery, QueryError, readQuestion, type Query, type Question } from '../wire/query.js';
import { Opcode, Rcode, RRClass, RRType } from '../wire/types.js';
import type { Zone } from '../zone/zone.js';
import type { RequestContext } from './context.js';

export interface Outcome {
  response: Buffer;
  rcode: number;
  zone?: Zone;
  question?: Question;
}

export interface PipelineOptions {
  catalog: Catalog;
  policy: AnswerOptions['policy'];
}

const TCP_LIMIT = 65535;

function reply(query: Pick<Query, 'header' | 'edns'> & { question?: Question }, rcode: number, limit: number): Outcome {
  const spec: ResponseSpec = {
    id: query.header.id,
    queryFlags: query.header.flags,
    aa: false,
    rcode,
    question: query.question,
    answer: [], authority: [], additional: [],
    edns: query.edns ? { dnssecOk: query.edns.dnssecOk } : undefined,
  };
  return { response: encodeResponse(spec, limit), rcode, question: query.question };
}

/** A question, if one can be read, for error responses that should echo it. */
function questionIfAny(msg: Buffer): Question | undefined {
  try {
    return readQuestion(msg, HEADER_LENGTH).question;
  } catch {
    return undefined;
  }
}

/**
 * Handles one DNS message. Returns undefined when nothing should be sent: a
 * message too short to have a header, or a response (answering responses is how
 * reflection loops start).
 */
export function handleMessage(msg: Buffer, ctx: RequestContext, opts: PipelineOptions): Outcome | undefined {
  const { transport } = ctx;
  if (msg.length < HEADER_LENGTH) return undefined;
  const flags = msg.readUInt16BE(2);
  if (flags & Flag.QR) return undefined;
  const header = { id: msg.readUInt16BE(0), flags, qdcount: msg.readUInt16BE(4), ancount: 0, nscount: 0, arcount: 0 };
  const minimal = transport === 'tcp' ? TCP_LIMIT : 512;

  if (opcodeOf(flags) !== Opcode.QUERY) {
    return reply({ header, question: header.qdcount === 1 ? questionIfAny(msg) : undefined }, Rcode.NOTIMP, minimal);
  }
  if (header.qdcount !== 1) return reply({ header }, Rcode.FORMERR, minimal);

  let query: Query;
  try {
    query = parseQuery(msg);
  } catch (e) {
    if (!(e instanceof QueryError)) throw e;
    return reply({ header, question: questionIfAny(msg) }, Rcode.FORMERR, minimal);
  }
  const limit = transport === 'tcp' ? TCP_LIMIT : udpLimit(query.edns);
  const { question } = query;

  if (query.edns && query.edns.version > 0) return reply(query, Rcode.BADVERS, limit);
  if (question.class !== RRClass.IN) return reply(query, Rcode.REFUSED, limit);
  switch (question.type) {
    case RRType.OPT:
      return reply(query, Rcode.FORMERR, limit);
    case RRType.MAILA:
    case RRType.MAILB:
      return reply(query, Rcode.NOTIMP, limit);
    case RRType.AXFR:
    case RRType.IXFR:
      // Nothing is transferable until transfers are configured.
      return reply(query, Rcode.REFUSED, limit);
  }

  const result = answer(opts.catalog, question.name, question.type, { fullAny: transport === 'tcp', policy: opts.policy });
  if (!result) return reply(query, Rcode.REFUSED, limit);
  const response = encodeResponse({
    id: query.header.id,
    queryFlags: flags,
    aa: result.aa,
    rcode: result.rcode,
    question,
    answer: result.answer,
    authority: result.authority,
    additional: result.additional,
    edns: query.edns ? { dnssecOk: query.edns.dnssecOk } : undefined,
    glueRequired: result.referral,
  }, limit);
  return { response, rcode: result.rcode, zone: result.zone, question };
}

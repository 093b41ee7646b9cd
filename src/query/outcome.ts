// What answering one request came to, as every later step reads it: the
// final reply step (TSIG, RRL), the query log and the metrics. They read
// these fields, never the bytes of the response.
import type { AnswerKind } from '../authority/answer.js';
import type { Name } from '../wire/name.js';
import type { Question } from '../wire/query.js';
import type { ResponseSigner } from '../wire/tsig.js';
import type { Zone } from '../zone/zone.js';
import type { ExtendedError } from './ednsopts.js';

export interface Outcome {
  response: Buffer;
  rcode: number;
  /** Whether the response is authoritative (AA). */
  aa: boolean;
  /** Records in the answer section: of the answer as built, whether or not all of them fit. */
  answers: number;
  /** For answers from a local zone: what kind of answer (answer.ts). */
  kind?: AnswerKind;
  zone?: Zone;
  question?: Question;
  /** How far the answer's first rotating RRset was turned (rotation.ts), for the query log. */
  rotation?: number;
  /** Answer.wildcard: the wildcard or DNAME the answer was synthesised from, which RRL counts it against. */
  wildcard?: Name;
  /** A zone transfer's messages, `response` being the first. */
  messages?: Buffer[];
  /** For questions forwarded to the upstreams: where the answer came from. */
  recursion?: 'cache' | 'upstream' | 'failed' | 'loop';
  /**
   * The request was signed and verified: whatever goes out for it (the answer,
   * a transfer's messages, RRL's truncated reply) is signed in the server's
   * final step (DnsServer.reply), after every other step has chosen the bytes.
   */
  signer?: ResponseSigner;
  /** A bug met while answering a verified request: answered SERVFAIL (and signed), logged by the server. */
  error?: unknown;
  /** Why a query was REFUSED or SERVFAILed (RFC 8914): sent to EDNS clients, and logged. */
  ede?: ExtendedError;
}

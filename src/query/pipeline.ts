// One request in, at most one response out: the checks every query goes
// through before the answer algorithm sees it, shared by UDP and TCP.
import { answer, type Answer, type AnswerInput } from '../authority/answer.js';
import type { Placed, Rotation, Sections } from '../authority/rotation.js';
import type { Catalog } from '../lifecycle/catalog.js';
import { udpLimit } from '../wire/edns.js';
import { Flag, HEADER_LENGTH, opcodeOf } from '../wire/header.js';
import { encodeResponse, recordCount, type ResponseSpec } from '../message/response.js';
import { parseQuery, QueryError, readQuestion, type Query, type Question } from '../wire/query.js';
import { Opcode, Rcode, RRClass, RRType } from '../wire/types.js';
import type { Zone } from '../zone/zone.js';
import type { RequestContext } from '../net/context.js';
import { aliasAddresses, aliasSections, type AddressLookup, type AliasResult } from './alias.js';
import { QUERY_FLAGS, type AnswerMemo } from './memo.js';
import type { Outcome } from './outcome.js';
import type { Transfers } from '../transfer/transfers.js';
import { addEdnsOptions, EdeCode, type ExtendedError } from './ednsopts.js';
import { chaosAnswer, type Identity } from './identity.js';
import { appendTsigError, ResponseSigner, sign, timeOther, TsigError, tsigSize, verifyRequest, type Keyring, type TsigKey } from '../wire/tsig.js';

/** Dynamic updates (src/update/): the rcode for an UPDATE, once it is applied (or why not). */
export interface DynamicUpdates {
  update(msg: Buffer, key: TsigKey | undefined, client: string): { rcode: number; reason?: string } | Promise<{ rcode: number; reason?: string }>;
}

/** The forwarder (src/resolver/), for names outside every local zone, and ALIAS targets there. */
export interface Recursion extends AddressLookup {
  allows(client: string): boolean;
  resolve(query: Query, ctx: RequestContext, limit: number): Promise<Outcome>;
}

export type { Outcome } from './outcome.js';

export interface PipelineOptions {
  catalog: Catalog;
  /** The stage after the answer: turns its multi-record RRsets. */
  rotation: Rotation;
  recursion?: Recursion;
  /** Zone transfers, NOTIFY and the TSIG keyring (src/transfer/). */
  transfers?: Transfers;
  /** The answer memo (memo.ts): answers already made, consulted at the answer step. */
  memo?: AnswerMemo;
  /** allow-query: whether a client may query a zone; others are REFUSED. Unset, everyone may. */
  allowQuery?: (zone: Zone, client: string) => boolean;
  /** CH TXT version.bind and friends, and the NSID; all hidden when unset. */
  identity?: Identity;
  /** RFC 2136 UPDATE; NOTIMP when unset. */
  updates?: DynamicUpdates;
  /**
   * The catalog zone (RFC 9432), which lists every zone served: queried only
   * by whom `mayQuery` allows (its secondaries), in place of allow-query.
   */
  catalogZone?: { origin: string; mayQuery: (zone: Zone, ctx: RequestContext, key: TsigKey | undefined) => boolean };
}

const NO_KEYS: Keyring = new Map();

const TCP_LIMIT = 65535;

function reply(query: Pick<Query, 'header' | 'edns'> & { question?: Question }, rcode: number, limit: number, aa = false): Outcome {
  const spec: ResponseSpec = {
    id: query.header.id,
    queryFlags: query.header.flags,
    aa,
    rcode,
    question: query.question,
    answer: [], authority: [], additional: [],
    edns: query.edns ? { dnssecOk: query.edns.dnssecOk } : undefined,
  };
  return { response: encodeResponse(spec, limit), rcode, aa, answers: 0, question: query.question };
}

/** REFUSED, with the reason for the client (an extended error) and the log. */
function refused(query: Query, limit: number, code: number, text: string): Outcome {
  return { ...reply(query, Rcode.REFUSED, limit), ede: { code, text } };
}

/** A SERVFAIL's reason, when the outcome does not carry one: the forwarder's failures. */
function servfailReason(o: Outcome): ExtendedError | undefined {
  if (o.recursion === 'failed') return { code: EdeCode.NO_REACHABLE_AUTHORITY, text: 'no upstream answered' };
  if (o.recursion === 'loop') return { code: EdeCode.OTHER, text: 'forwarding loop' };
  if (o.error !== undefined) return { code: EdeCode.OTHER, text: 'internal error' };
  return undefined;
}

/**
 * The EDNS options a response is owed, added once its bytes are made: the
 * NSID to a client that asked, the extended error to a REFUSED or SERVFAIL.
 */
function finish(outcome: Outcome, query: Query, opts: PipelineOptions, limit: number): Outcome {
  if (outcome.rcode === Rcode.SERVFAIL) outcome.ede ??= servfailReason(outcome);
  if (!query.edns || outcome.messages) return outcome;
  const nsid = query.edns.nsid ? opts.identity?.nsid : undefined;
  if (nsid || outcome.ede) outcome.response = addEdnsOptions(outcome.response, nsid, outcome.ede, limit);
  return outcome;
}

/** respond(), then finish(), for an answer now or later. */
function respondFinished(msg: Buffer, query: Query, ctx: RequestContext, opts: PipelineOptions, limit: number): Outcome | Promise<Outcome> {
  const outcome = respond(msg, query, ctx, opts, limit);
  return outcome instanceof Promise ? outcome.then((o) => finish(o, query, opts, limit)) : finish(outcome, query, opts, limit);
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
export function handleMessage(msg: Buffer, ctx: RequestContext, opts: PipelineOptions): Outcome | Promise<Outcome> | undefined {
  const { transport } = ctx;
  // The common query is read without making its name (memo.ts); it takes the
  // same steps as any other from there. Anything unusual is parsed in full.
  const plain = opts.memo?.read(msg);
  if (plain) return respondFinished(msg, plain, ctx, opts, transport === 'tcp' ? TCP_LIMIT : udpLimit(plain.edns));
  if (msg.length < HEADER_LENGTH) return undefined;
  const flags = msg.readUInt16BE(2);
  if (flags & Flag.QR) return undefined;
  const header = { id: msg.readUInt16BE(0), flags, qdcount: msg.readUInt16BE(4), ancount: 0, nscount: 0, arcount: 0 };
  const minimal = transport === 'tcp' ? TCP_LIMIT : 512;

  const opcode = opcodeOf(flags);
  if (opcode !== Opcode.QUERY && !(opcode === Opcode.NOTIFY && opts.transfers) && !(opcode === Opcode.UPDATE && opts.updates)) {
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
  let limit = transport === 'tcp' ? TCP_LIMIT : udpLimit(query.edns);

  // A signed request is answered only if its signature holds, and its answer is signed (RFC 8945 §5).
  let signer: ResponseSigner | undefined;
  if (query.tsig) {
    const check = verifyRequest(msg, query.tsig, opts.transfers?.keyring ?? NO_KEYS);
    if (!check.ok) {
      opts.transfers?.tsigFailed(query, ctx, check.error);
      const failed = reply(query, Rcode.NOTAUTH, limit);
      failed.response = check.error === TsigError.BADTIME && check.key
        ? sign(failed.response, { key: check.key, priorMac: check.tsig.mac, error: check.error, other: timeOther(), timeSigned: check.tsig.timeSigned, originalId: check.tsig.originalId }).message
        : appendTsigError(failed.response, check.tsig, check.error);
      return failed;
    }
    signer = new ResponseSigner(check.key, check.tsig);
    limit -= tsigSize(check.key);
  }
  if (!signer) return respondFinished(msg, query, ctx, opts, limit);
  // From here on every reply is owed a signature: a bug becomes a SERVFAIL that carries one.
  const failed = (e: unknown): Outcome => ({ ...finish({ ...reply(query, Rcode.SERVFAIL, limit), error: e }, query, opts, limit), signer });
  try {
    const outcome = respondFinished(msg, query, ctx, opts, limit);
    if (outcome instanceof Promise) return outcome.then((o) => Object.assign(o, { signer }), failed);
    outcome.signer = signer;
    return outcome;
  } catch (e) {
    return failed(e);
  }
}

/**
 * The served zone that answers a question: the closest enclosing one, except
 * that a DS at a zone's apex belongs to the parent side of the cut (RFC 4035
 * §3.1.4.1), so it goes to the closest served zone above, when there is one.
 */
function zoneFor(catalog: Catalog, question: Question): Zone | undefined {
  const zone = catalog.find(question.name);
  if (!zone || question.type !== RRType.DS || zone.origin.labelCount === 0 || !zone.origin.equals(question.name)) return zone;
  return catalog.find(zone.origin.parent()) ?? zone;
}

/** The key that signed the request (handleMessage has verified the signature by then). */
function signingKey(query: Query, opts: PipelineOptions): TsigKey | undefined {
  return query.tsig ? opts.transfers?.keyring.get(query.tsig.keyName.key) : undefined;
}

/** An UPDATE's answer: the zone section echoed, the rcode, the reason of a refusal for the client. */
function update(msg: Buffer, query: Query, ctx: RequestContext, opts: PipelineOptions, limit: number): Outcome | Promise<Outcome> {
  const key = signingKey(query, opts);
  const answered = (r: { rcode: number; reason?: string }): Outcome => {
    const out = reply(query, r.rcode, limit);
    if (r.reason !== undefined && (r.rcode === Rcode.REFUSED || r.rcode === Rcode.SERVFAIL)) out.ede = { code: r.rcode === Rcode.REFUSED ? EdeCode.PROHIBITED : EdeCode.OTHER, text: r.reason };
    return out;
  };
  const result = opts.updates!.update(msg, key, ctx.client.address);
  return result instanceof Promise ? result.then(answered) : answered(result);
}

function respond(msg: Buffer, query: Query, ctx: RequestContext, opts: PipelineOptions, limit: number): Outcome | Promise<Outcome> {
  const { question } = query;
  const { flags } = query.header;
  const { transport } = ctx;
  if (query.edns && query.edns.version > 0) return reply(query, Rcode.BADVERS, limit);
  if (opcodeOf(flags) === Opcode.UPDATE) return update(msg, query, ctx, opts, limit);
  if (question.class === RRClass.CH && opcodeOf(flags) === Opcode.QUERY) {
    return chaosAnswer(query, opts.identity, (code, text) => refused(query, limit, code, text));
  }
  if (question.class !== RRClass.IN) return refused(query, limit, EdeCode.NOT_SUPPORTED, `class ${question.class} is not served`);
  if (opcodeOf(flags) === Opcode.NOTIFY) {
    const rcode = opts.transfers!.notified(query, opts.catalog.find(question.name), ctx);
    return reply(query, rcode, limit, rcode === Rcode.NOERROR);
  }
  switch (question.type) {
    case RRType.OPT:
      return reply(query, Rcode.FORMERR, limit);
    case RRType.MAILA:
    case RRType.MAILB:
      return reply(query, Rcode.NOTIMP, limit);
    case RRType.AXFR:
    case RRType.IXFR: {
      // Nothing is transferable until transfers are configured.
      if (!opts.transfers) return refused(query, limit, EdeCode.PROHIBITED, 'zone transfers are not configured');
      const zone = opts.catalog.find(question.name);
      const result = opts.transfers.transfer(query, zone, ctx, query.tsig ? opts.transfers.keyring.get(query.tsig.keyName.key) : undefined);
      if (result.rcode === Rcode.REFUSED) return refused(query, limit, EdeCode.PROHIBITED, 'transfer not allowed');
      if (result.messages.length === 0) return reply(query, result.rcode, limit);
      return { response: result.messages[0]!, messages: result.messages, rcode: result.rcode, aa: true, answers: result.answers, zone, question };
    }
  }

  // The zone: the memo knows it for an input it has met, while that zone version is served.
  const wanted = QUERY_FLAGS[transport][query.edns?.dnssecOk ? 1 : 0];
  const memoized = opts.memo?.recall(query, wanted);
  const zone = memoized ? memoized.zone : zoneFor(opts.catalog, question);
  if (!zone) {
    // Local zones are never forwarded; other names only for clients that ask for recursion and may.
    if (opts.recursion && flags & Flag.RD && opts.recursion.allows(ctx.client.address)) return opts.recursion.resolve(query, ctx, limit);
    // REFUSED all three ways; the reason tells an admin which.
    if (!opts.recursion) return refused(query, limit, EdeCode.NOT_AUTHORITATIVE, 'not authoritative for this name, and recursion is not configured');
    if (!(flags & Flag.RD)) return refused(query, limit, EdeCode.NOT_AUTHORITATIVE, 'not authoritative for this name, and recursion was not asked for (RD)');
    return refused(query, limit, EdeCode.PROHIBITED, 'recursion is not allowed for this client (forward.allow-recursion)');
  }
  if (zone.origin.key === opts.catalogZone?.origin) {
    const key = signingKey(query, opts);
    if (!opts.catalogZone.mayQuery(zone, ctx, key)) return refused(query, limit, EdeCode.PROHIBITED, `${zone.origin} is a catalog zone, answered only to its secondaries`);
  } else if (opts.allowQuery && !opts.allowQuery(zone, ctx.client.address)) return refused(query, limit, EdeCode.PROHIBITED, `allow-query of ${zone.origin} does not list this client`);
  if (memoized) return opts.memo!.replay(memoized, query, limit);

  // The answer, then the rotation stage, then the encoding.
  const input: AnswerInput = { zone, qname: question.name, qtype: question.type, ...wanted };
  const result = answer(input);
  // An ALIAS's addresses are looked up afresh (the forwarder caches its part): such answers are not memoized.
  if (result.kind === 'alias') {
    const found = aliasAddresses(result, input, opts.catalog, opts.recursion);
    return found instanceof Promise ? found.then((f) => aliasOutcome(query, opts, limit, result, f)) : aliasOutcome(query, opts, limit, result, found);
  }
  opts.memo?.keep(query, input, result);
  return encodeAnswer(query, opts, limit, result, result);
}

/** The outcome for an ALIAS's addresses: the answer, NODATA, or SERVFAIL saying why the target could not be looked up. */
function aliasOutcome(query: Query, opts: PipelineOptions, limit: number, result: Answer, found: AliasResult): Outcome {
  if ('error' in found) return { ...reply(query, Rcode.SERVFAIL, limit), kind: result.kind, zone: result.zone, ede: found.error };
  return encodeAnswer(query, opts, limit, result, aliasSections(result, query.question.type, found.addresses));
}

/** A local answer's sections through the rotation stage into the response, and what the later steps read of it. */
function encodeAnswer(query: Query, opts: PipelineOptions, limit: number, result: Answer, placed: Sections<Placed>): Outcome {
  const { question } = query;
  const sections = opts.rotation.rotate(result.zone, placed);
  const response = encodeResponse({
    id: query.header.id,
    queryFlags: query.header.flags,
    aa: result.aa,
    rcode: result.rcode,
    question,
    answer: sections.answer,
    authority: sections.authority,
    additional: sections.additional,
    edns: query.edns ? { dnssecOk: query.edns.dnssecOk } : undefined,
    glueRequired: result.referral,
  }, limit);
  return {
    response, rcode: result.rcode, aa: result.aa, answers: recordCount(placed.answer), kind: result.kind,
    zone: result.zone, question, rotation: sections.rotation, wildcard: result.wildcard,
  };
}

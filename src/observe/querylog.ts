// The query log: one line per answered query (or per sampled query), with what
// an operator asks first — who asked what, what they got and how fast — and how
// far the answer's rotating RRset had turned.
import type { Logger } from '../log.js';
import type { RequestContext } from '../net/context.js';
import type { Outcome } from '../query/outcome.js';
import { rcodeName, typeName } from '../wire/types.js';

/** A server observer that logs `rate` of the queries (1: every one), chosen at random. */
export function queryLogger(logger: Logger, rate: number): (o: Outcome, ctx: RequestContext, startedNs: bigint) => void {
  return (o, ctx, startedNs) => {
    if (rate < 1 && Math.random() >= rate) return;
    logger.info({
      client: ctx.client.address,
      port: ctx.client.port,
      proto: ctx.transport,
      zone: o.zone?.origin.key,
      qname: o.question?.name.toString(),
      qtype: o.question ? typeName(o.question.type) : undefined,
      rcode: rcodeName(o.rcode),
      answers: o.answers,
      size: o.response.length,
      durationUs: Math.round(Number(process.hrtime.bigint() - startedNs) / 100) / 10,
      rotation: o.rotation,
      recursion: o.recursion,
    }, 'query');
  };
}

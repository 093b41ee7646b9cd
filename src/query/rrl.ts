// Response rate limiting (RRL), as BIND's rate-limit and Knot's mod-rrl: UDP
// answers to one client netblock are limited per kind of answer, so rotor
// cannot be used to reflect a flood at a spoofed victim. Every `slip`-th
// limited answer goes out as an empty truncated reply, so a real client behind
// that netblock retries over TCP, which a spoofer cannot. TCP is never limited.
import type { Logger } from '../log.js';
import { Flag, HEADER_LENGTH } from '../wire/header.js';
import { readQuestion } from '../wire/query.js';
import { Rcode } from '../wire/types.js';
import { LOOPBACK, parseAcl, type Acl } from '../net/acl.js';
import { netblock } from '../net/address.js';
import type { Outcome } from './outcome.js';

export interface RrlSettings {
  /** Answers a second for one name and type, the same answer again and again. */
  responsesPerSecond: number;
  /** NXDOMAIN answers a second per zone: random-subdomain floods share one budget. */
  nxdomainsPerSecond: number;
  /** Empty answers (NODATA) a second per name. */
  nodataPerSecond: number;
  /** FORMERR, REFUSED, NOTIMP, SERVFAIL and the like a second, all together. */
  errorsPerSecond: number;
  /** Referrals a second per zone. */
  referralsPerSecond: number;
  /** Seconds of flood a netblock stays limited for after it stops. */
  window: number;
  /** Every slip-th limited answer goes out truncated (TC=1, empty); 0 drops them all. */
  slip: number;
  ipv4PrefixLength: number;
  ipv6PrefixLength: number;
  exemptClients?: Acl;
  /** Counts and logs what would be limited, and sends everything. */
  logOnly: boolean;
  /** Netblock and answer pairs tracked at once; the least recently seen go first. */
  maxTableSize: number;
}

/**
 * BIND's defaults where it has them (window 15, slip 2, /24 and /56, 20000
 * entries), on unless turned off, as NSD ships it. This host is exempt: a
 * reflected flood comes from afar, and local tools and tests ask many times.
 */
export const RRL_DEFAULTS: RrlSettings = {
  responsesPerSecond: 10,
  nxdomainsPerSecond: 10,
  nodataPerSecond: 10,
  errorsPerSecond: 10,
  referralsPerSecond: 10,
  window: 15,
  slip: 2,
  ipv4PrefixLength: 24,
  ipv6PrefixLength: 56,
  exemptClients: parseAcl(LOOPBACK),
  logOnly: false,
  maxTableSize: 20_000,
};

export type AnswerClass = 'answer' | 'nxdomain' | 'nodata' | 'error' | 'referral';
export type Verdict = 'send' | 'slip' | 'drop';

interface Bucket {
  /** Answers still allowed; negative while limited, down to -window × rate. */
  balance: number;
  seconds: number;
  /** Limited answers since the bucket was last allowed one, for `slip`. */
  limited: number;
}

/**
 * Which budget an answer draws from, and the name that budget is kept for.
 * Answers synthesised from a wildcard are kept for the wildcard, as BIND keeps
 * them for its parent: otherwise every random name under it has a budget of
 * its own and the wildcard reflects without limit. The same holds below a
 * DNAME, whose answers are kept for its owner. The answer count and AA
 * are the outcome's, which forwarded answers and transfers report too.
 */
export function classify(outcome: Outcome): { cls: AnswerClass; name: string } {
  const { rcode, question, zone, wildcard } = outcome;
  const qname = wildcard?.key ?? question?.name.key ?? '';
  if (rcode === Rcode.NXDOMAIN) return { cls: 'nxdomain', name: zone?.origin.key ?? qname };
  if (rcode !== Rcode.NOERROR) return { cls: 'error', name: '' };
  if (outcome.answers > 0) return { cls: 'answer', name: `${qname}/${question?.type ?? 0}` };
  if (outcome.aa) return { cls: 'nodata', name: qname };
  return { cls: 'referral', name: zone?.origin.key ?? qname };
}

/** The empty truncated reply sent instead of a limited answer: header and question only. */
export function truncatedReply(response: Buffer): Buffer {
  const end = response.readUInt16BE(4) === 1 ? readQuestion(response, HEADER_LENGTH).end : HEADER_LENGTH;
  const out = Buffer.from(response.subarray(0, end));
  out.writeUInt16BE(out.readUInt16BE(2) | Flag.TC, 2);
  out.writeUInt16BE(0, 6);
  out.writeUInt32BE(0, 8);
  return out;
}

export class RateLimiter {
  private readonly table = new Map<string, Bucket>();
  /** Since the start: answers limited, and of those the ones that went out truncated. */
  readonly counts = { limited: 0, slipped: 0 };
  private lastLog = -Infinity;
  private unlogged = 0;

  constructor(
    readonly settings: RrlSettings,
    private readonly logger: Logger,
    private readonly now: () => number = () => performance.now() / 1000,
  ) {}

  get size(): number {
    return this.table.size;
  }

  private rate(cls: AnswerClass): number {
    const s = this.settings;
    return { answer: s.responsesPerSecond, nxdomain: s.nxdomainsPerSecond, nodata: s.nodataPerSecond, error: s.errorsPerSecond, referral: s.referralsPerSecond }[cls];
  }

  /** Whether a UDP answer to `client` goes out, goes out truncated, or is dropped. */
  check(outcome: Outcome, client: string): Verdict {
    const s = this.settings;
    if (s.exemptClients?.allows(client)) return 'send';
    const { cls, name } = classify(outcome);
    const rate = this.rate(cls);
    if (rate === 0) return 'send';
    const block = netblock(client, s.ipv4PrefixLength, s.ipv6PrefixLength);
    const key = `${cls} ${block} ${name}`;
    const now = this.now();
    let bucket = this.table.get(key);
    if (bucket) {
      // Map order is the eviction order: a bucket in use moves to the back.
      this.table.delete(key);
      bucket.balance = Math.min(rate, bucket.balance + (now - bucket.seconds) * rate);
      bucket.seconds = now;
    } else {
      if (this.table.size >= s.maxTableSize) this.table.delete(this.table.keys().next().value!);
      bucket = { balance: rate, seconds: now, limited: 0 };
    }
    this.table.set(key, bucket);
    bucket.balance = Math.max(bucket.balance - 1, -s.window * rate);
    if (bucket.balance >= 0) {
      bucket.limited = 0;
      return 'send';
    }
    this.counts.limited++;
    if (bucket.limited++ === 0) this.noteLimited(block, cls, name, now);
    if (s.logOnly) return 'send';
    if (s.slip > 0 && bucket.limited % s.slip === 0) {
      this.counts.slipped++;
      return 'slip';
    }
    return 'drop';
  }

  /** One line when a netblock starts being limited, at most one a second however many do. */
  private noteLimited(block: string, cls: AnswerClass, name: string, now: number): void {
    this.unlogged++;
    if (now - this.lastLog < 1) return;
    this.logger.warn({ client: block, class: cls, name, newlyLimited: this.unlogged, logOnly: this.settings.logOnly }, `rate limit: ${this.settings.logOnly ? 'would limit' : 'limiting'} ${cls} answers to ${block}`);
    this.lastLog = now;
    this.unlogged = 0;
  }
}

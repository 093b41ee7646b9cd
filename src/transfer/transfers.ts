// Zone transfers out (AXFR, IXFR) and NOTIFY in, behind the access rules of
// rotor.yaml: nothing is transferable unless allow-transfer says so, and a zone
// with a transfer-key only goes to requests signed with that key.
import { EventLog, type Logger } from '../log.js';
import type { RequestContext } from '../net/context.js';
import type { Query } from '../wire/query.js';
import { TsigError, type TsigKey } from '../wire/tsig.js';
import { Rcode, RRType } from '../wire/types.js';
import type { Zone } from '../zone/zone.js';
import { keyring, settingsFor, type TransferSettings } from './settings.js';
import { packMessages, planTransfer } from './xfr.js';

export interface TransferResult {
  rcode: number;
  /** The response messages, in order; empty when the pipeline should answer the rcode itself. */
  messages: Buffer[];
  /** Records in the first message's answer section. */
  answers: number;
}

export class Transfers {
  readonly keyring;

  /**
   * Refusals, bad signatures and NOTIFY come from anyone, from forged
   * addresses too: their lines go through `events`, a line a second per kind.
   */
  constructor(private readonly settings: TransferSettings, private readonly logger: Logger, private readonly events = new EventLog(logger)) {
    this.keyring = keyring(settings);
  }

  /** Why this client may not transfer this zone (a kind of refusal and its line), or undefined when it may. */
  private refusal(zone: Zone, ctx: RequestContext, key: TsigKey | undefined): { kind: string; why: string } | undefined {
    const s = settingsFor(this.settings, zone.origin.key);
    if (!s.allowTransfer.allows(ctx.client.address)) return { kind: 'transfer refused: address', why: 'address not in allow-transfer' };
    if (s.transferKey !== undefined) {
      const wanted = this.settings.keys.get(s.transferKey)!;
      if (!key) return { kind: 'transfer refused: unsigned', why: `not signed (the zone requires key ${s.transferKey})` };
      if (key.name.key !== wanted.name.key) return { kind: 'transfer refused: key', why: `signed with ${key.name} (the zone requires key ${s.transferKey})` };
    }
    return undefined;
  }

  /** Whether this client, with this key, may transfer `zone`. */
  allows(zone: Zone, ctx: RequestContext, key: TsigKey | undefined): boolean {
    return this.refusal(zone, ctx, key) === undefined;
  }

  /** AXFR or IXFR for `zone` (the question's name must be its apex). */
  transfer(query: Query, zone: Zone | undefined, ctx: RequestContext, key: TsigKey | undefined): TransferResult {
    const { question } = query;
    const kind = question.type === RRType.AXFR ? 'AXFR' : 'IXFR';
    const client = `${ctx.client.address}#${ctx.client.port}`;
    if (!zone || !zone.origin.equals(question.name)) {
      this.events.log('warn', 'transfer refused: zone', { zone: question.name.toString(), client, kind }, 'transfer refused: not a zone served here');
      return { rcode: Rcode.NOTAUTH, messages: [], answers: 0 };
    }
    // AXFR needs TCP (RFC 5936 §4.2); BIND answers it over UDP with FORMERR, as we do.
    if (kind === 'AXFR' && ctx.transport === 'udp') return { rcode: Rcode.FORMERR, messages: [], answers: 0 };
    const refused = this.refusal(zone, ctx, key);
    if (refused) {
      this.events.log('warn', refused.kind, { zone: zone.origin.toString(), client, kind, key: key?.name.toString() }, `transfer refused: ${refused.why}`);
      return { rcode: Rcode.REFUSED, messages: [], answers: 0 };
    }
    const plan = planTransfer(zone, question.type, kind === 'IXFR' ? query.soaSerial : undefined);
    // Over UDP an IXFR gets only our SOA: the client then retries over TCP (RFC 1995 §2).
    const records = ctx.transport === 'udp' ? [zone.soaRecord] : plan.records;
    const messages = packMessages(records, query.header.id, query.header.flags, question);
    const counts = messages.map((m) => m.readUInt16BE(6));
    const count = counts.reduce((n, c) => n + c, 0);
    this.logger.info({
      zone: zone.origin.toString(), client, kind: ctx.transport === 'udp' ? `${kind} over UDP (SOA only)` : plan.kind,
      serial: zone.serial, from: query.soaSerial, messages: messages.length, records: count, key: key?.name.toString(),
    }, 'transfer');
    return { rcode: Rcode.NOERROR, messages, answers: counts[0] ?? 0 };
  }

  tsigFailed(query: Query, ctx: RequestContext, error: number): void {
    const reason = error === TsigError.BADKEY ? 'unknown key' : error === TsigError.BADSIG ? 'bad signature' : 'time outside the fudge window';
    this.events.log('warn', `TSIG ${reason}`, { client: `${ctx.client.address}#${ctx.client.port}`, qname: query.question.name.toString(), key: query.tsig?.keyName.toString() }, `TSIG verification failed: ${reason}`);
  }

  /**
   * A NOTIFY sent to us, the primary (RFC 1996 §3.7): acknowledged for zones we
   * serve — there is nothing to fetch — and refused for others.
   */
  notified(query: Query, zone: Zone | undefined, ctx: RequestContext): number {
    const served = !!zone && zone.origin.equals(query.question.name);
    this.events.log('info', 'NOTIFY received', { zone: query.question.name.toString(), client: `${ctx.client.address}#${ctx.client.port}`, served }, 'NOTIFY received');
    return served ? Rcode.NOERROR : Rcode.NOTAUTH;
  }
}

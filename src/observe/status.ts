// What the status page shows, as one JSON document: the zones and their last
// load, query rates over the last minute, and for each mail zone (MX at the
// apex) the MX set and the gateways' addresses in the order the next answer
// will use them.
import type { Catalog } from '../lifecycle/catalog.js';
import type { Rotation, RotationPolicy } from '../authority/rotation.js';
import type { ListenAddress } from '../net/address.js';
import { presentation } from '../rrtypes/registry.js';
import { mxData } from '../rrtypes/mx.js';
import { RRType, typeName } from '../wire/types.js';
import { formatDiagnostic } from '../zone/errors.js';
import type { RRset, Zone } from '../zone/zone.js';
import type { Metrics, QueryTotals } from './metrics.js';
import type { ZoneHistory } from './zones.js';

export interface ZoneStatus {
  zone: string;
  file: string;
  /** A version of the zone is being answered from. */
  served: boolean;
  serial?: number;
  records?: number;
  loadedAt?: string;
  /** The last load failed: where and why (the previous version, if any, is still served). */
  error?: { at: string; file: string; line: number; col: number; message: string; text: string; count: number };
}

export interface Rate {
  name: string;
  count: number;
  perSecond: number;
}

export interface QueryRates {
  /** How long the window is: a minute, or the uptime when shorter. */
  seconds: number;
  total: number;
  perSecond: number;
  /** Requests in each of the last (up to) 60 whole seconds, oldest first. */
  history: number[];
  byType: Rate[];
  byRcode: Rate[];
}

export interface OrderedSet {
  type: string;
  policy: RotationPolicy;
  /** Times the RRset has been written so far; with cyclic rotation, the next answer starts at served mod size. */
  served: number;
  /** The records in the order the next answer will write them (for random: the zone file's order). */
  next: string[];
}

export interface MailExchange {
  preference: number;
  exchange: string;
  /** The exchange's in-zone A and AAAA sets, each in its next order; empty outside the zone. */
  addresses: OrderedSet[];
}

export interface MailZone {
  zone: string;
  mx: Omit<OrderedSet, 'next'> & { next: MailExchange[] };
  /** With several workers: whose rotation counters these are. */
  worker?: number;
}

export interface StatusDocument {
  startedAt: string;
  ready: boolean;
  /** Why not ready, when not. */
  waiting: string[];
  zones: ZoneStatus[];
  queries: QueryRates;
  mail: MailZone[];
}

export interface StatusSources {
  catalog: Catalog;
  history: ZoneHistory;
  metrics: Metrics;
  /** The rotation stage of local answers: policies, counters and the next order. */
  rotation: Rotation;
  /** The DNS addresses bound so far: none until the server listens. */
  bound: () => readonly ListenAddress[];
}

const WINDOW_SECONDS = 60;

function rates(now: Map<string, number>, then: Map<string, number> | undefined, seconds: number): Rate[] {
  const out: Rate[] = [];
  for (const [name, total] of now) {
    const count = total - (then?.get(name) ?? 0);
    if (count > 0) out.push({ name, count, perSecond: count / seconds });
  }
  return out.sort((a, b) => b.count - a.count || a.name.localeCompare(b.name));
}

export class Status {
  readonly startedAt = Date.now();
  /** Query totals once a second, oldest first, for the last minute. */
  private readonly samples: { at: number; totals: QueryTotals }[] = [];
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly src: StatusSources) {
    this.sample();
    this.timer = setInterval(() => this.sample(), 1000).unref();
  }

  private sample(): void {
    this.samples.push({ at: Date.now(), totals: this.src.metrics.totals() });
    if (this.samples.length > WINDOW_SECONDS + 1) this.samples.shift();
  }

  close(): void {
    clearInterval(this.timer);
  }

  /** Reasons the server is not ready to answer: not listening yet, no zone at all, or zones never loaded. */
  private waiting(): string[] {
    const reasons = this.src.bound().length === 0 ? ['not listening yet'] : [];
    // Every query would be REFUSED: a supervisor should not send traffic here.
    if (this.src.catalog.size === 0 && this.src.history.states().length === 0) reasons.push('no zone to serve: the zone directory holds no zone file and rotor.yaml lists none');
    for (const s of this.src.history.unserved(this.src.catalog)) {
      reasons.push(s.error ? `${s.zone} not loaded: ${formatDiagnostic(s.error.diagnostic)}` : `${s.zone} not loaded`);
    }
    return reasons;
  }

  document(): StatusDocument {
    const waiting = this.waiting();
    return {
      startedAt: new Date(this.startedAt).toISOString(),
      ready: waiting.length === 0,
      waiting,
      zones: this.zones(),
      queries: this.queries(),
      mail: this.mail(),
    };
  }

  private zones(): ZoneStatus[] {
    return this.src.history.states().map((s) => {
      const zone = this.src.catalog.get(s.zone);
      const out: ZoneStatus = { zone: s.zone, file: s.file, served: zone !== undefined };
      if (zone) {
        out.serial = zone.serial;
        out.records = zone.recordCount;
      }
      if (s.loadedAt !== undefined) out.loadedAt = new Date(s.loadedAt).toISOString();
      if (s.error) {
        const d = s.error.diagnostic;
        out.error = { at: new Date(s.error.at).toISOString(), ...d.pos, message: d.message, text: formatDiagnostic(d), count: s.error.count };
      }
      return out;
    });
  }

  private queries(): QueryRates {
    const totals = this.src.metrics.totals();
    const first = this.samples[0]!;
    const seconds = Math.max(1, Math.min(WINDOW_SECONDS, Math.round((Date.now() - first.at) / 1000)));
    const total = totals.all - first.totals.all;
    const history: number[] = [];
    for (let i = 1; i < this.samples.length; i++) history.push(this.samples[i]!.totals.all - this.samples[i - 1]!.totals.all);
    return {
      seconds,
      total,
      perSecond: total / seconds,
      history,
      byType: rates(totals.byType, first.totals.byType, seconds),
      byRcode: rates(totals.byRcode, first.totals.byRcode, seconds),
    };
  }

  private ordered<T>(zone: Zone, set: RRset, show: (rd: Buffer) => T[]): { type: string; policy: RotationPolicy; served: number; next: T[] } {
    const { rotation } = this.src;
    return { type: typeName(set.type), policy: rotation.policyOf(zone, set), served: rotation.served(set), next: rotation.upcoming(zone, set).flatMap(show) };
  }

  private mail(): MailZone[] {
    const out: MailZone[] = [];
    for (const zone of this.src.catalog.all()) {
      const mx = zone.rrset(0, RRType.MX);
      if (!mx) continue;
      const order = this.ordered(zone, mx, (rd): MailExchange[] => {
        const { preference, exchange } = mxData(rd);
        const addresses = [RRType.A, RRType.AAAA].flatMap((t) => {
          const set = zone.get(exchange, t);
          return set ? [this.ordered(zone, set, (a) => [presentation(t, a)])] : [];
        });
        return [{ preference, exchange: exchange.toString(), addresses }];
      });
      out.push({ zone: zone.origin.key, mx: order });
    }
    return out.sort((a, b) => a.zone.localeCompare(b.zone));
  }
}

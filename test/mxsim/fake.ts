// An Authority with no network: a mail zone in memory (corp.example unless a
// test gives another), its RRsets rotated the way rotor's policies do, for
// driving the simulation core.
import { rotateLeft } from '../../src/authority/rotation.js';
import { DnsError } from '../../src/client/dns.js';
import type { Authority, MxAnswer, RRset } from '../../src/mxsim/resolver.js';
import type { Family, MxRecord } from '../../src/mxsim/senders.js';

export const MX: MxRecord[] = [
  { preference: 10, exchange: 'mx1.corp.example.' },
  { preference: 10, exchange: 'mx2.corp.example.' },
  { preference: 10, exchange: 'mx3.corp.example.' },
  { preference: 10, exchange: 'mx4.corp.example.' },
  { preference: 50, exchange: 'backup-mx.corp.example.' },
];

export const ADDRESSES: Record<string, string[]> = {
  'mx1.corp.example.': ['192.0.2.11', '192.0.2.12'],
  'mx2.corp.example.': ['192.0.2.21', '192.0.2.22'],
  'mx3.corp.example.': ['192.0.2.31'],
  'mx4.corp.example.': ['192.0.2.41'],
  'backup-mx.corp.example.': ['198.51.100.25'],
};

export interface FakeZone {
  mx: MxRecord[];
  a: Record<string, string[]>;
  aaaa: Record<string, string[]>;
  /** Names whose address lookups fail, with the rcode (or "timeout") they fail with. */
  failing?: Record<string, string>;
  /** Names whose first N address lookups fail with SERVFAIL. */
  flaky?: Record<string, number>;
}

export interface FakeOptions {
  policy: 'fixed' | 'cyclic';
  ttl?: number;
  /** Leave the additional section out, so senders must ask for A records. */
  noAdditional?: boolean;
  zone?: FakeZone;
}

export class FakeAuthority implements Authority {
  mxQueries = 0;
  aQueries = 0;
  aaaaQueries = 0;
  private readonly served = new Map<string, number>();
  private readonly zone: FakeZone;

  constructor(private readonly opts: FakeOptions) {
    this.zone = opts.zone ?? { mx: MX, a: ADDRESSES, aaaa: {} };
  }

  private order<T>(key: string, records: readonly T[]): T[] {
    const step = this.served.get(key) ?? 0;
    this.served.set(key, step + 1);
    return this.opts.policy === 'cyclic' ? rotateLeft(records, step) : records.slice();
  }

  private table(family: Family): Record<string, string[]> {
    return family === 4 ? this.zone.a : this.zone.aaaa;
  }

  async mx(): Promise<MxAnswer> {
    this.mxQueries++;
    const ttl = this.opts.ttl ?? 300;
    const additional = (family: Family): Map<string, RRset<string>> => {
      const sets = new Map<string, RRset<string>>();
      if (this.opts.noAdditional) return sets;
      for (const [host, records] of Object.entries(this.table(family))) {
        if (records.length > 0) sets.set(host, { records: this.order(`${family} ${host}`, records), ttl });
      }
      return sets;
    };
    return { mx: { records: this.order('MX', this.zone.mx), ttl }, addresses: { 4: additional(4), 6: additional(6) } };
  }

  async addresses(host: string, family: Family): Promise<RRset<string>> {
    if (family === 4) this.aQueries++;
    else this.aaaaQueries++;
    const flaky = this.zone.flaky?.[host] ?? 0;
    if (flaky > 0) {
      this.zone.flaky![host] = flaky - 1;
      throw new DnsError(`${host}: answered SERVFAIL`, 'SERVFAIL');
    }
    const failure = this.zone.failing?.[host];
    if (failure) throw new DnsError(`${family === 4 ? 'A' : 'AAAA'} ${host}: answered ${failure}`, failure);
    return { records: this.order(`${family} ${host}`, this.table(family)[host] ?? []), ttl: this.opts.ttl ?? 300 };
  }
}

// An Authority with no network: the corp.example mail zone in memory, its
// RRsets rotated the way rotor's policies do, for driving the simulation core.
import { rotateLeft } from '../../src/authority/rotation.js';
import type { Authority, MxAnswer, RRset } from '../../src/mxsim/resolver.js';
import type { MxRecord } from '../../src/mxsim/senders.js';

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

export interface FakeOptions {
  policy: 'fixed' | 'cyclic';
  ttl?: number;
  /** Leave the additional section out, so senders must ask for A records. */
  noAdditional?: boolean;
}

export class FakeAuthority implements Authority {
  mxQueries = 0;
  aQueries = 0;
  private readonly served = new Map<string, number>();

  constructor(private readonly opts: FakeOptions) {}

  private order<T>(key: string, records: readonly T[]): T[] {
    const step = this.served.get(key) ?? 0;
    this.served.set(key, step + 1);
    return this.opts.policy === 'cyclic' ? rotateLeft(records, step) : records.slice();
  }

  async mx(): Promise<MxAnswer> {
    this.mxQueries++;
    const ttl = this.opts.ttl ?? 300;
    const addresses = new Map<string, RRset<string>>();
    if (!this.opts.noAdditional) {
      for (const [host, records] of Object.entries(ADDRESSES)) addresses.set(host, { records: this.order(host, records), ttl });
    }
    return { mx: { records: this.order('MX', MX), ttl }, addresses };
  }

  async a(host: string): Promise<RRset<string>> {
    this.aQueries++;
    return { records: this.order(host, ADDRESSES[host] ?? []), ttl: this.opts.ttl ?? 300 };
  }
}

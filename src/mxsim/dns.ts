// The simulation's one contact with the real server: MX, A and AAAA queries
// through rotor's DNS client, turned into the RRsets the simulation uses.
import { Packet, type Resource } from 'dns2';
import { DnsClient, DnsError, fqdn } from '../client/dns.js';
import type { Authority, MxAnswer, RRset } from './resolver.js';
import type { Family, MxRecord } from './senders.js';

export class UdpAuthority implements Authority {
  constructor(private readonly client: DnsClient) {}

  async mx(domain: string): Promise<MxAnswer> {
    const response = await this.client.answer(domain, 'MX');
    const records: MxRecord[] = [];
    let ttl = Infinity;
    for (const r of response.answers) {
      if (r.type !== Packet.TYPE.MX || r.exchange === undefined || r.priority === undefined) continue;
      records.push({ preference: r.priority, exchange: fqdn(r.exchange) });
      ttl = Math.min(ttl, r.ttl);
    }
    if (records.length === 0) throw new DnsError(`${fqdn(domain)} has no MX records at ${this.client.server}`, 'no MX record');
    return { mx: { records, ttl }, addresses: { 4: addressSets(response.additionals, 4), 6: addressSets(response.additionals, 6) } };
  }

  async addresses(host: string, family: Family): Promise<RRset<string>> {
    const response = await this.client.answer(host, family === 4 ? 'A' : 'AAAA');
    return addressSets(response.answers, family).get(fqdn(host)) ?? { records: [], ttl: 0 };
  }
}

/** The A (or AAAA) records of a section, grouped by owner, in the order they came. */
function addressSets(records: readonly Resource[], family: Family): Map<string, RRset<string>> {
  const type = family === 4 ? Packet.TYPE.A : Packet.TYPE.AAAA;
  const sets = new Map<string, { records: string[]; ttl: number }>();
  for (const r of records) {
    if (r.type !== type || r.address === undefined) continue;
    const owner = fqdn(r.name);
    const set = sets.get(owner);
    if (set) {
      set.records.push(r.address);
      set.ttl = Math.min(set.ttl, r.ttl);
    } else {
      sets.set(owner, { records: [r.address], ttl: r.ttl });
    }
  }
  return sets;
}

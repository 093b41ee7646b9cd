// A DNS block list check as RFC 5782 lays it out: a client's IPv4 address,
// its octets reversed, under the list's name (127.0.0.2 → 2.0.0.127.LIST); an
// A record in 127.0.0.0/8 there means listed and the TXT record beside it says
// why. NXDOMAIN means not listed. The lookups go to a DNS server, rotor itself
// in the lab, as a mail server's resolver would send them.
import { isIPv4, isIPv6 } from 'node:net';
import { Packet } from 'dns2';
import { DnsError, fqdn, type DnsClient } from '../client/dns.js';

export type Listing = { listed: false } | { listed: true; reason: string };

/** The name to look an address up under (IPv6 by reversed nibbles, RFC 5782 §2.4). */
export function listingName(address: string, list: string): string {
  const ip = unmapped(address);
  if (isIPv4(ip)) return `${ip.split('.').reverse().join('.')}.${fqdn(list)}`;
  if (!isIPv6(ip)) throw new Error(`"${address}" is not an IP address`);
  const [head = '', tail = ''] = ip.split('::');
  const groups = (s: string): string[] => (s ? s.split(':') : []);
  const missing = 8 - groups(head).length - groups(tail).length;
  const full = [...groups(head), ...Array<string>(ip.includes('::') ? missing : 0).fill('0'), ...groups(tail)];
  const nibbles = full.map((g) => g.padStart(4, '0')).join('');
  return `${[...nibbles].reverse().join('.')}.${fqdn(list)}`;
}

/** A client address as a socket may report it on a dual-stack listener: ::ffff:127.0.0.2 is 127.0.0.2. */
export function unmapped(address: string): string {
  return /^::ffff:\d+\.\d+\.\d+\.\d+$/i.test(address) ? address.slice(7) : address;
}

export class Dnsbl {
  constructor(private readonly client: DnsClient, readonly list: string) {}

  /** Throws DnsError when the list gave no usable answer (anything but a listing or NXDOMAIN). */
  async check(address: string): Promise<Listing> {
    const name = listingName(address, this.list);
    const response = await this.client.query(name, 'A');
    if (response.header.rcode === 3) return { listed: false };
    if (response.header.rcode !== 0) throw new DnsError(`A ${name}: ${this.client.server} answered rcode ${response.header.rcode}`, 'lookup failed');
    // RFC 5782 §2.1: only 127.0.0.0/8 answers are listings; anything else is a broken list.
    const listed = response.answers.some((r) => r.type === Packet.TYPE.A && r.address?.startsWith('127.'));
    if (!listed) return { listed: false };
    const txt = await this.client.query(name, 'TXT');
    const reason = txt.answers.filter((r) => r.type === Packet.TYPE.TXT).map((r) => [r.data].flat().join('')).join(' ');
    return { listed: true, reason: reason || `listed at ${fqdn(this.list)}` };
  }
}

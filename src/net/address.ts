// ADDR:PORT as written on the command line and in rotor.yaml: 127.0.0.1:5300, [::1]:5300.
import { Address4, Address6 } from 'ip-address';

export interface ListenAddress {
  host: string;
  port: number;
  family: 4 | 6;
}

export class AddressError extends Error {}

export function parseHostPort(text: string): ListenAddress {
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(text) ?? /^([^:]+):(\d+)$/.exec(text);
  if (!m) throw new AddressError(`"${text}" is not ADDR:PORT (IPv6 as [::1]:5300)`);
  const host = m[1]!;
  const port = Number(m[2]);
  if (port > 65535) throw new AddressError(`port ${port} in "${text}" is out of range`);
  if (Address4.isValid(host) && !host.includes('/')) return { host, port, family: 4 };
  if (text.startsWith('[') && Address6.isValid(host) && !host.includes('/') && !host.includes('%')) {
    return { host: new Address6(host).correctForm(), port, family: 6 };
  }
  throw new AddressError(`"${host}" in "${text}" is not an IP address`);
}

export function formatHostPort(a: { host: string; port: number; family: 4 | 6 }): string {
  return a.family === 6 ? `[${a.host}]:${a.port}` : `${a.host}:${a.port}`;
}

/** The client's netblock as text: the address with everything past the prefix length zeroed. */
export function netblock(address: string, v4Bits: number, v6Bits: number): string {
  const v4 = address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
  let bytes: number[];
  let bits: number;
  if (v4.includes('.') && !v4.includes(':')) {
    bytes = v4.split('.').map(Number);
    bits = v4Bits;
  } else {
    try {
      bytes = new Address6(address).toUnsignedByteArray();
    } catch {
      return address;
    }
    bits = v6Bits;
  }
  const out = bytes.map((b, i) => (i * 8 >= bits ? 0 : i * 8 + 8 <= bits ? b : b & (0xff << (8 - (bits - i * 8)))));
  if (out.length === 4) return `${out.join('.')}/${bits}`;
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((out[i]! << 8) | out[i + 1]!).toString(16));
  return `${groups.join(':')}/${bits}`;
}

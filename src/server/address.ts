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

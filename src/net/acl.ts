// Address lists (allow-query, allow-transfer, allow-recursion, exempt-clients):
// CIDR prefixes parsed with ip-address, matched against a client's address.
import { Address4, Address6 } from 'ip-address';

export class AclError extends Error {}

/** This host: the default for allow-recursion and RRL's exempt-clients. */
export const LOOPBACK = ['127.0.0.0/8', '::1'];

export interface Acl {
  /** The prefixes as written, for messages. */
  readonly entries: readonly string[];
  allows(address: string): boolean;
}

type Prefix = { v4: Address4 } | { v6: Address6 };

function parsePrefix(text: string): Prefix {
  // A bare address is a host: /32 or /128.
  if (Address4.isValid(text)) return { v4: new Address4(text) };
  if (Address6.isValid(text) && !text.includes('%')) return { v6: new Address6(text) };
  throw new AclError(`"${text}" is not an address or CIDR prefix`);
}

/** IPv4 clients on a dual-stack socket arrive as ::ffff:a.b.c.d. */
function clientAddress(address: string): { v4?: Address4; v6?: Address6 } {
  if (Address4.isValid(address)) return { v4: new Address4(address) };
  if (!Address6.isValid(address)) return {};
  const v6 = new Address6(address);
  return v6.is4() ? { v4: v6.to4(), v6 } : { v6 };
}

export function parseAcl(entries: unknown): Acl {
  const list = Array.isArray(entries) ? entries : [entries];
  const prefixes = list.map((e) => {
    if (typeof e !== 'string') throw new AclError(`expected CIDR prefixes as strings, got ${JSON.stringify(e)}`);
    return parsePrefix(e);
  });
  const cache = new Map<string, boolean>();
  return {
    entries: list as string[],
    allows(address: string): boolean {
      let hit = cache.get(address);
      if (hit === undefined) {
        const client = clientAddress(address);
        hit = prefixes.some((p) => ('v4' in p ? !!client.v4?.isInSubnet(p.v4) : !!client.v6?.isInSubnet(p.v6)));
        // Bounded: a flood from many addresses must not grow memory without limit.
        if (cache.size >= 4096) cache.clear();
        cache.set(address, hit);
      }
      return hit;
    },
  };
}

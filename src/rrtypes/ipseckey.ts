// IPSECKEY (RFC 4025 §2): precedence, gateway type, algorithm, a gateway whose
// form the gateway type gives (none ".", IPv4, IPv6, an uncompressed name) and
// an optional base64 key. The gateway and key are one run of octets to the layout.
import { readName, WireError, type Name } from '../wire/name.js';
import { MessageWriter } from '../wire/writer.js';
import { chunks, decodeFields, encodeFields, parseFieldText } from './fields.js';
import { plainType } from './plain.js';
import { genericText } from './rfc3597.js';
import type { Field } from './rrtype.js';
import { ipv6Text, parseIPv4, parseIPv6, ValueError } from './values.js';

const fields: readonly Field[] = [
  { kind: 'u8', label: 'precedence' }, { kind: 'u8', label: 'gateway type' }, { kind: 'u8', label: 'algorithm' },
  { kind: 'octets', label: 'gateway and key' },
];
const keyField: Field = { kind: 'base64', label: 'public key' };

/** Octets of the gateway at the start of `rest`, or undefined when it is not a gateway of that type. */
function gatewayLength(type: number, rest: Buffer): number | undefined {
  if (type === 3) {
    try {
      return readName(rest, 0).end;
    } catch (e) {
      if (e instanceof WireError) return undefined;
      throw e;
    }
  }
  const n = [0, 4, 16][type];
  return n !== undefined && n <= rest.length ? n : undefined;
}

export const IPSECKEY = plainType(45, 'IPSECKEY', fields, false, {
  ownTokenCount: true,
  parseText: (args) => {
    if (args.count < 4) args.fail(args.count - 1, 'IPSECKEY needs precedence, gateway type, algorithm and gateway');
    const type = args.uint(1, 8, 'IPSECKEY gateway type');
    const w = new MessageWriter(65535, false);
    switch (type) {
      case 0: args.text(3, (t) => { if (t !== '.') throw new ValueError('with gateway type 0 the gateway is "."'); }); break;
      case 1: w.bytes(args.text(3, (t) => parseIPv4(t).bytes)); break;
      case 2: w.bytes(args.text(3, (t) => parseIPv6(t).bytes)); break;
      case 3: w.name(args.name(3), false); break;
      default: args.fail(1, `IPSECKEY gateway type ${type} is not 0 (none), 1 (IPv4), 2 (IPv6) or 3 (name)`);
    }
    if (args.count > 4) w.bytes(parseFieldText(keyField, 4, 'IPSECKEY public key', args) as Buffer);
    return encodeFields(fields, [args.uint(0, 8, 'IPSECKEY precedence'), type, args.uint(2, 8, 'IPSECKEY algorithm'), w.result()]);
  },
  printText: (rdata, name) => {
    const [precedence, type, algorithm, rest] = decodeFields(fields, 'IPSECKEY', rdata) as [number, number, number, Buffer];
    const at = gatewayLength(type, rest);
    // Data from the wire is only checked against the layout: a bad gateway is shown as RFC 3597 data.
    if (at === undefined) return genericText(rdata);
    const gw = rest.subarray(0, at);
    const gateway = type === 0 ? '.' : type === 1 ? [...gw].join('.') : type === 2 ? ipv6Text(gw) : name(readName(rest, 0).name as Name);
    const key = rest.subarray(at);
    return `${precedence} ${type} ${algorithm} ${gateway}${key.length ? ` ${chunks(key.toString('base64'))}` : ''}`;
  },
});

// SOA (RFC 1035 §3.3.13), with the helpers that read and replace its serial and
// MINIMUM on the wire form (the zone, the loader's auto serial and the journal use them).
import type { Name } from '../wire/name.js';
import { decodeFields, encodeFields } from './fields.js';
import type { Field, RRTypeModule, YamlValue } from './rrtype.js';
import { parseDomainName } from './values.js';

const fields: readonly Field[] = [
  { kind: 'name', label: 'mname' }, { kind: 'name', label: 'rname' }, { kind: 'u32', label: 'serial' },
  { kind: 'u32', label: 'refresh', duration: true }, { kind: 'u32', label: 'retry', duration: true },
  { kind: 'u32', label: 'expire', duration: true }, { kind: 'u32', label: 'minimum', duration: true },
];

/** Where the five 32-bit fields start: after the two names. */
function timersAt(rdata: Buffer): number {
  let at = 0;
  for (let names = 0; names < 2; names++) {
    while (rdata[at] !== 0) at += rdata[at]! + 1;
    at++;
  }
  return at;
}

export function soaSerial(rdata: Buffer): number {
  return rdata.readUInt32BE(timersAt(rdata));
}

/** Replaces the serial in place (the zone's serial setter: every holder of the data sees it). */
export function setSoaSerial(rdata: Buffer, serial: number): void {
  rdata.writeUInt32BE(serial >>> 0, timersAt(rdata));
}

/** A copy of the data with another serial. */
export function withSoaSerial(rdata: Buffer, serial: number): Buffer {
  const out = Buffer.from(rdata);
  out.writeUInt32BE(serial >>> 0, timersAt(rdata));
  return out;
}

/** The negative-caching TTL (RFC 2308 §4). */
export function soaMinimum(rdata: Buffer): number {
  return rdata.readUInt32BE(timersAt(rdata) + 16);
}

export function soaMname(rdata: Buffer): Name {
  return (decodeFields(fields, 'SOA', rdata) as [Name])[0];
}

/** The data of an SOA with these fields. */
export function soaData(mname: Name, rname: Name, serial: number, refresh: number, retry: number, expire: number, minimum: number): Buffer {
  return encodeFields(fields, [mname, rname, serial, refresh, retry, expire, minimum]);
}

type Timers = [Name, Name, number, number, number, number, number];

export const SOA: RRTypeModule = {
  code: 6,
  mnemonic: 'SOA',
  fields,
  compress: true,
  decompress: true,
  canonicalLower: true,
  yaml: {
    parse: (v) => {
      const auto = isAutoSerial(v);
      return soaData(
        v.name('mname', 'SOA'), mailboxName(v), auto ? 0 : v.uint('serial', 32, 'SOA'),
        v.uint('refresh', 32, 'SOA'), v.uint('retry', 32, 'SOA'), v.uint('expire', 32, 'SOA'), v.uint('minimum', 32, 'SOA'),
      );
    },
    print: (rdata) => {
      const [mname, rname, serial, refresh, retry, expire, minimum] = decodeFields(fields, 'SOA', rdata) as Timers;
      return { value: { mname: mname.toString(), rname: rname.toString(), serial, refresh, retry, expire, minimum } };
    },
  },
  // Timer sanity as RFC 1912 §2.2 and RFC 2308 §5 recommend.
  check: (rdata) => {
    const [, , serial, refresh, retry, expire, minimum] = decodeFields(fields, 'SOA', rdata) as Timers;
    const out: string[] = [];
    if (serial === 0) out.push('SOA serial is 0: some secondaries treat it specially; start at 1 or use serial: auto');
    if (retry >= refresh) out.push(`SOA retry (${retry}) should be less than refresh (${refresh})`);
    if (expire <= refresh + retry) out.push(`SOA expire (${expire}) should exceed refresh + retry (${refresh + retry})`);
    if (expire < 7 * 86400) out.push(`SOA expire (${expire}) is under a week: secondaries drop the zone quickly if the primary is down`);
    if (minimum > 86400) out.push(`SOA minimum (negative-caching TTL, ${minimum}) is over a day (RFC 2308 §5 suggests 1 to 3 hours)`);
    return out;
  },
};

/** "serial: auto", or no serial: the loader fills it in. */
export function isAutoSerial(v: YamlValue): boolean {
  const serial = v.peek('serial');
  return serial === undefined || serial === 'auto';
}

/** An RNAME may be written as a mail address: hostmaster@corp.example. */
function mailboxName(v: YamlValue): Name {
  const node = v.field('rname', 'SOA');
  const text = node.text('SOA rname');
  const at = text.indexOf('@');
  // The domain after "@" is absolute, as in any mail address.
  const domain = text.slice(at + 1);
  const asName = at < 0 ? text : `${text.slice(0, at).replace(/\./g, '\\.')}.${domain}${domain.endsWith('.') ? '' : '.'}`;
  try {
    return parseDomainName(asName, v.origin);
  } catch (e) {
    return node.fail((e as Error).message);
  }
}

// Numeric codes from the IANA DNS parameters registry, with the names dig prints.

export const RRType = {
  A: 1, NS: 2, CNAME: 5, SOA: 6, PTR: 12, HINFO: 13, MX: 15, TXT: 16, RP: 17, AFSDB: 18, AAAA: 28,
  LOC: 29, SRV: 33, NAPTR: 35, CERT: 37, DNAME: 39, OPT: 41, DS: 43, SSHFP: 44, IPSECKEY: 45,
  RRSIG: 46, NSEC: 47, DNSKEY: 48, NSEC3: 50, NSEC3PARAM: 51, TLSA: 52, SMIMEA: 53, CDS: 59,
  CDNSKEY: 60, OPENPGPKEY: 61, CSYNC: 62, ZONEMD: 63, SVCB: 64, HTTPS: 65, SPF: 99, EUI48: 108,
  EUI64: 109, IXFR: 251, AXFR: 252, MAILB: 253, MAILA: 254, ANY: 255, URI: 256, CAA: 257,
  // Not an IANA type: octoDNS's and PowerDNS's apex flattening record, on the wire (AXFR) as PowerDNS sends it.
  ALIAS: 65401,
} as const;

export const RRClass = { IN: 1, CH: 3, HS: 4, NONE: 254, ANY: 255 } as const;

export const Opcode = { QUERY: 0, IQUERY: 1, STATUS: 2, NOTIFY: 4, UPDATE: 5 } as const;

export const Rcode = {
  NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5, YXDOMAIN: 6,
  // RFC 2136's: an RRset that should not exist does, one that should does not, a name outside the zone.
  YXRRSET: 7, NXRRSET: 8, NOTAUTH: 9, NOTZONE: 10,
  // Extended (12-bit) codes: the upper 8 bits travel in the OPT record.
  BADVERS: 16,
} as const;

const typeNames = new Map<number, string>(Object.entries(RRType).map(([k, v]) => [v, k]));

/** dig's spelling of a type: its mnemonic, or TYPEnnn (RFC 3597 §5). */
export function typeName(type: number): string {
  return typeNames.get(type) ?? `TYPE${type}`;
}

/** The inverse of typeName; accepts TYPEnnn. Returns undefined for unknown mnemonics. */
export function typeFromName(name: string): number | undefined {
  const upper = name.toUpperCase();
  const known = (RRType as Record<string, number>)[upper];
  if (known !== undefined) return known;
  const m = /^TYPE(\d{1,5})$/.exec(upper);
  if (m && Number(m[1]) <= 0xffff) return Number(m[1]);
  return undefined;
}

const rcodeNames = new Map<number, string>(Object.entries(Rcode).map(([k, v]) => [v, k]));
export function rcodeName(rcode: number): string {
  return rcodeNames.get(rcode) ?? `RCODE${rcode}`;
}

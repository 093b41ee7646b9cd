// The mnemonics of DNSSEC algorithms (RFC 4034 Appendix A.1, IANA) that
// presentation text may use in place of numbers, as BIND reads and prints them.
const ALGORITHMS: Record<string, number> = {
  RSAMD5: 1, DH: 2, DSA: 3, RSASHA1: 5, 'DSA-NSEC3-SHA1': 6, NSEC3DSA: 6, 'RSASHA1-NSEC3-SHA1': 7, NSEC3RSASHA1: 7,
  RSASHA256: 8, RSASHA512: 10, ECCGOST: 12, ECDSAP256SHA256: 13, ECDSAP384SHA384: 14, ED25519: 15, ED448: 16,
  INDIRECT: 252, PRIVATEDNS: 253, PRIVATEOID: 254,
};

/** An algorithm number from a number or mnemonic, or undefined. */
export function algorithmFromText(text: string): number | undefined {
  if (/^\d{1,3}$/.test(text)) return Number(text) <= 255 ? Number(text) : undefined;
  return ALGORITHMS[text.toUpperCase()];
}

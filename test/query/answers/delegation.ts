// Delegations are referrals: AA off, the child's NS in authority, in-zone glue
// in additional; data below the cut is occluded.
import { SOA, type Table } from './table.js';

const NS = ['sub.example.test. 3600 NS ns.sub.example.test.', 'sub.example.test. 3600 NS ns.other.test.'];
const GLUE = ['ns.sub.example.test. 3600 A 192.0.2.53'];

export const delegation: Table = {
  title: 'delegations',
  cases: [
    { q: 'sub.example.test NS', status: 'NOERROR', aa: false, authority: NS, additional: GLUE },
    { q: 'sub.example.test A', status: 'NOERROR', aa: false, authority: NS, additional: GLUE },
    { q: 'host.sub.example.test A', status: 'NOERROR', aa: false, authority: NS, additional: GLUE },
    { q: 'deep.below.sub.example.test MX', status: 'NOERROR', aa: false, authority: NS, additional: GLUE },
    { q: 'ns.sub.example.test A', tcp: true, status: 'NOERROR', aa: false, authority: NS, additional: GLUE },
    // DS belongs to the parent side of the cut: an authoritative NODATA here.
    { q: 'sub.example.test DS', status: 'NOERROR', aa: true, authority: [SOA] },
  ],
};

// RFC 9471: a referral whose glue for name servers below the cut does not all
// fit sets TC, so that the resolver asks again over TCP; 512 octets is the
// limit without EDNS.
const LONG = 'a-long-label-that-makes-the-glue-overflow-512-octets.wide.example.test.';
const WIDE_NS = [1, 2, 3, 4, 5, 6].map((i) => `wide.example.test. 3600 NS ns${i}-${LONG}`);
const WIDE_GLUE = [1, 2, 3, 4, 5, 6].flatMap((i) => [`ns${i}-${LONG} 3600 A 192.0.2.${100 + i}`, `ns${i}-${LONG} 3600 AAAA 2001:db8::${100 + i}`]);

export const wideDelegation: Table = {
  title: 'delegations whose glue overflows 512 octets',
  cases: [
    { q: 'host.wide.example.test A', noedns: true, status: 'NOERROR', aa: false, tc: true, authority: WIDE_NS, additionalCutFrom: WIDE_GLUE },
    { q: 'host.wide.example.test A', bufsize: 4096, status: 'NOERROR', aa: false, authority: WIDE_NS, additional: WIDE_GLUE },
    { q: 'host.wide.example.test A', tcp: true, noedns: true, status: 'NOERROR', aa: false, authority: WIDE_NS, additional: WIDE_GLUE },
  ],
};

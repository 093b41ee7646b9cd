// RFC 2308: NXDOMAIN and NODATA carry the zone's SOA in authority, its TTL
// capped by the SOA MINIMUM field.
import { SOA, type Table } from './table.js';

const SHORT_SOA = 'short-soa.test. 300 SOA ns1.short-soa.test. hostmaster.short-soa.test. 1 7200 900 1209600 3600';

export const negative: Table = {
  title: 'negative answers',
  cases: [
    { q: 'nothere.example.test A', status: 'NXDOMAIN', aa: true, authority: [SOA] },
    { q: 'deeper.nothere.example.test TXT', status: 'NXDOMAIN', aa: true, authority: [SOA] },
    { q: 'www.example.test MX', status: 'NOERROR', aa: true, authority: [SOA] },
    { q: 'www.example.test AAAA', tcp: true, status: 'NOERROR', aa: true, authority: [SOA] },
    { q: 'ns1.example.test TXT', status: 'NOERROR', aa: true, authority: [SOA] },
    // The child zone's own SOA, TTL min(120, 60).
    { q: 'nothere.child.example.test A', status: 'NXDOMAIN', aa: true, authority: ['child.example.test. 60 SOA ns1.example.test. hostmaster.example.test. 7 3600 600 604800 60'] },
    // An SOA whose own TTL (300) is below its MINIMUM (3600): the lower one wins.
    { q: 'nothere.short-soa.test A', status: 'NXDOMAIN', aa: true, authority: [SHORT_SOA] },
    { q: 'short-soa.test MX', status: 'NOERROR', aa: true, authority: [SHORT_SOA] },
    { q: 'ns1.short-soa.test AAAA', tcp: true, status: 'NOERROR', aa: true, authority: [SHORT_SOA] },
  ],
};

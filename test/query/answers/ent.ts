// Empty non-terminals exist (RFC 4592 §2.2.2): NODATA, never NXDOMAIN.
import { SOA, type Table } from './table.js';

export const ent: Table = {
  title: 'empty non-terminals',
  cases: [
    { q: 'b.c.example.test TXT', status: 'NOERROR', aa: true, authority: [SOA] },
    { q: 'c.example.test A', status: 'NOERROR', aa: true, authority: [SOA] },
    { q: 'a.b.c.example.test TXT', status: 'NOERROR', aa: true, answer: ['a.b.c.example.test. 3600 TXT "deep"'] },
    { q: 'x.b.c.example.test TXT', status: 'NXDOMAIN', aa: true, authority: [SOA] },
    { q: '_tcp.example.test SRV', status: 'NOERROR', aa: true, authority: [SOA] },
  ],
};

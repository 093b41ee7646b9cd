// RFC 4592 wildcards: synthesized with the query name as owner, and only for
// names that do not exist; a closer name or an empty non-terminal blocks them.
import { SOA, type Table } from './table.js';

export const wildcard: Table = {
  title: 'wildcards',
  cases: [
    { q: 'foo.wild.example.test A', status: 'NOERROR', aa: true, answer: ['foo.wild.example.test. 3600 A 192.0.2.99'] },
    { q: 'a.b.wild.example.test A', status: 'NOERROR', aa: true, answer: ['a.b.wild.example.test. 3600 A 192.0.2.99'] },
    {
      q: 'foo.wild.example.test MX', status: 'NOERROR', aa: true,
      answer: ['foo.wild.example.test. 3600 MX 5 mail.example.test.'],
      additional: ['mail.example.test. 3600 A 192.0.2.25', 'mail.example.test. 3600 AAAA 2001:db8::25'],
    },
    { q: 'foo.wild.example.test TXT', status: 'NOERROR', aa: true, authority: [SOA] },
    // The wildcard's own name answers like any name.
    { q: '*.wild.example.test A', status: 'NOERROR', aa: true, answer: ['*.wild.example.test. 3600 A 192.0.2.99'] },
    { q: 'explicit.wild.example.test A', status: 'NOERROR', aa: true, authority: [SOA] },
    { q: 'ent.wild.example.test A', status: 'NOERROR', aa: true, authority: [SOA] },
    { q: 'other.ent.wild.example.test A', status: 'NXDOMAIN', aa: true, authority: [SOA] },
    { q: 'wild.example.test A', status: 'NOERROR', aa: true, authority: [SOA] },
    {
      q: 'x.cnamewild.example.test A', status: 'NOERROR', aa: true,
      answer: ['x.cnamewild.example.test. 3600 CNAME www.example.test.', 'www.example.test. 300 A 192.0.2.80'],
    },
  ],
};

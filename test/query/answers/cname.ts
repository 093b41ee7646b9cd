// CNAME: in-zone chains are followed, loops stopped, out-of-zone targets left
// to the resolver; the rcode is that of the last name in the chain (RFC 6604).
import { SOA, type Table } from './table.js';

const WWW = 'www.example.test. 300 A 192.0.2.80';

/** The CNAMEs long<from> … long<to> of the fixture's 17-link chain, which ends at www. */
function links(from: number, to: number): string[] {
  const out: string[] = [];
  for (let i = from; i <= to; i++) out.push(`long${i}.example.test. 3600 CNAME ${i === 17 ? 'www' : `long${i + 1}`}.example.test.`);
  return out;
}

export const cname: Table = {
  title: 'CNAME',
  cases: [
    { q: 'alias.example.test A', status: 'NOERROR', aa: true, answer: ['alias.example.test. 3600 CNAME www.example.test.', WWW] },
    { q: 'alias.example.test CNAME', status: 'NOERROR', aa: true, answer: ['alias.example.test. 3600 CNAME www.example.test.'] },
    { q: 'alias.example.test TXT', status: 'NOERROR', aa: true, answer: ['alias.example.test. 3600 CNAME www.example.test.'], authority: [SOA] },
    {
      q: 'chain1.example.test A', status: 'NOERROR', aa: true,
      answer: ['chain1.example.test. 3600 CNAME chain2.example.test.', 'chain2.example.test. 3600 CNAME www.example.test.', WWW],
    },
    {
      q: 'loop1.example.test A', status: 'NOERROR', aa: true,
      answer: ['loop1.example.test. 3600 CNAME loop2.example.test.', 'loop2.example.test. 3600 CNAME loop1.example.test.'],
    },
    { q: 'external.example.test A', status: 'NOERROR', aa: true, answer: ['external.example.test. 3600 CNAME www.elsewhere.test.'] },
    { q: 'dangling.example.test A', status: 'NXDOMAIN', aa: true, answer: ['dangling.example.test. 3600 CNAME missing.example.test.'], authority: [SOA] },
    {
      // A chain into a delegation ends in a referral for the rest.
      q: 'to-delegated.example.test A', status: 'NOERROR', aa: true,
      answer: ['to-delegated.example.test. 3600 CNAME host.sub.example.test.'],
      authority: ['sub.example.test. 3600 NS ns.sub.example.test.', 'sub.example.test. 3600 NS ns.other.test.'],
      additional: ['ns.sub.example.test. 3600 A 192.0.2.53'],
    },
    // 16 CNAMEs, the most followed (MAX_CHAIN), are followed to the address at the end.
    { q: 'long2.example.test A', status: 'NOERROR', aa: true, answer: [...links(2, 17), WWW] },
    // 17: the answer stops after 16 CNAMEs, NOERROR, and the resolver asks for long17 itself.
    { q: 'long1.example.test A', status: 'NOERROR', aa: true, answer: links(1, 16) },
  ],
};

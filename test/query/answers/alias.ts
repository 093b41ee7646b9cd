// ALIAS (octoDNS's apex flattening, src/query/alias.ts) answered from rotor's
// own zones: A and AAAA at the owner are the target's, under the owner's name,
// with the smallest TTL on the way; NODATA when the target has none; SERVFAIL
// when the target cannot be looked up (a loop; outside every zone with no
// forward.upstreams, as here). The forwarder's side: test/query/alias.test.ts.
import { join } from 'node:path';
import { REPO } from '../../e2e/harness.js';
import type { Table } from './table.js';

const SOA = 'alias.test. 600 SOA ns1.alias.test. hostmaster.alias.test. 1 7200 900 1209600 600';

export const alias: Table = {
  title: 'ALIAS',
  zonesDir: join(REPO, 'test', 'fixtures', 'alias'),
  cases: [
    // At the apex: the target's addresses, TTL min(ALIAS 600, A 300) and min(600, AAAA 900).
    { q: 'alias.test A', status: 'NOERROR', aa: true, answer: ['alias.test. 300 A 192.0.2.1', 'alias.test. 300 A 192.0.2.2'] },
    { q: 'alias.test AAAA', status: 'NOERROR', aa: true, answer: ['alias.test. 600 AAAA 2001:db8::1'] },
    // The other types at the apex are the apex's own.
    { q: 'alias.test MX', status: 'NOERROR', aa: true, answer: ['alias.test. 3600 MX 10 mail.alias.test.'], additional: ['mail.alias.test. 3600 A 192.0.2.25'] },
    { q: 'alias.test TXT', status: 'NOERROR', aa: true, authority: [SOA] },
    // Through a CNAME (its TTL 120 is the smallest), through another ALIAS (60), into another zone.
    { q: 'to-cname.alias.test A', status: 'NOERROR', aa: true, answer: ['to-cname.alias.test. 120 A 192.0.2.1', 'to-cname.alias.test. 120 A 192.0.2.2'] },
    { q: 'to-alias.alias.test AAAA', status: 'NOERROR', aa: true, answer: ['to-alias.alias.test. 60 AAAA 2001:db8::1'] },
    { q: 'to-other.alias.test A', status: 'NOERROR', aa: true, answer: ['to-other.alias.test. 60 A 198.51.100.7'] },
    // PowerDNS's `ALIAS host` and its RFC 3597 form in a master file mean the same.
    { q: 'flat.other.test A', status: 'NOERROR', aa: true, answer: ['flat.other.test. 60 A 198.51.100.7'] },
    { q: 'flat2.other.test A', status: 'NOERROR', aa: true, answer: ['flat2.other.test. 60 A 198.51.100.7'] },
    // A CNAME to an ALIAS owner: the CNAME, then the addresses under the owner's name.
    { q: 'via-cname.alias.test A', status: 'NOERROR', aa: true,
      answer: ['via-cname.alias.test. 3600 CNAME alias.test.', 'alias.test. 300 A 192.0.2.1', 'alias.test. 300 A 192.0.2.2'] },
    // A target without such addresses, or without any name: NODATA at the owner, which exists.
    { q: 'to-v4only.alias.test AAAA', status: 'NOERROR', aa: true, authority: [SOA] },
    { q: 'to-missing.alias.test A', status: 'NOERROR', aa: true, authority: [SOA] },
    // Targets nothing can look up: SERVFAIL (the extended error is checked in test/query/alias.test.ts).
    { q: 'loop1.alias.test A', status: 'SERVFAIL', aa: false },
    { q: 'outside.alias.test A', status: 'SERVFAIL', aa: false },
    { q: 'to-sub.alias.test A', status: 'SERVFAIL', aa: false },
  ],
};

// The additional section: in-zone A/AAAA of MX, SRV and NS targets, nothing for
// targets outside the zone.
import type { Table } from './table.js';

export const additional: Table = {
  title: 'additional records',
  cases: [
    {
      q: 'example.test MX', status: 'NOERROR', aa: true,
      answer: ['example.test. 3600 MX 10 mail.example.test.', 'example.test. 3600 MX 20 mx.elsewhere.test.'],
      additional: ['mail.example.test. 3600 A 192.0.2.25', 'mail.example.test. 3600 AAAA 2001:db8::25'],
    },
    {
      q: '_sip._tcp.example.test SRV', status: 'NOERROR', aa: true,
      answer: ['_sip._tcp.example.test. 3600 SRV 0 5 5060 sipserver.example.test.'],
      additional: ['sipserver.example.test. 3600 A 192.0.2.60'],
    },
    {
      q: 'example.test NS', status: 'NOERROR', aa: true,
      answer: ['example.test. 3600 NS ns1.example.test.', 'example.test. 3600 NS ns2.elsewhere.test.'],
      additional: ['ns1.example.test. 3600 A 192.0.2.1'],
    },
    // Targets below a delegation: their addresses there are occluded, not
    // authoritative, so they stay out, even the one that is glue for the referral.
    { q: 'mx-below-cut.example.test MX', status: 'NOERROR', aa: true, answer: ['mx-below-cut.example.test. 3600 MX 10 host.sub.example.test.'] },
    { q: '_sip._udp.example.test SRV', status: 'NOERROR', aa: true, answer: ['_sip._udp.example.test. 3600 SRV 0 5 5060 ns.sub.example.test.'] },
    // A CNAME target's addresses are answers, not additional data.
    { q: 'www.example.test A', status: 'NOERROR', aa: true, answer: ['www.example.test. 300 A 192.0.2.80'] },
  ],
};

// RFC 8482: ANY over UDP gets one RRset; over TCP, where size is no amplification
// risk, every RRset at the name.
import assert from 'node:assert/strict';
import type { Table } from './table.js';

const MAIL = ['mail.example.test. 3600 A 192.0.2.25', 'mail.example.test. 3600 AAAA 2001:db8::25'];

export const any: Table = {
  title: 'ANY',
  cases: [
    {
      q: 'mail.example.test ANY', status: 'NOERROR', aa: true,
      check: (r) => {
        assert.equal(r.answer.length, 1);
        assert.ok(MAIL.includes(`${r.answer[0]!.name} ${r.answer[0]!.ttl} ${r.answer[0]!.type} ${r.answer[0]!.data}`));
      },
      answer: [MAIL[0]!],
    },
    { q: 'mail.example.test ANY', tcp: true, status: 'NOERROR', aa: true, answer: MAIL },
    { q: 'alias.example.test ANY', status: 'NOERROR', aa: true, answer: ['alias.example.test. 3600 CNAME www.example.test.'] },
    { q: 'nothere.example.test ANY', status: 'NXDOMAIN', aa: true, authority: ['example.test. 600 SOA ns1.example.test. hostmaster.example.test. 2024010101 7200 900 1209600 600'] },
  ],
};

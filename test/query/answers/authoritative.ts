// Positive answers: AA set, the RRset asked for, nothing else unless it is needed.
import assert from 'node:assert/strict';
import type { Table } from './table.js';

export const authoritative: Table = {
  title: 'authoritative answers',
  cases: [
    { q: 'www.example.test A', status: 'NOERROR', aa: true, answer: ['www.example.test. 300 A 192.0.2.80'] },
    { q: 'example.test SOA', status: 'NOERROR', aa: true, answer: ['example.test. 3600 SOA ns1.example.test. hostmaster.example.test. 2024010101 7200 900 1209600 600'] },
    { q: 'mail.example.test AAAA', status: 'NOERROR', aa: true, answer: ['mail.example.test. 3600 AAAA 2001:db8::25'] },
    {
      q: 'WWW.Example.TEST A', status: 'NOERROR', aa: true, answer: ['www.example.test. 300 A 192.0.2.80'],
      // The question is echoed byte for byte, so its case survives, and the answer points at it.
      check: (r) => {
        assert.deepEqual(r.question, ['WWW.Example.TEST. IN A']);
        assert.deepEqual(r.answer.map((rr) => `${rr.name} ${rr.ttl} ${rr.class} ${rr.type} ${rr.data}`), ['WWW.Example.TEST. 300 IN A 192.0.2.80']);
      },
    },
    { q: 'www.example.test A', tcp: true, status: 'NOERROR', aa: true, answer: ['www.example.test. 300 A 192.0.2.80'] },
  ],
};

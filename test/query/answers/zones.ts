// Several zones: the longest matching suffix answers; names outside every zone are refused.
import type { Table } from './table.js';

export const zones: Table = {
  title: 'zone selection',
  cases: [
    { q: 'host.child.example.test A', status: 'NOERROR', aa: true, answer: ['host.child.example.test. 3600 A 192.0.2.200'] },
    { q: 'child.example.test NS', status: 'NOERROR', aa: true, answer: ['child.example.test. 3600 NS ns1.example.test.'] },
    { q: 'www.example.test A', status: 'NOERROR', aa: true, answer: ['www.example.test. 300 A 192.0.2.80'] },
    { q: 'example.org A', status: 'REFUSED', aa: false },
    { q: 'test SOA', status: 'REFUSED', aa: false },
    { q: '. NS', status: 'REFUSED', aa: false },
  ],
};

// Delegations are referrals: AA off, the child's NS in authority, in-zone glue
// in additional; data below the cut is occluded.
import { answerTable, SOA } from './table.js';

const NS = ['sub.example.test. 3600 NS ns.sub.example.test.', 'sub.example.test. 3600 NS ns.other.test.'];
const GLUE = ['ns.sub.example.test. 3600 A 192.0.2.53'];

answerTable('delegations', [
  { q: 'sub.example.test NS', status: 'NOERROR', aa: false, authority: NS, additional: GLUE },
  { q: 'sub.example.test A', status: 'NOERROR', aa: false, authority: NS, additional: GLUE },
  { q: 'host.sub.example.test A', status: 'NOERROR', aa: false, authority: NS, additional: GLUE },
  { q: 'deep.below.sub.example.test MX', status: 'NOERROR', aa: false, authority: NS, additional: GLUE },
  { q: 'ns.sub.example.test A', tcp: true, status: 'NOERROR', aa: false, authority: NS, additional: GLUE },
  // DS belongs to the parent side of the cut: an authoritative NODATA here.
  { q: 'sub.example.test DS', status: 'NOERROR', aa: true, authority: [SOA] },
]);

// DNAME (RFC 6672): the query name rewritten below a DNAME's owner into a
// synthesised CNAME with the DNAME's TTL, followed inside the zone like any
// CNAME; data below a DNAME is occluded; YXDOMAIN when the new name is too long.
// The zones (test/fixtures/dname) are also served by BIND and Knot in
// test/e2e/dname.test.ts, which checks these rows against both.
import { join } from 'node:path';
import { REPO } from '../../e2e/harness.js';
import type { Table } from './table.js';

const SOA = 'dname.test. 600 SOA ns1.dname.test. hostmaster.dname.test. 1 7200 900 1209600 600';
const DN = 'dn.dname.test. 300 DNAME target.dname.test.';
const HOST = 'host.target.dname.test. 3600 A 192.0.2.10';
/** The 249-octet target of long.dname.test. */
export const LONG = `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(50)}.test.`;

export const dname: Table = {
  title: 'DNAME',
  zonesDir: join(REPO, 'test', 'fixtures', 'dname'),
  cases: [
    // Synthesis and an in-zone target, followed: the DNAME, the CNAME owned by the query name, the data.
    { q: 'host.dn.dname.test A', status: 'NOERROR', aa: true, answer: [DN, 'host.dn.dname.test. 300 CNAME host.target.dname.test.', HOST] },
    { q: 'mail.dn.dname.test MX', status: 'NOERROR', aa: true,
      answer: [DN, 'mail.dn.dname.test. 300 CNAME mail.target.dname.test.', 'mail.target.dname.test. 3600 MX 10 host.target.dname.test.'],
      additional: [HOST] },
    { q: 'a.b.dn.dname.test A', status: 'NXDOMAIN', aa: true, answer: [DN, 'a.b.dn.dname.test. 300 CNAME a.b.target.dname.test.'], authority: [SOA] },
    // The DNAME's own name is not renamed: the DNAME for a DNAME query, no data for others.
    { q: 'dn.dname.test DNAME', status: 'NOERROR', aa: true, answer: [DN] },
    { q: 'dn.dname.test ANY', status: 'NOERROR', aa: true, answer: [DN] },
    { q: 'dn.dname.test A', status: 'NOERROR', aa: true, authority: [SOA] },
    // Occlusion: x.dn holds a TXT in the zone file, never served.
    { q: 'x.dn.dname.test TXT', status: 'NXDOMAIN', aa: true, answer: [DN, 'x.dn.dname.test. 300 CNAME x.target.dname.test.'], authority: [SOA] },
    // A CNAME or ANY question is answered by the synthesised CNAME, which is not followed.
    { q: 'host.dn.dname.test CNAME', status: 'NOERROR', aa: true, answer: [DN, 'host.dn.dname.test. 300 CNAME host.target.dname.test.'] },
    { q: 'host.dn.dname.test ANY', status: 'NOERROR', aa: true, answer: [DN, 'host.dn.dname.test. 300 CNAME host.target.dname.test.'] },
    { q: 'host.dn.dname.test DNAME', status: 'NOERROR', aa: true, answer: [DN, 'host.dn.dname.test. 300 CNAME host.target.dname.test.'], authority: [SOA] },
    // An out-of-zone target is left to the resolver.
    { q: 'h.out.dname.test A', status: 'NOERROR', aa: true, answer: ['out.dname.test. 300 DNAME elsewhere.test.', 'h.out.dname.test. 300 CNAME h.elsewhere.test.'] },
    // A chain of DNAMEs, each CNAME with its own DNAME's TTL.
    { q: 'host.d1.dname.test A', status: 'NOERROR', aa: true, answer: [
      'd1.dname.test. 600 DNAME d2.dname.test.', 'host.d1.dname.test. 600 CNAME host.d2.dname.test.',
      'd2.dname.test. 900 DNAME target.dname.test.', 'host.d2.dname.test. 900 CNAME host.target.dname.test.', HOST,
    ] },
    // A CNAME into a DNAME'd subtree.
    { q: 'alias.dname.test A', status: 'NOERROR', aa: true,
      answer: ['alias.dname.test. 3600 CNAME host.dn.dname.test.', DN, 'host.dn.dname.test. 300 CNAME host.target.dname.test.', HOST] },
    { q: 'dangling.dname.test A', status: 'NXDOMAIN', aa: true,
      answer: ['dangling.dname.test. 3600 CNAME nowhere.dn.dname.test.', DN, 'nowhere.dn.dname.test. 300 CNAME nowhere.target.dname.test.'], authority: [SOA] },
    // Wildcards: the renamed name matches a wildcard in the target; a wildcard owning a DNAME
    // gives it to the names it matches, renaming only names below them.
    { q: 'any.dw.dname.test TXT', status: 'NOERROR', aa: true,
      answer: ['dw.dname.test. 300 DNAME wild.dname.test.', 'any.dw.dname.test. 300 CNAME any.wild.dname.test.', 'any.wild.dname.test. 3600 TXT "wild"'] },
    { q: 'any.dw.dname.test A', status: 'NOERROR', aa: true,
      answer: ['dw.dname.test. 300 DNAME wild.dname.test.', 'any.dw.dname.test. 300 CNAME any.wild.dname.test.'], authority: [SOA] },
    { q: 'x.wd.dname.test DNAME', status: 'NOERROR', aa: true, answer: ['x.wd.dname.test. 300 DNAME target.dname.test.'] },
    { q: 'x.wd.dname.test A', status: 'NOERROR', aa: true, authority: [SOA] },
    { q: 'host.x.wd.dname.test A', status: 'NOERROR', aa: true, authority: [SOA] },
    // The apex wildcard does not reach below a DNAME.
    { q: 'nope.dname.test A', status: 'NOERROR', aa: true, answer: ['nope.dname.test. 3600 A 192.0.2.99'] },
    // Renamed into a delegation: a referral for the rest, AA kept for the answer's own records.
    { q: 'host.tosub.dname.test A', status: 'NOERROR', aa: true,
      answer: ['tosub.dname.test. 300 DNAME sub.dname.test.', 'host.tosub.dname.test. 300 CNAME host.sub.dname.test.'],
      authority: ['sub.dname.test. 3600 NS ns.sub.dname.test.'], additional: ['ns.sub.dname.test. 3600 A 192.0.2.53'] },
    // Two DNAMEs renaming into each other: stopped when a name comes back.
    { q: 'x.loop1.dname.test A', status: 'NOERROR', aa: true, answer: [
      'loop1.dname.test. 3600 DNAME loop2.dname.test.', 'x.loop1.dname.test. 3600 CNAME x.loop2.dname.test.',
      'loop2.dname.test. 3600 DNAME loop1.dname.test.', 'x.loop2.dname.test. 3600 CNAME x.loop1.dname.test.',
    ] },
    // 255 octets fit; 256 are YXDOMAIN with the DNAME alone (RFC 6672 §2.2).
    { q: 'xxxxx.long.dname.test A', status: 'NOERROR', aa: true,
      answer: [`long.dname.test. 300 DNAME ${LONG}`, `xxxxx.long.dname.test. 300 CNAME xxxxx.${LONG}`] },
    { q: 'xxxxxx.long.dname.test A', status: 'YXDOMAIN', aa: true, answer: [`long.dname.test. 300 DNAME ${LONG}`] },
    // A DNAME at the apex renames every name below it, into another zone here: not followed there.
    { q: 'www.dname-apex.test A', status: 'NOERROR', aa: true,
      answer: ['dname-apex.test. 300 DNAME dname.test.', 'www.dname-apex.test. 300 CNAME www.dname.test.'] },
    { q: 'dname-apex.test DNAME', status: 'NOERROR', aa: true, answer: ['dname-apex.test. 300 DNAME dname.test.'] },
    { q: 'dname-apex.test SOA', status: 'NOERROR', aa: true, answer: ['dname-apex.test. 3600 SOA ns1.dname.test. hostmaster.dname.test. 1 7200 900 1209600 600'] },
    { q: 'dname-apex.test A', status: 'NOERROR', aa: true, authority: ['dname-apex.test. 600 SOA ns1.dname.test. hostmaster.dname.test. 1 7200 900 1209600 600'] },
  ],
};

/** Fixes that the same zones pin: DS answered by the parent when both sides are served, an RRset's lowest TTL. */
export const dnameZones: Table = {
  title: 'DS at a served child, lowest TTL of an RRset',
  zonesDir: dname.zonesDir,
  cases: [
    // RFC 4035 §3.1.4.1: the parent's NODATA (its SOA), not the child's.
    { q: 'kid.dname.test DS', status: 'NOERROR', aa: true, authority: [SOA] },
    // No parent served: the zone's own NODATA.
    { q: 'dname.test DS', status: 'NOERROR', aa: true, authority: [SOA] },
    { q: 'kid.dname.test SOA', status: 'NOERROR', aa: true, answer: ['kid.dname.test. 120 SOA ns1.dname.test. hostmaster.dname.test. 7 3600 600 604800 60'] },
    { q: 'host.kid.dname.test A', status: 'NOERROR', aa: true, answer: ['host.kid.dname.test. 120 A 192.0.2.77'] },
    // RFC 2181 §5.2: written with TTLs 300 and 60, served with 60.
    { q: 'mixed.dname.test A', status: 'NOERROR', aa: true, answer: ['mixed.dname.test. 60 A 192.0.2.1', 'mixed.dname.test. 60 A 192.0.2.2'] },
  ],
};

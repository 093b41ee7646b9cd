// RFC 2136 §3.2–3.4 on a zone in memory: prerequisites, the prescan's FORMERR
// and NOTZONE, and the special cases of applying.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyUpdates, checkPrerequisites, prescan } from '../../src/update/changes.js';
import type { UpdateRecord } from '../../src/update/request.js';
import { soaData } from '../../src/rrtypes/soa.js';
import { Name } from '../../src/wire/name.js';
import { Rcode, RRClass, RRType } from '../../src/wire/types.js';
import { parseZoneText } from '../../src/zone/load.js';
import { buildZone } from '../../src/zone/build-zone.js';

const ORIGIN = Name.parse('c.example.');
const zone = buildZone(ORIGIN, 'c.example.yaml', parseZoneText(`'':
  - {type: SOA, value: {mname: ns1, rname: h, serial: 10, refresh: 1, retry: 1, expire: 1, minimum: 1}}
  - {type: NS, values: [ns1, ns2]}
ns1: {type: A, value: 127.0.0.1}
www: {type: A, values: [192.0.2.1, 192.0.2.2]}
alias: {type: CNAME, value: www}
a.b: {type: TXT, value: deep}
`, 'c.example.yaml', ORIGIN, { defaultTtl: 60 }).records, { serial: 0, ttl: 60 }).zone;

const n = (s: string) => (s === '@' ? ORIGIN : Name.parse(s, ORIGIN));
const A = (last: number) => Buffer.from([192, 0, 2, last]);
const rr = (owner: string, type: number, cls: number, ttl = 0, rdata: Buffer = Buffer.alloc(0)): UpdateRecord => ({ owner: n(owner), type, class: cls, ttl, rdata });

describe('RFC 2136 prerequisites', () => {
  it('gives each kind its rcode', () => {
    const rcode = (p: UpdateRecord) => checkPrerequisites(zone, [p])?.rcode ?? Rcode.NOERROR;
    assert.equal(rcode(rr('www', RRType.ANY, RRClass.ANY)), Rcode.NOERROR);
    assert.equal(rcode(rr('b', RRType.ANY, RRClass.ANY)), Rcode.NXDOMAIN, 'an empty non-terminal is not in use');
    assert.equal(rcode(rr('b', RRType.ANY, RRClass.NONE)), Rcode.NOERROR);
    assert.equal(rcode(rr('www', RRType.ANY, RRClass.NONE)), Rcode.YXDOMAIN);
    assert.equal(rcode(rr('www', RRType.TXT, RRClass.ANY)), Rcode.NXRRSET);
    assert.equal(rcode(rr('www', RRType.A, RRClass.NONE)), Rcode.YXRRSET);
    assert.equal(rcode(rr('www', RRType.A, RRClass.ANY, 5)), Rcode.FORMERR, 'a TTL');
    assert.equal(rcode(rr('www', RRType.A, RRClass.NONE, 0, A(1))), Rcode.FORMERR, 'data with NONE');
    assert.equal(rcode(rr('www.other.', RRType.A, RRClass.ANY)), Rcode.NOTZONE);
    assert.equal(rcode(rr('www', RRType.A, RRClass.CH)), Rcode.FORMERR);
    // Value-dependent: the whole RRset, in any order.
    assert.equal(checkPrerequisites(zone, [rr('www', RRType.A, RRClass.IN, 0, A(2)), rr('www', RRType.A, RRClass.IN, 0, A(1))]), undefined);
    assert.equal(checkPrerequisites(zone, [rr('www', RRType.A, RRClass.IN, 0, A(1))])?.rcode, Rcode.NXRRSET);
  });
});

describe('RFC 2136 updates', () => {
  it('rejects malformed update records in the prescan', () => {
    assert.equal(prescan(zone, [rr('www', RRType.ANY, RRClass.IN, 60, A(1))])?.rcode, Rcode.FORMERR);
    assert.equal(prescan(zone, [rr('www', RRType.A, RRClass.ANY, 60)])?.rcode, Rcode.FORMERR);
    assert.equal(prescan(zone, [rr('www', RRType.A, RRClass.NONE, 60, A(1))])?.rcode, Rcode.FORMERR);
    assert.equal(prescan(zone, [rr('www', RRType.A, RRClass.IN, 60)])?.rcode, Rcode.FORMERR, 'an add without data');
    assert.equal(prescan(zone, [rr('x.other.', RRType.A, RRClass.IN, 60, A(1))])?.rcode, Rcode.NOTZONE);
    assert.equal(prescan(zone, [rr('www', RRType.A, RRClass.IN, 60, A(9))]), undefined);
  });

  it('keeps the apex SOA and last NS, CNAME apart, duplicates out, and an SOA only with a later serial', () => {
    assert.deepEqual(applyUpdates(zone, [rr('@', RRType.ANY, RRClass.ANY), rr('@', RRType.NS, RRClass.ANY), rr('@', RRType.SOA, RRClass.ANY)]), []);
    const ns = applyUpdates(zone, [rr('@', RRType.NS, RRClass.NONE, 0, zone.get(zone.origin, RRType.NS)!.rdata[0]!), rr('@', RRType.NS, RRClass.NONE, 0, zone.get(zone.origin, RRType.NS)!.rdata[1]!)]);
    assert.equal(ns[0]!.after.length, 1, 'the last NS stays');
    assert.deepEqual(applyUpdates(zone, [rr('www', RRType.CNAME, RRClass.IN, 60, zone.get(n('alias'), RRType.CNAME)!.rdata[0]!)]), []);
    assert.deepEqual(applyUpdates(zone, [rr('alias', RRType.A, RRClass.IN, 60, A(5))]), []);
    assert.deepEqual(applyUpdates(zone, [rr('www', RRType.A, RRClass.IN, 60, A(1))]), [], 'a duplicate with the same TTL changes nothing');
    const lower = soaData(n('ns1'), n('h'), 9, 1, 1, 1, 1);
    assert.deepEqual(applyUpdates(zone, [rr('@', RRType.SOA, RRClass.IN, 60, lower)]), []);
    const later = soaData(n('ns1'), n('h'), 11, 1, 1, 1, 1);
    assert.equal(applyUpdates(zone, [rr('@', RRType.SOA, RRClass.IN, 60, later)]).length, 1);
    // Delete then add in one update: the RRset replaced.
    const replaced = applyUpdates(zone, [rr('www', RRType.A, RRClass.ANY), rr('www', RRType.A, RRClass.IN, 60, A(7))]);
    assert.deepEqual(replaced.map((c) => c.after), [[A(7)]]);
  });
});

// Changesets: diff() of two versions and apply() of the result give the second
// version back; apply() refuses changesets that do not fit.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Name } from '../../src/wire/name.js';
import { RRType } from '../../src/wire/types.js';
import { apply, changeRecords, ChangesetError, diff, diffSliced, RecordList, serialFrom, serialTo, type Changeset } from '../../src/zone/changeset.js';
import type { ZoneVersion } from '../../src/zone/version.js';
import { build, lines, owners } from './version-helpers.js';

const head = (serial: number) => `@ 3600 IN SOA ns1 hostmaster ${serial} 3600 600 1209600 300\n@ NS ns1\nns1 A 192.0.2.53\n`;

const BEFORE = head(1) +
  'www A 192.0.2.1\nwww A 192.0.2.2\nwww TXT "a"\n' +
  'mail MX 10 mx\nmx A 192.0.2.25\n' +
  'a.b.c A 192.0.2.3\n' +
  'sub NS ns.sub\nns.sub A 192.0.2.4\n' +
  'ttl 300 A 192.0.2.5\n';

const AFTER = head(2) +
  'www A 192.0.2.2\nwww A 192.0.2.9\nWww AAAA 2001:db8::1\n' +
  'mail MX 10 mx\nmx A 192.0.2.25\n' +
  'x.y.c A 192.0.2.3\n' +
  'sub NS ns.sub\nsub NS ns2.sub\nns.sub A 192.0.2.4\n' +
  'ttl 600 A 192.0.2.5\n' +
  '*.new TXT "wild"\n';

const texts = (buf: Buffer) => [...changeRecords(buf)].map((r) => `${r.owner} ${r.type} ${r.ttl} ${r.rdata.toString('hex')}`).sort();

/**
 * A version's whole shape: records with case, node owners and flags. The
 * records sorted: apply() puts added records after the ones kept, which need
 * not be where the file had them.
 */
function shape(v: ZoneVersion) {
  const flags: string[] = [];
  for (let n = 0; n < v.nodeCount; n++) flags.push(`${v.ownerName(n)} ${v.flags(n)}`);
  return { lines: lines(v).sort(), owners: owners(v), flags };
}

describe('diff', () => {
  const a = build(BEFORE).version;
  const b = build(AFTER).version;

  it('lists what went and what came, SOA apart', () => {
    const cs = diff(a, b);
    assert.equal(serialFrom(cs), 1);
    assert.equal(serialTo(cs), 2);
    const A = (s: string) => Buffer.from(s.split('.').map(Number)).toString('hex');
    assert.deepEqual(texts(cs.removed), [
      `a.b.c.example. 1 3600 ${A('192.0.2.3')}`,
      `ttl.example. 1 300 ${A('192.0.2.5')}`,
      `www.example. 1 3600 ${A('192.0.2.1')}`,
      'www.example. 16 3600 0161',
    ]);
    const added = texts(cs.added);
    assert.equal(added.length, 6);
    assert.ok(added.includes(`ttl.example. 1 600 ${A('192.0.2.5')}`));
    assert.ok(added.includes(`www.example. 1 3600 ${A('192.0.2.9')}`));
    assert.ok(added.some((l) => l.startsWith('sub.example. 2 3600 036e7332')));
    // The TTL of the line before, as RFC 1035 §5.1 has it.
    assert.ok(added.includes('*.new.example. 16 600 0477696c64'));
  });

  it('of a version with itself is empty', () => {
    const cs = diff(a, a);
    assert.equal(cs.removed.length + cs.added.length, 0);
  });

  it('sliced, lets other work in and gives the same changeset', async () => {
    const many = (serial: number, skip: number) => head(serial) + Array.from({ length: 1000 }, (_, i) => (i % 7 === skip ? '' : `h${i} A 192.0.2.${i % 250}\n`)).join('');
    const x = build(many(1, 0)).version;
    const y = build(many(2, 3)).version;
    let pauses = 0;
    const sliced = await diffSliced(x, y, () => {
      pauses++;
      return new Promise((resolve) => setImmediate(resolve));
    });
    assert.deepEqual(sliced, diff(x, y));
    assert.equal(texts(sliced.added).length, 143);
    assert.ok(pauses >= 4, `${pauses} pauses`);
  });
});

describe('apply', () => {
  const pairs: [string, string, string][] = [
    ['an edit of every kind', BEFORE, AFTER],
    ['the other way round', AFTER.replace(head(2), head(3)), BEFORE.replace(head(1), head(4))],
    ['a new delegation over existing names', head(1) + 'a.d A 192.0.2.1\n', head(2) + 'a.d A 192.0.2.1\nd NS ns.elsewhere.\n'],
    ['everything below the apex replaced', head(1) + 'a A 192.0.2.1\n', head(2) + 'b.z A 192.0.2.1\n'],
  ];
  for (const [what, from, to] of pairs) {
    it(`of diff(a, b) to a gives b: ${what}`, () => {
      const a = build(from).version;
      const b = build(to).version;
      const next = apply(a, diff(a, b));
      assert.deepEqual(shape(next), shape(b));
      assert.equal(next.serial, b.serial);
      // a is untouched: versions are immutable.
      assert.deepEqual(shape(a), shape(build(from).version));
    });
  }

  it('of a changeset made by hand: added names get their case and a new RRset the added TTL', () => {
    const a = build(head(1) + 'www A 192.0.2.1\n').version;
    const added = new RecordList();
    added.addRecord({ owner: Name.parse('New.Host.example.'), type: RRType.A, ttl: 60, rdata: Buffer.from([192, 0, 2, 7]) });
    added.addRecord({ owner: Name.parse('www.example.'), type: RRType.A, ttl: 120, rdata: Buffer.from([192, 0, 2, 8]) });
    const cs: Changeset = { from: a.soa, to: build(head(5)).version.soa, removed: Buffer.alloc(0), added: added.finish() };
    const next = apply(a, cs);
    assert.equal(next.serial, 5);
    const n = next.find(Name.parse('new.host.example.'));
    assert.equal(next.ownerName(n).toString(), 'New.Host.example.');
    const www = next.rrset(next.find(Name.parse('www.example.')), RRType.A);
    assert.equal(next.setTtl(www), 120);
    assert.equal(next.recordsOf(www)[1] - next.recordsOf(www)[0], 2);
  });

  it('refuses a changeset for another serial, or removing what is not there', () => {
    const a = build(head(1) + 'www A 192.0.2.1\n').version;
    const b = build(head(2) + 'www A 192.0.2.2\n').version;
    const cs = diff(a, b);
    assert.throws(() => apply(b, cs), ChangesetError);
    const c = build(head(1) + 'www A 192.0.2.3\n').version;
    assert.throws(() => apply(c, cs), /not there: www.example. A/);
  });
});

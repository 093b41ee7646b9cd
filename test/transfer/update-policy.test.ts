import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { denied, parseUpdatePolicy, PolicyError } from '../../src/transfer/update-policy.js';
import { Name } from '../../src/wire/name.js';
import { RRType } from '../../src/wire/types.js';

const ORIGIN = Name.parse('corp.example.');
const ACME = Name.parse('acme.');
const ADMIN = Name.parse('admin.');

describe('update-policy', () => {
  const grants = parseUpdatePolicy('update-policy', [
    { key: 'acme', name: '_acme-challenge.*', match: 'wildcard', types: ['TXT'] },
    { key: 'acme', name: '_acme-challenge', types: 'TXT' },
    { key: 'dhcp', name: 'lan', match: 'subdomain', types: ['A', 'aaaa'] },
    { key: 'admin', match: 'zone' },
  ]);
  const may = (key: Name, name: string, type: number) => denied(grants, key, ORIGIN, Name.parse(name, ORIGIN), type) === undefined;

  it('lets a wildcard grant match one or more labels, and only the types it names', () => {
    assert.ok(may(ACME, '_acme-challenge.www', RRType.TXT));
    assert.ok(may(ACME, '_acme-challenge.a.b', RRType.TXT));
    assert.ok(may(ACME, '_acme-challenge', RRType.TXT), 'the exact grant');
    assert.ok(!may(ACME, '_acme-challenge.www', RRType.A));
    assert.ok(!may(ACME, 'www', RRType.TXT));
    assert.ok(!may(ACME, 'x._acme-challenge.www', RRType.TXT));
  });

  it('lets a subdomain grant cover the name and below, a zone grant everything, other keys nothing', () => {
    const dhcp = Name.parse('dhcp.');
    assert.ok(may(dhcp, 'lan', RRType.A));
    assert.ok(may(dhcp, 'pc1.lan', RRType.AAAA));
    assert.ok(!may(dhcp, 'lan2', RRType.A));
    assert.ok(!may(dhcp, 'pc1.lan', RRType.TXT));
    assert.ok(may(ADMIN, '@', RRType.NS));
    assert.ok(may(ADMIN, 'any.thing', RRType.ANY));
    assert.match(denied(grants, Name.parse('other.'), ORIGIN, ORIGIN, RRType.A)!, /does not let key other\. change A at corp\.example\./);
  });

  it('names what is wrong in a grant', () => {
    const bad = (v: unknown) => assert.throws(() => parseUpdatePolicy('update-policy', v), PolicyError);
    bad({ key: 'k' });
    bad([{ name: 'x' }]);
    bad([{ key: 'k', name: 'x', match: 'prefix' }]);
    bad([{ key: 'k', name: 'x', types: ['NOPE'] }]);
    bad([{ key: 'k', match: 'zone', name: 'x' }]);
    bad([{ key: 'k', name: 'x', typo: 1 }]);
    assert.throws(() => parseUpdatePolicy('p', [{ key: 'k', name: 'x', mach: 'zone' }]), /unknown key "mach" \(did you mean "match"\?\)|unknown key "mach"/);
  });
});

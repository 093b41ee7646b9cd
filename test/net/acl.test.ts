import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AclError, parseAcl } from '../../src/net/acl.js';

describe('ACLs', () => {
  const acl = parseAcl(['127.0.0.0/8', '192.0.2.7', '2001:db8::/32']);
  const cases: [string, boolean][] = [
    ['127.0.0.1', true], ['127.255.0.9', true], ['192.0.2.7', true], ['192.0.2.8', false],
    ['10.0.0.1', false], ['2001:db8::1', true], ['2001:db9::1', false], ['::ffff:127.0.0.1', true], ['::1', false],
  ];
  for (const [address, allowed] of cases) it(`${address} → ${allowed}`, () => assert.equal(acl.allows(address), allowed));
  it('an empty list allows nobody', () => assert.equal(parseAcl([]).allows('127.0.0.1'), false));
  for (const bad of ['127.0.0.1/33', 'example.com', 'fe80::1%eth0', 7]) {
    it(`rejects ${JSON.stringify(bad)}`, () => assert.throws(() => parseAcl([bad]), AclError));
  }
});

// The content digest that tells a reload with changes from a save without any.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { versionDigest } from '../../src/zone/digest.js';
import { build } from './version-helpers.js';

const BASE = '@ SOA ns1 hostmaster 1 3600 600 1209600 300\n@ NS ns1\nns1 A 192.0.2.53\nwww A 192.0.2.1\nwww A 192.0.2.2\nmail MX 10 www\n';

function digest(text: string): string {
  const { version, written } = build(text);
  return versionDigest(version, written);
}

describe('versionDigest', () => {
  it('is the same for the same records, whatever the serial and the case of owners', () => {
    assert.equal(digest(BASE), digest(BASE));
    assert.equal(digest(BASE.replace('hostmaster 1 ', 'hostmaster 99 ')), digest(BASE));
    assert.equal(digest(BASE.replace('www A 192.0.2.1', 'WWW A 192.0.2.1')), digest(BASE));
  });

  it('changes with any record, TTL, owner or order of records', () => {
    const variants = [
      BASE.replace('192.0.2.2', '192.0.2.3'),
      BASE.replace('www A 192.0.2.2', 'www 60 A 192.0.2.2'),
      BASE.replace('mail MX', 'mx MX'),
      BASE.replace('hostmaster 1 3600', 'hostmaster 1 7200'),
      BASE.replace('www A 192.0.2.1\nwww A 192.0.2.2', 'www A 192.0.2.2\nwww A 192.0.2.1'),
      BASE + 'extra TXT "x"\n',
    ];
    const all = new Set([digest(BASE), ...variants.map(digest)]);
    assert.equal(all.size, variants.length + 1);
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { listingName, unmapped } from '../../src/mail/dnsbl.js';

describe('listingName (RFC 5782 §2.1, §2.4)', () => {
  it('reverses an IPv4 address\'s octets under the list', () => {
    assert.equal(listingName('127.0.0.2', 'dnsbl.example'), '2.0.0.127.dnsbl.example.');
    assert.equal(listingName('192.0.2.99', 'DNSBL.example.'), '99.2.0.192.dnsbl.example.');
  });

  it('reverses an IPv6 address nibble by nibble, zeros written out', () => {
    assert.equal(listingName('2001:db8::1', 'dnsbl.example'), `${'1'}.${'0.'.repeat(23)}8.b.d.0.1.0.0.2.dnsbl.example.`);
    assert.equal(listingName('::FFFF:7F00:2', 'l.example').split('.').length, 32 + 3);
  });

  it('takes an IPv4-mapped address as the IPv4 address it is', () => {
    assert.equal(unmapped('::ffff:127.0.0.2'), '127.0.0.2');
    assert.equal(listingName('::ffff:127.0.0.2', 'dnsbl.example'), '2.0.0.127.dnsbl.example.');
    assert.equal(unmapped('2001:db8::1'), '2001:db8::1');
  });

  it('refuses what is not an address', () => {
    assert.throws(() => listingName('mx1.lab.example', 'dnsbl.example'), /not an IP address/);
  });
});

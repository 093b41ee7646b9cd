import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { downName, parseMap, parseMix } from '../../src/cli/mxsim.js';
import { ConfigError } from '../../src/config.js';

describe('--sender', () => {
  it('takes one model, or a weighted mix', () => {
    assert.deepEqual(parseMix('sticky'), [{ model: 'sticky', weight: 1 }]);
    assert.deepEqual(parseMix('rfc5321=70,first-record=30'), [{ model: 'rfc5321', weight: 70 }, { model: 'first-record', weight: 30 }]);
    assert.deepEqual(parseMix('rfc5321=0.5, sticky=1.5'), [{ model: 'rfc5321', weight: 0.5 }, { model: 'sticky', weight: 1.5 }]);
  });

  for (const bad of ['random', 'rfc5321=', 'rfc5321=-1', 'rfc5321=x', 'rfc5321=1=2', 'rfc5321,rfc5321', '']) {
    it(`refuses "${bad}"`, () => assert.throws(() => parseMix(bad), ConfigError));
  }
});

describe('--down', () => {
  it('takes a name without a trailing dot as relative to the domain, unless it already ends in it', () => {
    assert.equal(downName('mx1', 'corp.example.'), 'mx1.corp.example.');
    assert.equal(downName('MX1.corp.example', 'corp.example.'), 'mx1.corp.example.');
    assert.equal(downName('mx1.corp.example.', 'corp.example.'), 'mx1.corp.example.');
    assert.equal(downName('mx-backup.outside.test.', 'corp.example.'), 'mx-backup.outside.test.');
    assert.equal(downName('mx1.eu', 'corp.example.'), 'mx1.eu.corp.example.');
  });

  it('takes an address as it is', () => {
    assert.equal(downName('192.0.2.11', 'corp.example.'), '192.0.2.11');
    assert.equal(downName('2001:DB8:25::11', 'corp.example.'), '2001:db8:25::11');
  });
});

describe('--map', () => {
  it('maps addresses to loopback ones, repeated or comma-separated', () => {
    assert.deepEqual([...parseMap(['192.0.2.11=127.0.0.11,192.0.2.12=127.0.0.12', '2001:DB8::11=::1'])],
      [['192.0.2.11', '127.0.0.11'], ['192.0.2.12', '127.0.0.12'], ['2001:db8::11', '::1']]);
  });

  for (const bad of ['192.0.2.11', '192.0.2.11=10.0.0.1', 'mx1=127.0.0.11', '192.0.2.11=127.0.0.11=x']) {
    it(`refuses "${bad}"`, () => assert.throws(() => parseMap([bad]), ConfigError));
  }
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseMix } from '../../src/cli/mxsim.js';
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

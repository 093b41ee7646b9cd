import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { closest, suggestion } from '../src/suggest.js';

const KEYS = ['listen', 'zones', 'default-ttl', 'log-level', 'rrl', 'allow-query', 'allow-transfer', 'tcp-max-queries'];

describe('did you mean', () => {
  const cases: [string, string | undefined][] = [
    ['default_ttl', 'default-ttl'], // BIND and Knot spell with underscores
    ['Default-TTL', 'default-ttl'],
    ['listne', 'listen'], // two letters swapped: one edit
    ['zone', 'zones'],
    ['allow-transfers', 'allow-transfer'],
    ['alow-query', 'allow-query'],
    ['rrk', 'rrl'],
    ['recursion', undefined], // nothing close: no guess
    ['xyz', undefined],
  ];
  for (const [word, want] of cases) {
    it(`${word} → ${want ?? 'nothing'}`, () => assert.equal(closest(word, KEYS), want));
  }

  it('lists the known words when none is close', () => {
    assert.equal(suggestion('listne', KEYS), '; did you mean "listen"?');
    assert.equal(suggestion('recursion', ['a', 'b']), ' (known: a, b)');
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LoopMark } from '../../src/resolver/loop.js';
import { Name } from '../../src/wire/name.js';

describe('LoopMark', () => {
  const mark = new LoopMark();
  const names = ['www.example.com.', 'a.b.', 'mail.corp.example.', '1.2.0.192.in-addr.arpa.', 'x-y.Z9.example.'];

  it('changes only the case of letters, the same way each time', () => {
    for (const text of names) {
      const name = Name.parse(text);
      const marked = mark.mark(name);
      assert.equal(marked.key, name.key);
      assert.equal(marked.toString(), mark.mark(Name.parse(text.toUpperCase())).toString());
    }
  });

  it('never looks like a name written all in one case', () => {
    for (const text of names) {
      const shown = mark.mark(Name.parse(text)).toString();
      assert.notEqual(shown, shown.toLowerCase(), shown);
      assert.notEqual(shown, shown.toUpperCase(), shown);
    }
  });

  it('recognizes its own mark only', () => {
    const name = Name.parse('www.rotor-loop-test.example.');
    assert.equal(mark.isMarked(mark.mark(name)), true);
    assert.equal(mark.isMarked(name), false);
    assert.equal(mark.isMarked(Name.parse('WWW.ROTOR-LOOP-TEST.EXAMPLE.')), false);
    // Another process's secret: 2^-22 that the two marks agree on these 22 letters.
    assert.equal(new LoopMark().isMarked(mark.mark(name)), false);
  });
});

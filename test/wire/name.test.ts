import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Name, NameError, readName, WireError } from '../../src/wire/name.js';

describe('Name.parse', () => {
  const origin = Name.parse('corp.example.');
  const cases: [string, string][] = [
    ['www', 'www.corp.example.'],
    ['www.other.test.', 'www.other.test.'],
    ['WWW.Corp.Example.', 'www.corp.example.'],
    ['a\\.b', 'a\\.b.corp.example.'],
    ['\\065bc', 'abc.corp.example.'],
    ['*', '*.corp.example.'],
    ['.', '.'],
  ];
  for (const [text, key] of cases) {
    it(`${text} → ${key}`, () => assert.equal(Name.parse(text, origin).key, key));
  }
  it('keeps the case as written for the wire', () => {
    assert.equal(Name.parse('Mail.Corp.Example.').toString(), 'Mail.Corp.Example.');
  });
  const bad: [string, RegExp][] = [
    ['a..b.', /empty label/],
    ['', /empty name/],
    ['x'.repeat(64) + '.', /longer than 63/],
    [Array.from({ length: 5 }, () => 'y'.repeat(60)).join('.') + '.', /longer than 255/],
    ['bad\\999.', /bad escape/],
    ['tail\\', /dangling/],
    ['bücher.example.', /non-ASCII/],
  ];
  for (const [text, message] of bad) {
    it(`rejects ${JSON.stringify(text.slice(0, 20))}`, () => assert.throws(() => Name.parse(text), (e: Error) => e instanceof NameError && message.test(e.message)));
  }
  it('tells subdomains by whole labels, not by text', () => {
    assert.ok(Name.parse('a.corp.example.').isSubdomainOf(origin));
    assert.ok(origin.isSubdomainOf(origin));
    assert.ok(!Name.parse('a\\.corp.example.').isSubdomainOf(Name.parse('corp.example.').prepend('x')));
    assert.ok(!Name.parse('xcorp.example.').isSubdomainOf(origin));
    assert.equal(Name.parse('a.b.corp.example.').relativeTo(origin), 'a.b');
  });
});

describe('readName', () => {
  const wire = (...bytes: number[]) => Buffer.from(bytes);
  const header = Array<number>(12).fill(0);
  it('follows a backward pointer', () => {
    // After the header, "corp" at 12, then "www" + pointer to 12 at 18.
    const buf = wire(...header, 4, 0x63, 0x6f, 0x72, 0x70, 0, 3, 0x77, 0x77, 0x77, 0xc0, 12);
    const { name, end } = readName(buf, 18);
    assert.equal(name.key, 'www.corp.');
    assert.equal(end, 24);
  });
  it('rejects a pointer into the header, where no name can be', () => {
    assert.throws(() => readName(wire(...header, 0xc0, 2), 12), /into the header/);
  });
  const bad: [string, Buffer][] = [
    ['a pointer to itself', wire(0xc0, 0)],
    ['a forward pointer', wire(0xc0, 2, 0)],
    ['a loop of two pointers', wire(1, 0x61, 0xc0, 4, 0xc0, 0)],
    ['a truncated pointer', wire(0xc0)],
    ['a label past the end', wire(5, 0x61)],
    ['no terminating zero', wire(1, 0x61)],
    ['an extended label type', wire(0x41, 0)],
  ];
  for (const [what, buf] of bad) {
    it(`rejects ${what}`, () => assert.throws(() => readName(buf, what === 'a loop of two pointers' ? 4 : 0), WireError));
  }
});

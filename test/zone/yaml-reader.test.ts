import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { isMap, isPair, isScalar, isSeq, parseDocument } from 'yaml';
import { REPO } from '../e2e/harness.js';
import { readPlainYaml } from '../../src/zone/yaml-reader.js';

/** The node tree as yaml.ts sees it: kinds, values and where each node starts (and a scalar ends). */
function shape(node: unknown): unknown {
  if (isScalar(node)) return { scalar: node.value, at: node.range?.slice(0, 2) };
  if (isMap(node)) return { map: node.items.map((p) => [shape(p.key), shape(p.value)]), at: node.range?.[0] };
  if (isSeq(node)) return { seq: node.items.map(shape), at: node.range?.[0] };
  if (isPair(node)) return { pair: [shape(node.key), shape(node.value)] };
  return { other: node };
}

/**
 * The reader either gives up or gives what the library gives; it never accepts
 * what the library rejects. Returns whether it read the text.
 */
function agrees(text: string): boolean {
  const read = readPlainYaml(text);
  if (read === undefined) return false;
  const doc = parseDocument(text, { uniqueKeys: false, prettyErrors: false });
  assert.deepEqual(doc.errors.map((e) => e.message), [], `the reader accepted what the library rejects:\n${text}`);
  assert.deepEqual(shape(read), shape(doc.contents), text);
  return true;
}

function yamlFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return yamlFiles(path);
    return /\.ya?ml$/.test(e.name) ? [path] : [];
  });
}

describe('readPlainYaml reads as the yaml library does', () => {
  it('zones/corp.example.yaml, read by the reader itself', () => {
    assert.equal(agrees(readFileSync(join(REPO, 'zones', 'corp.example.yaml'), 'utf8')), true);
  });

  it('every YAML file under test/fixtures: the same, or left to the library', () => {
    for (const file of yamlFiles(join(REPO, 'test', 'fixtures'))) agrees(readFileSync(file, 'utf8'));
  });

  const read: [string, string][] = [
    ['block mappings and sequences', "'':\n  - type: A\n    ttl: 300\n    values:\n      - 192.0.2.1\n      - 192.0.2.2\nwww:\n  type: CNAME\n  value: corp.example.\n"],
    ['flow collections', 'mx:\n  type: MX\n  values: [{ exchange: a.b., preference: 10 }, {exchange: c, preference: 20}]\n'],
    ['comments everywhere', '# head\n\nwww: # owner\n  type: A # type\n  # between\n  value: 192.0.2.1   # trailing\n'],
    ['quotes', "'*':\n  type: TXT\n  values: ['it''s', \"double\", 'a: b # c', '', '123']\n'1':\n  type: PTR\n  value: h.\n"],
    ['numeric keys and values', '1:\n  type: PTR\n  ttl: 0300\n  value: x.\n'],
    ['values with colons and hashes inside', 'v6:\n  type: AAAA\n  value: 2001:db8::1\nt:\n  type: TXT\n  value: v=spf1#x mailto:a@b\n'],
    ['CRLF line ends', "www:\r\n  type: A\r\n  value: 192.0.2.1\r\n  values: ['a', b]\r\n"],
    ['a seq item that is a map with a nested sequence', "'':\n  - type: NS\n    values:\n      - ns1\n      - ns2\n  - type: A\n    value: 192.0.2.1\n"],
  ];
  for (const [what, text] of read) it(`reads ${what}`, () => assert.equal(agrees(text), true));

  const left: [string, string][] = [
    ['anchors and aliases', 'a: &x 1\nb: *x\n'],
    ['tags', 'a: !!str 1\n'],
    ['block scalars', 'a: |\n  text\n'],
    ['multi-line plain scalars', 'a: one\n  two\n'],
    ['multi-line quoted scalars', "a: 'one\n  two'\n"],
    ['booleans, nulls and floats', 'a: true\nb: ~\nc: 1.5\nd:\n'],
    ['signed and hex numbers', 'a: -1\nb: 0x1f\n'],
    ['tabs', 'a:\tb\n'],
    ['non-ASCII text', 'a: é\n'],
    ['double-quoted escapes', 'a: "x\\ty"\n'],
    ['document markers', '---\na: b\n'],
    ['indentless sequences', 'a:\n- b\n- c\n'],
    ['nested block sequences', 'a:\n  - - b\n'],
    ['flow collections over several lines', 'a: [b,\n  c]\n'],
    ['a trailing comma in a flow collection', 'a: [b, c, ]\n'],
    ['a top-level sequence', '- a\n- b\n'],
    ['an empty document', '# nothing\n'],
    ['a compact nested mapping (an error)', 'a: b: c\n'],
    ['bad indentation (an error)', 'a:\n    b: 1\n  c: 2\n'],
  ];
  for (const [what, text] of left) it(`leaves ${what} to the library`, () => assert.equal(agrees(text), false));

  it('random zone-like texts: the same, or left to the library', () => {
    const word = fc.constantFrom('www', 'A', 'MX', '192.0.2.1', '10', '0', 'a.b.', "'q'", "'it''s'", '"d"', '""', 'x y', 'true', '1.5', '-1', '~', '*', '&a', 'a:b', 'mailto:x@y', '#c', "''");
    const value = fc.oneof(
      word,
      fc.array(word, { maxLength: 3 }).map((ws) => `[${ws.join(', ')}]`),
      fc.array(fc.tuple(word, word), { maxLength: 3 }).map((ps) => `{${ps.map(([k, v]) => `${k}: ${v}`).join(', ')}}`),
    );
    const line = fc.tuple(fc.integer({ min: 0, max: 6 }), fc.constantFrom('', '- '), word, fc.constantFrom(': ', ':', ''), fc.option(value, { nil: '' }), fc.constantFrom('', ' # c', '  ', '\r'))
      .map(([indent, dash, key, colon, v, tail]) => `${' '.repeat(indent)}${dash}${key}${colon}${v}${tail}`);
    fc.assert(fc.property(fc.array(line, { minLength: 1, maxLength: 12 }), (lines) => {
      agrees(lines.join('\n') + '\n');
    }), { numRuns: 3000 });
  });
});

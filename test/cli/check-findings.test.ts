// Issue 18, finding 6: the YAML mistakes DNS people make, found by the real
// rotor check in one run, and '@' served as the apex.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { query, runCli, startRotor, tempDir } from '../e2e/harness.js';

const FOUR_MISTAKES = `'@':
  - type: NS
    value: ns1
  - type: MX
    value: {exchange: mail.lint.example, preference: 10}
ns1:
  type: A
  value: 192.0.2.53
*.apps:
  type: A
  value: 192.0.2.300
@: {type: TXT, value: "v=spf1 -all"}
www:
  type: CNAME
  value: web.lint.example
mail:
  type: A
  value: 192.0.2.25
`;

describe('finding 6: YAML mistakes', () => {
  it('rotor check reports every kind of mistake of a file in one run, each at its place with the fix', async () => {
    const dir = await tempDir({ 'lint.example.yaml': FOUR_MISTAKES });
    const file = join(dir, 'lint.example.yaml');
    const r = await runCli(['check', file]);
    assert.equal(r.code, 1);
    const expected = [
      `${file}:5:12: warning: MX target mail.lint.example.lint.example. of lint.example. has no A or AAAA record in the zone: "mail.lint.example" without a final dot is relative to the zone; write "mail.lint.example." or "mail"`,
      `${file}:9:1: error: owner *.apps must be quoted, '*.apps': (an unquoted * starts a YAML alias); read as quoted to check the rest`,
      `${file}:11:10: error: "192.0.2.300" is not an IPv4 address`,
      `${file}:12:1: error: owner @ must be quoted, '@': (YAML reserves an unquoted @); read as quoted to check the rest`,
      `${file}:15:10: warning: CNAME target web.lint.example.lint.example. of www.lint.example. does not exist in the zone: "web.lint.example" without a final dot is relative to the zone; write "web.lint.example." or "web"`,
    ];
    for (const line of expected) assert.ok(r.stdout.includes(line), `missing: ${line}\n${r.stdout}`);
    assert.match(r.stdout, /zone would not load \(4 errors, 2 warnings\)/);
  });

  it('a CNAME target in a master file written without its final dot is warned about too; one a wildcard answers is not', async () => {
    const dir = await tempDir({ 'lint.example.zone': '$ORIGIN lint.example.\n$TTL 300\n@ NS ns1\nns1 A 192.0.2.53\nwww CNAME web.lint.example\nold CNAME x.apps\n*.apps A 192.0.2.9\n' });
    const r = await runCli(['check', join(dir, 'lint.example.zone')]);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /:5:\d+: warning: CNAME target web\.lint\.example\.lint\.example\. of www\.lint\.example\. does not exist in the zone: "web\.lint\.example" without a final dot/);
    assert.doesNotMatch(r.stdout, /x\.apps\.lint\.example\. of/);
  });

  it("'@' is the apex as an owner and the origin as a name, as in master files", async () => {
    const zone = "'@':\n  - type: NS\n    value: ns1\n  - type: A\n    value: 192.0.2.1\nns1:\n  type: A\n  value: 192.0.2.53\nwww:\n  type: CNAME\n  value: '@'\n";
    const dir = await tempDir({ 'at.example.yaml': zone });
    const checked = await runCli(['check', join(dir, 'at.example.yaml')]);
    assert.equal(checked.code, 0, checked.stdout);
    const rotor = await startRotor(dir);
    try {
      assert.deepEqual((await query(rotor, 'at.example', 'A')).answer.map((a) => a.data), ['192.0.2.1']);
      assert.deepEqual((await query(rotor, 'www.at.example', 'CNAME')).answer.map((a) => a.data), ['at.example.']);
    } finally {
      await rotor.stop();
    }
  });
});

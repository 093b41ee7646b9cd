import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../../src/config.js';
import { journalBytesFor, settingsFor } from '../../src/transfer/settings.js';
import { DEFAULT_JOURNAL_BYTES } from '../../src/transfer/journal.js';
import { tempDir } from '../e2e/harness.js';

async function config(text: string, files: Record<string, string> = {}) {
  const dir = await tempDir({ ...files, 'rotor.yaml': text });
  return loadConfig(join(dir, 'rotor.yaml'));
}

const SECRET = 'c2VjcmV0LXRyYW5zZmVyLWtleS1mb3ItdGVzdHMtb25seQ==';

describe('transfer settings in rotor.yaml', () => {
  it('per-zone settings override the top-level defaults', async () => {
    const c = await config([
      'keys:',
      `  k1: { algorithm: hmac-sha256, secret: "${SECRET}" }`,
      '  k2: { algorithm: hmac-sha512, secret-file: k2.secret }',
      'allow-transfer: [127.0.0.0/8]',
      'also-notify: [127.0.0.1:5301, "::1"]',
      'zone-settings:',
      '  corp.example: { allow-transfer: [192.0.2.1], transfer-key: k2, notify: ns }',
      '',
    ].join('\n'), { 'k2.secret': `${SECRET}\n` });
    const corp = settingsFor(c.transfer, 'corp.example.');
    assert.equal(corp.allowTransfer.allows('192.0.2.1'), true);
    assert.equal(corp.allowTransfer.allows('127.0.0.1'), false);
    assert.equal(corp.transferKey, 'k2');
    assert.equal(corp.notify, 'ns');
    assert.deepEqual(corp.alsoNotify.map((a) => `${a.host}:${a.port}`), ['127.0.0.1:5301', '::1:53']);
    const other = settingsFor(c.transfer, 'other.test.');
    assert.equal(other.allowTransfer.allows('127.0.0.1'), true);
    assert.equal(other.transferKey, undefined);
    assert.equal(c.transfer.keys.get('k2')!.secret.toString('base64'), SECRET);
  });

  it('an IXFR journal only for zones someone may transfer, capped by ixfr-journal-bytes', async () => {
    const c = await config([
      'ixfr-journal-bytes: 1000000',
      'zone-settings:',
      '  corp.example: { allow-transfer: [192.0.2.1] }',
      '  big.test: { allow-transfer: [192.0.2.1], ixfr-journal-bytes: 0 }',
      '',
    ].join('\n'));
    assert.equal(journalBytesFor(c.transfer, 'corp.example.'), 1_000_000);
    assert.equal(journalBytesFor(c.transfer, 'big.test.'), 0);
    assert.equal(journalBytesFor(c.transfer, 'other.test.'), 0, 'nobody may transfer it');
    const defaults = await config('allow-transfer: [127.0.0.1]\n');
    assert.equal(journalBytesFor(defaults.transfer, 'other.test.'), DEFAULT_JOURNAL_BYTES);
  });

  const bad: [string, RegExp][] = [
    ['keys:\n  k: { algorithm: hmac-md5, secret: "YWJj" }\n', /keys\.k\.algorithm: expected one of hmac-sha256, hmac-sha512/],
    ['keys:\n  k: { algorithm: hmac-sha256, secret: "not base64!" }\n', /keys\.k: the secret must be base64/],
    ['keys:\n  k: { algorithm: hmac-sha256, secret-file: missing.key }\n', /keys\.k\.secret-file: cannot read/],
    ['transfer-key: nope\n', /transfer-key: no key "nope" under keys/],
    ['allow-transfer: [300.0.0.1]\n', /allow-transfer: "300\.0\.0\.1" is not an address/],
    ['also-notify: [not-an-address:53]\n', /also-notify: .*not an IP address/],
    ['notify: sometimes\n', /notify: expected explicit, ns or off/],
    ['ixfr-journal-bytes: 16MiB\n', /ixfr-journal-bytes: expected a number of bytes from 0 to 2147483648/],
    ['zone-settings:\n  corp.example: { allow-transfers: [] }\n', /zone-settings\.corp\.example: unknown setting "allow-transfers"/],
  ];
  for (const [text, message] of bad) {
    it(`rejects ${JSON.stringify(text.split('\n')[0])} in one line`, async () => {
      await assert.rejects(config(text), (e: Error) => e instanceof ConfigError && message.test(e.message) && !e.message.includes('\n'));
    });
  }
});

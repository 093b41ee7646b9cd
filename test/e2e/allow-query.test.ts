// allow-query: a top-level list for every zone, a zone's own list under
// zone-settings in its place; anyone else is REFUSED, over UDP and TCP. dig
// asks from chosen loopback addresses with -b.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FIXTURE, query, startRotor, tempDir, type Rotor } from './harness.js';

describe('allow-query', () => {
  let rotor: Rotor;
  before(async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'rotor.yaml'), [
      'allow-query: [127.0.0.2, 127.0.1.0/24]',
      'zone-settings:',
      '  child.example.test: { allow-query: [127.0.0.3] }',
      '',
    ].join('\n'));
    rotor = await startRotor(FIXTURE, ['--config', join(dir, 'rotor.yaml')]);
  });
  after(async () => { await rotor.stop(); });

  const cases: [string, string, string][] = [
    ['127.0.0.2', 'www.example.test', 'NOERROR'],
    ['127.0.1.77', 'www.example.test', 'NOERROR'],
    ['127.0.0.1', 'www.example.test', 'REFUSED'],
    ['127.0.0.3', 'www.example.test', 'REFUSED'],
    ['127.0.0.3', 'host.child.example.test', 'NOERROR'],
    ['127.0.0.2', 'host.child.example.test', 'REFUSED'],
  ];
  for (const [client, name, status] of cases) {
    for (const tcp of [false, true]) {
      it(`${client} asking ${name} over ${tcp ? 'TCP' : 'UDP'}: ${status}`, async () => {
        const r = await query(rotor, name, 'A', { tcp, options: ['-b', client] });
        assert.equal(r.status, status);
        assert.equal(r.answer.length, status === 'NOERROR' ? 1 : 0);
      });
    }
  }
});

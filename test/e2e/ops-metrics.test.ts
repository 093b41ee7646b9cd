// The metrics issue 18 asked for: the build, whether a zone's last load
// failed, and counters that do not go down when a worker is replaced.
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { VERSION } from '../../src/version.js';
import { parseExposition, type Family } from '../observe/exposition.js';
import { query, REPO, STARTUP_MS, tempDir } from './harness.js';
import { get, startMonitored } from './monitor.js';

const corp = () => readFile(join(REPO, 'zones', 'corp.example.yaml'), 'utf8');

async function scrape(url: string): Promise<Map<string, Family>> {
  const res = await get(`${url}/metrics`);
  assert.equal(res.status, 200);
  return parseExposition(res.body);
}

/** A metric's samples summed, whatever their labels. */
const total = (m: Map<string, Family>, name: string) => (m.get(name)?.samples ?? []).filter((s) => s.name === name).reduce((n, s) => n + s.value, 0);
const sample = (m: Map<string, Family>, name: string, labels: Record<string, string>) =>
  m.get(name)?.samples.find((s) => Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;

describe('finding 7: metrics', () => {
  it('rotor_build_info names the version; rotor_zone_last_load_failed follows each zone file', async () => {
    const rotor = await startMonitored({ 'corp.example.yaml': await corp() });
    try {
      let m = await scrape(rotor.url);
      assert.equal(sample(m, 'rotor_build_info', { version: VERSION, nodejs: process.versions.node }), 1);
      const file = join(rotor.dir, 'corp.example.yaml');
      assert.equal(sample(m, 'rotor_zone_last_load_failed', { zone: 'corp.example.', file }), 0);
      await writeFile(file, (await corp()).replace('192.0.2.11', '192.0.2.311'));
      await rotor.waitForLog((l) => String(l.msg).startsWith('zone rejected'));
      m = await scrape(rotor.url);
      assert.equal(sample(m, 'rotor_zone_last_load_failed', { zone: 'corp.example.', file }), 1);
    } finally {
      await rotor.stop();
    }
  });

  it('a zone listed in rotor.yaml is labelled with its name, whatever its file is called', async () => {
    const dir = await tempDir({ 'db.example.com': '$ORIGIN example.com.\n@ 300 IN NS ns1\nns1 300 IN A 192.0.2.300\n' });
    await writeFile(join(dir, 'rotor.yaml'), 'zone:\n  - { name: example.com, file: db.example.com }\n');
    const rotor = await startMonitored(dir, ['--config', join(dir, 'rotor.yaml')]);
    try {
      const m = await scrape(rotor.url);
      assert.equal(sample(m, 'rotor_zone_last_load_failed', { zone: 'example.com.', file: join(dir, 'db.example.com') }), 1);
    } finally {
      await rotor.stop();
    }
  });

  it('with workers, a replaced worker\'s counts stay in the sums', async () => {
    const rotor = await startMonitored({ 'corp.example.yaml': await corp() }, ['--workers', '2']);
    try {
      const ready = await rotor.waitForLog((l) => l.msg === 'workers ready', STARTUP_MS);
      // TCP connections go to the workers in turn: both count some.
      for (let i = 0; i < 6; i++) await query(rotor, 'corp.example', 'MX', { tcp: true });
      const before = total(await scrape(rotor.url), 'rotor_dns_requests_total');
      assert.ok(before >= 6, String(before));
      const victim = (ready.pids as number[])[0]!;
      process.kill(victim, 'SIGKILL');
      await rotor.waitForLog((l) => l.msg === 'worker ready', STARTUP_MS);
      const after = total(await scrape(rotor.url), 'rotor_dns_requests_total');
      assert.ok(after >= before, `requests went from ${before} down to ${after}`);
    } finally {
      await rotor.stop();
    }
  });
});

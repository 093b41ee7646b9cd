// `rotor serve` as a user meets it: zones that fail are logged with their
// location and not served while the others are; bad settings are one line and
// exit code 2; IPv6 listeners work.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import dgram from 'node:dgram';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { query, REPO, startRotor, tempDir } from './harness.js';

const run = promisify(execFile);

async function rotorExit(args: string[]): Promise<{ code: number; stderr: string }> {
  try {
    await run(process.execPath, ['--import', 'tsx', join(REPO, 'src', 'cli.ts'), ...args], { cwd: REPO, timeout: 15_000 });
    return { code: 0, stderr: '' };
  } catch (e) {
    const err = e as { code: number; stderr: string };
    return { code: err.code, stderr: err.stderr };
  }
}

const GOOD = "'':\n  type: NS\n  value: ns1.good.test.\nwww:\n  type: A\n  value: 192.0.2.1\n";
const BAD = "'':\n  type: NS\n  value: ns1.bad.test.\nwww:\n  type: A\n  value: 192.0.2.300\n";

describe('rotor serve', () => {
  it('serves the good zones, refuses the rejected one, and logs where the error is', async () => {
    const rotor = await startRotor({ 'good.test.yaml': GOOD, 'bad.test.yaml': BAD, 'notes.txt': 'not a zone' });
    try {
      const loaded = await rotor.waitForLog((l) => l.msg === 'zone loaded');
      assert.equal(loaded.zone, 'good.test.');
      assert.equal(loaded.records, 3, 'NS, A and the synthesized SOA');
      assert.equal(typeof loaded.serial, 'number');
      const rejected = await rotor.waitForLog((l) => l.msg.startsWith('zone rejected'));
      assert.match(rejected.msg, /bad\.test\.yaml:6:10: error: "192\.0\.2\.300" is not an IPv4 address/);
      assert.equal((await query(rotor, 'www.good.test', 'A')).answer[0]!.data, '192.0.2.1');
      assert.equal((await query(rotor, 'www.bad.test', 'A')).status, 'REFUSED');
    } finally {
      await rotor.stop();
    }
  });

  it('listens on IPv6 loopback too', async () => {
    const rotor = await startRotor({ 'good.test.yaml': GOOD }, ['--listen', '[::1]:0']);
    try {
      const v6 = await rotor.waitForLog((l) => l.msg === 'listening on UDP and TCP' && l.family === 6);
      const r = await query({ host: '::1', port: Number(v6.port) }, 'www.good.test', 'A');
      assert.equal(r.answer[0]!.data, '192.0.2.1');
      const tcp = await query({ host: '::1', port: Number(v6.port) }, 'www.good.test', 'A', { tcp: true });
      assert.equal(tcp.answer[0]!.data, '192.0.2.1');
    } finally {
      await rotor.stop();
    }
  });

  it('stops on SIGTERM with exit code 0', async () => {
    const rotor = await startRotor({ 'good.test.yaml': GOOD });
    assert.equal(await rotor.stop(), 0);
  });

  const bad: [string, (dir: string) => Promise<string[]>, RegExp][] = [
    ['an unknown setting', async (dir) => { await writeFile(join(dir, 'c.yaml'), 'listne: 1.2.3.4:53\n'); return ['serve', '--config', join(dir, 'c.yaml')]; }, /unknown setting "listne"/],
    ['a bad listen address', async (dir) => ['serve', '--zones', dir, '--listen', '300.1.1.1:53'], /not an IP address/],
    ['a missing zone directory', async (dir) => ['serve', '--zones', join(dir, 'nope')], /does not exist/],
    ['a missing config file', async (dir) => ['serve', '--config', join(dir, 'nope.yaml')], /cannot read/],
    ['an unknown option', async () => ['serve', '--frobnicate'], /Unknown option/],
    ['an unknown command', async () => ['frobnicate'], /unknown command/],
  ];
  for (const [what, args, message] of bad) {
    it(`${what}: one line on stderr, exit code 2`, async () => {
      const dir = await tempDir();
      const { code, stderr } = await rotorExit(await args(dir));
      assert.equal(code, 2);
      assert.match(stderr, message);
      assert.equal(stderr.trim().split('\n')[0]!.startsWith('rotor: '), true, stderr);
      if (what !== 'an unknown command') assert.equal(stderr.trim().split('\n').length, 1, stderr);
    });
  }

  it('a port already in use: one line, exit code 2', async () => {
    const blocker = dgram.createSocket('udp4');
    await new Promise<void>((r) => blocker.bind(0, '127.0.0.1', () => r()));
    try {
      const dir = await tempDir({ 'good.test.yaml': GOOD });
      const { code, stderr } = await rotorExit(['serve', '--zones', dir, '--listen', `127.0.0.1:${blocker.address().port}`]);
      assert.equal(code, 2);
      assert.match(stderr, /^rotor: cannot listen: .*EADDRINUSE/);
      assert.equal(stderr.trim().split('\n').length, 1);
    } finally {
      blocker.close();
    }
  });
});

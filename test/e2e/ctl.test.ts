// rotor ctl over its socket (issue 18, finding 2): the real CLI and server on
// loopback. Apart from ops.test.ts, whose other findings fill a file's time.
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { query, REPO, runCli, startRotor, STARTUP_MS, tempDir } from './harness.js';

const corp = () => readFile(join(REPO, 'zones', 'corp.example.yaml'), 'utf8');

/** A process's exit code, whether it has exited already or is about to (rotor ctl stop returns before the server is gone). */
async function exitCode(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
  const [code] = await once(child, 'exit') as [number | null];
  return code;
}

/** Sends one control request the way rotor ctl does, for the socket's own behaviour. */
async function ctl(socket: string, ...args: string[]) {
  return runCli(['ctl', '--socket', socket, ...args]);
}

describe('finding 2: rotor ctl', () => {
  it('answers status, zones, zone, reload ZONE, stats, flush-cache and stop over a socket only its owner may open', async () => {
    const dir = await tempDir({ 'corp.example.yaml': await corp() });
    const socket = join(dir, 'rotor.sock');
    const rotor = await startRotor(dir, ['--control', socket]);
    try {
      assert.equal((await stat(socket)).mode & 0o777, 0o600);
      const status = await ctl(socket, 'status', '--json');
      assert.equal(status.code, 0, status.stderr);
      const s = JSON.parse(status.stdout) as Record<string, unknown>;
      assert.deepEqual([s.zones, s.failing, s.listening, s.pid], [1, 0, [`127.0.0.1:${rotor.port}`], rotor.process.pid]);
      const zones = await ctl(socket, 'zones');
      assert.match(zones.stdout, /zone: corp\.example\., file: .*corp\.example\.yaml, served: true, serial: \d+, records: 28, lastLoadFailed: false/);
      const one = JSON.parse((await ctl(socket, 'zone', 'corp.example', '--json')).stdout) as Record<string, unknown>;
      assert.deepEqual([one.zone, one.records, one.lastLoadFailed], ['corp.example.', 28, false]);
      const missing = await ctl(socket, 'zone', 'nowhere.test');
      assert.equal(missing.code, 1);
      assert.match(missing.stderr, /no zone nowhere\.test\./);

      // reload ZONE: a broken edit is reported with its place, and the old version stays served.
      await writeFile(join(dir, 'corp.example.yaml'), (await corp()).replace('192.0.2.11', '192.0.2.311'));
      const broken = await ctl(socket, 'reload', 'corp.example');
      assert.equal(broken.code, 1);
      assert.match(broken.stdout, /lastLoadFailed: true/);
      assert.match(broken.stdout, /corp\.example\.yaml:\d+:\d+: error: "192\.0\.2\.311" is not an IPv4 address/);
      assert.equal((await query(rotor, 'mx1.corp.example', 'A')).status, 'NOERROR');

      await query(rotor, 'corp.example', 'MX');
      const stats = JSON.parse((await ctl(socket, 'stats', '--json')).stdout) as { answers: Record<string, number> };
      assert.ok(stats.answers.NOERROR! >= 2, JSON.stringify(stats));
      const flush = await ctl(socket, 'flush-cache');
      assert.equal(flush.code, 1);
      assert.match(flush.stderr, /forwarding is not configured/);
      assert.match((await ctl(socket, 'bogus')).stderr, /unknown command "bogus"/);

      const stop = await ctl(socket, 'stop');
      assert.equal(stop.code, 0);
      assert.equal(await exitCode(rotor.process), 0);
      await assert.rejects(stat(socket), 'the socket is removed on the way out');
    } finally {
      await rotor.stop();
    }
  });

  it('flushes the forwarder\'s cache, whole or a name and the names below it', async () => {
    const upstream = await startRotor({ 'corp.example.yaml': await corp() });
    const dir = await tempDir({ 'rotor.yaml': `forward:\n  upstreams: [127.0.0.1:${upstream.port}]\ncontrol-socket: ctl.sock\n` });
    const rotor = await startRotor(dir, ['--config', join(dir, 'rotor.yaml')]);
    const socket = join(dir, 'ctl.sock');
    const cached = async () => (JSON.parse((await ctl(socket, 'stats', '--json')).stdout) as { forwarder: { cacheEntries: number } }).forwarder.cacheEntries;
    try {
      for (const name of ['mx1.corp.example', 'mx2.corp.example', 'www.corp.example']) {
        assert.equal((await query(rotor, name, 'A', { options: ['+rec'] })).status, 'NOERROR');
      }
      assert.equal(await cached(), 3);
      assert.match((await ctl(socket, 'flush-cache', 'mx1.corp.example')).stdout, /^flushed: 1$/m);
      assert.equal(await cached(), 2);
      assert.match((await ctl(socket, 'flush-cache', 'corp.example')).stdout, /^flushed: 2$/m);
      await query(rotor, 'mx1.corp.example', 'A', { options: ['+rec'] });
      assert.match((await ctl(socket, 'flush-cache')).stdout, /^flushed: 1$/m);
      assert.equal(await cached(), 0);
    } finally {
      await rotor.stop();
      await upstream.stop();
    }
  });

  it('reaches every worker through the primary with --workers', async () => {
    const dir = await tempDir({ 'corp.example.yaml': await corp() });
    const socket = join(dir, 'rotor.sock');
    const rotor = await startRotor(dir, ['--control', socket, '--workers', '2']);
    try {
      await rotor.waitForLog((l) => l.msg === 'workers ready', STARTUP_MS);
      const status = JSON.parse((await ctl(socket, 'status', '--json')).stdout) as { pid: number; workers: { worker: number; result: { zones: number } }[] };
      assert.equal(status.pid, rotor.process.pid);
      assert.deepEqual(status.workers.map((w) => w.result.zones), [1, 1]);
      const reload = await ctl(socket, 'reload', 'corp.example');
      assert.equal(reload.code, 0, reload.stderr);
      assert.match(reload.stdout, /records: 28/);
      assert.equal((await ctl(socket, 'stop')).code, 0);
      assert.equal(await exitCode(rotor.process), 0);
    } finally {
      await rotor.stop();
    }
  });

  it('refuses to take over the socket of a running server, and reports a server that is not there', async () => {
    const dir = await tempDir({ 'corp.example.yaml': await corp() });
    const socket = join(dir, 'rotor.sock');
    const rotor = await startRotor(dir, ['--control', socket]);
    try {
      const second = await runCli(['serve', '--zones', dir, '--listen', '127.0.0.1:0', '--control', socket]);
      assert.equal(second.code, 2);
      assert.match(second.stderr, /control socket .* is in use: is another rotor running\?/);
    } finally {
      await rotor.stop();
    }
    const gone = await ctl(socket, 'status');
    assert.equal(gone.code, 2);
    assert.match(gone.stderr, /cannot reach .*rotor\.sock: is rotor running\?/);
  });

  it('finds the socket through rotor.yaml, even one broken elsewhere', async () => {
    const dir = await tempDir({ 'corp.example.yaml': await corp(), 'rotor.yaml': 'control-socket: ctl.sock\n' });
    const rotor = await startRotor(dir, ['--config', join(dir, 'rotor.yaml')]);
    try {
      await writeFile(join(dir, 'rotor.yaml'), 'control-socket: ctl.sock\nrotaton: fixed\n');
      const r = await runCli(['ctl', '--config', join(dir, 'rotor.yaml'), 'reload']);
      assert.equal(r.code, 1);
      assert.match(r.stdout, /error: .*rotor\.yaml:2:1: unknown setting "rotaton"; did you mean "rotation"\?/);
    } finally {
      await rotor.stop();
    }
  });
});

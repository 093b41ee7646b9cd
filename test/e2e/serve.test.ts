// `rotor serve` as a user meets it: zones that fail are logged with their
// location and not served while the others are; bad settings are one line and
// exit code 2; IPv6 listeners work; SIGTERM and SIGINT stop it cleanly and soon.
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { writeFile } from 'node:fs/promises';
import net from 'node:net';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { query, runCli, startRotor, tempDir } from './harness.js';
import { frame } from './raw.js';


const rotorExit = runCli;

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

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`stops on ${signal} with exit code 0 within seconds, TCP connections open and queries arriving`, async () => {
      const rotor = await startRotor({ 'good.test.yaml': GOOD });
      const q = Buffer.from('1234000000010000000000000377777704676f6f6404746573740000010001', 'hex');
      // Each connection has had an answer, so each is one the server took and must close.
      const connections = await Promise.all(Array.from({ length: 20 }, () => new Promise<net.Socket>((resolve) => {
        const s = net.connect(rotor.port, rotor.host, () => s.write(frame(q)));
        s.once('data', () => resolve(s));
      })));
      const ended = Promise.all(connections.map((s) => new Promise((r) => s.once('end', r))));
      const client = dgram.createSocket('udp4');
      const stream = setInterval(() => client.send(q, rotor.port, rotor.host), 2);
      const exited = new Promise<number | null>((r) => rotor.process.once('exit', (code) => r(code)));
      const started = Date.now();
      rotor.process.kill(signal);
      const code = await exited;
      const ms = Date.now() - started;
      clearInterval(stream);
      client.close();
      await ended;
      for (const s of connections) s.destroy();
      assert.equal(code, 0);
      assert.ok(ms < 3000, `exited after ${ms} ms`);
      assert.ok(rotor.logs.some((l) => l.msg === 'stopped'));
      await rotor.stop();
    });
  }

  const bad: [string, (dir: string) => Promise<string[]>, RegExp][] = [
    ['an unknown setting', async (dir) => { await writeFile(join(dir, 'c.yaml'), 'listne: 1.2.3.4:53\n'); return ['serve', '--config', join(dir, 'c.yaml')]; }, /unknown setting "listne"/],
    ['a bad listen address', async (dir) => ['serve', '--zones', dir, '--listen', '300.1.1.1:53'], /not an IP address/],
    ['a missing zone directory', async (dir) => ['serve', '--zones', join(dir, 'nope')], /does not exist/],
    ['a missing config file', async (dir) => ['serve', '--config', join(dir, 'nope.yaml')], /cannot read/],
    ['an unknown option', async () => ['serve', '--frobnicate'], /Unknown option/],
    ['an unknown command', async () => ['frobnicate'], /unknown command/],
    ['a bad rrl setting', async (dir) => { await writeFile(join(dir, 'c.yaml'), 'rrl: { slip: 11 }\n'); return ['serve', '--config', join(dir, 'c.yaml')]; }, /rrl\.slip: expected an integer from 0 to 10, got 11/],
    ['an allow-query prefix that is not one', async (dir) => { await writeFile(join(dir, 'c.yaml'), 'allow-query: [10.0.0.0/33]\n'); return ['serve', '--config', join(dir, 'c.yaml')]; }, /allow-query: "10\.0\.0\.0\/33" is not/],
    ['a TCP limit of 0', async (dir) => { await writeFile(join(dir, 'c.yaml'), 'tcp-max-connections: 0\n'); return ['serve', '--config', join(dir, 'c.yaml')]; }, /tcp-max-connections: expected an integer from 1/],
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

  it('a port in use for TCP only: one line, exit code 2', async () => {
    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
    try {
      const dir = await tempDir({ 'good.test.yaml': GOOD });
      const { code, stderr } = await rotorExit(['serve', '--zones', dir, '--listen', `127.0.0.1:${(blocker.address() as net.AddressInfo).port}`]);
      assert.equal(code, 2);
      assert.match(stderr, /^rotor: cannot listen: .*EADDRINUSE/);
      assert.equal(stderr.trim().split('\n').length, 1);
    } finally {
      blocker.close();
    }
  });
});

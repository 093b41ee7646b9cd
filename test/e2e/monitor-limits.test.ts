// The monitoring listener facing a hostile browser or client: a page on
// another name that resolves to this address (DNS rebinding) is refused, every
// response tells browsers not to frame it nor run anything but its own script,
// and /api/events takes only so many clients at once.
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FIXTURE, tempDir } from './harness.js';
import { startMonitored, type Monitored } from './monitor.js';
import { MAX_CONNECTIONS } from '../../src/observe/monitor.js';

const MAX_LIVE = 3;

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** The response, still open for an event stream. */
  res: http.IncomingMessage;
}

/** A GET with the Host header of our choosing (fetch does not let one set it). */
function request(rotor: Monitored, path: string, host?: string): Promise<Reply> {
  const { port } = new URL(rotor.url);
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path, headers: host === undefined ? {} : { host }, timeout: 5000 }, (res) => {
      resolve({ status: res.statusCode!, headers: res.headers, res });
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${path}: no answer in 5 s`)));
    req.on('error', reject);
  });
}

async function status(rotor: Monitored, path: string, host?: string): Promise<Reply> {
  const reply = await request(rotor, path, host);
  reply.res.resume();
  return reply;
}

describe('monitoring listener against hostile browsers and clients', () => {
  let rotor: Monitored;
  let port: string;
  before(async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'rotor.yaml'), `metrics-hosts: [status.example.net]\nmetrics-max-live-clients: ${MAX_LIVE}\n`);
    rotor = await startMonitored(FIXTURE, ['--config', join(dir, 'rotor.yaml')]);
    port = new URL(rotor.url).port;
  });
  after(async () => { await rotor?.stop(); });

  it('answers only to IP literals, localhost and the names in metrics-hosts: a rebinding page gets 421', async () => {
    for (const path of ['/api/status', '/metrics', '/', '/api/events']) {
      assert.equal((await status(rotor, path, `rebind.attacker.example:${port}`)).status, 421, path);
    }
    assert.equal((await status(rotor, '/api/status', 'rebind.attacker.example')).status, 421, 'without a port too');
    assert.equal((await status(rotor, '/api/status', `localhost.attacker.example:${port}`)).status, 421);
    for (const host of [`127.0.0.1:${port}`, `[::1]:${port}`, `localhost:${port}`, 'localhost', `status.example.net:${port}`, 'STATUS.Example.Net.']) {
      assert.equal((await status(rotor, '/api/status', host)).status, 200, host);
    }
  });

  it('sends a Content-Security-Policy and X-Frame-Options: DENY with every response', async () => {
    for (const [path, host, code] of [['/', undefined, 200], ['/status.js', undefined, 200], ['/metrics', undefined, 200], ['/api/status', undefined, 200], ['/nothing', undefined, 404], ['/', 'evil.example', 421]] as const) {
      const reply = await status(rotor, path, host);
      assert.equal(reply.status, code, path);
      assert.match(String(reply.headers['content-security-policy']), /default-src 'none'.*frame-ancestors 'none'/, path);
      assert.doesNotMatch(String(reply.headers['content-security-policy']), /unsafe-inline|unsafe-eval/, path);
      assert.equal(reply.headers['x-frame-options'], 'DENY', path);
    }
  });

  it(`takes ${MAX_LIVE} live clients at once and answers 503 to more, until one leaves`, async () => {
    const open: Reply[] = [];
    try {
      for (let i = 0; i < MAX_LIVE; i++) {
        const reply = await request(rotor, '/api/events');
        open.push(reply);
        assert.equal(reply.status, 200);
        assert.equal(reply.headers['content-type'], 'text/event-stream');
      }
      assert.equal((await status(rotor, '/api/events')).status, 503);
      assert.equal((await status(rotor, '/api/status')).status, 200, 'the rest of the listener still answers');
      await rotor.waitForLog((l) => l.msg === 'live updates: too many clients, one refused');

      open.shift()!.res.destroy();
      // The server learns of the close a moment later: ask until it has.
      let again: Reply | undefined;
      for (let tries = 0; tries < 50; tries++) {
        again = await request(rotor, '/api/events');
        if (again.status === 200) break;
        again.res.resume();
        await new Promise((r) => setTimeout(r, 100));
      }
      assert.equal(again?.status, 200, 'a place freed is taken again');
      open.push(again!);
    } finally {
      for (const reply of open) reply.res.destroy();
    }
  });

  it(`holds at most ${MAX_CONNECTIONS} connections, closes the silent ones after its headers timeout, and then serves again`, { timeout: 90_000 }, async () => {
    // Each settles when it connects, or when it is closed before that (a reset on a loaded machine): none is waited for forever.
    const silent = await Promise.all(Array.from({ length: MAX_CONNECTIONS + 44 }, () => new Promise<{ socket: net.Socket; closed: Promise<void> }>((resolve) => {
      const socket = net.connect(Number(port), '127.0.0.1');
      const closed = new Promise<void>((r) => socket.once('close', () => r()));
      socket.on('error', () => {});
      socket.once('connect', () => resolve({ socket, closed }));
      void closed.then(() => resolve({ socket, closed }));
    })));
    // Those over the cap are closed at once; the others when they have said nothing for the headers timeout.
    const started = performance.now();
    let left = silent.length;
    for (const s of silent) void s.closed.then(() => left--);
    const deadline = new Promise<'late'>((r) => setTimeout(() => r('late'), 30_000).unref());
    const ended = await Promise.race([Promise.all(silent.map((s) => s.closed)), deadline]);
    for (const s of silent) s.socket.destroy();
    assert.notEqual(ended, 'late', `${left} of ${silent.length} silent connections still open after 30 s`);
    const ms = performance.now() - started;
    assert.ok(ms < 30_000, `every silent connection closed after ${Math.round(ms)} ms`);
    assert.equal((await status(rotor, '/healthz')).status, 200);
  });
});

// /api/events clients that never read: the listener drops them once they leave
// more than metrics-live-client-buffer octets unread, and keeps sending to the
// client that reads. A status document of 256 KB that changes every push fills
// the kernel's buffers in a few seconds, where a real one would take hours.
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { describe, it } from 'node:test';
import { pino } from 'pino';
import { serveMonitor } from '../../src/observe/monitor.js';
import type { StatusDocument } from '../../src/observe/status.js';

describe('live updates', () => {
  it('drops clients that do not read, and only those', { timeout: 60_000 }, async (t) => {
    const lines: { msg: string; unsent?: number }[] = [];
    let dropped: () => void;
    const droppedOnce = new Promise<void>((resolve) => { dropped = resolve; });
    const logger = pino({ level: 'info' }, {
      write(line: string) {
        const l = JSON.parse(line);
        lines.push(l);
        if (l.msg === 'live updates: dropped a client that does not read') dropped();
      },
    });
    let version = 0;
    const padding = 'x'.repeat(256 * 1024);
    const monitor = await serveMonitor({ host: '127.0.0.1', port: 0, family: 4 }, {
      metrics: async () => ({ type: 'text/plain', text: '' }),
      document: async () => ({ version: version++, padding }) as unknown as StatusDocument,
      close: () => {},
    }, logger, { hosts: [], maxLiveClients: 8, liveClientBuffer: 64 * 1024 });
    t.after(() => monitor.close());
    const { port } = monitor.address;

    // Asks for the stream, then never reads: the kernel's buffers fill, then the server's.
    const stalled = net.connect(port, '127.0.0.1');
    t.after(() => stalled.destroy());
    stalled.on('error', () => {});
    stalled.write(`GET /api/events HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`);
    stalled.pause();

    let received = 0;
    const reader = await new Promise<http.IncomingMessage>((resolve) => http.get({ host: '127.0.0.1', port, path: '/api/events' }, resolve));
    t.after(() => reader.destroy());
    reader.on('data', (chunk: Buffer) => { received += chunk.length; });

    const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error('the client that does not read was never dropped')), 30_000).unref());
    await Promise.race([droppedOnce, timeout]);
    const line = lines.find((l) => l.msg === 'live updates: dropped a client that does not read')!;
    assert.ok(line.unsent! > 64 * 1024, `dropped with ${line.unsent} octets unsent`);

    // The reader is still served: more arrives after the drop.
    const before = received;
    await new Promise<void>((resolve) => {
      const more = () => { if (received > before + 256 * 1024) { reader.off('data', more); resolve(); } };
      reader.on('data', more);
    });
    assert.equal(lines.filter((l) => l.msg === 'live updates: dropped a client that does not read').length, 1, 'one client dropped, the reader kept');
  });
});

// The TCP transport's limits on real loopback sockets, with a handler that
// echoes the query back as its answer (or later, to stand for a forwarded one).
import assert from 'node:assert/strict';
import net from 'node:net';
import { afterEach, describe, it } from 'node:test';
import type { Reply } from '../../src/server/context.js';
import { bindTcp, ConnectionTable, TCP_DEFAULTS, type TcpListener, type TcpOptions } from '../../src/server/tcp.js';
import { connectFrom, frame, untilClosed } from '../e2e/raw.js';

const echo = (msg: Buffer): Reply => Buffer.from(msg);

/** Every test ends well within this; a limit that does not hold hangs until it. */
const T = { timeout: 5000 };

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('TCP limits', () => {
  let listener: TcpListener | undefined;
  afterEach(async () => { await listener?.close(100); listener = undefined; });

  async function serve(opts: Partial<TcpOptions> & { max?: number; perClient?: number }, handler = echo): Promise<{ host: string; port: number }> {
    const connections = new ConnectionTable(opts.max ?? 100, opts.perClient ?? 100);
    listener = await bindTcp({ host: '127.0.0.1', port: 0, family: 4 }, handler, { idleTimeoutMs: 5000, ...TCP_DEFAULTS, connections, ...opts });
    return { host: '127.0.0.1', port: (listener.server.address() as net.AddressInfo).port };
  }

  it('closes connections over the global limit at once, and takes new ones when old ones go', T, async () => {
    const server = await serve({ max: 3 });
    const kept = await Promise.all([1, 2, 3].map(() => connectFrom(server)));
    const over = untilClosed(await connectFrom(server));
    const { ms } = await over;
    assert.ok(ms < 1000, `closed after ${ms} ms`);
    kept[0]!.destroy();
    await wait(50);
    const again = await connectFrom(server);
    again.write(frame(Buffer.from('ping')));
    const echoed = await new Promise<Buffer>((r) => again.once('data', r));
    assert.equal(echoed.subarray(2).toString(), 'ping');
    for (const s of [...kept, again]) s.destroy();
  });

  it('limits connections per client address, not for the others', T, async () => {
    const server = await serve({ perClient: 2 });
    const mine = await Promise.all([1, 2].map(() => connectFrom(server, '127.0.0.2')));
    await untilClosed(await connectFrom(server, '127.0.0.2'));
    const other = await connectFrom(server, '127.0.0.3');
    other.write(frame(Buffer.from('hi')));
    assert.equal((await new Promise<Buffer>((r) => other.once('data', r))).subarray(2).toString(), 'hi');
    for (const s of [...mine, other]) s.destroy();
  });

  it('cuts a query that trickles in slower than tcp-query-timeout, though each octet resets the idle timer', T, async () => {
    const server = await serve({ queryTimeoutMs: 400, idleTimeoutMs: 5000 });
    const socket = await connectFrom(server);
    const closed = untilClosed(socket);
    const slow = frame(Buffer.alloc(30, 0x61));
    let sent = 0;
    const drip = setInterval(() => { if (!socket.destroyed) socket.write(slow.subarray(sent, ++sent)); }, 100);
    const { ms, data } = await closed;
    clearInterval(drip);
    assert.equal(data.length, 0, 'no answer to the unfinished query');
    assert.ok(ms >= 350 && ms < 2500, `closed after ${ms} ms`);
  });

  it('gives each query its own deadline: a steady pipeline is not cut', T, async () => {
    const server = await serve({ queryTimeoutMs: 1000 });
    const socket = await connectFrom(server);
    const got: Buffer[] = [];
    socket.on('data', (d) => got.push(d));
    const started = Date.now();
    for (let i = 0; i < 10; i++) {
      socket.write(frame(Buffer.from(`q${i}`)).subarray(0, 3));
      await wait(100);
      socket.write(frame(Buffer.from(`q${i}`)).subarray(3));
      await wait(50);
    }
    assert.ok(Date.now() - started > 1000, 'the pipeline outlasts one deadline');
    assert.equal(socket.destroyed, false);
    assert.equal(Buffer.concat(got).length, 10 * 4);
    socket.destroy();
  });

  it('closes a connection after tcp-max-queries, answering every query it took', T, async () => {
    const server = await serve({ maxQueries: 3 });
    const socket = await connectFrom(server);
    const closed = untilClosed(socket);
    socket.write(Buffer.concat([1, 2, 3, 4, 5].map((i) => frame(Buffer.from(`q${i}`)))));
    const { data } = await closed;
    assert.equal(data.toString('latin1'), Buffer.concat([1, 2, 3].map((i) => frame(Buffer.from(`q${i}`)))).toString('latin1'));
  });

  it('a client that half-closes still gets the answers that come later', T, async () => {
    const server = await serve({}, (msg) => new Promise((r) => setTimeout(() => r(Buffer.from(msg)), 150)));
    const socket = await connectFrom(server);
    const closed = untilClosed(socket);
    socket.end(frame(Buffer.from('later')));
    assert.equal((await closed).data.subarray(2).toString(), 'later');
  });

  it('on close, stops accepting, sends the answers owed, then closes idle and busy connections', T, async () => {
    const server = await serve({}, (msg) => new Promise((r) => setTimeout(() => r(Buffer.from(msg)), 200)));
    const idle = untilClosed(await connectFrom(server));
    const busySocket = await connectFrom(server);
    const busy = untilClosed(busySocket);
    busySocket.write(frame(Buffer.from('owed')));
    await wait(20);
    const closing = listener!.close(2000);
    await assert.rejects(connectFrom(server), /ECONNREFUSED/);
    await closing;
    listener = undefined;
    assert.equal((await busy).data.subarray(2).toString(), 'owed');
    assert.ok((await idle).ms < 1000);
  });

  it('cuts what is still open when the grace period ends', T, async () => {
    const server = await serve({}, () => new Promise(() => {}));
    const socket = await connectFrom(server);
    const closed = untilClosed(socket);
    socket.write(frame(Buffer.from('never answered')));
    await wait(20);
    const started = Date.now();
    await listener!.close(300);
    listener = undefined;
    await closed;
    const ms = Date.now() - started;
    assert.ok(ms >= 250 && ms < 1500, `closed after ${ms} ms`);
  });
});

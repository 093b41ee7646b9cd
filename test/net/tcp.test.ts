// The TCP transport's limits on real loopback sockets, with a handler that
// echoes the query back as its answer (or later, to stand for a forwarded one).
import assert from 'node:assert/strict';
import net from 'node:net';
import { afterEach, describe, it } from 'node:test';
import type { Reply } from '../../src/net/context.js';
import { bindTcp, ConnectionTable, TCP_DEFAULTS, type TcpListener, type TcpOptions } from '../../src/net/tcp.js';
import { connectFrom, frame, untilClosed } from '../e2e/raw.js';

const echo = (msg: Buffer): Reply => Buffer.from(msg);

/** Every test ends well within this; a limit that does not hold hangs until it. */
const T = { timeout: 5000 };

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('TCP limits', () => {
  let listener: TcpListener | undefined;
  afterEach(async () => { await listener?.close(100); listener = undefined; });

  async function serve(opts: Partial<TcpOptions> & { max?: number; perClient?: number; perNetblock?: number }, handler = echo): Promise<{ host: string; port: number }> {
    const connections = new ConnectionTable({ max: opts.max ?? 100, perClient: opts.perClient ?? 100, perNetblock: opts.perNetblock ?? 100 });
    listener = await bindTcp({ host: '127.0.0.1', port: 0, family: 4 }, handler, { idleTimeoutMs: 5000, ...TCP_DEFAULTS, connections, ...opts });
    return { host: '127.0.0.1', port: (listener.server.address() as net.AddressInfo).port };
  }

  it('when a netblock is full, a newcomer from it takes the place of the connection idle the longest there', T, async () => {
    const server = await serve({ perNetblock: 3 });
    const [a, b, c] = await Promise.all(['127.0.0.2', '127.0.0.3', '127.0.0.4'].map((from) => connectFrom(server, from)));
    // a asks and is answered: idle again, but since later than b.
    a!.write(frame(Buffer.from('a')));
    await new Promise((r) => a!.once('data', r));
    const bClosed = untilClosed(b!);
    const newcomer = await connectFrom(server, '127.0.0.5');
    const { ms } = await bClosed;
    assert.ok(ms < 1000, `b closed after ${ms} ms`);
    newcomer.write(frame(Buffer.from('new')));
    assert.equal((await new Promise<Buffer>((r) => newcomer.once('data', r))).subarray(2).toString(), 'new');
    assert.ok(!a!.destroyed && !c!.destroyed, 'the others stay open');
    for (const s of [a!, c!, newcomer]) s.destroy();
  });

  it('refuses a newcomer when every connection in its netblock is busy, and takes one from another netblock', T, async () => {
    const server = await serve({ perNetblock: 2 }, (msg) => (msg.toString() === 'hold' ? new Promise(() => {}) : echo(msg)));
    const busy = await Promise.all(['127.0.0.2', '127.0.0.3'].map((from) => connectFrom(server, from)));
    for (const s of busy) s.write(frame(Buffer.from('hold')));
    await wait(50);
    const { ms, data } = await untilClosed(await connectFrom(server, '127.0.0.4'));
    assert.ok(ms < 1000 && data.length === 0, `closed after ${ms} ms`);
    const other = await connectFrom(server, '127.0.1.2');
    other.write(frame(Buffer.from('hi')));
    assert.equal((await new Promise<Buffer>((r) => other.once('data', r))).subarray(2).toString(), 'hi');
    assert.ok(busy.every((s) => !s.destroyed), 'the busy ones stay open');
    for (const s of [...busy, other]) s.destroy();
  });

  it('reads no further from a client that does not take its answers, and carries on once it does', { timeout: 20_000 }, async () => {
    const QUERIES = 1000;
    const ANSWER = 60_000;
    let handled = 0;
    const server = await serve({ maxUnsentBytes: 16 * 1024 }, () => { handled++; return Buffer.alloc(ANSWER, 0x61); });
    const socket = await connectFrom(server);
    socket.pause();
    socket.write(Buffer.concat(Array.from({ length: QUERIES }, () => frame(Buffer.from('q')))));
    // The kernel's buffers on both sides take a few MB of answers; then the server stops.
    let seen = -1;
    while (seen !== handled) {
      seen = handled;
      await wait(300);
    }
    assert.ok(handled < QUERIES / 2, `${handled} of ${QUERIES} queries handled for a client that reads nothing`);
    let received = 0;
    let buffered = 0;
    socket.on('data', (d: Buffer) => {
      buffered += d.length;
      received += Math.floor(buffered / (ANSWER + 2));
      buffered %= ANSWER + 2;
      if (received === QUERIES) socket.destroy();
    });
    socket.resume();
    await new Promise((r) => socket.once('close', r));
    assert.equal(received, QUERIES, 'every answer once the client reads');
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

describe('the connection table', () => {
  /** A table of closable stand-ins: `closed` lists the ones the table closed, in order. */
  function table(limits: { max: number; perClient: number; perNetblock: number }) {
    const t = new ConnectionTable(limits);
    const closed: string[] = [];
    const admit = (name: string, address: string) => t.admit(address, () => closed.push(name));
    return { t, closed, admit };
  }

  it('when full, closes the connection idle the longest, never a busy one, and refuses when all are busy', () => {
    const { t, closed, admit } = table({ max: 3, perClient: 10, perNetblock: 10 });
    const a = admit('a', '192.0.2.1')!;
    const b = admit('b', '198.51.100.1')!;
    const c = admit('c', '203.0.113.1')!;
    t.setIdle(a, false);
    t.setIdle(a, true); // a asked and was answered: idle again, after b and c
    t.setIdle(b, false); // b is waiting for an answer
    const d = admit('d', '2001:db8::1')!;
    assert.deepEqual(closed, ['c']);
    const e = admit('e', '2001:db8::2')!;
    assert.deepEqual(closed, ['c', 'a']);
    t.setIdle(a, true); // closed already: no effect
    t.release(c); // twice: no effect
    assert.equal(t.open, 3);
    const f = admit('f', '192.0.2.9')!;
    assert.deepEqual(closed, ['c', 'a', 'd'], 'b is still busy');
    assert.equal(d.open, false);
    t.setIdle(e, false);
    t.setIdle(f, false);
    assert.equal(admit('g', '192.0.2.10'), undefined, 'all busy');
    assert.deepEqual([t.evicted, t.refused, t.open], [3, 1, 3]);
  });

  it('refuses a client at its own limit even when it holds idle connections', () => {
    const { t, closed, admit } = table({ max: 100, perClient: 2, perNetblock: 100 });
    admit('a', '192.0.2.1');
    admit('b', '192.0.2.1');
    assert.equal(admit('c', '192.0.2.1'), undefined);
    assert.deepEqual([closed, t.refused], [[], 1]);
  });

  it('counts IPv4 netblocks by /24 and IPv6 ones by /56', () => {
    const { closed, admit } = table({ max: 100, perClient: 100, perNetblock: 1 });
    admit('a', '192.0.2.1');
    admit('b', '192.0.3.1');
    admit('c', '2001:db8:0:100::1');
    admit('d', '2001:db8:0:200::1');
    assert.deepEqual(closed, []);
    admit('e', '192.0.2.200');
    admit('f', '2001:db8:0:1ff::1');
    admit('g', '::ffff:192.0.3.7');
    assert.deepEqual(closed, ['a', 'c', 'b']);
  });

  it('gives the whole idle timeout up to half full, then less in proportion to the room left, down to 200 ms', () => {
    const { t, admit } = table({ max: 10, perClient: 100, perNetblock: 100 });
    const at = (n: number) => {
      while (t.open < n) admit('x', `192.0.${t.open}.1`);
      return t.idleTimeout(10_000);
    };
    assert.deepEqual([at(0), at(5), at(6), at(8), at(9), at(10)], [10_000, 10_000, 8000, 4000, 2000, 200]);
    assert.equal(t.idleTimeout(100), 100, 'never above tcp-idle-timeout');
  });
});

// 1,000 idle TCP connections held open against the real server: new queries
// over UDP and TCP are still answered within 100 ms, and the idle ones are
// closed by tcp-idle-timeout. The idle ones come from twenty loopback
// addresses, fifty each, under the default per-address limit. Then the other
// TCP limits as rotor.yaml sets them.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import net from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FIXTURE } from './answers/table.js';
import { startRotor, tempDir, type Rotor } from './harness.js';
import { connectFrom, decode, frame, makeQuery, Packet, tcpExchange, udpExchange, untilClosed } from './raw.js';

const IDLE = 1000;
const IDLE_TIMEOUT_S = 3;

describe('1,000 idle TCP connections', () => {
  let rotor: Rotor;
  before(async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'rotor.yaml'), `tcp-idle-timeout: ${IDLE_TIMEOUT_S}\ntcp-max-connections: 1500\n`);
    rotor = await startRotor(FIXTURE, ['--config', join(dir, 'rotor.yaml')]);
  });
  after(async () => { await rotor.stop(); });

  it('keeps answering over UDP and TCP within 100 ms, then closes the idle ones on the timeout', { timeout: 30_000 }, async (t) => {
    // Warmed up first: the figure is what the idle connections cost, not a cold start.
    assert.ok(await udpExchange(rotor, makeQuery('www.example.test', Packet.TYPE.A), 2000));
    await tcpExchange(rotor, [frame(makeQuery('example.test', Packet.TYPE.MX))], 1);
    const sockets: net.Socket[] = [];
    const closedAt: number[] = [];
    for (let batch = 0; batch < IDLE / 50; batch++) {
      sockets.push(...await Promise.all(Array.from({ length: 50 }, () => connectFrom(rotor, `127.0.0.${10 + batch}`))));
    }
    const openedAt = performance.now();
    for (const s of sockets) {
      s.on('error', () => {});
      s.on('close', () => closedAt.push(performance.now()));
    }

    const timings: number[] = [];
    for (let i = 0; i < 10; i++) {
      const t0 = performance.now();
      const udp = await udpExchange(rotor, makeQuery('www.example.test', Packet.TYPE.A, i), 1000);
      const t1 = performance.now();
      const [tcp] = await tcpExchange(rotor, [frame(makeQuery('example.test', Packet.TYPE.MX, i))], 1);
      const t2 = performance.now();
      assert.equal(decode(udp!).answers[0]!.address, '192.0.2.80');
      assert.equal(decode(tcp!).answers.length, 2);
      timings.push(t1 - t0, t2 - t1);
    }
    assert.equal(closedAt.length, 0, 'every idle connection was accepted and is still open');
    t.diagnostic(`with ${IDLE} idle connections open: slowest of 10 UDP and 10 TCP answers ${Math.max(...timings).toFixed(1)} ms (${timings.map((x) => x.toFixed(1)).join(" ")})`);
    assert.ok(Math.max(...timings) < 100, `slowest answer ${Math.max(...timings).toFixed(1)} ms`);

    await new Promise<void>((resolve) => {
      const check = setInterval(() => { if (closedAt.length === IDLE) { clearInterval(check); resolve(); } }, 100);
    });
    const first = (Math.min(...closedAt) - openedAt) / 1000;
    const last = (Math.max(...closedAt) - openedAt) / 1000;
    t.diagnostic(`idle connections closed from ${first.toFixed(2)} s to ${last.toFixed(2)} s (timeout ${IDLE_TIMEOUT_S} s)`);
    assert.ok(first >= IDLE_TIMEOUT_S - 1 && last < IDLE_TIMEOUT_S + 5, `closed from ${first.toFixed(2)} s to ${last.toFixed(2)} s after opening`);
    for (const s of sockets) s.destroy();
  });
});

describe('TCP limits from rotor.yaml', () => {
  let rotor: Rotor;
  before(async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'rotor.yaml'), 'tcp-query-timeout: 1\ntcp-max-connections-per-client: 3\ntcp-max-queries: 2\n');
    rotor = await startRotor(FIXTURE, ['--config', join(dir, 'rotor.yaml')]);
  });
  after(async () => { await rotor.stop(); });

  it('closes a fourth connection from one address at once', { timeout: 10_000 }, async () => {
    const three = await Promise.all([1, 2, 3].map(() => connectFrom(rotor, '127.0.0.5')));
    const fourth = await untilClosed(await connectFrom(rotor, '127.0.0.5'));
    assert.ok(fourth.ms < 1000 && fourth.data.length === 0, `closed after ${fourth.ms.toFixed(0)} ms`);
    const [reply] = await tcpExchange(rotor, [frame(makeQuery('www.example.test', Packet.TYPE.A))], 1);
    assert.equal(decode(reply!).answers.length, 1, 'another address is served');
    for (const s of three) s.destroy();
  });

  it('cuts a query that has not arrived whole a second after its first octet', { timeout: 10_000 }, async () => {
    const socket = await connectFrom(rotor, '127.0.0.6');
    const closed = untilClosed(socket);
    const q = frame(makeQuery('www.example.test', Packet.TYPE.A));
    let at = 0;
    const drip = setInterval(() => { if (!socket.destroyed && at < q.length) socket.write(q.subarray(at, ++at)); }, 150);
    const { data, ms } = await closed;
    clearInterval(drip);
    assert.equal(data.length, 0);
    assert.ok(ms >= 900 && ms < 3000, `closed after ${ms.toFixed(0)} ms`);
  });

  it('answers two queries on a connection, then closes it', { timeout: 10_000 }, async () => {
    const socket = await connectFrom(rotor, '127.0.0.7');
    const closed = untilClosed(socket);
    socket.write(Buffer.concat([1, 2, 3].map((id) => frame(makeQuery('www.example.test', Packet.TYPE.A, id)))));
    const { data } = await closed;
    const ids: number[] = [];
    for (let at = 0; at < data.length; at += 2 + data.readUInt16BE(at)) ids.push(data.readUInt16BE(at + 2));
    assert.deepEqual(ids, [1, 2]);
  });
});

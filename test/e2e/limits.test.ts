// TCP against clients that hold connections or do not read, on the real
// server. 1,000 connections from ten loopback addresses, each asking every
// 4 s, fill the table: a newcomer is still answered, because the connection
// idle the longest makes room for it; and the held ones are closed by
// tcp-idle-timeout once they fall quiet. 100 clients that pipeline a 64 KB
// burst and never read cost the server little memory. Then the other TCP
// limits as rotor.yaml sets them. Latency figures are for
// scripts/tcp-full-table.ts, not for a test on a shared machine.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import net from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FIXTURE, MEASURED_NODE_ARGS, rssMb, startRotor, tempDir, type Rotor } from './harness.js';
import { askOverTcp, connectFrom, decode, frame, holdConnections, makeQuery, Packet, tcpExchange, udpExchange, untilClosed } from './raw.js';

const HOLDERS = 10;
const PER_HOLDER = 100;
const ASK_EVERY_MS = 4000;
/** Above ASK_EVERY_MS: without eviction nothing would ever reclaim the held connections. */
const IDLE_TIMEOUT_S = 6;

describe(`${HOLDERS * PER_HOLDER} TCP connections from ${HOLDERS} addresses, each asking every ${ASK_EVERY_MS / 1000} s`, () => {
  let rotor: Rotor;
  before(async () => {
    const dir = await tempDir();
    // 127.0.0.10-19 and the newcomer share 127.0.0.0/24: the netblock limit is lifted so that the whole table fills.
    await writeFile(join(dir, 'rotor.yaml'), `tcp-idle-timeout: ${IDLE_TIMEOUT_S}\ntcp-max-connections: ${HOLDERS * PER_HOLDER}\ntcp-max-connections-per-client: ${PER_HOLDER}\ntcp-max-connections-per-netblock: ${HOLDERS * PER_HOLDER}\n`);
    rotor = await startRotor(FIXTURE, ['--config', join(dir, 'rotor.yaml')]);
  });
  after(async () => { await rotor.stop(); });

  it('answers a newcomer over TCP (and UDP), then closes the held ones once they fall quiet', { timeout: 90_000 }, async (t) => {
    assert.ok(await askOverTcp(rotor, '127.0.0.2', makeQuery('example.test', Packet.TYPE.MX), 5000), 'answered before the table fills');
    const holders = Array.from({ length: HOLDERS }, (_, h) => `127.0.0.${10 + h}`);
    const { sockets: held, closedAt, quiet } = await holdConnections(rotor, holders, PER_HOLDER, ASK_EVERY_MS, (i) => makeQuery('www.example.test', Packet.TYPE.A, i));

    const answered: number[] = [];
    for (let i = 0; i < 20; i++) {
      const ms = await askOverTcp(rotor, '127.0.0.2', makeQuery('example.test', Packet.TYPE.MX, i), 2000);
      if (ms !== undefined) answered.push(ms);
    }
    const udp = await udpExchange(rotor, makeQuery('www.example.test', Packet.TYPE.A), 2000);
    t.diagnostic(`newcomer: ${answered.length} of 20 TCP queries answered; slowest ${Math.max(...answered, 0).toFixed(1)} ms; ${closedAt.length} held connections closed meanwhile`);
    assert.ok(answered.length >= 19, `${answered.length} of 20 TCP queries answered`);
    assert.equal(decode(udp!).answers[0]!.address, '192.0.2.80');

    // The holders fall quiet: every held connection is closed within tcp-idle-timeout.
    quiet();
    const quietAt = performance.now();
    await new Promise<void>((resolve) => {
      const check = setInterval(() => { if (closedAt.length === held.length) { clearInterval(check); resolve(); } }, 100);
    });
    const last = (Math.max(...closedAt) - quietAt) / 1000;
    t.diagnostic(`the last held connection closed ${last.toFixed(2)} s after the holders fell quiet (tcp-idle-timeout ${IDLE_TIMEOUT_S} s)`);
    assert.ok(last < IDLE_TIMEOUT_S + 5, `closed ${last.toFixed(2)} s after the holders fell quiet`);
  });
});

const BURST = 64 * 1024;
const PIPELINERS = 100;
const WARM_UP = PIPELINERS;

/** A TXT RRset of 16 × 200 octets: an answer of about 3.5 KB to a 40-octet query. */
const BIG_ZONE = [
  '$ORIGIN big.test.',
  '$TTL 300',
  '@ SOA ns hostmaster 1 3600 600 86400 300',
  '@ NS ns',
  'ns A 192.0.2.1',
  ...Array.from({ length: 16 }, (_, i) => `txt TXT "${String.fromCharCode(97 + i).repeat(200)}"`),
  '',
].join('\n');

describe(`${PIPELINERS} TCP clients that pipeline a ${BURST / 1024} KB burst of queries and never read`, () => {
  let rotor: Rotor;
  before(async () => { rotor = await startRotor({ 'big.test.zone': BIG_ZONE }, [], MEASURED_NODE_ARGS); });
  after(async () => { await rotor.stop(); });

  it('cost the server under 50 MB more than clients that read the same answers', { timeout: 90_000 }, async (t) => {
    const query = frame(makeQuery('txt.big.test', Packet.TYPE.TXT));
    const [one] = await tcpExchange(rotor, [query], 1);
    assert.equal(decode(one!).answers.length, 16);
    const burst = Buffer.concat(Array.from({ length: Math.floor(BURST / query.length) }, () => query));
    const answers = (burst.length / query.length) * (one!.length + 2);
    // The same load from as many clients that read first: what serving it
    // costs (a heap grown for the pace) is in the baseline, and what is
    // measured is what clients that do not read add to it. With a fifth as
    // many readers, Node 24's heap went on growing for the pace during the
    // measurement (+28 to +85 MB, against +10 to +37 MB with as many).
    await Promise.all(Array.from({ length: WARM_UP }, (_, i) => new Promise<void>((resolve, reject) => {
      const s = net.connect({ port: rotor.port, host: rotor.host, localAddress: `127.0.0.${30 + (i % 10)}` }, () => s.write(burst));
      let got = 0;
      s.on('data', (d) => { got += d.length; if (got >= answers) { s.destroy(); resolve(); } });
      s.on('error', reject);
    })));
    const pid = rotor.process.pid!;
    const before = await rssMb(pid);
    const sockets: net.Socket[] = [];
    for (let i = 0; i < PIPELINERS; i++) {
      const s = await connectFrom(rotor, `127.0.0.${20 + (i % 10)}`);
      s.on('error', () => {});
      s.pause();
      s.write(burst);
      sockets.push(s);
    }
    // The server works through what it took; its RSS peaks and stays (nothing is read).
    let peak = before;
    let steady = 0;
    while (steady < 8) {
      await new Promise((r) => setTimeout(r, 250));
      const now = await rssMb(pid);
      steady = now > peak + 1 ? 0 : steady + 1;
      peak = Math.max(peak, now);
    }
    t.diagnostic(`server RSS ${before.toFixed(0)} MB before, ${peak.toFixed(0)} MB at its peak (+${(peak - before).toFixed(1)} MB for ${PIPELINERS} clients)`);
    assert.ok(peak - before < 50, `+${(peak - before).toFixed(1)} MB`);
    const [again] = await tcpExchange(rotor, [query], 1);
    assert.equal(decode(again!).answers.length, 16, 'another client is answered meanwhile');
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

// Response rate limiting against the real server: a flood of 10,000 identical
// queries from 127.0.0.2 gets at most responses-per-second full answers a
// second plus slipped (truncated) ones, while 127.0.0.3 asking the same
// question at a reasonable pace gets every answer, and TCP is never limited.
// Random names under a wildcard are one answer to the limiter, not thousands.
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FIXTURE, query, startRotor, tempDir, type Rotor } from './harness.js';
import { decode, makeQuery, Packet } from './raw.js';

const RATE = 20;
const FLOOD = 10_000;
const WILD = 2_000;

async function boundSocket(address: string): Promise<dgram.Socket> {
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, address, () => resolve()));
  return socket;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * One question as a resolver asks it: three tries, 250 ms apart. A datagram
 * the kernel drops while the server is busy is a retry, as it is for dig.
 */
async function ask(socket: dgram.Socket, rotor: Rotor, id: number): Promise<ReturnType<typeof decode> | undefined> {
  for (let attempt = 0; attempt < 3; attempt++) {
    socket.send(makeQuery('www.example.test', Packet.TYPE.A, id), rotor.port, rotor.host);
    const reply = await new Promise<ReturnType<typeof decode> | undefined>((resolve) => {
      const timer = setTimeout(() => { socket.off('message', on); resolve(undefined); }, 250);
      const on = (m: Buffer) => {
        const r = decode(m);
        if (r.header.id !== id) return;
        clearTimeout(timer);
        socket.off('message', on);
        resolve(r);
      };
      socket.on('message', on);
    });
    if (reply) return reply;
  }
  return undefined;
}

/**
 * Sends `count` queries from `socket`, paced in bursts so that the server's
 * receive buffer keeps up and the count is the limiter's doing, and counts the
 * full answers (for `address`) and the truncated ones that come back.
 */
async function flood(socket: dgram.Socket, rotor: Rotor, count: number, queryFor: (i: number) => Buffer, address: string) {
  let full = 0;
  let truncated = 0;
  let lastReply = 0;
  socket.on('message', (m) => {
    const r = decode(m);
    lastReply = performance.now();
    if (r.header.tc) truncated++;
    else if (r.answers[0]?.address === address) full++;
  });
  const started = performance.now();
  for (let sent = 0; sent < count; sent += 20) {
    for (let i = sent; i < sent + 20; i++) socket.send(queryFor(i), rotor.port, rotor.host);
    await sleep(4);
  }
  await sleep(300);
  return { full, truncated, seconds: (lastReply - started) / 1000 };
}

describe('response rate limiting', () => {
  let rotor: Rotor;
  before(async () => {
    const dir = await tempDir();
    // /32 netblocks, so that 127.0.0.2 and 127.0.0.3 are two clients and not one /24;
    // no exempt clients, since by default this host (all of 127.0.0.0/8) is exempt.
    await writeFile(join(dir, 'rotor.yaml'), `rrl: { responses-per-second: ${RATE}, slip: 2, window: 5, ipv4-prefix-length: 32, exempt-clients: [] }\n`);
    rotor = await startRotor(FIXTURE, ['--config', join(dir, 'rotor.yaml')]);
  });
  after(async () => { await rotor.stop(); });

  it(`a flood of ${FLOOD} from one address: at most ${RATE} full answers a second; another address is all answered`, { timeout: 60_000 }, async (t) => {
    const flooder = await boundSocket('127.0.0.2');
    const other = await boundSocket('127.0.0.3');
    t.after(() => { flooder.close(); other.close(); });
    const q = makeQuery('www.example.test', Packet.TYPE.A);
    let flooding = true;
    // The other client asks the same question ten times a second all through the flood.
    const otherReplies: (ReturnType<typeof decode> | undefined)[] = [];
    const polite = (async () => {
      for (let id = 1; flooding; id++) {
        otherReplies.push(await ask(other, rotor, id));
        await sleep(100);
      }
    })();
    const { full, truncated, seconds } = await flood(flooder, rotor, FLOOD, () => q, '192.0.2.80');
    flooding = false;
    await polite;
    const answered = otherReplies.filter((r) => r && !r.header.tc && r.answers[0]?.address === '192.0.2.80').length;
    t.diagnostic(`${FLOOD} queries over ${seconds.toFixed(2)} s: ${full} full answers, ${truncated} truncated; other client ${answered}/${otherReplies.length} answered in full`);

    assert.ok(full >= RATE, 'the first responses-per-second went out');
    assert.ok(full <= RATE * Math.ceil(seconds + 1), `${full} full answers in ${seconds.toFixed(2)} s`);
    assert.ok(truncated > FLOOD / 4, `every second limited answer slipped out truncated: ${truncated}`);
    assert.ok(truncated <= (FLOOD - full) / 2 + 1);
    assert.ok(otherReplies.length >= 10);
    assert.equal(answered, otherReplies.length, 'every question from 127.0.0.3 answered in full');

    // TCP is the way out for a real client in the limited netblock.
    const tcp = await query(rotor, 'www.example.test', 'A', { tcp: true, options: ['-b', '127.0.0.2'] });
    assert.equal(tcp.answer[0]?.data, '192.0.2.80');
  });

  it(`${WILD} random names under a wildcard from one address: limited as one answer, not ${WILD}`, { timeout: 60_000 }, async (t) => {
    const flooder = await boundSocket('127.0.0.4');
    // Closed even when an assertion fails: an open socket would keep the test file from ending.
    t.after(() => flooder.close());
    const { full, truncated, seconds } = await flood(flooder, rotor, WILD, (i) => makeQuery(`r${i}-${Math.random().toString(36).slice(2)}.wild.example.test`, Packet.TYPE.A), '192.0.2.99');
    t.diagnostic(`${WILD} wildcard names over ${seconds.toFixed(2)} s: ${full} full answers, ${truncated} truncated`);
    assert.ok(full >= RATE, 'the first responses-per-second went out');
    assert.ok(full <= RATE * Math.ceil(seconds + 1), `${full} full answers in ${seconds.toFixed(2)} s`);
    assert.ok(truncated > WILD / 4, `the rest slipped out truncated or were dropped: ${truncated} truncated`);
  });

  it('logs that it started limiting, once and not per query', async () => {
    const lines = rotor.logs.filter((l) => /^rate limit/.test(l.msg));
    assert.ok(lines.length >= 1 && lines.length < 10, `${lines.length} lines`);
    assert.equal(lines[0]!.client, '127.0.0.2/32');
  });
});

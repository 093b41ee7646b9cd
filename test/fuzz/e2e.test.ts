// The mutated stream thrown at the running process: thousands of hostile
// datagrams, and TCP connections whose length prefixes lie, split at random.
// Afterwards it must still be running, answer dig over UDP and TCP, and have
// logged no internal error.
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { query, startRotor, type Rotor } from '../e2e/harness.js';
import { makeQuery, Packet } from '../e2e/raw.js';
import { fuzzZones, hostileDatagrams, runSession, tcpSession } from './stream.js';

const DATAGRAMS = 5000;
const CONNECTIONS = 300;

describe('fuzz: the running server under a hostile stream', () => {
  let rotor: Rotor;
  before(async () => { rotor = await startRotor(await fuzzZones()); });
  after(async () => { await rotor.stop(); });

  it(`survives ${DATAGRAMS} mutated datagrams and ${CONNECTIONS} lying TCP connections, and still answers`, { timeout: 120_000 }, async (t) => {
    const seed = Date.now() | 0;
    t.diagnostic(`seed ${seed}`);
    const socket = dgram.createSocket('udp4');
    let replies = 0;
    socket.on('message', () => replies++);
    await new Promise<void>((r) => socket.bind(0, '127.0.0.1', () => r()));
    // A plain query after every batch, from a socket of its own: the stream is
    // paced by the server's answers to it, so what is measured is whether the
    // server keeps answering, not how fast this machine drains a socket buffer.
    const canary = dgram.createSocket('udp4');
    await new Promise<void>((r) => canary.bind(0, '127.0.0.1', () => r()));
    const canaryAnswer = () => new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => { canary.off('message', got); resolve(false); }, 1000);
      const got = () => { clearTimeout(timer); resolve(true); };
      canary.once('message', got);
      canary.send(makeQuery('corp.example', Packet.TYPE.MX), rotor.port, rotor.host);
    });
    const datagrams = hostileDatagrams(DATAGRAMS, seed);
    let batches = 0;
    let answered = 0;
    for (let i = 0; i < datagrams.length; i += 25) {
      for (const d of datagrams.slice(i, i + 25)) socket.send(d, rotor.port, rotor.host);
      batches++;
      if (await canaryAnswer()) answered++;
    }

    const sessions = fc.sample(tcpSession, { numRuns: CONNECTIONS, seed });
    for (let i = 0; i < sessions.length; i += 20) await Promise.all(sessions.slice(i, i + 20).map((s) => runSession(rotor, s)));
    socket.close();
    canary.close();
    t.diagnostic(`${replies} replies to ${DATAGRAMS} datagrams; ${answered} of ${batches} plain queries between them answered`);

    assert.equal(rotor.process.exitCode, null, 'still running');
    assert.ok(answered >= batches * 0.95, `answering throughout: ${answered} of ${batches}`);
    assert.equal((await query(rotor, 'corp.example', 'MX')).answer.length, 5);
    assert.equal((await query(rotor, 'corp.example', 'MX', { tcp: true })).answer.length, 5);
    const errors = rotor.logs.filter((l) => l.level >= 50);
    assert.deepEqual(errors.map((l) => l.msg), [], 'no internal error logged');
  });
});

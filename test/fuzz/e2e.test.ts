// The mutated stream thrown at the running process: thousands of hostile
// datagrams, and TCP connections whose length prefixes lie, split at random.
// Afterwards it must still be running, answer dig over UDP and TCP, and have
// logged no internal error.
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { query, startRotor, type Rotor } from '../e2e/harness.js';
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
    const datagrams = hostileDatagrams(DATAGRAMS, seed);
    for (let i = 0; i < datagrams.length; i += 25) {
      for (const d of datagrams.slice(i, i + 25)) socket.send(d, rotor.port, rotor.host);
      await new Promise((r) => setTimeout(r, 3));
    }

    const sessions = fc.sample(tcpSession, { numRuns: CONNECTIONS, seed });
    for (let i = 0; i < sessions.length; i += 20) await Promise.all(sessions.slice(i, i + 20).map((s) => runSession(rotor, s)));
    await new Promise((r) => setTimeout(r, 200));
    socket.close();
    t.diagnostic(`${replies} replies to ${DATAGRAMS} datagrams`);

    assert.equal(rotor.process.exitCode, null, 'still running');
    assert.ok(replies > DATAGRAMS / 2, 'answering throughout');
    assert.equal((await query(rotor, 'corp.example', 'MX')).answer.length, 5);
    assert.equal((await query(rotor, 'corp.example', 'MX', { tcp: true })).answer.length, 5);
    const errors = rotor.logs.filter((l) => l.level >= 50);
    assert.deepEqual(errors.map((l) => l.msg), [], 'no internal error logged');
  });
});

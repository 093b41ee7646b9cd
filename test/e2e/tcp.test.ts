// DNS over TCP (RFC 7766): pipelined queries on one connection, length prefixes
// split across segments, idle connections closed.
import assert from 'node:assert/strict';
import net from 'node:net';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FIXTURE, startRotor, tempDir, type Rotor } from './harness.js';
import { decode, frame, makeQuery, Packet, tcpExchange } from './raw.js';

describe('TCP', () => {
  let rotor: Rotor;
  before(async () => {
    const dir = await tempDir();
    const config = join(dir, 'rotor.yaml');
    await writeFile(config, 'tcp-idle-timeout: 1\n');
    rotor = await startRotor(FIXTURE, ['--config', config]);
  });
  after(async () => { await rotor.stop(); });

  it('answers several pipelined queries on one connection, in order', async () => {
    const names = ['www.example.test', 'mail.example.test', 'ns1.example.test', 'nothere.example.test'];
    const payload = Buffer.concat(names.map((n, i) => frame(makeQuery(n, Packet.TYPE.A, 1000 + i))));
    const replies = (await tcpExchange(rotor, [payload], names.length)).map(decode);
    assert.deepEqual(replies.map((r) => r.header.id), [1000, 1001, 1002, 1003]);
    assert.deepEqual(replies.map((r) => r.header.rcode), [0, 0, 0, 3]);
    assert.equal(replies[0]!.answers[0]!.address, '192.0.2.80');
  });

  it('reassembles a query whose length prefix and body arrive in pieces', async () => {
    const whole = Buffer.concat([frame(makeQuery('www.example.test', Packet.TYPE.A, 7)), frame(makeQuery('mail.example.test', Packet.TYPE.AAAA, 8))]);
    const pieces = [...whole].map((b) => Buffer.from([b]));
    const replies = (await tcpExchange(rotor, pieces, 2, 1, 5000)).map(decode);
    assert.deepEqual(replies.map((r) => r.header.id), [7, 8]);
    assert.equal(replies[1]!.answers[0]!.address, '2001:db8::25');
  });

  it('closes a connection that stays idle past tcp-idle-timeout', async () => {
    const socket = net.connect(rotor.port, rotor.host);
    const started = Date.now();
    await new Promise<void>((resolve) => socket.on('close', () => resolve()));
    const elapsed = Date.now() - started;
    assert.ok(elapsed >= 900 && elapsed < 3000, `closed after ${elapsed} ms`);
  });
});

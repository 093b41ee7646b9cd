// What anyone on the internet can send, against the real server: a datagram
// from source port 0 (a reply to it cannot even be addressed, and sending one
// threw out of the handler), the same as a question to forward, and a flood of
// unsigned NOTIFY, refused transfers and bad TSIG from one spoofable sender,
// whose log lines must not grow with the flood.
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Name } from '../../src/wire/name.js';
import { sign } from '../../src/wire/tsig.js';
import { answerWith, fakeUpstreams } from '../resolver/fake-upstream.js';
import { query, REPO, startRotor, tempDir, type LogLine, type Rotor } from './harness.js';
import { makeQuery, Packet, sendFromPortZero } from './raw.js';

const DROPPED = 'dropped a datagram from source port 0';

async function withConfig(lines: string[]): Promise<string> {
  const config = join(await tempDir(), 'rotor.yaml');
  await writeFile(config, lines.join('\n') + '\n');
  return config;
}

/** The server answers a real dig over UDP and has not exited. */
async function stillServing(rotor: Rotor): Promise<void> {
  const r = await query(rotor, 'corp.example', 'SOA');
  assert.equal(r.status, 'NOERROR', r.raw);
  assert.equal(rotor.process.exitCode, null, 'the server is still running');
}

describe('a datagram from source port 0', () => {
  const servers: Rotor[] = [];
  const start = async (args: string[] = []) => {
    const rotor = await startRotor(join(REPO, 'zones'), args);
    servers.push(rotor);
    return rotor;
  };
  const upstream = fakeUpstreams();
  after(() => Promise.all(servers.map((s) => s.stop())));

  it('is dropped, and the server goes on answering', async () => {
    const rotor = await start();
    await sendFromPortZero(rotor, makeQuery('corp.example', Packet.TYPE.SOA));
    await rotor.waitForLog((l) => l.msg === DROPPED);
    await stillServing(rotor);
  });

  it('is dropped before it is forwarded, and the server goes on answering', async () => {
    const fake = await upstream((q) => [answerWith(q, ['192.0.2.80'])]);
    const config = await withConfig([
      'forward:',
      `  upstreams: [127.0.0.1:${fake.address.port}]`,
      '  allow-recursion: [127.0.0.1/32]',
      '  timeout-ms: 500',
    ]);
    const rotor = await start(['--config', config]);
    const recursive = makeQuery('www.upstream.test', Packet.TYPE.A);
    recursive.writeUInt16BE(recursive.readUInt16BE(2) | 0x0100, 2); // RD
    await sendFromPortZero(rotor, recursive);
    await rotor.waitForLog((l) => l.msg === DROPPED);
    assert.equal(fake.seen.length, 0, 'nothing was asked upstream for it');
    await stillServing(rotor);
    const forwarded = await query(rotor, 'www.upstream.test', 'A', { options: ['+rec'] });
    assert.deepEqual([forwarded.status, forwarded.answer.map((a) => a.data)], ['NOERROR', ['192.0.2.80']], forwarded.raw);
  });
});

describe('SIGHUP after the zone directory was removed', () => {
  let rotor: Rotor;
  after(() => rotor?.stop());

  it('is logged, and the server goes on answering', async () => {
    rotor = await startRotor({ 'corp.example.yaml': await readFile(join(REPO, 'zones', 'corp.example.yaml'), 'utf8') });
    await rm(rotor.dir, { recursive: true });
    const first = rotor.logs.length;
    rotor.process.kill('SIGHUP');
    // Whatever the reload makes of it, it says so at error level (pino's 50) and the process lives on.
    await rotor.waitForLog((l) => rotor.logs.indexOf(l) >= first && l.level >= 50);
    // The directory watch may have seen the file go and stopped serving its zone: then that is refused.
    const r = await query(rotor, 'corp.example', 'SOA');
    assert.ok(['NOERROR', 'REFUSED'].includes(r.status), r.raw);
    assert.equal(rotor.process.exitCode, null, 'the server is still running');
  });
});

describe('a flood of unsigned NOTIFY, refused transfers and bad TSIG from one sender', () => {
  const FLOOD_MS = 3000;
  const SECRET = 'cm90b3ItdGVzdC1rZXktbm90LWEtcmVhbC1zZWNyZXQ='; // an obvious test key
  // What is logged for each, one kind of event apiece.
  const KINDS: Record<string, (l: LogLine) => boolean> = {
    notify: (l) => l.msg === 'NOTIFY received',
    refused: (l) => /^transfer refused: not signed/.test(l.msg),
    tsig: (l) => l.msg === 'TSIG verification failed: bad signature',
  };
  let rotor: Rotor;
  before(async () => {
    const config = await withConfig([
      'keys:',
      `  transfer-key: { algorithm: hmac-sha256, secret: "${SECRET}" }`,
      'allow-transfer: [127.0.0.1]',
      'transfer-key: transfer-key',
    ]);
    rotor = await startRotor(join(REPO, 'zones'), ['--config', config]);
  });
  after(() => rotor?.stop());

  it('logs a few lines a second per kind, each carrying how many were suppressed', async () => {
    const notify = makeQuery('corp.example', Packet.TYPE.SOA, 1);
    notify.writeUInt16BE(4 << 11, 2); // opcode NOTIFY
    const ixfr = makeQuery('corp.example', 251, 2); // IXFR over UDP, unsigned: refused
    const wrongKey = { name: Name.parse('transfer-key.'), algorithm: 'hmac-sha256' as const, secret: Buffer.from('not the secret at all') };
    const badTsig = sign(makeQuery('corp.example', Packet.TYPE.SOA, 3), { key: wrongKey }).message;

    const socket = dgram.createSocket('udp4');
    const first = rotor.logs.length;
    const started = performance.now();
    let sent = 0;
    while (performance.now() - started < FLOOD_MS) {
      for (let i = 0; i < 20; i++) for (const m of [notify, ixfr, badTsig]) socket.send(m, rotor.port, rotor.host);
      sent += 60;
      await new Promise((r) => setTimeout(r, 5));
    }
    // Every kind comes back with a count of what was left out, or the flood was never seen.
    for (const [kind, match] of Object.entries(KINDS)) {
      await rotor.waitForLog((l) => rotor.logs.indexOf(l) >= first && match(l) && Number(l.suppressed) > 0, 5000)
        .catch((e: Error) => assert.fail(`${kind}: ${e.message.slice(0, 300)}`));
    }
    socket.close();
    const seconds = (performance.now() - started) / 1000;
    const since = rotor.logs.slice(first);
    for (const [kind, match] of Object.entries(KINDS)) {
      const lines = since.filter(match);
      assert.ok(lines.length <= Math.ceil(seconds) + 1, `${kind}: ${lines.length} lines in ${seconds.toFixed(1)} s for ${sent / 3} packets`);
    }
    assert.ok(since.length < 10 * seconds, `${since.length} lines in all`);
    await stillServing(rotor);
  });
});

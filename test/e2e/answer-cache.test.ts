// A flood of random names under a wildcard of sixteen 200-octet TXT records,
// each name asked several times over UDP, against the real server: the answer
// memo is held to its byte cap and keeps nothing of the TCP-sized answers that
// UDP clients only get truncated, so the process grows by far less than the
// issue's bound of +200 MB (the memo capped in entries, keeping TCP-sized
// answers, grew it by some 400 MB in this test).
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { after, before, describe, it } from 'node:test';
import { MEASURED_NODE_ARGS, rssMb, startRotor, type Rotor } from './harness.js';
import { decode, makeQuery, Packet, udpExchange } from './raw.js';

const ZONE = `'':
  - type: SOA
    value: { mname: ns1.flood.test., rname: hostmaster.flood.test., serial: 1, refresh: 7200, retry: 900, expire: 1209600, minimum: 600 }
  - type: NS
    value: ns1.flood.test.
ns1:
  type: A
  value: 192.0.2.1
'*.w':
  type: TXT
  values:
${Array.from({ length: 16 }, (_, i) => `    - ${String(i).padStart(3, '0')}${'x'.repeat(197)}`).join('\n')}
`;

/** Not a multiple of 16, so that each round meets the wildcard's records at other turns. */
const NAMES = 12_001;
const ROUNDS = 8;
const IN_FLIGHT = 64;
const LIMIT_MB = 200;

/** A query with EDNS (1232 octets): the answer (3.4 KB) comes back truncated. */
function query(name: string, id: number): Buffer {
  const opt = Buffer.from([0, 0, 41, 0x04, 0xd0, 0, 0, 0, 0, 0, 0]);
  const q = makeQuery(name, Packet.TYPE.TXT, id);
  q.writeUInt16BE(1, 10);
  return Buffer.concat([q, opt]);
}

/**
 * Sends every query, at most IN_FLIGHT unanswered at a time (a lost one is
 * given up after a quiet spell), and resolves with the number answered.
 */
function flood(rotor: Rotor, queries: Generator<Buffer>): Promise<number> {
  const socket = dgram.createSocket('udp4');
  let answered = 0;
  let done = false;
  return new Promise((resolve) => {
    let quiet: NodeJS.Timeout;
    const sendNext = () => {
      const next = queries.next();
      if (next.done) {
        done = true;
        return;
      }
      socket.send(next.value, rotor.port, rotor.host);
    };
    const refill = () => {
      clearTimeout(quiet);
      if (done) {
        quiet = setTimeout(() => { socket.close(); resolve(answered); }, 500);
        return;
      }
      quiet = setTimeout(() => { for (let i = 0; i < IN_FLIGHT; i++) sendNext(); refill(); }, 200);
    };
    socket.on('message', () => {
      answered++;
      sendNext();
      refill();
    });
    socket.bind(0, '127.0.0.1', () => {
      for (let i = 0; i < IN_FLIGHT; i++) sendNext();
      refill();
    });
  });
}

describe('random names under a wildcard of large TXT records, over UDP', () => {
  let rotor: Rotor;
  before(async () => { rotor = await startRotor({ 'flood.test.yaml': ZONE }, [], MEASURED_NODE_ARGS); });
  after(async () => { await rotor.stop(); });

  it(`keep the server's growth under ${LIMIT_MB} MB`, { timeout: 150_000 }, async (t) => {
    const pid = rotor.process.pid!;
    // What the flood gets: the answer does not fit, so it comes back truncated.
    const warm = decode((await udpExchange(rotor, query('warm.w.flood.test', 1), 2000))!);
    assert.equal(warm.header.tc, 1);
    const start = await rssMb(pid);
    const salt = Math.random().toString(36).slice(2, 8);
    let id = 0;
    const queries = function* () {
      for (let round = 0; round < ROUNDS; round++) {
        for (let i = 0; i < NAMES; i++) yield query(`n${i}-${salt}.w.flood.test`, id++ & 0xffff);
      }
    };
    const t0 = performance.now();
    const answered = await flood(rotor, queries());
    const grown = (await rssMb(pid)) - start;
    t.diagnostic(`${answered} of ${NAMES * ROUNDS} queries answered in ${((performance.now() - t0) / 1000).toFixed(1)} s; RSS ${start.toFixed(0)} MB, grew by ${grown.toFixed(0)} MB`);
    assert.ok(answered >= NAMES * ROUNDS * 0.9, `only ${answered} of ${NAMES * ROUNDS} answered: the flood did not reach the server`);
    assert.equal(rotor.process.exitCode, null);
    assert.ok(grown < LIMIT_MB, `RSS grew by ${grown.toFixed(0)} MB`);
  });
});

// Workers killed under load on the native transport: each worker reads its
// own socket on the shared port (SO_REUSEPORT), so a worker's death loses only
// the queries in its socket and in its hands at that moment, and the kernel
// hands the others to the workers still alive, then to the replacement.
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { nativeUdp } from '../../src/net/native-udp.js';
import { REPO, startRotor, STARTUP_MS, type LogLine, type Rotor } from './harness.js';
import { makeQuery, Packet } from './raw.js';

const CORP = await readFile(join(REPO, 'zones', 'corp.example.yaml'), 'utf8');
/** Clients asking at once, one query each outstanding: no more than this many queries are in flight. */
const CLIENTS = 8;
/** Longer than any answer takes on a loaded machine: a query unanswered by then is lost. */
const LOST_AFTER_MS = 2000;

interface Load {
  sent: number;
  answered: number;
  lost: number;
  stop(): Promise<void>;
}

/** CLIENTS sockets (so, source ports the kernel spreads over the workers), each asking again as soon as it is answered. */
function load(rotor: Rotor): Load {
  const state = { sent: 0, answered: 0, lost: 0 };
  let running = true;
  const clients = Array.from({ length: CLIENTS }, async (_, c) => {
    const socket = dgram.createSocket('udp4');
    await new Promise<void>((r) => socket.bind(0, '127.0.0.1', () => r()));
    let id = 0;
    while (running) {
      id = (id + 1) & 0xffff;
      const want = id;
      const answered = new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => { socket.off('message', onMessage); resolve(false); }, LOST_AFTER_MS);
        function onMessage(reply: Buffer): void {
          if (reply.readUInt16BE(0) !== want) return;
          clearTimeout(timer);
          socket.off('message', onMessage);
          resolve(true);
        }
        socket.on('message', onMessage);
      });
      socket.send(makeQuery(`mx${1 + (c % 3)}.corp.example`, Packet.TYPE.A, want), rotor.port, rotor.host);
      state.sent++;
      if (await answered) state.answered++;
      else state.lost++;
    }
    socket.close();
  });
  return Object.assign(state, {
    async stop() {
      running = false;
      await Promise.all(clients);
    },
  });
}

async function waitFor(what: string, check: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`no ${what} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const queriesBy = (rotor: Rotor, worker: unknown): number => rotor.logs.filter((l: LogLine) => l.msg === 'query' && l.proto === 'udp' && l.worker === worker).length;

describe('rotor serve --workers on the native transport', { skip: 'addon' in nativeUdp() ? false : 'the native UDP module is not built' }, () => {
  it('loses no query but those in flight when workers are killed and replaced under load', async (t) => {
    const rotor = await startRotor({ 'corp.example.yaml': CORP }, ['--workers', '2', '--transport', 'native', '--query-log', '0.05']);
    const traffic = load(rotor);
    try {
      const ready = await rotor.waitForLog((l) => l.msg === 'workers ready', STARTUP_MS);
      assert.equal(rotor.logs.find((l) => l.msg === 'listening on UDP and TCP')?.udpTransport, 'native');
      const workers = new Map<number, unknown>();
      const workerOf = (pid: number) => rotor.logs.find((l) => l.msg === 'worker started' && l.pid === pid)?.worker;
      let pids = ready.pids as number[];
      await waitFor('answers', () => traffic.answered > 500);

      for (let kill = 0; kill < 2; kill++) {
        // Each worker reads its own socket: both answer UDP queries.
        for (const pid of pids) workers.set(pid, workerOf(pid));
        await waitFor('UDP answers from every worker', () => pids.every((pid) => queriesBy(rotor, workers.get(pid)) > 0));
        const victim = pids[kill % pids.length]!;
        process.kill(victim, 'SIGKILL');
        const replaced = await rotor.waitForLog((l) => l.msg === 'worker ready' && !pids.includes(l.pid as number) && !workers.has(l.pid as number), STARTUP_MS);
        pids = [...pids.filter((p) => p !== victim), replaced.pid as number];
        const before = traffic.answered;
        await waitFor('answers after the replacement', () => traffic.answered > before + 500);
      }
      for (const pid of pids) workers.set(pid, workerOf(pid));
      await waitFor('UDP answers from the replacement', () => pids.every((pid) => queriesBy(rotor, workers.get(pid)) > 0));
    } finally {
      await traffic.stop();
      assert.equal(await rotor.stop(), 0);
    }
    t.diagnostic(`${traffic.sent} sent, ${traffic.answered} answered, ${traffic.lost} lost over two kills`);
    assert.ok(traffic.answered > 1000, `${traffic.answered} answered`);
    // Two kills, each with at most CLIENTS queries in flight.
    assert.ok(traffic.lost <= 2 * CLIENTS, `${traffic.lost} of ${traffic.sent} queries lost`);
  });
});

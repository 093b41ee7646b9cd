// The hostile stream as it goes over the network, shared by the e2e fuzz test
// and the soak: mutated datagrams, and TCP sessions whose length prefixes lie.
import { readFile } from 'node:fs/promises';
import net from 'node:net';
import { join } from 'node:path';
import fc from 'fast-check';
import { FIXTURE, REPO } from '../e2e/harness.js';
import { build, frameHostile, framing, hostileCase } from './mutate.js';

/** The most an IPv4 UDP datagram can carry: a 65535-octet case goes out cut to this. */
export const UDP_MAX = 65507;

/** The zones the seeds ask about: the example mail domain and the answer fixture. */
export async function fuzzZones(): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  for (const [dir, name] of [[join(REPO, 'zones'), 'corp.example.yaml'], [FIXTURE, 'example.test.yaml'], [FIXTURE, 'child.example.test.yaml']] as const) {
    files[name] = await readFile(join(dir, name), 'utf8');
  }
  return files;
}

/** Mutated datagrams, reproducible from the seed. */
export function hostileDatagrams(count: number, seed: number): Buffer[] {
  return fc.sample(hostileCase, { numRuns: count, seed }).map((c) => build(c).subarray(0, UDP_MAX));
}

/** One connection: the frames written in pieces, then a half-close, a reset, or nothing (left to the timeouts). */
export const tcpSession = fc.record({
  frames: fc.array(fc.tuple(hostileCase, framing), { minLength: 1, maxLength: 4 }),
  cuts: fc.array(fc.nat(), { maxLength: 3 }),
  ending: fc.constantFrom('end' as const, 'destroy' as const, 'leave' as const),
});

export type TcpSession = typeof tcpSession extends fc.Arbitrary<infer T> ? T : never;

/** Plays one session; resolves when the connection is gone, or cuts it after `maxMs`. */
export function runSession(server: { host: string; port: number }, session: TcpSession, maxMs = 500): Promise<void> {
  const stream = Buffer.concat(session.frames.map(([c, f]) => frameHostile(build(c), f)));
  const cuts = [...new Set(session.cuts.map((c) => c % (stream.length + 1)))].sort((a, b) => a - b);
  return new Promise((resolve) => {
    const socket = net.connect(server.port, server.host);
    const done = setTimeout(() => socket.destroy(), maxMs);
    socket.on('error', () => {});
    socket.on('data', () => {});
    socket.on('close', () => { clearTimeout(done); resolve(); });
    socket.on('connect', () => {
      let from = 0;
      for (const at of [...cuts, stream.length]) {
        socket.write(stream.subarray(from, at));
        from = at;
      }
      if (session.ending === 'end') socket.end();
      else if (session.ending === 'destroy') socket.destroy();
    });
  });
}

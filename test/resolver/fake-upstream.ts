// A scripted upstream on 127.0.0.1 for the forwarder's tests: UDP and TCP on
// one port, each query decoded with dns2 and answered as the test says.
import dgram from 'node:dgram';
import net from 'node:net';
import { after } from 'node:test';
import { frame } from '../../src/net/tcp.js';
import type { ListenAddress } from '../../src/net/address.js';
import { Packet } from '../e2e/raw.js';

export type DnsPacket = ReturnType<typeof Packet.parse>;

export interface Seen {
  packet: DnsPacket;
  transport: 'udp' | 'tcp';
  port: number;
}

/** What to send back: packets (in order), or nothing. */
export type Script = (query: DnsPacket, transport: 'udp' | 'tcp') => Buffer[] | Promise<Buffer[]>;

export interface FakeUpstream {
  address: ListenAddress;
  seen: Seen[];
  /** Sends from another socket: what a forger off the path can do. */
  spoof(packet: Buffer, to: number): void;
  close(): Promise<void>;
}

/** The reply to `query` with A records for its name; `edit` changes it before encoding. */
export function answerWith(query: DnsPacket, addresses: string[], edit: (p: DnsPacket) => void = () => {}): Buffer {
  const r = new Packet();
  r.header = { ...query.header, qr: 1, ra: 1, arcount: 0 } as typeof r.header;
  r.questions = query.questions;
  for (const address of addresses) r.answers.push({ name: query.questions[0]!.name, type: Packet.TYPE.A, class: 1, ttl: 60, address } as never);
  edit(r);
  return r.toBuffer();
}

export async function fakeUpstream(script: Script): Promise<FakeUpstream> {
  const seen: Seen[] = [];
  const forger = dgram.createSocket('udp4');
  const onUdp = (udp: dgram.Socket) => udp.on('message', async (msg, from) => {
    const packet = Packet.parse(msg);
    seen.push({ packet, transport: 'udp', port: from.port });
    for (const out of await script(packet, 'udp')) udp.send(out, from.port, from.address);
  });
  const tcp = net.createServer((socket) => {
    socket.on('error', () => {});
    let pending = Buffer.alloc(0);
    socket.on('data', async (chunk) => {
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= 2 && pending.length >= 2 + pending.readUInt16BE(0)) {
        const packet = Packet.parse(pending.subarray(2, 2 + pending.readUInt16BE(0)));
        pending = pending.subarray(2 + pending.readUInt16BE(0));
        seen.push({ packet, transport: 'tcp', port: socket.remotePort ?? 0 });
        for (const out of await script(packet, 'tcp')) socket.write(frame(out));
      }
    });
  });
  // UDP takes a free port and TCP follows it; another process may hold that TCP port, so try again.
  let udp: dgram.Socket | undefined;
  let port = 0;
  for (let attempt = 0; !udp; attempt++) {
    const candidate = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => candidate.bind(0, '127.0.0.1', resolve));
    port = candidate.address().port;
    const listening = await new Promise<boolean>((resolve) => {
      tcp.once('error', () => resolve(false));
      tcp.listen(port, '127.0.0.1', () => resolve(true));
    });
    if (listening) {
      tcp.removeAllListeners('error');
      udp = onUdp(candidate);
    } else {
      candidate.close();
      if (attempt >= 20) throw new Error('no port free for both UDP and TCP');
    }
  }
  return {
    address: { host: '127.0.0.1', port, family: 4 },
    seen,
    spoof: (packet, to) => forger.send(packet, to, '127.0.0.1'),
    async close() {
      udp!.close();
      forger.close();
      await new Promise((resolve) => tcp.close(resolve));
    },
  };
}

/** A starter of fake upstreams that are all closed when the suite ends; call it inside describe(). */
export function fakeUpstreams(): (script: Script) => Promise<FakeUpstream> {
  const started: FakeUpstream[] = [];
  after(() => Promise.all(started.map((u) => u.close())));
  return async (script) => {
    const u = await fakeUpstream(script);
    started.push(u);
    return u;
  };
}

// Hand-made messages over UDP and TCP for what dig will not send, with the
// replies decoded by dns2: a second, independent implementation of the format.
import { execFile } from 'node:child_process';
import dgram from 'node:dgram';
import net from 'node:net';
import { promisify } from 'node:util';
import dns2 from 'dns2';

export const { Packet } = dns2;

export interface Server {
  host: string;
  port: number;
}

/** A query built with dns2, so the bytes do not come from our own encoder. */
export function makeQuery(name: string, type: number, id = 4242, klass: number = Packet.CLASS.IN): Buffer {
  const q = new Packet();
  q.header.id = id;
  q.questions.push(Object.assign(new Packet.Question(), { name, type, class: klass }));
  return q.toBuffer();
}

/** Sends one datagram; resolves with the reply, or undefined when none comes in `timeoutMs`. */
export function udpExchange(server: Server, msg: Buffer, timeoutMs = 500): Promise<Buffer | undefined> {
  const socket = dgram.createSocket('udp4');
  return new Promise((resolve) => {
    const timer = setTimeout(() => { socket.close(); resolve(undefined); }, timeoutMs);
    socket.on('message', (reply) => { clearTimeout(timer); socket.close(); resolve(reply); });
    socket.send(msg, server.port, server.host);
  });
}

// IPv4 and UDP headers written by hand (no UDP checksum, which IPv4 allows);
// the kernel fills in the IP checksum and total length. It sends `count`
// copies, `per_second` of them a second, and prints how many it sent.
const PORT_ZERO_SENDER = `
import socket, struct, sys, time
host, port, payload = sys.argv[1], int(sys.argv[2]), bytes.fromhex(sys.argv[3])
count, per_second = int(sys.argv[4]), float(sys.argv[5])
udp = struct.pack('!HHHH', 0, port, 8 + len(payload), 0)
ip = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(udp) + len(payload), 0, 0, 64, socket.IPPROTO_UDP, 0,
                 socket.inet_aton('127.0.0.1'), socket.inet_aton(host))
s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
s.setsockopt(socket.IPPROTO_IP, socket.IP_HDRINCL, 1)
start = time.monotonic()
for i in range(count):
    wait = start + i / per_second - time.monotonic()
    if wait > 0: time.sleep(wait)
    s.sendto(ip + udp + payload, (host, 0))
print(count)
`;

/**
 * Sends `msg` from 127.0.0.1 port 0 to an IPv4 loopback server, through a raw
 * socket (root only): no UDP socket API can send from port 0, but a forger can.
 * `count` copies at `perSecond`; resolves with the number sent.
 */
export async function sendFromPortZero(server: Server, msg: Buffer, count = 1, perSecond = 1000): Promise<number> {
  const args = ['-c', PORT_ZERO_SENDER, server.host, String(server.port), msg.toString('hex'), String(count), String(perSecond)];
  const { stdout } = await promisify(execFile)('python3', args, { timeout: 10_000 + (count / perSecond) * 1000 });
  return Number(stdout.trim());
}

export function frame(msg: Buffer): Buffer {
  const len = Buffer.alloc(2);
  len.writeUInt16BE(msg.length);
  return Buffer.concat([len, msg]);
}

/**
 * Writes `chunks` to one TCP connection (pausing `gapMs` between them) and
 * collects `expected` length-prefixed replies.
 */
export function tcpExchange(server: Server, chunks: Buffer[], expected: number, gapMs = 0, timeoutMs = 3000): Promise<Buffer[]> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(server.port, server.host);
    const replies: Buffer[] = [];
    let pending = Buffer.alloc(0);
    const timer = setTimeout(() => { socket.destroy(); reject(new Error(`got ${replies.length} of ${expected} replies`)); }, timeoutMs);
    socket.on('data', (d) => {
      pending = Buffer.concat([pending, d]);
      while (pending.length >= 2 && pending.length >= 2 + pending.readUInt16BE(0)) {
        replies.push(pending.subarray(2, 2 + pending.readUInt16BE(0)));
        pending = pending.subarray(2 + pending.readUInt16BE(0));
      }
      if (replies.length >= expected) { clearTimeout(timer); socket.end(); resolve(replies); }
    });
    socket.on('error', reject);
    socket.on('connect', async () => {
      for (const c of chunks) {
        socket.write(c);
        if (gapMs) await new Promise((r) => setTimeout(r, gapMs));
      }
    });
  });
}

export function decode(buf: Buffer): ReturnType<typeof Packet.parse> {
  return Packet.parse(buf);
}

/** A TCP connection from a chosen loopback address, once it is established. */
export function connectFrom(server: Server, localAddress = '127.0.0.1'): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ port: server.port, host: server.host, localAddress });
    s.once('connect', () => resolve(s));
    s.once('error', reject);
  });
}

/** Everything the server sends on a connection until it is closed, and how long after the call that was. */
export function untilClosed(socket: net.Socket): Promise<{ data: Buffer; ms: number }> {
  const started = performance.now();
  const chunks: Buffer[] = [];
  socket.on('data', (d) => chunks.push(d));
  socket.on('error', () => {});
  return new Promise((resolve) => socket.once('close', () => resolve({ data: Buffer.concat(chunks), ms: performance.now() - started })));
}

/** Connects from `from`, sends one query and resolves with the milliseconds to its answer, or undefined if none comes in `timeoutMs`. */
export function askOverTcp(server: Server, from: string, query: Buffer, timeoutMs: number): Promise<number | undefined> {
  const started = performance.now();
  return new Promise((resolve) => {
    const socket = net.connect({ port: server.port, host: server.host, localAddress: from }, () => socket.write(frame(query)));
    let got = Buffer.alloc(0);
    const done = (ms: number | undefined) => { clearTimeout(timer); socket.destroy(); resolve(ms); };
    const timer = setTimeout(() => done(undefined), timeoutMs);
    socket.on('data', (d) => {
      got = Buffer.concat([got, d]);
      if (got.length >= 2 && got.length >= 2 + got.readUInt16BE(0)) done(performance.now() - started);
    });
    socket.on('error', () => {});
    socket.on('close', () => done(undefined));
  });
}

export interface HeldConnections {
  sockets: net.Socket[];
  /** performance.now() of each close, by either side. */
  closedAt: number[];
  /** Stops the queries; the connections stay open until the server closes them. */
  quiet(): void;
}

/**
 * `perAddress` connections from each of `addresses` (opened 50 at a time),
 * each sending `query(i)` every `everyMs`, spread over the interval, and
 * taking its answers: clients that hold a server's connection table.
 */
export async function holdConnections(server: Server, addresses: string[], perAddress: number, everyMs: number, query: (i: number) => Buffer): Promise<HeldConnections> {
  const sockets: net.Socket[] = [];
  for (const from of addresses) {
    for (let opened = 0; opened < perAddress; opened += 50) {
      sockets.push(...await Promise.all(Array.from({ length: Math.min(50, perAddress - opened) }, () => connectFrom(server, from))));
    }
  }
  const closedAt: number[] = [];
  const timers: NodeJS.Timeout[] = [];
  sockets.forEach((s, i) => {
    s.on('error', () => {});
    s.on('data', () => {});
    s.on('close', () => closedAt.push(performance.now()));
    const ask = () => { if (!s.destroyed) s.write(frame(query(i))); };
    timers.push(setTimeout(() => { ask(); timers.push(setInterval(ask, everyMs)); }, (i * 37) % everyMs));
  });
  return { sockets, closedAt, quiet: () => { for (const t of timers) clearInterval(t); } };
}

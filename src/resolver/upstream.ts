// One question to one upstream: over UDP, and again over TCP when the answer
// comes back truncated. Every query gets a random ID and its own socket, which
// the kernel binds to a random ephemeral port and connects to the upstream, so
// that only the upstream's datagrams reach it. A reply is taken only when it
// comes from the upstream's address and port and carries our ID and our
// question; anything else is ignored (and counted) while we keep waiting, so a
// forged reply has to guess both the ID and the port within the timeout.
import dgram from 'node:dgram';
import { randomInt } from 'node:crypto';
import net from 'node:net';
import { frame } from '../net/tcp.js';
import { formatHostPort, type ListenAddress } from '../net/address.js';
import { SERVER_UDP_SIZE } from '../wire/edns.js';
import { Flag, HEADER_LENGTH, opcodeOf } from '../wire/header.js';
import type { Name } from '../wire/name.js';
import { parseMessage, type Message } from '../message/message.js';
import { Opcode, RRClass, RRType } from '../wire/types.js';
import { MessageWriter } from '../wire/writer.js';

export class ExchangeError extends Error {}

export interface ExchangeOptions {
  timeoutMs: number;
  /** Called for each datagram that is not the reply we wait for. */
  onMismatch?: () => void;
}

const query = new MessageWriter(512, false);

/** A recursive query with EDNS (our UDP size, no DO: rotor passes on no DNSSEC records). */
export function encodeQuery(id: number, name: Name, type: number): Buffer {
  query.reset();
  query.u16(id);
  query.u16(Flag.RD);
  query.u16(1);
  query.u16(0);
  query.u16(0);
  query.u16(1);
  query.name(name, false);
  query.u16(type);
  query.u16(RRClass.IN);
  query.u8(0);
  query.u16(RRType.OPT);
  query.u16(SERVER_UDP_SIZE);
  query.u32(0);
  query.u16(0);
  return query.result();
}

/** Whether `msg` answers query `id` for name/type: a parsed message, or undefined when it does not. */
function replyTo(msg: Buffer, id: number, name: Name, type: number): Message | undefined {
  if (msg.length < HEADER_LENGTH || msg.readUInt16BE(0) !== id) return undefined;
  const flags = msg.readUInt16BE(2);
  if (!(flags & Flag.QR) || opcodeOf(flags) !== Opcode.QUERY) return undefined;
  let parsed: Message;
  try {
    parsed = parseMessage(msg);
  } catch {
    return undefined;
  }
  const q = parsed.question;
  if (!q || !q.name.equals(name) || q.type !== type || q.class !== RRClass.IN) return undefined;
  return parsed;
}

function overUdp(server: ListenAddress, name: Name, type: number, opts: ExchangeOptions): Promise<Message> {
  const id = randomInt(0x10000);
  const socket = dgram.createSocket(server.family === 6 ? 'udp6' : 'udp4');
  // A question in flight must not keep a stopping server alive.
  socket.unref();
  return new Promise<Message>((resolve, reject) => {
    const timer = setTimeout(() => reject(new ExchangeError(`no answer from ${formatHostPort(server)} within ${opts.timeoutMs} ms`)), opts.timeoutMs).unref();
    socket.on('error', (e: NodeJS.ErrnoException) => reject(new ExchangeError(`${formatHostPort(server)}: ${e.code ?? e.message}`)));
    socket.on('message', (msg, from) => {
      const reply = from.address === server.host && from.port === server.port ? replyTo(msg, id, name, type) : undefined;
      if (reply) resolve(reply);
      else opts.onMismatch?.();
    });
    socket.connect(server.port, server.host, () => {
      // The socket may be closed by now (the exchange timed out during the connect), and send() then throws.
      try {
        socket.send(encodeQuery(id, name, type));
      } catch (e) {
        reject(new ExchangeError(`${formatHostPort(server)}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`));
      }
    });
    socket.once('close', () => clearTimeout(timer));
  }).finally(() => socket.close());
}

function overTcp(server: ListenAddress, name: Name, type: number, opts: ExchangeOptions): Promise<Message> {
  const id = randomInt(0x10000);
  return new Promise<Message>((resolve, reject) => {
    const socket = net.connect({ host: server.host, port: server.port }).unref();
    const fail = (why: string) => {
      socket.destroy();
      reject(new ExchangeError(`${formatHostPort(server)} over TCP: ${why}`));
    };
    socket.setTimeout(opts.timeoutMs, () => fail(`no answer within ${opts.timeoutMs} ms`));
    socket.on('error', (e: NodeJS.ErrnoException) => fail(e.code ?? e.message));
    socket.on('end', () => fail('connection closed before the answer'));
    let pending = Buffer.alloc(0);
    socket.on('data', (chunk) => {
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= 2 && pending.length >= 2 + pending.readUInt16BE(0)) {
        const msg = pending.subarray(2, 2 + pending.readUInt16BE(0));
        pending = pending.subarray(2 + msg.length);
        const reply = replyTo(msg, id, name, type);
        if (!reply) {
          opts.onMismatch?.();
          continue;
        }
        socket.end();
        resolve(reply);
      }
    });
    socket.write(frame(encodeQuery(id, name, type)));
  });
}

/** Asks `server`; rejects with ExchangeError on timeouts and network errors. */
export async function exchange(server: ListenAddress, name: Name, type: number, opts: ExchangeOptions): Promise<{ message: Message; tcp: boolean }> {
  const message = await overUdp(server, name, type, opts);
  if (!(message.header.flags & Flag.TC)) return { message, tcp: false };
  return { message: await overTcp(server, name, type, opts), tcp: true };
}

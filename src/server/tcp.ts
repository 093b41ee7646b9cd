// DNS over TCP (RFC 7766): two-octet length prefixes, several queries per
// connection answered in order, prefixes split across segments reassembled,
// idle connections closed.
import net from 'node:net';
import type { ListenAddress } from './address.js';
import type { Reply, RequestContext } from './context.js';

export interface TcpOptions {
  idleTimeoutMs: number;
}

export type TcpHandler = (msg: Buffer, ctx: RequestContext) => Reply;

function frame(response: Buffer): Buffer {
  const out = Buffer.allocUnsafe(response.length + 2);
  out.writeUInt16BE(response.length, 0);
  response.copy(out, 2);
  return out;
}

function serveConnection(socket: net.Socket, handler: TcpHandler, opts: TcpOptions): void {
  const ctx: RequestContext = { transport: 'tcp', client: { address: socket.remoteAddress ?? '', port: socket.remotePort ?? 0 } };
  // RFC 7766 §6.2.1.1: answers that arrive later may go out of order.
  const sendLater = (response: Buffer | undefined) => {
    if (response && !socket.destroyed) socket.write(frame(response));
  };
  let pending = Buffer.alloc(0);
  socket.setNoDelay(true);
  socket.setTimeout(opts.idleTimeoutMs, () => socket.destroy());
  socket.on('error', () => socket.destroy());
  socket.on('data', (chunk) => {
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    const out: Buffer[] = [];
    while (pending.length >= 2) {
      const length = pending.readUInt16BE(0);
      if (pending.length < 2 + length) break;
      const msg = pending.subarray(2, 2 + length);
      pending = pending.subarray(2 + length);
      const reply = handler(msg, ctx);
      if (reply instanceof Promise) reply.then(sendLater, () => {});
      else if (reply) out.push(frame(reply));
    }
    if (out.length) socket.write(out.length === 1 ? out[0]! : Buffer.concat(out));
  });
  socket.on('end', () => socket.end());
}

export interface TcpListener {
  server: net.Server;
  /** Stops accepting and closes every open connection. */
  close(): Promise<void>;
}

export function bindTcp(addr: ListenAddress, handler: TcpHandler, opts: TcpOptions): Promise<TcpListener> {
  const open = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    open.add(socket);
    socket.on('close', () => open.delete(socket));
    serveConnection(socket, handler, opts);
  });
  const close = () => new Promise<void>((resolve) => {
    server.close(() => resolve());
    for (const s of open) s.destroy();
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port: addr.port, host: addr.host, ipv6Only: addr.family === 6 }, () => {
      server.off('error', reject);
      resolve({ server, close });
    });
  });
}

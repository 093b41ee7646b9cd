// DNS over TCP (RFC 7766): two-octet length prefixes, several queries per
// connection answered in order, prefixes split across segments reassembled,
// idle connections closed. Limits against clients that hold connections
// (RFC 7766 §6.2.2): connections in all and per address, a deadline for each
// query once its first octet is in, queries per connection.
import net from 'node:net';
import type { ListenAddress } from './address.js';
import type { Reply, RequestContext, Response } from './context.js';

export interface TcpOptions {
  idleTimeoutMs: number;
  /** Once a query's first octet is in, the rest must follow within this (slow-loris). */
  queryTimeoutMs: number;
  /** Queries one connection may send before it is closed; 0 for no limit. */
  maxQueries: number;
  /** Shared by every listener of a server. */
  connections: ConnectionTable;
}

export const TCP_DEFAULTS = { queryTimeoutMs: 5_000, maxQueries: 0, maxConnections: 1000, maxConnectionsPerClient: 100 };

/**
 * Open connections, in all and per client address. A connection over either
 * limit is closed as soon as it is accepted: a queue would only hold it open.
 */
export class ConnectionTable {
  private total = 0;
  private readonly perClient = new Map<string, number>();
  /** Connections closed for being over a limit, since the start. */
  refused = 0;

  constructor(readonly max: number, readonly maxPerClient: number) {}

  get open(): number {
    return this.total;
  }

  admit(address: string): boolean {
    const n = this.perClient.get(address) ?? 0;
    if (this.total >= this.max || n >= this.maxPerClient) {
      this.refused++;
      return false;
    }
    this.total++;
    this.perClient.set(address, n + 1);
    return true;
  }

  release(address: string): void {
    this.total--;
    const n = (this.perClient.get(address) ?? 1) - 1;
    if (n === 0) this.perClient.delete(address);
    else this.perClient.set(address, n);
  }
}

export type TcpHandler = (msg: Buffer, ctx: RequestContext) => Reply;

export function frame(response: Buffer): Buffer {
  const out = Buffer.allocUnsafe(response.length + 2);
  out.writeUInt16BE(response.length, 0);
  response.copy(out, 2);
  return out;
}

/** Serves one connection; the function it returns stops reading and closes it once the answers owed are out. */
function serveConnection(socket: net.Socket, handler: TcpHandler, opts: TcpOptions): () => void {
  const ctx: RequestContext = { transport: 'tcp', client: { address: socket.remoteAddress ?? '', port: socket.remotePort ?? 0 } };
  let pending = Buffer.alloc(0);
  let queries = 0;
  let owed = 0;
  let reading = true;
  let deadline: NodeJS.Timeout | undefined;
  const finish = () => {
    if (!reading && owed === 0 && !socket.destroyed) socket.end();
  };
  const stopReading = () => {
    reading = false;
    pending = Buffer.alloc(0);
    clearTimeout(deadline);
    finish();
  };
  // RFC 7766 §6.2.1.1: answers that arrive later may go out of order.
  const sendLater = (response: Response | undefined) => {
    owed--;
    if (response && !socket.destroyed) socket.write(Array.isArray(response) ? Buffer.concat(response.map(frame)) : frame(response));
    finish();
  };
  socket.setNoDelay(true);
  socket.setTimeout(opts.idleTimeoutMs, () => socket.destroy());
  socket.on('error', () => socket.destroy());
  socket.on('close', () => clearTimeout(deadline));
  socket.on('data', (chunk) => {
    if (!reading) return;
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    const out: Buffer[] = [];
    let completed = false;
    while (reading && pending.length >= 2) {
      const length = pending.readUInt16BE(0);
      if (pending.length < 2 + length) break;
      const msg = pending.subarray(2, 2 + length);
      pending = pending.subarray(2 + length);
      completed = true;
      const reply = handler(msg, ctx);
      if (reply instanceof Promise) {
        owed++;
        reply.then(sendLater, () => sendLater(undefined));
      } else if (Array.isArray(reply)) {
        out.push(...reply.map(frame));
      } else if (reply) {
        out.push(frame(reply));
      }
      if (++queries === opts.maxQueries) reading = false;
    }
    if (out.length) socket.write(out.length === 1 ? out[0]! : Buffer.concat(out));
    if (!reading) return stopReading();
    if (pending.length === 0) {
      clearTimeout(deadline);
      deadline = undefined;
    } else if (completed || !deadline) {
      // A new query has begun: it gets the whole deadline, however it trickles in.
      clearTimeout(deadline);
      deadline = setTimeout(() => socket.destroy(), opts.queryTimeoutMs);
    }
    // A client that sends and never reads gets no more buffered for it than one socket's worth.
    if (socket.writableNeedDrain && !socket.isPaused()) {
      socket.pause();
      socket.once('drain', () => socket.resume());
    }
  });
  // A client that half-closes still gets the answers it is owed.
  socket.on('end', stopReading);
  return stopReading;
}

export interface TcpListener {
  server: net.Server;
  /**
   * Stops accepting; open connections get the answers they are owed and are
   * closed, and whatever is still open after `graceMs` is cut.
   */
  close(graceMs?: number): Promise<void>;
}

export function bindTcp(addr: ListenAddress, handler: TcpHandler, opts: TcpOptions): Promise<TcpListener> {
  const open = new Map<net.Socket, () => void>();
  const server = net.createServer({ allowHalfOpen: true }, (socket) => {
    const client = socket.remoteAddress ?? '';
    if (!opts.connections.admit(client)) {
      socket.destroy();
      return;
    }
    open.set(socket, serveConnection(socket, handler, opts));
    socket.on('close', () => {
      open.delete(socket);
      opts.connections.release(client);
    });
  });
  const close = (graceMs = 2000) => new Promise<void>((resolve) => {
    const cut = setTimeout(() => { for (const s of open.keys()) s.destroy(); }, graceMs);
    server.close(() => {
      clearTimeout(cut);
      resolve();
    });
    for (const stop of open.values()) stop();
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port: addr.port, host: addr.host, ipv6Only: addr.family === 6 }, () => {
      server.off('error', reject);
      resolve({ server, close });
    });
  });
}

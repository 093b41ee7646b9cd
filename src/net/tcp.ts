// DNS over TCP (RFC 7766): two-octet length prefixes, several queries per
// connection answered in order, prefixes split across segments reassembled,
// idle connections closed. Limits against clients that hold connections
// (RFC 7766 §6.2.2): connections in all, per /24 or /56 and per address, a
// deadline for each query once its first octet is in, queries per connection,
// and answers a connection may leave unread before it is read no further.
import net from 'node:net';
import { netblock, type ListenAddress } from './address.js';
import type { Reply, RequestContext, Response } from './context.js';

export interface TcpOptions {
  /** The idle timeout when the table has room; under pressure it shrinks (ConnectionTable.idleTimeout). */
  idleTimeoutMs: number;
  /** Once a query's first octet is in, the rest must follow within this (slow-loris). */
  queryTimeoutMs: number;
  /** Queries one connection may send before it is closed; 0 for no limit. */
  maxQueries: number;
  /** Octets of answers written but not yet taken by the client past which no more of its queries are handled. */
  maxUnsentBytes: number;
  /** Shared by every listener of a server. */
  connections: ConnectionTable;
}

export const TCP_DEFAULTS = {
  queryTimeoutMs: 5_000,
  maxQueries: 0,
  maxConnections: 1000,
  maxConnectionsPerClient: 100,
  maxConnectionsPerNetblock: 250,
  maxUnsentBytes: 16 * 1024,
};

/** The netblock that shares a per-netblock limit. */
const NETBLOCK_BITS = { v4: 24, v6: 56 };

/** The shortest idle timeout pressure brings (NSD's figure), unless tcp-idle-timeout is shorter still. */
const MIN_IDLE_TIMEOUT_MS = 200;

export interface ConnectionLimits {
  max: number;
  perClient: number;
  perNetblock: number;
}

/** One open connection as the table sees it. */
export interface Slot {
  readonly address: string;
  readonly block: string;
  /** Closes the connection; the table has already let go of it. */
  readonly close: () => void;
  open: boolean;
}

/**
 * Open connections, in all, per netblock and per client address. A client at
 * its own limit is refused. When the table or the client's netblock is full,
 * the connection idle the longest in it is closed to make room (RFC 7766
 * §6.2.3), so that clients holding idle connections cannot lock anyone out;
 * the newcomer is refused only when every connection there is busy.
 */
export class ConnectionTable {
  private total = 0;
  private readonly perClient = new Map<string, number>();
  private readonly perBlock = new Map<string, number>();
  /** Idle connections, the longest idle first: a Set keeps the order they were added in. */
  private readonly idle = new Set<Slot>();
  /** Connections refused for being over a limit, since the start. */
  refused = 0;
  /** Idle connections closed to make room, since the start. */
  evicted = 0;

  constructor(readonly limits: ConnectionLimits) {}

  get open(): number {
    return this.total;
  }

  /** Takes a new connection, idle until it sends something; undefined when it must be refused. */
  admit(address: string, close: () => void): Slot | undefined {
    const block = netblock(address, NETBLOCK_BITS.v4, NETBLOCK_BITS.v6);
    const admitted = (this.perClient.get(address) ?? 0) < this.limits.perClient
      && ((this.perBlock.get(block) ?? 0) < this.limits.perNetblock || this.evict((s) => s.block === block))
      && (this.total < this.limits.max || this.evict(() => true));
    if (!admitted) {
      this.refused++;
      return undefined;
    }
    const slot: Slot = { address, block, close, open: true };
    this.total++;
    this.perClient.set(address, (this.perClient.get(address) ?? 0) + 1);
    this.perBlock.set(block, (this.perBlock.get(block) ?? 0) + 1);
    this.idle.add(slot);
    return slot;
  }

  /** Marks a connection idle (to the back of the line) or busy (out of reach of eviction). */
  setIdle(slot: Slot, idle: boolean): void {
    if (!slot.open) return;
    this.idle.delete(slot);
    if (idle) this.idle.add(slot);
  }

  release(slot: Slot): void {
    if (!slot.open) return;
    slot.open = false;
    this.idle.delete(slot);
    this.total--;
    decrement(this.perClient, slot.address);
    decrement(this.perBlock, slot.block);
  }

  /**
   * The idle timeout for a connection that goes idle now. Up to half full,
   * `ceilingMs` (tcp-idle-timeout); past that it shrinks in proportion to the
   * room left, to 200 ms when full (as NSD drops to 200 ms past half full, but
   * gradually, as Unbound does). Eviction keeps room for newcomers; this
   * returns the room to them without waiting for it.
   */
  idleTimeout(ceilingMs: number): number {
    const room = 1 - this.total / this.limits.max;
    if (room >= 0.5) return ceilingMs;
    return Math.min(ceilingMs, Math.max(MIN_IDLE_TIMEOUT_MS, Math.round(ceilingMs * room * 2)));
  }

  /** Closes the connection idle the longest among those `inScope`; false when none is idle. */
  private evict(inScope: (s: Slot) => boolean): boolean {
    for (const slot of this.idle) {
      if (!inScope(slot)) continue;
      this.release(slot);
      this.evicted++;
      slot.close();
      return true;
    }
    return false;
  }
}

function decrement(counts: Map<string, number>, key: string): void {
  const n = (counts.get(key) ?? 1) - 1;
  if (n === 0) counts.delete(key);
  else counts.set(key, n);
}

export type TcpHandler = (msg: Buffer, ctx: RequestContext) => Reply;

export function frame(response: Buffer): Buffer {
  const out = Buffer.allocUnsafe(response.length + 2);
  out.writeUInt16BE(response.length, 0);
  response.copy(out, 2);
  return out;
}

/** An answer (or the messages of a transfer) with their length prefixes, ready to write. */
function framed(response: Response): Buffer {
  return Array.isArray(response) ? Buffer.concat(response.map(frame)) : frame(response);
}

/**
 * Serves one connection; the function it returns stops reading and closes it
 * once the answers owed are out. Queries are handled one at a time from what
 * has come in, and a client that does not take its answers is read no
 * further: once more than maxUnsentBytes of answers wait in the socket, the
 * socket is paused with the rest of its input kept (at most one read more
 * than a query) until they are out.
 */
function serveConnection(socket: net.Socket, handler: TcpHandler, opts: TcpOptions, slot: Slot): () => void {
  const ctx: RequestContext = { transport: 'tcp', client: { address: socket.remoteAddress ?? '', port: socket.remotePort ?? 0 } };
  let pending = Buffer.alloc(0);
  let queries = 0;
  let owed = 0;
  let reading = true;
  /** Waiting for the client to take the answers written so far. */
  let blocked = false;
  /** No query in progress and no answer owed: the table may close it to make room. */
  let idle = true;
  let deadline: NodeJS.Timeout | undefined;
  const finish = () => {
    if (!reading && owed === 0 && !socket.destroyed) socket.end();
  };
  const stopReading = () => {
    reading = false;
    pending = Buffer.alloc(0);
    clearTimeout(deadline);
    finish();
    settle();
  };
  // Each new idle period (after a query, or after the last answer owed) goes
  // to the back of the table's line, with the idle timeout of the moment:
  // shorter when the table is fuller.
  const settle = (answered = false) => {
    const now = pending.length === 0 && owed === 0;
    if ((now === idle && !(now && answered)) || socket.destroyed) return;
    idle = now;
    opts.connections.setIdle(slot, idle);
    socket.setTimeout(idle ? opts.connections.idleTimeout(opts.idleTimeoutMs) : opts.idleTimeoutMs);
  };
  const unblock = () => {
    blocked = false;
    if (socket.destroyed) return;
    handleQueries();
    if (!blocked) socket.resume();
  };
  const send = (data: Buffer) => {
    if (socket.destroyed) return;
    if (blocked || socket.writableLength + data.length <= opts.maxUnsentBytes) {
      socket.write(data);
      return;
    }
    blocked = true;
    socket.pause();
    // Called once this answer (and all before it) is out.
    socket.write(data, unblock);
  };
  // RFC 7766 §6.2.1.1: answers that arrive later may go out of order.
  const sendLater = (response: Response | undefined) => {
    owed--;
    if (response) send(framed(response));
    finish();
    settle(true);
  };
  const handleQueries = () => {
    let completed = false;
    // Answers handled together go out in one write.
    socket.cork();
    while (reading && !blocked && pending.length >= 2) {
      const length = pending.readUInt16BE(0);
      if (pending.length < 2 + length) break;
      const msg = pending.subarray(2, 2 + length);
      pending = pending.subarray(2 + length);
      completed = true;
      const reply = handler(msg, ctx);
      if (reply instanceof Promise) {
        owed++;
        reply.then(sendLater, () => sendLater(undefined));
      } else if (reply) {
        send(framed(reply));
      }
      if (++queries === opts.maxQueries) reading = false;
    }
    socket.uncork();
    if (!reading) return stopReading();
    if (pending.length === 0 || blocked) {
      // While blocked, the client's pace is not the one to judge.
      clearTimeout(deadline);
      deadline = undefined;
    } else if (completed || !deadline) {
      // A new query has begun: it gets the whole deadline, however it trickles in.
      clearTimeout(deadline);
      deadline = setTimeout(() => socket.destroy(), opts.queryTimeoutMs);
    }
    settle(completed);
  };
  socket.setNoDelay(true);
  socket.setTimeout(opts.connections.idleTimeout(opts.idleTimeoutMs));
  socket.on('timeout', () => socket.destroy());
  socket.on('error', () => socket.destroy());
  socket.on('close', () => clearTimeout(deadline));
  socket.on('data', (chunk) => {
    if (!reading) return;
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    if (!blocked) handleQueries();
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
    const slot = opts.connections.admit(socket.remoteAddress ?? '', () => socket.destroy());
    if (!slot) {
      socket.destroy();
      return;
    }
    open.set(socket, serveConnection(socket, handler, opts, slot));
    socket.on('close', () => {
      open.delete(socket);
      opts.connections.release(slot);
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

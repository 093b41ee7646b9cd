import dgram from 'node:dgram';
import type { EventLog } from '../log.js';
import type { ListenAddress } from './address.js';
import type { Reply, RequestContext, Response } from './context.js';

export type UdpHandler = (msg: Buffer, ctx: RequestContext) => Reply;

/** What a UDP listener reports: datagrams dropped unread and replies that could not be sent. */
export interface UdpCounts {
  portZero: number;
  sendFailures: number;
}

/** A bound UDP listener, whichever transport carries it (transport.ts). */
export interface UdpListener {
  port(): number;
  /** SO_RCVBUF as the kernel granted it. */
  receiveBuffer(): number;
  close(): void;
}

/** How a UDP listener is bound: SO_RCVBUF, and whether other processes share the port (SO_REUSEPORT). */
export interface UdpBindOptions {
  receiveBuffer?: number;
  reusePort?: boolean;
  /**
   * The account the server drops to (user:, group:): the kernel joins sockets
   * to a SO_REUSEPORT group only when they have one owner, so a shared port's
   * sockets are made that account's before they are bound.
   */
  owner?: { uid: number; gid: number };
}

/**
 * The two things every UDP transport reports the same way: a datagram from
 * port 0 dropped unread, and a reply that could not go out.
 */
export function udpFaults(events: EventLog, counts: UdpCounts) {
  return {
    /** Port 0 is no client's: nothing can be sent back to it, and only a forger sends from it. */
    portZero(client: string): void {
      counts.portZero++;
      events.log('warn', 'udp port 0', { client, dropped: counts.portZero }, 'dropped a datagram from source port 0');
    },
    failed(e: unknown, failures = 1): void {
      counts.sendFailures += failures;
      events.log('warn', 'udp send failed', { err: e, failures: counts.sendFailures }, 'could not send a UDP reply');
    },
  };
}

/**
 * A reply that cannot go out (a closed socket at shutdown, an address the
 * kernel refuses, a full buffer) is the client's loss, never the server's end:
 * node throws some of these from send() itself and reports the others only to
 * a callback (`sent`, one function for every datagram, not a closure each).
 */
function send(socket: dgram.Socket, response: Response | undefined, to: dgram.RemoteInfo, failed: (e: unknown) => void, sent: (e: Error | null) => void): void {
  try {
    if (Array.isArray(response)) for (const m of response) socket.send(m, to.port, to.address, sent);
    else if (response) socket.send(response, to.port, to.address, sent);
  } catch (e) {
    failed(e);
  }
}

/**
 * The socket's receive buffer asked of the kernel (SO_RCVBUF, which Linux caps
 * at net.core.rmem_max): queries that arrive while the process is busy (a
 * garbage collection, a slice of zone loading) wait there instead of being
 * dropped. The kernel's 208 KiB default holds about 200 datagrams, a few tens
 * of milliseconds at a busy server's rate; Unbound's guide and NSD's so-rcvbuf
 * suggest 4 MiB for the same reason.
 */
export const UDP_RECEIVE_BUFFER = 4 << 20;

/** node:dgram has SO_REUSEPORT from Node 22.12 (and 23.1) on. */
export function dgramReusesPort(version = process.versions.node): boolean {
  const [major, minor] = version.split('.').map(Number) as [number, number];
  return major > 22 || (major === 22 && minor >= 12);
}

/**
 * The node:dgram transport: a system call and a call into JavaScript per
 * datagram. With `reusePort` (a worker, on a Node that has it) the worker binds
 * its own socket; otherwise a worker reads from the socket its primary bound.
 */
export function bindUdp(addr: ListenAddress, handler: UdpHandler, events: EventLog, counts: UdpCounts, options: UdpBindOptions = {}): Promise<UdpListener> {
  // dgram cannot change a socket's owner before binding it: with user: set, workers share the primary's socket.
  const reusePort = options.reusePort === true && options.owner === undefined && dgramReusesPort();
  const socket = dgram.createSocket({
    type: addr.family === 6 ? 'udp6' : 'udp4', recvBufferSize: options.receiveBuffer ?? UDP_RECEIVE_BUFFER, ...(reusePort && { reusePort: true }),
  });
  const faults = udpFaults(events, counts);
  const failed = (e: unknown) => faults.failed(e);
  const sent = (e: Error | null) => {
    if (e) failed(e);
  };
  // No closure or copy of the client per datagram: this runs for every query.
  socket.on('message', (msg, rinfo) => {
    if (rinfo.port === 0) return faults.portZero(rinfo.address);
    const reply = handler(msg, { transport: 'udp', client: rinfo });
    if (reply instanceof Promise) reply.then((r) => send(socket, r, rinfo, failed, sent), failed);
    else if (reply) send(socket, reply, rinfo, failed, sent);
  });
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.bind({ port: addr.port, address: addr.host, exclusive: reusePort }, () => {
      socket.off('error', reject);
      // Anything else the socket reports is no reason to stop either.
      socket.on('error', failed);
      resolve({ port: () => socket.address().port, receiveBuffer: () => socket.getRecvBufferSize(), close: () => socket.close() });
    });
  });
}

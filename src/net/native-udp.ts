// The native UDP transport (native/udp.c): recvmmsg and sendmmsg, one call
// into JavaScript per batch of datagrams. The addon and this side share plain
// memory: the datagrams read, a record per datagram saying who sent it and to
// which local address, and an arena where the answers are written, each named
// by an entry (datagram, offset, length) and all sent by one flush.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { EventLog } from '../log.js';
import type { ListenAddress } from './address.js';
import type { Response } from './context.js';
import { udpFaults, UDP_RECEIVE_BUFFER, type UdpBindOptions, type UdpCounts, type UdpHandler, type UdpListener } from './udp.js';

interface NativeSocket {
  rx: ArrayBuffer;
  rxLength: ArrayBuffer;
  meta: ArrayBuffer;
  tx: ArrayBuffer;
  txEntries: ArrayBuffer;
}

interface Addon {
  BATCH: number;
  SLOT: number;
  META_STRIDE: number;
  TX_BYTES: number;
  TX_ENTRY_INTS: number;
  bind(family: 4 | 6, host: string, port: number, receiveBuffer: number, reusePort: boolean, uid: number, gid: number): NativeSocket;
  start(socket: NativeSocket, onBatch: (count: number) => void): void;
  flush(socket: NativeSocket, count: number): number;
  sendTo(socket: NativeSocket, message: Buffer, meta: Buffer): boolean;
  lastError(socket: NativeSocket): string;
  port(socket: NativeSocket): number;
  receiveBuffer(socket: NativeSocket): number;
  close(socket: NativeSocket): void;
}

/** Where node-gyp puts the addon, from src/net or dist/net alike. */
export const ADDON_PATH = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'build', 'Release', 'rotor_udp.node');

let loaded: { addon: Addon } | { error: string } | undefined;

/** The addon, or why it cannot be used (not built: no compiler at `npm ci`; not Linux). Tried once. */
export function nativeUdp(path = ADDON_PATH): { addon: Addon } | { error: string } {
  if (loaded) return loaded;
  try {
    loaded = { addon: createRequire(import.meta.url)(path) as Addon };
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    loaded = { error: err.code === 'MODULE_NOT_FOUND' ? `${path} was not built` : err.message };
  }
  return loaded;
}

// Offsets in a datagram's record (native/udp.c).
const M_PORT = 36;
const M_TEXT_LEN = 39;
const M_TEXT = 48;

/** Binds a UDP listener on the addon; a worker with `reusePort` binds its own socket on the shared port. */
export function bindNativeUdp(addon: Addon, addr: ListenAddress, handler: UdpHandler, events: EventLog, counts: UdpCounts, options: UdpBindOptions = {}): UdpListener {
  const reusePort = options.reusePort === true;
  const socket = addon.bind(addr.family, addr.host, addr.port, options.receiveBuffer ?? UDP_RECEIVE_BUFFER, reusePort, reusePort ? options.owner?.uid ?? -1 : -1, options.owner?.gid ?? -1);
  const { SLOT, META_STRIDE, TX_BYTES, TX_ENTRY_INTS, BATCH } = addon;
  const rx = Buffer.from(socket.rx);
  const lengths = new Int32Array(socket.rxLength);
  const meta = Buffer.from(socket.meta);
  const tx = Buffer.from(socket.tx);
  const entries = new Int32Array(socket.txEntries);
  const faults = udpFaults(events, counts);
  const failedWith = (count: number) => faults.failed(new Error(`send ${addon.lastError(socket)}`), count);

  /** An answer that did not fit the batch, or came later: sent alone, to the client the saved record names. */
  const sendAlone = (response: Response | undefined, record: Buffer): void => {
    for (const m of Array.isArray(response) ? response : response ? [response] : []) {
      if (!addon.sendTo(socket, m, record)) failedWith(1);
    }
  };
  const failed = (e: unknown) => faults.failed(e);

  addon.start(socket, (count) => {
    let out = 0;
    let used = 0;
    for (let i = 0; i < count; i++) {
      const at = i * META_STRIDE;
      const port = meta[at + M_PORT]! | (meta[at + M_PORT + 1]! << 8);
      const address = meta.toString('latin1', at + M_TEXT, at + M_TEXT + meta[at + M_TEXT_LEN]!);
      if (port === 0) {
        faults.portZero(address);
        continue;
      }
      // The ring is read again by the next batch: the message handed on is the handler's own, as dgram's is.
      const start = i * SLOT;
      const msg = Buffer.allocUnsafe(lengths[i]!);
      rx.copy(msg, 0, start, start + lengths[i]!);
      const reply = handler(msg, { transport: 'udp', client: { address, port } });
      if (reply instanceof Promise) {
        const record = Buffer.from(meta.subarray(at, at + META_STRIDE));
        reply.then((r) => sendAlone(r, record), failed);
        continue;
      }
      for (const m of Array.isArray(reply) ? reply : reply ? [reply] : []) {
        if (out < BATCH && used + m.length <= TX_BYTES) {
          m.copy(tx, used);
          entries[out * TX_ENTRY_INTS] = i;
          entries[out * TX_ENTRY_INTS + 1] = used;
          entries[out * TX_ENTRY_INTS + 2] = m.length;
          used += m.length;
          out++;
        } else {
          sendAlone(m, Buffer.from(meta.subarray(at, at + META_STRIDE)));
        }
      }
    }
    if (out > 0) {
      const failures = addon.flush(socket, out);
      if (failures > 0) failedWith(failures);
    }
  });
  return { port: () => addon.port(socket), receiveBuffer: () => addon.receiveBuffer(socket), close: () => addon.close(socket) };
}

// The control channel of `rotor ctl`: a Unix socket that only its owner may
// open (mode 0600, as knotc's), one JSON request and one JSON reply per
// connection, each a line. Nothing of it is reachable over the network.
import { chmod, rm } from 'node:fs/promises';
import net from 'node:net';
import type { Logger } from '../log.js';

export interface ControlRequest {
  command: string;
  args: string[];
}

export type ControlReply = { ok: true; result: unknown } | { ok: false; error: string };

/** A request longer than this is no request of ours. */
const MAX_REQUEST_BYTES = 64 * 1024;
/** A client that sends nothing for this long is disconnected. */
const IDLE_MS = 10_000;

export class ControlError extends Error {}

/** Connects to `path`; rejects with the socket's error (ENOENT, ECONNREFUSED, EACCES) when nobody listens or it may not be opened. */
function connect(path: string): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(path, () => {
      socket.off('error', reject);
      resolve(socket);
    });
    socket.once('error', reject);
  });
}

/** Sends one request to the server listening on `path` and waits for its reply. */
export async function sendRequest(path: string, request: ControlRequest, timeoutMs = 60_000): Promise<ControlReply> {
  const socket = await connect(path);
  return new Promise((resolve, reject) => {
    let text = '';
    socket.setTimeout(timeoutMs, () => socket.destroy(new ControlError(`no reply from ${path} within ${timeoutMs / 1000} s`)));
    socket.on('data', (d) => { text += d.toString(); });
    socket.on('error', reject);
    socket.on('end', () => {
      try {
        resolve(JSON.parse(text) as ControlReply);
      } catch {
        reject(new ControlError(`${path}: not a reply from rotor: ${JSON.stringify(text.slice(0, 80))}`));
      }
    });
    socket.end(`${JSON.stringify(request)}\n`);
  });
}

export interface ControlListener {
  path: string;
  close(): Promise<void>;
}

/**
 * Listens on `path` for requests, each answered by `handle` (whose throw is the
 * reply's error). A socket file left by a server that is gone is replaced; one
 * that a running server answers on is an error, never taken over.
 */
export async function listenControl(path: string, handle: (r: ControlRequest) => Promise<unknown>, logger: Logger): Promise<ControlListener> {
  const live = await connect(path).then((s) => { s.destroy(); return true; }, (e: NodeJS.ErrnoException) => {
    if (e.code === 'ECONNREFUSED') return false;
    if (e.code === 'ENOENT') return false;
    throw Object.assign(new Error(`control socket ${path}: ${e.message}`), { code: e.code });
  });
  if (live) throw Object.assign(new Error(`control socket ${path} is in use: is another rotor running?`), { code: 'EADDRINUSE' });
  await rm(path, { force: true });
  // Half-open: the client ends its side once the request is out, and must still get the reply.
  const server = net.createServer({ allowHalfOpen: true }, (socket) => {
    let text = '';
    socket.setTimeout(IDLE_MS, () => socket.destroy());
    socket.on('error', () => {});
    socket.on('data', (d) => {
      text += d.toString();
      if (text.length > MAX_REQUEST_BYTES) return socket.destroy();
      const nl = text.indexOf('\n');
      if (nl < 0) return;
      socket.removeAllListeners('data');
      socket.setTimeout(0);
      void answer(text.slice(0, nl)).then((reply) => socket.end(`${JSON.stringify(reply)}\n`));
    });
  });
  const answer = async (line: string): Promise<ControlReply> => {
    let request: ControlRequest;
    try {
      request = JSON.parse(line) as ControlRequest;
      if (typeof request.command !== 'string' || !Array.isArray(request.args)) throw new Error();
    } catch {
      return { ok: false, error: 'not a control request' };
    }
    try {
      return { ok: true, result: await handle(request) };
    } catch (e) {
      if (!(e instanceof ControlError)) logger.error({ err: e, command: request.command }, 'control command failed');
      return { ok: false, error: (e as Error).message };
    }
  };
  // The socket is created with no permission for group and others: only this user may connect.
  const umask = process.umask(0o177);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(path, () => { server.off('error', reject); resolve(); });
    });
  } finally {
    process.umask(umask);
  }
  await chmod(path, 0o600);
  logger.info({ path }, `control socket listening: rotor ctl --socket ${path}`);
  return {
    path,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())).then(() => rm(path, { force: true })),
  };
}

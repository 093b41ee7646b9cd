import dgram from 'node:dgram';
import type { ListenAddress } from './address.js';
import type { Reply, RequestContext, Response } from './context.js';

export type UdpHandler = (msg: Buffer, ctx: RequestContext) => Reply;

function send(socket: dgram.Socket, response: Response | undefined, to: dgram.RemoteInfo): void {
  if (Array.isArray(response)) for (const m of response) socket.send(m, to.port, to.address);
  else if (response) socket.send(response, to.port, to.address);
}

export function bindUdp(addr: ListenAddress, handler: UdpHandler): Promise<dgram.Socket> {
  const socket = dgram.createSocket({ type: addr.family === 6 ? 'udp6' : 'udp4' });
  // No closure or copy of the client per datagram: this runs for every query.
  socket.on('message', (msg, rinfo) => {
    const reply = handler(msg, { transport: 'udp', client: rinfo });
    if (reply instanceof Promise) reply.then((r) => send(socket, r, rinfo), () => {});
    else if (reply) send(socket, reply, rinfo);
  });
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(addr.port, addr.host, () => {
      socket.off('error', reject);
      // A send that fails (ICMP unreachable reported back, buffer full) is not
      // fatal to a server: it stays the client's loss.
      socket.on('error', () => {});
      resolve(socket);
    });
  });
}

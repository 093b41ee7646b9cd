import dgram from 'node:dgram';
import type { ListenAddress } from './address.js';
import type { Reply, RequestContext } from './context.js';

export type UdpHandler = (msg: Buffer, ctx: RequestContext) => Reply;

export function bindUdp(addr: ListenAddress, handler: UdpHandler): Promise<dgram.Socket> {
  const socket = dgram.createSocket({ type: addr.family === 6 ? 'udp6' : 'udp4' });
  socket.on('message', (msg, rinfo) => {
    const send = (response: Buffer | undefined) => {
      if (response) socket.send(response, rinfo.port, rinfo.address);
    };
    const reply = handler(msg, { transport: 'udp', client: { address: rinfo.address, port: rinfo.port } });
    if (reply instanceof Promise) reply.then(send, () => {});
    else send(reply);
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

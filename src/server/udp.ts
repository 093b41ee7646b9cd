import dgram from 'node:dgram';
import type { ListenAddress } from './address.js';

export type UdpHandler = (msg: Buffer, reply: (response: Buffer) => void, client: dgram.RemoteInfo) => void;

export function bindUdp(addr: ListenAddress, handler: UdpHandler): Promise<dgram.Socket> {
  const socket = dgram.createSocket({ type: addr.family === 6 ? 'udp6' : 'udp4' });
  socket.on('message', (msg, rinfo) => {
    handler(msg, (response) => socket.send(response, rinfo.port, rinfo.address), rinfo);
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

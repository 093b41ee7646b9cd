// The ceiling for one Node.js process: every datagram goes back as it came,
// through the same node:dgram calls rotor's UDP listener makes.
//   node --import tsx bench/echo.ts PORT [ADDRESS]
// Prints {"port": N} once bound: with PORT 0 the kernel picks a free one.
import dgram from 'node:dgram';

const port = Number(process.argv[2] ?? 0);
const socket = dgram.createSocket('udp4');
socket.on('message', (msg, rinfo) => socket.send(msg, rinfo.port, rinfo.address));
// As in rotor, a send that fails is the client's loss, not the server's end.
socket.bind(port, process.argv[3] ?? '127.0.0.1', () => {
  socket.on('error', () => {});
  console.log(JSON.stringify({ port: socket.address().port }));
});
process.once('SIGTERM', () => socket.close());

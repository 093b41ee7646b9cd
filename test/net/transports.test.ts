// The two UDP transports put the same bytes on the wire: every UDP row of the
// answer tables (test/query/answers/) is sent over loopback to a server on the
// native transport and to one on node:dgram, in the same order (so rotation
// turns alike), and the replies are compared octet for octet. Also what only
// the native transport does: answers from a wildcard address leave from the
// address that was asked (IP_PKTINFO), on IPv4 and on an IPv6 wildcard.
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { readFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { DEFAULTS } from '../../src/config.js';
import { createLogger } from '../../src/log.js';
import type { ListenAddress } from '../../src/net/address.js';
import { bindNativeUdp, nativeUdp } from '../../src/net/native-udp.js';
import type { UdpHandler } from '../../src/net/udp.js';
import type { UdpTransport } from '../../src/net/transport.js';
import { DnsServer } from '../../src/server/server.js';
import { EventLog } from '../../src/log.js';
import { additional } from '../query/answers/additional.js';
import { any } from '../query/answers/any.js';
import { authoritative } from '../query/answers/authoritative.js';
import { cname } from '../query/answers/cname.js';
import { delegation, wideDelegation } from '../query/answers/delegation.js';
import { dname, dnameZones } from '../query/answers/dname.js';
import { ent } from '../query/answers/ent.js';
import { query } from '../query/answers/handler.js';
import { negative } from '../query/answers/negative.js';
import { ask, caseTitle, type Table } from '../query/answers/table.js';
import { wildcard } from '../query/answers/wildcard.js';
import { zones } from '../query/answers/zones.js';
import { FIXTURE } from '../e2e/harness.js';

const native = nativeUdp();
const skip = 'addon' in native ? false : `the native UDP module is not built (${native.error})`;

/** Sends `msg` from `socket` and resolves with the first reply and where it came from. */
function exchange(socket: dgram.Socket, msg: Buffer, to: { address: string; port: number }): Promise<{ reply: Buffer; from: dgram.RemoteInfo }> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { socket.off('message', got); reject(new Error(`no reply from ${to.address}:${to.port}`)); }, 5000);
    function got(reply: Buffer, from: dgram.RemoteInfo): void {
      clearTimeout(timer);
      socket.off('message', got);
      resolve({ reply, from });
    }
    socket.on('message', got);
    socket.send(msg, to.port, to.address);
  });
}

async function serve(zonesDir: string, udpTransport: UdpTransport): Promise<{ server: DnsServer; port: number }> {
  const server = new DnsServer({ ...DEFAULTS, listen: [{ host: '127.0.0.1', port: 0, family: 4 }], zonesDir, logger: createLogger('silent'), udpTransport });
  await server.loadZones();
  const [bound] = await server.listen();
  return { server, port: bound!.port };
}

describe('native and dgram transports', { skip }, () => {
  const tables: Table[] = [authoritative, additional, any, cname, delegation, wideDelegation, dname, dnameZones, ent, negative, wildcard, zones];
  for (const zonesDir of new Set(tables.map((t) => t.zonesDir ?? FIXTURE))) {
    it(`send the same bytes for every UDP row of the answer tables on ${zonesDir}`, async () => {
      const [a, b] = await Promise.all([serve(zonesDir, 'native'), serve(zonesDir, 'dgram')]);
      const client = dgram.createSocket('udp4');
      await new Promise<void>((r) => client.bind(0, '127.0.0.1', () => r()));
      let compared = 0;
      try {
        for (const table of tables.filter((t) => (t.zonesDir ?? FIXTURE) === zonesDir)) {
          for (const c of table.cases.filter((c) => !c.tcp)) {
            const msg = query(ask(c));
            // Twice each: the second comes from the answer memo.
            for (let i = 0; i < 2; i++) {
              const viaNative = await exchange(client, msg, { address: '127.0.0.1', port: a.port });
              const viaDgram = await exchange(client, msg, { address: '127.0.0.1', port: b.port });
              assert.deepEqual(viaNative.reply, viaDgram.reply, `${table.title}: ${caseTitle(c)}`);
              compared++;
            }
          }
        }
      } finally {
        client.close();
        await Promise.all([a.server.close(0), b.server.close(0)]);
      }
      assert.ok(compared > 10, `${compared} replies compared`);
    });
  }
});

describe('the native transport', { skip }, () => {
  const counts = { portZero: 0, sendFailures: 0 };
  const events = new EventLog(createLogger('silent'));
  const addon = 'addon' in native ? native.addon : undefined!;
  /** Answers each datagram with its own bytes and who sent it; a query "later" is answered later, "two" twice. */
  const echo: UdpHandler = (msg, ctx) => {
    const reply = Buffer.concat([msg, Buffer.from(` ${ctx.client.address} ${ctx.client.port}`)]);
    if (msg.toString() === 'later') return new Promise((r) => setTimeout(() => r(reply), 20));
    if (msg.toString() === 'two') return [reply, Buffer.from('second')];
    return reply;
  };
  const listeners: { close(): void }[] = [];
  const bind = (addr: ListenAddress) => {
    const l = bindNativeUdp(addon, addr, echo, events, counts, {});
    listeners.push(l);
    return l;
  };
  let client4: dgram.Socket;
  before(async () => {
    client4 = dgram.createSocket('udp4');
    await new Promise<void>((r) => client4.bind(0, '127.0.0.1', () => r()));
  });
  after(() => {
    client4.close();
    for (const l of listeners) l.close();
  });

  it('tells the handler who asked, as dgram does, and sends answers that come later and several answers in order', async () => {
    const port = bind({ host: '127.0.0.1', port: 0, family: 4 }).port();
    const me = `127.0.0.1 ${client4.address().port}`;
    assert.equal((await exchange(client4, Buffer.from('hello'), { address: '127.0.0.1', port })).reply.toString(), `hello ${me}`);
    assert.equal((await exchange(client4, Buffer.from('later'), { address: '127.0.0.1', port })).reply.toString(), `later ${me}`);
    const both: string[] = [];
    await new Promise<void>((resolve) => {
      const got = (m: Buffer) => { both.push(m.toString()); if (both.length === 2) { client4.off('message', got); resolve(); } };
      client4.on('message', got);
      client4.send('two', port, '127.0.0.1');
    });
    assert.deepEqual(both, [`two ${me}`, 'second']);
  });

  it('answers from the address that was asked when bound to the IPv4 wildcard', async () => {
    const port = bind({ host: '0.0.0.0', port: 0, family: 4 }).port();
    // Without IP_PKTINFO the kernel picks the source by route: 127.0.0.1 for a client on 127.0.0.1.
    for (const asked of ['127.0.0.1', '127.0.0.2', '127.0.0.3']) {
      const { from } = await exchange(client4, Buffer.from('x'), { address: asked, port });
      assert.equal(from.address, asked);
    }
  });

  it('on an IPv6 wildcard, takes IPv4 too and answers from the IPv4 address asked', async () => {
    const port = bind({ host: '::', port: 0, family: 6 }).port();
    const { reply, from } = await exchange(client4, Buffer.from('v4'), { address: '127.0.0.2', port });
    assert.equal(from.address, '127.0.0.2');
    assert.equal(reply.toString(), `v4 ::ffff:127.0.0.1 ${client4.address().port}`);
    const client6 = dgram.createSocket('udp6');
    await new Promise<void>((r) => client6.bind(0, '::1', () => r()));
    try {
      const six = await exchange(client6, Buffer.from('v6'), { address: '::1', port });
      assert.equal(six.from.address, '::1');
      assert.equal(six.reply.toString(), `v6 ::1 ${client6.address().port}`);
    } finally {
      client6.close();
    }
  });

  it('fails to bind a port in use with EADDRINUSE, as dgram does, unless both ask to share it', async () => {
    const port = bind({ host: '127.0.0.1', port: 0, family: 4 }).port();
    assert.throws(() => bind({ host: '127.0.0.1', port, family: 4 }), (e: NodeJS.ErrnoException) => e.code === 'EADDRINUSE' && e.message === `bind EADDRINUSE 127.0.0.1:${port}`);
    const shared = bindNativeUdp(addon, { host: '127.0.0.1', port: 0, family: 4 }, echo, events, counts, { reusePort: true });
    listeners.push(shared);
    const second = bindNativeUdp(addon, { host: '127.0.0.1', port: shared.port(), family: 4 }, echo, events, counts, { reusePort: true });
    listeners.push(second);
    assert.equal(second.port(), shared.port());
  });

  it('makes a shared socket the account rotor drops to before binding it, so that a replacement started as that user joins', { skip: process.getuid?.() === 0 ? false : 'needs root' }, async () => {
    const owner = { uid: 65534, gid: 65534 };
    const l = bindNativeUdp(addon, { host: '127.0.0.1', port: 0, family: 4 }, echo, events, counts, { reusePort: true, owner });
    listeners.push(l);
    // /proc/net/udp: "sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid ...", the port in hex.
    const table = await readFile('/proc/net/udp', 'utf8');
    const line = table.split('\n').find((row) => row.trim().split(/\s+/)[1] === `0100007F:${l.port().toString(16).toUpperCase().padStart(4, '0')}`);
    assert.equal(line?.trim().split(/\s+/)[7], String(owner.uid), line);
  });
});

// DnsServer.close with an answer still on its way: a query forwarded to a slow
// upstream gets its answer over UDP even though the server is closing, and a
// query that arrives after the close began gets none.
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { describe, it } from 'node:test';
import { DEFAULTS, parseForward } from '../../src/config.js';
import { createLogger } from '../../src/log.js';
import { DnsServer } from '../../src/server/server.js';
import { tempDir } from '../e2e/harness.js';
import { decode, makeQuery, Packet } from '../e2e/raw.js';
import { answerWith, fakeUpstream } from '../resolver/fake-upstream.js';

describe('shutdown', () => {
  it('sends the forwarded answers it owes over UDP, takes no new queries, and closes within the grace period', async () => {
    let forwarded!: () => void;
    const reachedUpstream = new Promise<void>((r) => { forwarded = r; });
    const upstream = await fakeUpstream(async (q) => {
      forwarded();
      await new Promise((r) => setTimeout(r, 300));
      return [answerWith(q, ['198.51.100.7'])];
    });
    const server = new DnsServer({
      ...DEFAULTS,
      listen: [{ host: '127.0.0.1', port: 0, family: 4 }],
      zonesDir: await tempDir(),
      forward: parseForward({ upstreams: [`127.0.0.1:${upstream.address.port}`] }),
      logger: createLogger('silent'),
    });
    const [bound] = await server.listen();
    const client = dgram.createSocket('udp4');
    const replies: ReturnType<typeof decode>[] = [];
    let replied!: () => void;
    const firstReply = new Promise<void>((r) => { replied = r; });
    client.on('message', (m) => { replies.push(decode(m)); replied(); });
    await new Promise<void>((r) => client.bind(0, '127.0.0.1', () => r()));
    const ask = (id: number) => {
      const q = makeQuery('www.elsewhere.example', Packet.TYPE.A, id);
      q.writeUInt16BE(q.readUInt16BE(2) | 0x0100, 2); // RD: forwarded
      client.send(q, bound!.port, bound!.host);
    };

    ask(1);
    // Closing begins once the query is on its way upstream, however long that took.
    await reachedUpstream;
    const started = Date.now();
    const closing = server.close(2000);
    ask(2);
    await closing;
    const ms = Date.now() - started;
    setTimeout(replied, 5000).unref(); // none at all fails below, with what came
    await firstReply;
    // A reply to the second query would have been sent before close() resolved: let it arrive if there is one.
    await new Promise((r) => setTimeout(r, 100));
    client.close();
    await upstream.close();

    assert.deepEqual(replies.map((r) => [r.header.id, r.answers[0]?.address]), [[1, '198.51.100.7']]);
    assert.ok(ms >= 200 && ms < 2000, `closed after ${ms} ms`);
  });
});

// DnsServer.close with an answer still on its way: a query forwarded to a slow
// upstream gets its answer over UDP even though the server is closing, and a
// query that arrives after the close began gets none; an answer that comes
// after the grace period, its socket closed, is counted and dropped.
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { describe, it } from 'node:test';
import { DEFAULTS, parseForward } from '../../src/config.js';
import { createLogger } from '../../src/log.js';
import { DnsServer } from '../../src/server/server.js';
import { tempDir } from '../e2e/harness.js';
import { decode, makeQuery, Packet } from '../e2e/raw.js';
import { answerWith, fakeUpstream, type FakeUpstream } from '../resolver/fake-upstream.js';

/** A server forwarding to an upstream that answers after `delayMs`. */
async function forwardingServer(delayMs: number) {
  const upstream = await fakeUpstream(async (q) => {
    await new Promise((r) => setTimeout(r, delayMs));
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
  return { upstream, server, bound: bound! };
}

/** A query with RD for a name no zone holds: forwarded. */
function forwarded(id: number): Buffer {
  const q = makeQuery('www.elsewhere.example', Packet.TYPE.A, id);
  q.writeUInt16BE(q.readUInt16BE(2) | 0x0100, 2);
  return q;
}

/** Until the query has reached the upstream (5 s at most): a fixed sleep is too short on a busy machine. */
async function untilAsked(upstream: FakeUpstream): Promise<void> {
  for (let waited = 0; upstream.seen.length === 0 && waited < 5000; waited += 10) await new Promise((r) => setTimeout(r, 10));
}

describe('shutdown', () => {
  it('sends the forwarded answers it owes over UDP, takes no new queries, and closes within the grace period', async () => {
    const { upstream, server, bound } = await forwardingServer(300);
    const client = dgram.createSocket('udp4');
    const replies: ReturnType<typeof decode>[] = [];
    client.on('message', (m) => replies.push(decode(m)));
    await new Promise<void>((r) => client.bind(0, '127.0.0.1', () => r()));
    const ask = (id: number) => client.send(forwarded(id), bound.port, bound.host);

    ask(1);
    await untilAsked(upstream);
    const started = Date.now();
    const closing = server.close(2000);
    ask(2);
    await closing;
    const ms = Date.now() - started;
    await new Promise((r) => setTimeout(r, 100));
    client.close();
    await upstream.close();

    assert.deepEqual(replies.map((r) => [r.header.id, r.answers[0]?.address]), [[1, '198.51.100.7']]);
    assert.ok(ms >= 200 && ms < 2000, `closed after ${ms} ms`);
  });

  it('counts and drops a forwarded answer that comes after its socket closed, instead of throwing it to the top', async () => {
    const { upstream, server, bound } = await forwardingServer(500);
    const client = dgram.createSocket('udp4');
    await new Promise<void>((r) => client.bind(0, '127.0.0.1', () => r()));
    client.send(forwarded(7), bound.port, bound.host);
    await untilAsked(upstream);
    await server.close(50);
    for (let waited = 0; server.faults.sendFailures === 0 && waited < 5000; waited += 20) await new Promise((r) => setTimeout(r, 20));
    client.close();
    await upstream.close();
    assert.equal(server.faults.sendFailures, 1);
  });
});

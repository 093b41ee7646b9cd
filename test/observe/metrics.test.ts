// The metrics as Prometheus reads them: the exposition text parses, each
// counter moves by what was asked, and several workers' registries add up
// through prom-client's AggregatorRegistry.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AggregatorRegistry } from 'prom-client';
import { RRType } from '../../src/wire/types.js';
import { parseExposition, valueOf } from './exposition.js';
import { RRL_DEFAULTS } from '../../src/query/rrl.js';
import { connectFrom, makeQuery, sendFromPortZero, untilClosed } from '../e2e/raw.js';
import { observedServer, TCP6, UDP4 } from './fixture.js';

const ZONE = 'corp.example.';

describe('metrics', () => {
  it('count requests by zone, transport, family and type, and responses by rcode', async () => {
    const { ask, metrics } = await observedServer();
    const udp: Buffer[] = [];
    for (let i = 0; i < 3; i++) udp.push(ask('corp.example', RRType.MX));
    const tcp = ask('mx1.corp.example', RRType.A, TCP6);
    udp.push(ask('nope.corp.example', RRType.A));
    udp.push(ask('corp.example', 65280));
    ask('elsewhere.test', RRType.A);

    const m = parseExposition(await metrics.registry.metrics());
    assert.equal(m.get('rotor_dns_requests_total')?.type, 'counter');
    assert.equal(valueOf(m, 'rotor_dns_requests_total', { zone: ZONE, proto: 'udp', family: '1', type: 'MX' }), 3);
    assert.equal(valueOf(m, 'rotor_dns_requests_total', { zone: ZONE, proto: 'tcp', family: '2', type: 'A' }), 1);
    assert.equal(valueOf(m, 'rotor_dns_requests_total', { zone: ZONE, proto: 'udp', family: '1', type: 'A' }), 1);
    // A type the server has no name for is "other": clients cannot create label values.
    assert.equal(valueOf(m, 'rotor_dns_requests_total', { zone: ZONE, type: 'other' }), 1);
    assert.equal(valueOf(m, 'rotor_dns_requests_total', { zone: 'none', type: 'A' }), 1);
    assert.equal(valueOf(m, 'rotor_dns_responses_total', { zone: ZONE, rcode: 'NOERROR' }), 5);
    assert.equal(valueOf(m, 'rotor_dns_responses_total', { zone: ZONE, rcode: 'NXDOMAIN' }), 1);
    assert.equal(valueOf(m, 'rotor_dns_responses_total', { zone: 'none', rcode: 'REFUSED' }), 1);

    assert.equal(m.get('rotor_dns_request_duration_seconds')?.type, 'histogram');
    assert.equal(valueOf(m, 'rotor_dns_request_duration_seconds_count', { zone: ZONE, type: 'MX' }), 3);
    assert.ok(valueOf(m, 'rotor_dns_request_duration_seconds_sum', { zone: ZONE, type: 'MX' }) > 0);
    assert.equal(valueOf(m, 'rotor_dns_response_size_bytes_count', { zone: ZONE, proto: 'udp' }), 5);
    assert.equal(valueOf(m, 'rotor_dns_response_size_bytes_sum', { zone: ZONE, proto: 'udp' }), udp.reduce((n, r) => n + r.length, 0));
    assert.equal(valueOf(m, 'rotor_dns_response_size_bytes_sum', { zone: ZONE, proto: 'tcp' }), tcp.length);
    const mxSize = udp[0]!.length;
    assert.ok(mxSize > 200 && mxSize <= 300, `MX answer of ${mxSize} octets`);
    assert.equal(valueOf(m, 'rotor_dns_response_size_bytes_bucket', { zone: ZONE, proto: 'udp', le: '300' }) - valueOf(m, 'rotor_dns_response_size_bytes_bucket', { zone: ZONE, proto: 'udp', le: '200' }), 3, 'the three MX answers');
  });

  it('report the zones, their loads and how far each RRset has turned', async () => {
    const { ask, metrics, server } = await observedServer();
    for (let i = 0; i < 3; i++) ask('corp.example', RRType.MX);
    ask('mx1.corp.example', RRType.A);
    const m = parseExposition(await metrics.registry.metrics());
    const zone = server.catalog.get(ZONE)!;
    assert.equal(valueOf(m, 'rotor_zone_serial', { zone: ZONE }), zone.serial);
    assert.equal(valueOf(m, 'rotor_zone_records', { zone: ZONE }), 28);
    assert.equal(valueOf(m, 'rotor_zone_reloads_total', { zone: ZONE, result: 'success' }), 1);
    assert.equal(valueOf(m, 'rotor_zone_reloads_total', { zone: ZONE, result: 'failure' }), 0);
    assert.equal(valueOf(m, 'rotor_rotation_answers_total', { zone: ZONE, name: ZONE, type: 'MX' }), 3);
    // mx1's addresses went out in the additional section of each MX answer, then once directly.
    assert.equal(valueOf(m, 'rotor_rotation_answers_total', { zone: ZONE, name: 'mx1.corp.example.', type: 'A' }), 4);
    assert.equal(valueOf(m, 'rotor_rotation_answers_total', { name: 'intranet.corp.example.' }), 0, 'never asked for: no series');
    for (const name of ['process_cpu_seconds_total', 'process_open_fds', 'nodejs_heap_size_total_bytes', 'nodejs_eventloop_lag_p99_seconds', 'nodejs_version_info']) {
      assert.ok(m.has(name), `${name}: a default metric`);
    }
    assert.equal(m.has('nodejs_gc_duration_seconds'), false, 'left out: it costs too much');
  });

  it('count what rate limiting did: drops and slips', async () => {
    const plain = await observedServer({ rrl: undefined });
    assert.equal(parseExposition(await plain.metrics.registry.metrics()).has('rotor_rrl_actions_total'), false, 'no RRL, no metric');
    // The client is at 127.0.0.1, which only the default exempts.
    const { ask, metrics, server } = await observedServer({ rrl: { ...RRL_DEFAULTS, responsesPerSecond: 1, slip: 2, exemptClients: undefined } });
    const replies = Array.from({ length: 10 }, () => server.handle(makeQuery('corp.example', RRType.MX), UDP4));
    // One answer in budget; of the nine limited, every second one slips out truncated.
    assert.equal(replies.filter((r) => r === undefined).length, 5);
    const m = parseExposition(await metrics.registry.metrics());
    assert.equal(valueOf(m, 'rotor_rrl_actions_total', { action: 'drop' }), 5);
    assert.equal(valueOf(m, 'rotor_rrl_actions_total', { action: 'slip' }), 4);
    ask('corp.example', RRType.MX, TCP6);
    assert.equal(valueOf(parseExposition(await metrics.registry.metrics()), 'rotor_rrl_actions_total', { action: 'drop' }), 5, 'TCP is never limited');
  });

  it('count what was survived: datagrams from port 0, bugs met while answering, TCP connections refused and evicted', async () => {
    const { ask, metrics, server } = await observedServer({
      listen: [{ host: '127.0.0.1', port: 0, family: 4 }],
      // The table half full at most, so that no idle timeout shrinks under pressure and closes one meanwhile.
      tcpMaxConnections: 4, tcpMaxConnectionsPerNetblock: 2, tcpMaxConnectionsPerClient: 2, tcpIdleTimeoutMs: 60_000,
    });
    const scrape = async () => parseExposition(await metrics.registry.metrics());
    const [bound] = await server.listen();
    const sockets = [];
    try {
      const before = await scrape();
      for (const kind of ['port_zero', 'udp_send', 'internal']) assert.equal(valueOf(before, 'rotor_faults_total', { kind }), 0, kind);
      assert.equal(before.get('rotor_tcp_connections_refused_total')?.type, 'counter');

      // Dropped unread: nothing to wait for but the count itself.
      assert.equal(await sendFromPortZero(bound!, makeQuery('corp.example', RRType.SOA), 3), 3);
      for (let waited = 0; server.faults.portZero < 3 && waited < 10_000; waited += 20) await new Promise((r) => setTimeout(r, 20));
      server.observers.push(() => { throw new Error('a planted bug'); });
      assert.equal(ask('corp.example', RRType.MX).readUInt16BE(2) & 0xf, 2, 'SERVFAIL');
      server.observers.pop();

      // Two from 127.0.0.1 fill its share and its /24's; a third from it is refused,
      // and one from 127.0.0.2 takes the place of the one idle the longest there.
      const first = await connectFrom(bound!);
      const firstClosed = untilClosed(first);
      sockets.push(first, await connectFrom(bound!));
      await untilClosed(await connectFrom(bound!));
      sockets.push(await connectFrom(bound!, '127.0.0.2'));
      await firstClosed;

      const m = await scrape();
      assert.equal(valueOf(m, 'rotor_faults_total', { kind: 'port_zero' }), 3);
      assert.equal(valueOf(m, 'rotor_faults_total', { kind: 'internal' }), 1);
      assert.equal(valueOf(m, 'rotor_faults_total', { kind: 'udp_send' }), 0);
      assert.equal(valueOf(m, 'rotor_tcp_connections_refused_total'), 1);
      assert.equal(valueOf(m, 'rotor_tcp_connections_evicted_total'), 1);
      assert.equal(valueOf(m, 'rotor_tcp_connections'), 2);
    } finally {
      for (const s of sockets) s.destroy();
      await server.close(0);
    }
  });

  it('add up across workers through AggregatorRegistry', async () => {
    const a = await observedServer();
    const b = await observedServer();
    a.ask('corp.example', RRType.MX);
    b.ask('corp.example', RRType.MX);
    b.ask('corp.example', RRType.MX);
    const merged = AggregatorRegistry.aggregate([await a.metrics.registry.getMetricsAsJSON(), await b.metrics.registry.getMetricsAsJSON()]);
    const m = parseExposition(await merged.metrics());
    assert.equal(valueOf(m, 'rotor_dns_requests_total', { zone: ZONE, type: 'MX' }), 3);
    assert.equal(valueOf(m, 'rotor_dns_request_duration_seconds_count', { zone: ZONE, type: 'MX' }), 3);
    assert.equal(valueOf(m, 'rotor_dns_response_size_bytes_bucket', { zone: ZONE, proto: 'udp', le: '+Inf' }), 3);
    // Every worker serves the same zone: its serial is not summed.
    assert.equal(valueOf(m, 'rotor_zone_serial', { zone: ZONE }), a.server.catalog.get(ZONE)!.serial);
  });
});

describe('the exposition parser', () => {
  const bad: [string, string][] = [
    ['a sample without TYPE', 'x_total 1\n'],
    ['a bad label', '# TYPE x counter\nx{a=1} 1\n'],
    ['a duplicate series', '# TYPE x counter\nx{a="1"} 1\nx{a="1"} 2\n'],
    ['interleaved families', '# TYPE x counter\nx 1\n# TYPE y counter\ny 1\nx{a="b"} 1\n'],
    ['non-cumulative buckets', '# TYPE h histogram\nh_bucket{le="1"} 2\nh_bucket{le="+Inf"} 1\nh_sum 1\nh_count 1\n'],
    ['no +Inf bucket', '# TYPE h histogram\nh_bucket{le="1"} 1\nh_sum 1\nh_count 1\n'],
    ['no final newline', '# TYPE x counter\nx 1'],
  ];
  for (const [what, text] of bad) it(`rejects ${what}`, () => assert.throws(() => parseExposition(text)));

  it('reads escapes in label values', () => {
    const m = parseExposition('# HELP x a\\\\b\n# TYPE x gauge\nx{a="q\\"n\\nb\\\\"} 1.5e3\n');
    assert.deepEqual(m.get('x')?.samples[0], { name: 'x', labels: { a: 'q"n\nb\\' }, value: 1500 });
  });
});

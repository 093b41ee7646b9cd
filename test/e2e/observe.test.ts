// What an operator sees of the running server: /metrics moving under real dig
// queries, the health checks, the status JSON and its live updates, the query
// log, pretty logs, and the settings that turn these on.
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import net from 'node:net';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { parseExposition, valueOf } from '../observe/exposition.js';
import { query, REPO, startRotor, STARTUP_MS, tempDir } from './harness.js';
import { get, startMonitored, type Monitored } from './monitor.js';
import { frame, makeQuery, tcpExchange, udpExchange } from './raw.js';

const run = promisify(execFile);
const CLI = join(REPO, 'src', 'cli.ts');
const ZONE = 'corp.example.';
const GOOD = "'':\n  type: NS\n  value: ns1.good.test.\nwww:\n  type: A\n  value: 192.0.2.1\n";
const BAD = "'':\n  type: NS\n  value: ns1.bad.test.\nwww:\n  type: A\n  value: 192.0.2.300\n";

const corp = async () => ({ 'corp.example.yaml': await readFile(join(REPO, 'zones', 'corp.example.yaml'), 'utf8') });

async function scrape(rotor: Monitored) {
  const res = await get(`${rotor.url}/metrics`);
  assert.equal(res.status, 200);
  assert.match(res.type, /^text\/plain; version=0\.0\.4/);
  return parseExposition(res.body);
}

/** Reads server-sent events from /api/events until `want` accepts one, or fails after `ms`. */
async function nextEvent(url: string, want: (doc: any) => boolean, ms = 5000): Promise<any> {
  const res = await fetch(`${url}/api/events`, { signal: AbortSignal.timeout(ms) });
  assert.equal(res.headers.get('content-type'), 'text/event-stream');
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffered = '';
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) throw new Error('event stream ended');
      buffered += value;
      let end: number;
      while ((end = buffered.indexOf('\n\n')) >= 0) {
        const data = buffered.slice(0, end).split('\n').filter((l) => l.startsWith('data: ')).map((l) => l.slice(6)).join('\n');
        buffered = buffered.slice(end + 2);
        if (data && want(JSON.parse(data))) return JSON.parse(data);
      }
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
}

describe('metrics, health and status over HTTP', () => {
  let rotor: Monitored;
  before(async () => {
    rotor = await startMonitored(await corp(), ['--query-log', 'on']);
  });
  after(async () => { await rotor.stop(); });

  it('counters move with real dig queries, and the text is valid exposition format', async () => {
    const before = await scrape(rotor);
    for (let i = 0; i < 3; i++) await query(rotor, 'corp.example', 'MX');
    await query(rotor, 'mx2.corp.example', 'A', { tcp: true });
    await query(rotor, 'nope.corp.example', 'A', { tool: 'kdig' });
    await query(rotor, 'elsewhere.test', 'A');
    const m = await scrape(rotor);
    const delta = (name: string, labels: Record<string, string>) => valueOf(m, name, labels) - valueOf(before, name, labels);
    assert.equal(delta('rotor_dns_requests_total', { zone: ZONE, proto: 'udp', family: '1', type: 'MX' }), 3);
    assert.equal(delta('rotor_dns_requests_total', { zone: ZONE, proto: 'tcp', family: '1', type: 'A' }), 1);
    assert.equal(delta('rotor_dns_requests_total', { zone: 'none', proto: 'udp', family: '1', type: 'A' }), 1);
    assert.equal(delta('rotor_dns_responses_total', { zone: ZONE, rcode: 'NOERROR' }), 4);
    assert.equal(delta('rotor_dns_responses_total', { zone: ZONE, rcode: 'NXDOMAIN' }), 1);
    assert.equal(delta('rotor_dns_responses_total', { zone: 'none', rcode: 'REFUSED' }), 1);
    assert.equal(delta('rotor_dns_request_duration_seconds_count', { zone: ZONE, type: 'MX' }), 3);
    assert.equal(delta('rotor_dns_response_size_bytes_count', { zone: ZONE, proto: 'tcp' }), 1);
    assert.equal(delta('rotor_rotation_answers_total', { zone: ZONE, name: ZONE, type: 'MX' }), 3);
    assert.equal(delta('rotor_rotation_answers_total', { zone: ZONE, name: 'mx2.corp.example.', type: 'A' }), 4);

    const soa = await query(rotor, 'corp.example', 'SOA');
    assert.equal(valueOf(m, 'rotor_zone_serial', { zone: ZONE }), Number(soa.answer[0]!.data.split(' ')[2]));
    assert.equal(valueOf(m, 'rotor_zone_records', { zone: ZONE }), 28);
    assert.equal(valueOf(m, 'rotor_zone_reloads_total', { zone: ZONE, result: 'success' }), 1);
    for (const name of ['process_cpu_seconds_total', 'process_resident_memory_bytes', 'nodejs_heap_size_used_bytes', 'nodejs_eventloop_lag_seconds']) {
      assert.ok(m.has(name), `${name} is exported`);
    }
  });

  it('logs every query with who, what, the result, its size and timing, and the rotation offset', async () => {
    const mark = rotor.logs.length;
    const logged = () => rotor.logs.slice(mark).filter((l) => l.msg === 'query');
    for (let i = 0; i < 3; i++) await query(rotor, 'corp.example', 'MX');
    await rotor.waitForLog(() => logged().length >= 3);
    const rotations: number[] = [];
    for (const line of logged()) {
      rotations.push(line.rotation as number);
      assert.equal(line.client, '127.0.0.1');
      assert.equal(typeof line.port, 'number');
      assert.equal(line.proto, 'udp');
      assert.equal(line.zone, ZONE);
      assert.equal(line.qname, 'corp.example.');
      assert.equal(line.qtype, 'MX');
      assert.equal(line.rcode, 'NOERROR');
      assert.equal(line.answers, 5);
      assert.ok((line.size as number) > 200, `size ${line.size}`);
      assert.ok((line.durationUs as number) > 0 && (line.durationUs as number) < 1e6, `durationUs ${line.durationUs}`);
    }
    // Consecutive answers start one record further on: 5 MX, so offsets mod 5.
    assert.deepEqual(rotations.slice(1), [(rotations[0]! + 1) % 5, (rotations[0]! + 2) % 5]);
    await query(rotor, 'nothing-here.corp.example', 'TXT', { tcp: true });
    const nx = await rotor.waitForLog((l) => l.msg === 'query' && l.qname === 'nothing-here.corp.example.');
    assert.deepEqual([nx.proto, nx.qtype, nx.rcode, nx.answers, nx.rotation], ['tcp', 'TXT', 'NXDOMAIN', 0, undefined]);
  });

  it('answers /healthz and /readyz', async () => {
    assert.deepEqual(await get(`${rotor.url}/healthz`), { status: 200, type: 'text/plain; charset=utf-8', body: 'ok\n' });
    assert.equal((await get(`${rotor.url}/readyz`)).status, 200);
    assert.equal((await get(`${rotor.url}/nothing-here`)).status, 404);
    const post = await fetch(`${rotor.url}/metrics`, { method: 'POST' });
    assert.equal(post.status, 405);
  });

  it('serves the status page and the same data as JSON', async () => {
    const page = await get(`${rotor.url}/`);
    assert.equal(page.status, 200);
    assert.match(page.type, /^text\/html/);
    assert.match(page.body, /<script src="\/status\.js"/);
    for (const asset of ['/status.js', '/status.css']) assert.equal((await get(`${rotor.url}${asset}`)).status, 200);
    const doc = JSON.parse((await get(`${rotor.url}/api/status`)).body);
    assert.equal(doc.ready, true);
    assert.deepEqual(doc.zones.map((z: any) => [z.zone, z.served, z.records]), [[ZONE, true, 28]]);
    assert.ok(doc.queries.byType.some((r: any) => r.name === 'MX' && r.count > 0));
    // The order shown is the order the next answer has.
    const predicted = doc.mail[0].mx.next.map((m: any) => `${m.preference} ${m.exchange}`);
    const r = await query(rotor, 'corp.example', 'MX');
    assert.deepEqual(r.answer.map((a) => a.data), predicted);
  });

  it('pushes a new status over server-sent events when the rotation moves', async () => {
    const first = await nextEvent(rotor.url, () => true);
    const served = first.mail[0].mx.served as number;
    const later = nextEvent(rotor.url, (doc) => doc.mail[0].mx.served > served);
    await query(rotor, 'corp.example', 'MX');
    const doc = await later;
    assert.equal(doc.mail[0].mx.served, served + 1);
  });
});

describe('with --workers 2', () => {
  it('the primary serves the workers metrics summed and each worker\'s rotation', async () => {
    const rotor = await startMonitored(await corp(), ['--workers', '2']);
    try {
      await rotor.waitForLog((l) => l.msg === 'workers ready', STARTUP_MS);
      for (let i = 0; i < 6; i++) await query(rotor, 'corp.example', 'MX');
      for (let i = 0; i < 2; i++) await query(rotor, 'corp.example', 'MX', { tcp: true });
      const m = await scrape(rotor);
      assert.equal(valueOf(m, 'rotor_dns_requests_total', { zone: ZONE, proto: 'udp', type: 'MX' }), 6);
      assert.equal(valueOf(m, 'rotor_dns_requests_total', { zone: ZONE, proto: 'tcp', type: 'MX' }), 2);
      assert.equal(valueOf(m, 'rotor_dns_request_duration_seconds_count', { zone: ZONE, type: 'MX' }), 8);
      assert.equal(valueOf(m, 'rotor_rotation_answers_total', { zone: ZONE, name: ZONE, type: 'MX' }), 8);
      assert.equal(valueOf(m, 'rotor_zone_records', { zone: ZONE }), 28, 'not summed over workers');
      const doc = JSON.parse((await get(`${rotor.url}/api/status`)).body);
      assert.equal(doc.ready, true, doc.waiting.join('; '));
      assert.deepEqual(doc.mail.map((z: any) => [z.zone, z.worker]), [[ZONE, 1], [ZONE, 2]]);
      assert.equal(doc.mail.reduce((n: number, z: any) => n + z.mx.served, 0), 8);
      assert.equal(doc.queries.byType.find((r: any) => r.name === 'MX').count, 8);
      assert.deepEqual(doc.zones.map((z: any) => z.zone), [ZONE]);
      assert.equal((await get(`${rotor.url}/readyz`)).status, 200);
    } finally {
      await rotor.stop();
    }
  });
});

describe('readiness and reloads seen from HTTP', () => {
  it('is not ready while a zone has never loaded, then counts the fix as a reload', async () => {
    const rotor = await startMonitored({ 'good.test.yaml': GOOD, 'bad.test.yaml': BAD });
    try {
      const ready = await get(`${rotor.url}/readyz`);
      assert.equal(ready.status, 503);
      assert.match(ready.body, /bad\.test\. not loaded: .*bad\.test\.yaml:6:10: error: "192\.0\.2\.300"/);
      await writeFile(join(rotor.dir, 'bad.test.yaml'), GOOD.replaceAll('good', 'bad'));
      await rotor.waitForLog((l) => l.msg === 'zone loaded' && l.zone === 'bad.test.');
      assert.equal((await get(`${rotor.url}/readyz`)).status, 200);
      const m = await scrape(rotor);
      assert.ok(valueOf(m, 'rotor_zone_reloads_total', { zone: 'bad.test.', result: 'failure' }) >= 1);
      assert.equal(valueOf(m, 'rotor_zone_reloads_total', { zone: 'bad.test.', result: 'success' }), 1);
    } finally {
      await rotor.stop();
    }
  });
});

/** Runs `rotor serve` on a good zone with `args`, expecting it to exit. */
async function serveExit(args: string[]): Promise<{ code: number; stderr: string }> {
  const dir = await tempDir({ 'good.test.yaml': GOOD });
  return run(process.execPath, ['--import', 'tsx', CLI, 'serve', '--zones', dir, '--listen', '127.0.0.1:0', ...args], { cwd: REPO, timeout: STARTUP_MS }).then(
    () => ({ code: 0, stderr: '' }), (e: { code: number; stderr: string }) => e);
}

describe('logging and monitoring settings', { concurrency: 4 }, () => {
  it('reads metrics, query-log and log-format from rotor.yaml', async () => {
    const dir = await tempDir({ 'good.test.yaml': GOOD });
    await writeFile(join(dir, 'rotor.yaml'), 'metrics: 127.0.0.1:0\nquery-log: 0.5\nlog-format: json\n');
    const rotor = await startRotor(dir, ['--config', join(dir, 'rotor.yaml')]);
    try {
      const line = await rotor.waitForLog((l) => l.msg === 'metrics and status page listening');
      assert.equal((await get(`http://127.0.0.1:${line.port}/healthz`)).status, 200);
      // Half the queries, chosen at random: 200 queries give 100 ± 7 lines.
      for (let i = 0; i < 200; i++) await udpExchange(rotor, makeQuery('www.good.test', 1, i));
      // Log lines come through rotor's stdout in order, a moment after they are
      // written: once a TCP query asked after the last UDP answer is logged, every
      // UDP line is in. 40 of them, so that one is sampled (all left out: 2^-40).
      await tcpExchange(rotor, Array.from({ length: 40 }, (_, i) => frame(makeQuery('www.good.test', 1, i))), 40);
      await rotor.waitForLog((l) => l.msg === 'query' && l.proto === 'tcp');
      const logged = rotor.logs.filter((l) => l.msg === 'query' && l.proto === 'udp').length;
      assert.ok(logged > 50 && logged < 150, `${logged} of 200 logged`);
    } finally {
      await rotor.stop();
    }
  });

  it('writes readable lines with --log-format pretty', async () => {
    const dir = await tempDir({ 'good.test.yaml': GOOD });
    const child = spawn(process.execPath, ['--import', 'tsx', CLI, 'serve', '--zones', dir, '--listen', '127.0.0.1:0', '--log-format', 'pretty'], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no listening line: ${out}`)), STARTUP_MS);
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          if (out.includes('listening on UDP and TCP')) { clearTimeout(timer); resolve(); }
        });
      });
      assert.match(out, /^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: rotor starting {"zones":/m);
      assert.match(out, /INFO: zone loaded {"zone":"good\.test\.","records":3,/);
      assert.equal(out.includes('{"level"'), false, 'no JSON lines');
    } finally {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
  });

  const bad: [string, string[], RegExp][] = [
    ['--query-log 2', ['--query-log', '2'], /--query-log: expected on, off or a sample rate from 0 to 1, got "2"/],
    ['--log-format xml', ['--log-format', 'xml'], /--log-format: expected one of json, pretty, got "xml"/],
    ['--log-level loud', ['--log-level', 'loud'], /--log-level: expected one of/],
    ['--metrics nowhere', ['--metrics', 'nowhere'], /--metrics: "nowhere" is not ADDR:PORT/],
  ];
  for (const [what, args, message] of bad) {
    it(`${what}: one line on stderr, exit code 2`, async () => {
      const err = await serveExit(args);
      assert.equal(err.code, 2);
      assert.match(err.stderr, message);
      assert.equal(err.stderr.trim().split('\n').length, 1, err.stderr);
    });
  }

  it('a metrics port in use: one line, exit code 2', async () => {
    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
    try {
      const err = await serveExit(['--metrics', `127.0.0.1:${(blocker.address() as net.AddressInfo).port}`]);
      assert.equal(err.code, 2);
      assert.match(err.stderr, /^rotor: cannot listen: .*EADDRINUSE/);
    } finally {
      blocker.close();
    }
  });
});

// `npm run bench` runs end to end (rotor from source, the echo, dnsperf) and
// its JSON parses. A smoke test at a small fixed load: the figures themselves
// belong to the benchmark, not to the test suite.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import type { Run, Summary } from '../../bench/bench.js';
import { haveKxdpgun } from '../../bench/kxdpgun.js';
import { nativeUdp } from '../../src/net/native-udp.js';
import { REPO } from '../e2e/harness.js';

const run = promisify(execFile);

describe('npm run bench', () => {
  it('measures the echo and rotor in turn and prints JSON that parses', async () => {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', join(REPO, 'bench', 'bench.ts'), '--quick', '--json', '--source'], { cwd: REPO, timeout: 60_000 });
    const result = JSON.parse(stdout) as { settings: { rounds: number; rate: number }; runs: Run[]; summary: Summary[] };
    assert.equal(result.settings.rounds, 2);
    // Both transports where the native one is built, each with its CPU time per query.
    const rotors = 'addon' in nativeUdp() ? ['rotor', 'rotor/dgram'] : ['rotor'];
    assert.deepEqual(result.runs.map((r) => `${r.round} ${r.server}`), [1, 2].flatMap((round) => ['echo', ...rotors].map((s) => `${round} ${s}`)), 'A B A B');
    for (const s of result.summary) assert.ok(s.cpuUs > 0, `${s.server} CPU time per query`);
    for (const r of result.runs) {
      assert.ok(r.completed > 0 && r.qps > 0, `${r.server} answered: ${JSON.stringify(r)}`);
      assert.ok(r.p50Ms > 0 && r.p99Ms >= r.p50Ms, `${r.server} latencies: ${JSON.stringify(r)}`);
    }
    const rotor = result.summary.find((s) => s.server === 'rotor')!;
    assert.ok(rotor.ratio && rotor.ratio.min <= rotor.ratio.median && rotor.ratio.median <= rotor.ratio.max);
    assert.match(stderr, /\| rotor +\| +[\d,]+ \|/, 'the table goes to stderr with --json');
  });

  // kxdpgun needs root, for the bench's network namespace and veth link.
  const kxdpgun = haveKxdpgun() ? {} : { skip: 'kxdpgun (knot-dnsutils) is not installed or this is not root' };
  it('drives the same servers with kxdpgun over a veth link, and offers rotor and the echo twice the echo\'s rate', kxdpgun, async () => {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', join(REPO, 'bench', 'bench.ts'), '--quick', '--json', '--source', '--generator', 'kxdpgun', '--transport', 'dgram'], { cwd: REPO, timeout: 90_000 });
    const result = JSON.parse(stdout) as { settings: { generator: string }; runs: Run[]; twiceEcho: { rate: number; runs: Run[] } };
    assert.equal(result.settings.generator, 'kxdpgun');
    assert.deepEqual(result.runs.map((r) => `${r.round} ${r.server}`), ['1 echo', '1 rotor', '2 echo', '2 rotor']);
    for (const r of result.runs) {
      // kxdpgun counts what it sent and what came back; at 2,000 q/s both servers answer nearly all.
      assert.ok(r.sent >= 1000 && r.completed > 0.9 * r.sent, `${r.server} answered over the veth link: ${JSON.stringify(r)}`);
      assert.equal(r.p50Ms, null, 'kxdpgun measures no latency');
    }
    const echo = result.runs.filter((r) => r.server === 'echo').map((r) => r.qps).sort((a, b) => a - b);
    assert.equal(result.twiceEcho.rate, echo[0]! + echo[1]!, 'twice the median of two rounds');
    assert.deepEqual(result.twiceEcho.runs.map((r) => `${r.round} ${r.server}`), ['1 echo', '1 rotor', '2 echo', '2 rotor']);
  });

  it('rejects --generator kxdpgun with --load, and an unknown generator, with exit code 2', async () => {
    for (const [args, message] of [
      [['--generator', 'kxdpgun', '--load'], /^bench: --generator kxdpgun measures maximum rates only, without --load or --dnssec\n/],
      [['--generator', 'trex'], /^bench: --generator expects dnsperf or kxdpgun, got "trex"\n/],
    ] as const) {
      const failed = await run(process.execPath, ['--import', 'tsx', join(REPO, 'bench', 'bench.ts'), ...args], { cwd: REPO, timeout: 15_000 })
        .then(() => undefined, (e: { code: number; stderr: string }) => e);
      assert.equal(failed?.code, 2, args.join(' '));
      assert.match(failed!.stderr, message);
    }
  });

  it('rejects a bad option with its usage and exit code 2', async () => {
    const failed = await run(process.execPath, ['--import', 'tsx', join(REPO, 'bench', 'bench.ts'), '--rounds', 'zero'], { cwd: REPO, timeout: 15_000 })
      .then(() => undefined, (e: { code: number; stderr: string }) => e);
    assert.equal(failed?.code, 2);
    assert.match(failed!.stderr, /^bench: --rounds expects a positive number, got "zero"\nnpm run bench/);
  });
});

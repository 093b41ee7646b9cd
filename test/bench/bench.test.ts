// `npm run bench` runs end to end (rotor from source, the echo, dnsperf) and
// its JSON parses. A smoke test at a small fixed load: the figures themselves
// belong to the benchmark, not to the test suite.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import type { Run, Summary } from '../../bench/bench.js';
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

  it('rejects a bad option with its usage and exit code 2', async () => {
    const failed = await run(process.execPath, ['--import', 'tsx', join(REPO, 'bench', 'bench.ts'), '--rounds', 'zero'], { cwd: REPO, timeout: 15_000 })
      .then(() => undefined, (e: { code: number; stderr: string }) => e);
    assert.equal(failed?.code, 2);
    assert.match(failed!.stderr, /^bench: --rounds expects a positive number, got "zero"\nnpm run bench/);
  });
});

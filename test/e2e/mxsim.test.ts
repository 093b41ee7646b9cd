// `rotor mxsim` against real rotor servers, one per rotation policy, serving
// the example mail zone: what senders do with the MX answers decides where
// mail goes, not the order the server puts them in.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import type { Summary } from '../../src/mxsim/report.js';
import { REPO, startRotor, STARTUP_MS, tempDir, type Rotor } from './harness.js';

const run = promisify(execFile);
const POLICIES = ['cyclic', 'random', 'fixed'] as const;
const MX1 = 'mx1.corp.example.';

/** The last run queued on each server: a cyclic server's answers depend on every query before them. */
const lanes = new Map<Rotor, Promise<unknown>>();

/** Runs `rotor mxsim --json` against one server, after the runs already queued on it. */
function mxsim(rotor: Rotor, args: string[]): Promise<Summary> {
  const result = (lanes.get(rotor) ?? Promise.resolve()).then(async () => {
    const { stdout } = await run(process.execPath, [
      '--import', 'tsx', join(REPO, 'src', 'cli.ts'), 'mxsim', '--server', `${rotor.host}:${rotor.port}`,
      '--domain', 'corp.example', '--senders', '500', '--messages', '5000', '--json', ...args,
    ], { cwd: REPO, timeout: STARTUP_MS });
    return JSON.parse(stdout) as Summary;
  });
  lanes.set(rotor, result.catch(() => undefined));
  return result;
}

const connections = (s: Summary, exchange: string): number => s.gateways.find((g) => g.exchange === exchange)!.connections;
/** Shares of the up preference-10 gateways, in points, of their own connections. */
const groupShares = (s: Summary): Record<string, number> =>
  Object.fromEntries(s.group!.gateways.map((g) => [g, (100 * connections(s, g)) / s.group!.connections]));

// The tests start together; runs on different servers overlap, runs on one server take turns.
describe('rotor mxsim against a running server', { concurrency: true }, () => {
  const servers = {} as Record<(typeof POLICIES)[number], Rotor>;
  let dir: string;
  before(async () => {
    dir = await tempDir(Object.fromEntries(POLICIES.map((p) => [`${p}.yaml`, `rotation: ${p}\n`])));
    const zone = await readFile(join(REPO, 'zones', 'corp.example.yaml'), 'utf8');
    await Promise.all(POLICIES.map(async (p) => {
      servers[p] = await startRotor({ 'corp.example.yaml': zone }, ['--config', join(dir, `${p}.yaml`)]);
    }));
  });
  after(async () => {
    await Promise.all(Object.values(servers).map((s) => s.stop()));
    await rm(dir, { recursive: true, force: true });
  });

  for (const policy of POLICIES) {
    it(`rfc5321 senders share the four gateways within ±5 points of even under ${policy} rotation`, async () => {
      const s = await mxsim(servers[policy], []);
      assert.equal(s.delivered, 5000);
      assert.deepEqual(s.group!.gateways, ['mx1.corp.example.', 'mx2.corp.example.', 'mx3.corp.example.', 'mx4.corp.example.']);
      for (const [gateway, share] of Object.entries(groupShares(s))) assert.ok(Math.abs(share - 25) <= 5, `${gateway}: ${share.toFixed(2)}%`);
      assert.equal(connections(s, 'backup-mx.corp.example.'), 0);
      assert.equal(s.queries.mx, 5000, 'every lookup reached the server');
    });
  }

  it('first-record senders against a fixed server all go to the first gateway', async () => {
    const s = await mxsim(servers.fixed, ['--sender', 'first-record']);
    assert.equal(connections(s, MX1), 5000);
    assert.equal(s.gateways.find((g) => g.exchange === MX1)!.share, 1);
    assert.equal(s.group!.ratio, null, 'JSON has no Infinity: one gateway got nothing');
    assert.match(s.conclusion[0]!, /^Uneven: mx1\.corp\.example\. took 100\.0%/);
  });

  it('a few caching resolvers widen the spread that first-record senders would get without them', async () => {
    const args = ['--sender', 'first-record', '--resolvers', '2', '--duration', '20m'];
    const direct = await mxsim(servers.cyclic, args);
    const cached = await mxsim(servers.cyclic, [...args, '--resolver-cache', 'on']);
    // Without a cache each lookup takes the next turn of the MX set: an exact split.
    assert.ok(direct.group!.cv < 0.02, `CV without cache ${direct.group!.cv}`);
    // Two resolvers, four 300 s windows each: eight answers decide all 5,000 messages.
    assert.ok(cached.queries.mx <= 10, `${cached.queries.mx} MX queries`);
    assert.ok(cached.group!.cv > 0.15, `CV with cache ${cached.group!.cv}`);
    assert.ok(cached.group!.spreadPoints > 5, `spread ${cached.group!.spreadPoints} points`);
  });

  it('with mx1 down its load goes to the others, unevenly when some senders follow the answer order', async () => {
    const svg = join(dir, 'down.svg');
    const s = await mxsim(servers.cyclic, ['--down', MX1, '--sender', 'rfc5321=70,first-record=30', '--svg', svg]);
    assert.equal(connections(s, MX1), 0);
    assert.ok(s.gateways.find((g) => g.exchange === MX1)!.refused > 0);
    assert.equal(s.undelivered, 0);
    assert.equal(s.gateways.reduce((n, g) => n + g.connections, 0), 5000, 'the others carried every message');
    const shares = groupShares(s);
    // First-record senders that meet mx1 first fall through to the record after it: mx2.
    const mx2 = shares['mx2.corp.example.']!;
    for (const other of ['mx3.corp.example.', 'mx4.corp.example.']) {
      assert.ok(mx2 - shares[other]! > 3, `mx2 ${mx2.toFixed(2)}% vs ${other} ${shares[other]!.toFixed(2)}%`);
    }
    assert.ok(s.group!.chiSquare.pValue < 0.001, `p = ${s.group!.chiSquare.pValue}`);
    assert.match(s.conclusion.join('\n'), /mx1\.corp\.example\. refused [\d,]+ connection attempts and took none; .* unevenly/);
    assert.match(await readFile(svg, 'utf8'), /^<svg [^]*>down<[^]*<\/svg>\n$/);
  });

  it('refuses bad arguments with one line and exit code 2', async () => {
    const failure = await mxsim(servers.fixed, ['--sender', 'rfc5321=70,random=30']).then(() => undefined, (e: unknown) => e as { code: number; stderr: string });
    assert.equal(failure?.code, 2);
    assert.equal(failure!.stderr, 'rotor: --sender: "random=30" is not MODEL or MODEL=WEIGHT with MODEL one of rfc5321, first-record, sticky\n');
  });
});

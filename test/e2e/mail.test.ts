// The mail path end to end, over loopback: rotor serves the lab mail zone and
// the RFC 5782 block list; `rotor gateway` answers swaks (Debian's package)
// with the story's handshake, or with 554 5.7.1 and the list's reason for the
// listed 127.0.0.2; `rotor mxsim --smtp` delivers through real SMTP sessions
// and its gateways' counts match the DNS-only run of the same seed; and mxsim
// finishes on a zone with unresolvable, IPv6-only and out-of-zone exchanges.
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import type { SmtpReport } from '../../src/mail/report.js';
import type { Summary } from '../../src/mxsim/report.js';
import { query, REPO, startRotor, STARTUP_MS, type Rotor } from './harness.js';

const run = promisify(execFile);
const CLI = join(REPO, 'src', 'cli.ts');
const TXT = '"127.0.0.2 is listed as the RFC 5782 test point; see docs/mail-path.md"';

/** One gateway with three A records (and an AAAA), one with one, one with only an AAAA, a name that does not exist, a backup outside the zone. */
const ODD = `'':
  - {type: SOA, value: {mname: ns1.odd.example., rname: hostmaster@odd.example, serial: 1, refresh: 3600, retry: 600, expire: 1209600, minimum: 300}}
  - {type: NS, value: ns1.odd.example.}
  - type: MX
    values:
      - {exchange: mx-backup.outside.test., preference: 50}
      - {exchange: mx1, preference: 10}
      - {exchange: mx2, preference: 10}
      - {exchange: mx3, preference: 10}
      - {exchange: gone, preference: 20}
ns1: {type: A, value: 192.0.2.53}
mx1:
  - {type: A, values: [192.0.2.11, 192.0.2.12, 192.0.2.13]}
  - {type: AAAA, value: '2001:db8::11'}
mx2: {type: A, value: 192.0.2.21}
mx3: {type: AAAA, value: '2001:db8::31'}
`;

type MxsimJson = Summary & { smtp?: SmtpReport };

async function mxsim(rotor: Rotor, args: string[]): Promise<MxsimJson> {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', CLI, 'mxsim', '--server', `${rotor.host}:${rotor.port}`, '--json', ...args],
    { cwd: REPO, timeout: STARTUP_MS, maxBuffer: 16 << 20 });
  return JSON.parse(stdout) as MxsimJson;
}

interface RunningGateway {
  port: number;
  stop(): Promise<string>;
}

/** `rotor gateway` on 127.0.0.11, port 0, checking clients at dnsbl.example through `rotor`. */
async function startGateway(rotor: Rotor): Promise<RunningGateway> {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, 'gateway', '--listen', '127.0.0.11:0', '--name', 'mx1.lab.example',
    '--dnsbl', 'dnsbl.example', '--server', `${rotor.host}:${rotor.port}`], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`gateway did not listen: ${out}`)), STARTUP_MS);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /"port":(\d+)[^\n]*"msg":"gateway listening"/.exec(out);
      if (m) { clearTimeout(timer); resolve(Number(m[1])); }
    });
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`gateway exited with ${code}: ${out}`)); });
  });
  return {
    port,
    stop: async () => {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
      return out;
    },
  };
}

/** swaks from `local`; its exit code and transcript (a refusal is a result, not an exception). */
async function swaks(port: number, local: string): Promise<{ code: number; out: string }> {
  const args = ['--server', '127.0.0.11', '--port', String(port), '--local-interface', local, '--helo', 'sender.example',
    '--from', 'alice@sender.example', '--to', 'postmaster@lab.example', '--timeout', '10'];
  try {
    const { stdout, stderr } = await run('swaks', args, { timeout: 30_000 });
    return { code: 0, out: stdout + stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, out: err.stdout + err.stderr };
  }
}

describe('the mail path over loopback', () => {
  let rotor: Rotor;
  before(async () => {
    const zone = async (name: string): Promise<string> => readFile(join(REPO, 'zones', name), 'utf8');
    rotor = await startRotor({
      'lab.example.yaml': await zone('lab.example.yaml'),
      'dnsbl.example.yaml': await zone('dnsbl.example.yaml'),
      'odd.example.yaml': ODD,
    });
  });
  after(async () => {
    await rotor.stop();
  });

  it('the block list answers RFC 5782 test points through rotor: 127.0.0.2 listed with a reason, 127.0.0.1 not', async () => {
    const a = await query(rotor, '2.0.0.127.dnsbl.example', 'A');
    assert.equal(a.status, 'NOERROR');
    assert.deepEqual(a.answer.map((r) => `${r.name} ${r.type} ${r.data}`), ['2.0.0.127.dnsbl.example. A 127.0.0.2']);
    const txt = await query(rotor, '2.0.0.127.dnsbl.example', 'TXT');
    assert.deepEqual(txt.answer.map((r) => `${r.type} ${r.data}`), [`TXT ${TXT}`]);
    assert.equal((await query(rotor, '1.0.0.127.dnsbl.example', 'A')).status, 'NXDOMAIN');
  });

  it('rotor gateway speaks the story\'s handshake to swaks, rejects the listed 127.0.0.2 with the TXT reason, accepts 127.0.0.1', async () => {
    const gateway = await startGateway(rotor);
    let log = '';
    try {
      const ok = await swaks(gateway.port, '127.0.0.1');
      assert.equal(ok.code, 0, ok.out);
      const lines = ok.out.split('\n');
      const expect = [
        /^<- {2}220 mx1\.lab\.example ESMTP ready$/,
        /^ -> EHLO sender\.example$/,
        /^<- {2}250-mx1\.lab\.example /,
        /^<- {2}250-ENHANCEDSTATUSCODES$/,
        /^ -> MAIL FROM:<alice@sender\.example>$/,
        /^<- {2}250 2\.1\.0 Accepted$/,
        /^ -> RCPT TO:<postmaster@lab\.example>$/,
        /^<- {2}250 2\.1\.5 Accepted$/,
        /^ -> DATA$/,
        /^<- {2}354 End data with <CR><LF>\.<CR><LF>$/,
        /^<- {2}250 2\.6\.0 queued as \w+$/,
        /^ -> QUIT$/,
        /^<- {2}221 2\.0\.0 Bye$/,
      ];
      // In this order, each one line of the transcript.
      let at = 0;
      for (const pattern of expect) {
        const found = lines.findIndex((l, i) => i >= at && pattern.test(l));
        assert.ok(found >= 0, `${pattern} after line ${at} in:\n${ok.out}`);
        at = found + 1;
      }

      const listed = await swaks(gateway.port, '127.0.0.2');
      assert.notEqual(listed.code, 0);
      assert.match(listed.out, new RegExp(`^<\\*\\* 554 5\\.7\\.1 Service unavailable; client \\[127\\.0\\.0\\.2\\] blocked using dnsbl\\.example: ${TXT.slice(1, -1).replace(/\./g, '\\.')}$`, 'm'));
      assert.doesNotMatch(listed.out, /MAIL FROM/, 'the session ends at the greeting');
    } finally {
      log = await gateway.stop();
    }
    assert.match(log, /"accepted":1,"rejected":1,"msg":"gateway stopped"/);
  });

  it('mxsim --smtp delivers 2,000 messages through real SMTP sessions, and the gateways\' counts match the DNS-only run', async (t) => {
    const args = ['--domain', 'lab.example', '--messages', '2000', '--seed', '7'];
    const dnsOnly = await mxsim(rotor, args);
    const smtp = await mxsim(rotor, [...args, '--smtp']);
    const report = smtp.smtp!;
    assert.equal(report.accepted, 2000);
    assert.equal(smtp.delivered, 2000);
    t.diagnostic(`2,000 messages through SMTP sessions in ${report.seconds.toFixed(1)} s`);
    for (const row of dnsOnly.gateways) {
      const counted = report.gateways.find((g) => g.exchange === row.exchange)!;
      const points = 100 * Math.abs(counted.share - row.share);
      t.diagnostic(`${row.exchange} DNS-only ${(100 * row.share).toFixed(2)}%, gateways ${(100 * counted.share).toFixed(2)}%`);
      assert.ok(points <= 3, `${row.exchange}: ${points.toFixed(2)} points from the DNS-only run`);
    }
    assert.equal(report.gateways.find((g) => g.exchange === 'backup-mx.lab.example.')!.accepted, 0);
    assert.deepEqual(report.gateways.find((g) => g.exchange === 'mx1.lab.example.')!.listening.map((l) => l.split(':')[0]), ['127.0.0.11', '127.0.0.12']);
  });

  it('mxsim --smtp: a down gateway refuses for real, and listed senders are rejected per gateway', async () => {
    const s = await mxsim(rotor, ['--domain', 'lab.example', '--messages', '600', '--smtp', '--down', 'mx2', '--dnsbl', 'dnsbl.example', '--listed', '10%']);
    const report = s.smtp!;
    const mx2 = report.gateways.find((g) => g.exchange === 'mx2.lab.example.')!;
    assert.equal(mx2.down, true);
    assert.equal(mx2.accepted + mx2.rejected, 0);
    assert.ok(s.gateways.find((g) => g.exchange === 'mx2.lab.example.')!.refused > 0);
    assert.ok(report.rejected > 20 && report.rejected < 120, `${report.rejected} rejected of 600`);
    assert.equal(report.accepted + report.rejected, 600);
    assert.equal(s.returned, report.rejected);
    for (const exchange of ['mx1.lab.example.', 'mx3.lab.example.']) {
      assert.equal(s.gateways.find((g) => g.exchange === exchange)!.rejected, report.gateways.find((g) => g.exchange === exchange)!.rejected);
    }
    assert.match(s.conclusion.join('\n'), /messages from listed senders were rejected with 5xx and returned \(mx1\.lab\.example\. \d+, mx3\.lab\.example\. \d+\)/);
  });

  it('mxsim finishes on a zone with unresolvable, IPv6-only and out-of-zone exchanges, with every sender model, and names the cause', async () => {
    for (const sender of ['first-record', 'rfc5321=60,first-record=20,sticky=20']) {
      const s = await mxsim(rotor, ['--domain', 'odd.example', '--messages', '1000', '--sender', sender]);
      assert.equal(s.delivered, 1000, sender);
      const unreachable = Object.fromEntries(s.verdict.unreachable.map((u) => [u.exchange, u.reason]));
      assert.match(unreachable['mx-backup.outside.test.']!, /REFUSED/);
      assert.match(unreachable['mx3.odd.example.']!, /only IPv6 addresses \(AAAA\) and these senders use IPv4 only/);
      // The AAAA-only gateway is not blamed on the spread; what the spread says is about mx1 and mx2 alone.
      assert.match(s.conclusion[0]!, /^Unreachable for these senders, not uneven: mx3\.odd\.example\./);
      assert.deepEqual(s.group!.gateways, ['mx1.odd.example.', 'mx2.odd.example.']);
    }
    const gone = await mxsim(rotor, ['--domain', 'odd.example', '--messages', '200', '--down', 'mx1', '--down', 'mx2']);
    assert.deepEqual(gone.gateways.filter((g) => g.down).map((g) => g.exchange), ['mx1.odd.example.', 'mx2.odd.example.']);
    assert.equal(gone.gateways.find((g) => g.exchange === 'gone.odd.example.')!.unreachable, 'its name does not exist (NXDOMAIN)');
    assert.equal(gone.undelivered, 200, 'nothing IPv4 senders can reach is up: deferred, retried, given up');
    assert.equal(gone.deferrals, 800);
  });

  it('mxsim over IPv6 and dual stack asks for AAAA records and reaches the AAAA-only gateway', async () => {
    const v6 = await mxsim(rotor, ['--domain', 'odd.example', '--messages', '1000', '--family', 'ipv6']);
    assert.ok(v6.queries.aaaa > 0, 'AAAA lookups for exchanges the additional section had no AAAA for');
    assert.deepEqual(v6.group!.gateways, ['mx1.odd.example.', 'mx3.odd.example.']);
    const dual = await mxsim(rotor, ['--domain', 'odd.example', '--messages', '1000', '--family', 'dual']);
    assert.deepEqual(dual.group!.gateways, ['mx1.odd.example.', 'mx2.odd.example.', 'mx3.odd.example.']);
    // rfc5321 senders reach a preference-10 gateway every time: they never get as far as the others.
    assert.deepEqual(dual.verdict.unreachable, []);
    assert.equal(dual.verdict.split, 'even');
  });
});

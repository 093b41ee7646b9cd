// What an admin coming from BIND, Knot or NSD meets (issue 18): the version,
// config errors with their place, zone files named BIND's way, zones listed in
// rotor.yaml, rotor ctl over its socket, live reload of rotor.yaml, and the
// errors of listeners that cannot bind. The real CLI and server on loopback.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import net from 'node:net';
import { chmod, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { explainListenError } from '../../src/cli/serve.js';
import { query, REPO, runCli, startRotor, STARTUP_MS, tempDir } from './harness.js';
import { get, startMonitored } from './monitor.js';

const corp = () => readFile(join(REPO, 'zones', 'corp.example.yaml'), 'utf8');
const EXAMPLE = "'':\n  - type: NS\n    value: ns1.example.com.\n  - type: A\n    values: [192.0.2.1, 192.0.2.2, 192.0.2.3]\nns1:\n  type: A\n  value: 192.0.2.53\n";
const MASTER = '$ORIGIN example.com.\n$TTL 300\n@ IN NS ns1\nns1 IN A 192.0.2.53\nwww IN A 192.0.2.80\n';

describe('finding 2: rotor --version', () => {
  it('prints the version of package.json and exits 0', async () => {
    const { version } = JSON.parse(await readFile(join(REPO, 'package.json'), 'utf8')) as { version: string };
    const r = await runCli(['--version']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, new RegExp(`^rotor ${version.replaceAll('.', '\\.')} \\(Node\\.js \\d+\\.\\d+\\.\\d+\\)\\n$`));
  });

  it('suggests the command a typo meant', async () => {
    const r = await runCli(['serv']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /unknown command "serv"; did you mean "serve"\?/);
  });
});

describe('finding 4: config errors', () => {
  const cases: [string, string, RegExp][] = [
    ['a top-level key written BIND-style', 'listen: 127.0.0.1:0\ndefault_ttl: 60\n', /c\.yaml:2:1: unknown setting "default_ttl"; did you mean "default-ttl"\?$/],
    ['a misspelt nested key', 'rrl:\n  slp: 1\n', /c\.yaml:2:3: rrl: unknown key "slp"; did you mean "slip"\?$/],
    ['a bad value, at the value', 'rrl:\n  slip: 99\n', /c\.yaml:2:9: rrl\.slip: expected an integer from 0 to 10, got 99$/],
    ['a key under a zone name with dots', 'zone-settings:\n  corp.example:\n    allow-transfers: []\n', /c\.yaml:3:5: zone-settings\.corp\.example: unknown setting "allow-transfers"; did you mean "allow-transfer"\?$/],
    ['a list entry', 'rotation:\n  names:\n    - {name: x, policy: bogus}\n', /c\.yaml:3:25: rotation\.names\[0\]\.policy: expected one of cyclic, random, fixed, got "bogus"$/],
    ['a YAML syntax error', 'listen: [a\n', /c\.yaml:2:1: /],
  ];
  for (const [what, text, message] of cases) {
    it(`places ${what} at file:line:col, in one line, exit 2`, async () => {
      const dir = await tempDir({ 'c.yaml': text });
      const r = await runCli(['serve', '--config', join(dir, 'c.yaml'), '--zones', dir]);
      assert.equal(r.code, 2);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
      assert.match(r.stderr.trim(), message);
    });
  }
});

describe('finding 1: zone files named the BIND way, and no zone at all', () => {
  it('check: a directory without a zone file is an error naming the files it skipped and why', async () => {
    const dir = await tempDir({ 'db.example.com': MASTER, 'example.com.db': MASTER, 'example.com': MASTER });
    const r = await runCli(['check', dir]);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /db\.example\.com: not checked, not a zone file: named as BIND's files are, not <zone>\.zone: rename it to example\.com\.zone/);
    assert.match(r.stdout, /example\.com\.db: not checked, not a zone file: named as BIND's files are/);
    assert.match(r.stdout, /\/example\.com: not checked, not a zone file: no \.zone or \.yaml extension/);
    assert.match(r.stdout, /error: no zone file found/);
    const empty = await runCli(['check', await tempDir()]);
    assert.equal(empty.code, 1);
  });

  it('check FILE --origin NAME checks a file named any way', async () => {
    const dir = await tempDir({ 'db.example.com': MASTER });
    const r = await runCli(['check', join(dir, 'db.example.com'), '--origin', 'example.com']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /zone example\.com\. OK: 4 records/);
    const yaml = await tempDir({ 'example': EXAMPLE });
    const y = await runCli(['check', join(yaml, 'example'), '--origin', 'example.com', '--format', 'yaml']);
    assert.equal(y.code, 0, y.stdout + y.stderr);
  });

  it('serve: a warning per file not taken, once; no zone at all is a warning and /readyz 503', async () => {
    const dir = await tempDir({ 'db.example.com': MASTER });
    const rotor = await startMonitored(dir);
    try {
      const skipped = rotor.logs.filter((l) => l.level === 40 && String(l.msg).startsWith('not a zone file'));
      assert.equal(skipped.length, 1);
      assert.match(String(skipped[0]!.reason), /rename it to example\.com\.zone/);
      assert.ok(rotor.logs.some((l) => l.level === 40 && /^no zone to serve/.test(String(l.msg))));
      const ready = await get(`${rotor.url}/readyz`);
      assert.equal(ready.status, 503);
      assert.match(ready.body, /no zone to serve/);
      // SIGHUP reads the directory again: the same file is not reported twice.
      rotor.process.kill('SIGHUP');
      await rotor.waitForLog((l) => l.msg === 'SIGHUP: reloading every zone');
      await new Promise((r) => setTimeout(r, 500));
      assert.equal(rotor.logs.filter((l) => String(l.msg).startsWith('not a zone file')).length, 1);
    } finally {
      await rotor.stop();
    }
  });

  it('serve: zones listed in rotor.yaml, any file name, beside the directory, with their settings', async () => {
    const dir = await tempDir({ 'db.example.com': MASTER, 'corp.example.yaml': await corp() });
    await writeFile(join(dir, 'rotor.yaml'), 'zone:\n  - name: example.com\n    file: db.example.com\n    allow-query: [192.0.2.0/24]\n  - name: other.test\n    file: other\n    format: yaml\n');
    await writeFile(join(dir, 'other'), EXAMPLE.replaceAll('example.com', 'other.test'));
    const rotor = await startRotor(dir, ['--config', join(dir, 'rotor.yaml')]);
    try {
      assert.equal((await query(rotor, 'www.example.com', 'A')).status, 'REFUSED', 'allow-query of the entry applies');
      assert.deepEqual((await query(rotor, 'ns1.other.test', 'A')).answer.map((r) => r.data), ['192.0.2.53']);
      assert.equal((await query(rotor, 'mx1.corp.example', 'A')).status, 'NOERROR');
      const skipped = rotor.logs.filter((l) => String(l.msg).startsWith('not a zone file'));
      // rotor.yaml beside the zones is named, at info level, and never read as a zone "rotor.".
      assert.deepEqual(skipped.map((l) => [l.file, l.level, l.reason]), [[join(dir, 'rotor.yaml'), 30, "rotor's settings file"]], 'a listed file is taken');
    } finally {
      await rotor.stop();
    }
  });
});

describe('finding 3: the log says what was read', () => {
  it('names the config file and the zone directory with absolute paths in its first line', async () => {
    const dir = await tempDir({ 'corp.example.yaml': await corp(), 'rotor.yaml': 'default-ttl: 60\n' });
    const rotor = await startRotor(dir, ['--config', join(dir, 'rotor.yaml')]);
    try {
      const first = rotor.logs[0]!;
      assert.equal(first.msg, 'rotor starting');
      assert.equal(first.config, join(dir, 'rotor.yaml'));
      assert.equal(first.zones, dir);
    } finally {
      await rotor.stop();
    }
  });
});

describe('finding 3: live reload of rotor.yaml', () => {
  it('applies what can change live at once, names what needs a restart, and keeps the old config when the file is broken', async () => {
    const dir = await tempDir({ 'corp.example.yaml': await corp(), 'rotor.yaml': 'rotation: fixed\n' });
    const config = join(dir, 'rotor.yaml');
    const rotor = await startRotor(dir, ['--config', config]);
    const order = async () => (await query(rotor, 'mx2.corp.example', 'A')).answer.map((r) => r.data).join(' ');
    const reloaded = async () => {
      const before = rotor.logs.length;
      rotor.process.kill('SIGHUP');
      await rotor.waitForLog((l) => l.msg === 'zone loaded' && l.reload === true && rotor.logs.indexOf(l) >= before);
      return rotor.logs.slice(before);
    };
    try {
      assert.equal(await order(), await order(), 'fixed: the same order every time');
      // allow-query (live) shuts this client out; tcp-max-queries (restart) is named in a warning.
      await writeFile(config, 'rotation: fixed\nallow-query: [192.0.2.0/24]\ntcp-max-queries: 5\n');
      let lines = await reloaded();
      assert.ok(lines.some((l) => l.level === 40 && /tcp-max-queries changed, and take effect only after a restart/.test(String(l.msg))), lines.map((l) => l.msg).join('\n'));
      assert.equal((await query(rotor, 'mx2.corp.example', 'A')).status, 'REFUSED');
      // A broken file: logged with its place, and the running configuration (REFUSED) stays.
      await writeFile(config, 'rotation: fixed\nallow-query: [192.0.2.0/33]\n');
      lines = await reloaded();
      assert.ok(lines.some((l) => l.level === 50 && /rotor\.yaml:2:14: allow-query: .*; the running configuration stays$/.test(String(l.msg))), lines.map((l) => l.msg).join('\n'));
      assert.equal((await query(rotor, 'mx2.corp.example', 'A')).status, 'REFUSED');
      // Fixed again: rotation is live too.
      await writeFile(config, 'rotation: cyclic\n');
      await reloaded();
      const a = await order();
      assert.notEqual(await order(), a, 'cyclic now: the order turns');
    } finally {
      await rotor.stop();
    }
  });
});

describe('finding 5: user and group', () => {
  const root = process.getuid?.() === 0;
  it('binds as root, then runs as the user and group named, its control socket theirs', { skip: root ? false : 'needs root' }, async () => {
    const dir = await tempDir({ 'corp.example.yaml': await corp(), 'rotor.yaml': 'user: nobody\ngroup: nogroup\ncontrol-socket: ctl.sock\n' });
    const rotor = await startRotor(dir, ['--config', join(dir, 'rotor.yaml')]);
    try {
      const line = await rotor.waitForLog((l) => /^sockets bound: now running as uid/.test(String(l.msg)));
      const status = await readFile(`/proc/${rotor.process.pid}/status`, 'utf8');
      const ids = (field: string) => new RegExp(`^${field}:\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)$`, 'm').exec(status)!.slice(1).map(Number);
      assert.deepEqual(ids('Uid'), [line.uid, line.uid, line.uid, line.uid].map(Number));
      assert.deepEqual(ids('Gid'), [line.gid, line.gid, line.gid, line.gid].map(Number));
      assert.notEqual(line.uid, 0);
      assert.equal(/^Groups:\s*(.*)$/m.exec(status)![1]!.trim(), String(line.gid), 'root\'s supplementary groups are gone');
      assert.equal((await stat(join(dir, 'ctl.sock'))).uid, line.uid);
      assert.equal((await query(rotor, 'mx1.corp.example', 'A')).status, 'NOERROR');
    } finally {
      await rotor.stop();
    }
  });

  it('with workers: each worker and then the primary become the user; a replacement worker still answers', { skip: root ? false : 'needs root' }, async () => {
    const dir = await tempDir({ 'corp.example.yaml': await corp(), 'rotor.yaml': 'user: nobody\n' });
    // A replacement worker starts as the user: it must be able to read rotor.yaml and the zones, as in a real install.
    await chmod(dir, 0o755);
    const rotor = await startRotor(dir, ['--config', join(dir, 'rotor.yaml'), '--workers', '2']);
    try {
      const ready = await rotor.waitForLog((l) => l.msg === 'workers ready', STARTUP_MS);
      await rotor.waitForLog((l) => /^sockets bound: now running as uid/.test(String(l.msg)) && l.worker === undefined);
      const uid = async (pid: number) => Number(/^Uid:\s+(\d+)/m.exec(await readFile(`/proc/${pid}/status`, 'utf8'))![1]);
      for (const pid of [rotor.process.pid!, ...(ready.pids as number[])]) assert.notEqual(await uid(pid), 0, `pid ${pid} still root`);
      process.kill((ready.pids as number[])[0]!, 'SIGKILL');
      const replaced = await rotor.waitForLog((l) => l.msg === 'worker ready', STARTUP_MS);
      assert.notEqual(await uid(Number(replaced.pid)), 0);
      for (let i = 0; i < 4; i++) assert.equal((await query(rotor, 'mx1.corp.example', 'A', { tcp: i % 2 === 0 })).status, 'NOERROR');
    } finally {
      await rotor.stop();
    }
  });

  it('a user that does not exist is an error before anything is bound', async () => {
    const dir = await tempDir({ 'corp.example.yaml': await corp(), 'rotor.yaml': 'user: no-such-user-here\n' });
    const r = await runCli(['serve', '--config', join(dir, 'rotor.yaml'), '--zones', dir, '--listen', '127.0.0.1:0']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^rotor: user: no user "no-such-user-here" on this system$/m);
  });
});

describe('finding 5 and 7: listeners that cannot bind', () => {
  it('a taken metrics port is named as the metrics listener', async () => {
    const taken = net.createServer().listen(0, '127.0.0.1');
    await once(taken, 'listening');
    const port = (taken.address() as net.AddressInfo).port;
    try {
      const dir = await tempDir({ 'corp.example.yaml': await corp() });
      const r = await runCli(['serve', '--zones', dir, '--listen', '127.0.0.1:0', '--metrics', `127.0.0.1:${port}`]);
      assert.equal(r.code, 2);
      assert.match(r.stderr, new RegExp(`^rotor: cannot listen: metrics listener \\(metrics: 127\\.0\\.0\\.1:${port}\\): listen EADDRINUSE`));
    } finally {
      taken.close();
    }
  });

  it('EACCES on a privileged port says how to get CAP_NET_BIND_SERVICE', () => {
    // The tests run as root, which may bind port 53: the message is checked on the error Node gives.
    const err = Object.assign(new Error('bind EACCES 0.0.0.0:53'), { code: 'EACCES', port: 53 });
    assert.match(explainListenError(err), /^bind EACCES 0\.0\.0\.0:53: ports below 1024 need root or the CAP_NET_BIND_SERVICE capability: .*AmbientCapabilities=CAP_NET_BIND_SERVICE.*user: and group:/);
    assert.equal(explainListenError(Object.assign(new Error('listen EADDRINUSE'), { code: 'EADDRINUSE' })), 'listen EADDRINUSE');
  });
});

describe('finding 7: log format', () => {
  const hasScript = existsSync('/usr/bin/script');
  it('is pretty on a terminal, unless set', { skip: hasScript ? false : 'script(1) is not installed' }, async () => {
    const dir = await tempDir({ 'corp.example.yaml': await corp() });
    // script(1) runs rotor on a pseudo-terminal; its own process group, so that all of it can be stopped.
    const child = spawn('script', ['-qfc', `${process.execPath} --import tsx ${join(REPO, 'src', 'cli.ts')} serve --zones ${dir} --listen 127.0.0.1:0`, '/dev/null'], { cwd: REPO, detached: true, stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no listening line: ${out}`)), STARTUP_MS);
        child.stdout!.on('data', (d: Buffer) => {
          out += d.toString();
          if (out.includes('listening on UDP and TCP')) { clearTimeout(timer); resolve(); }
        });
      });
      assert.match(out, /^\[\d\d:\d\d:\d\d\.\d{3}\] \S*INFO\S*: \S*rotor starting/m);
      assert.equal(out.includes('{"level"'), false, 'no JSON lines');
    } finally {
      process.kill(-child.pid!, 'SIGTERM');
    }
  });

  it('is JSON lines when stdout is not a terminal', async () => {
    const rotor = await startRotor({ 'corp.example.yaml': await corp() });
    try {
      // startRotor reads stdout through a pipe and parses every line as JSON.
      assert.equal(rotor.logs[0]!.msg, 'rotor starting');
    } finally {
      await rotor.stop();
    }
  });
});
